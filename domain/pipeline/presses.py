"""The rules for presses: partners' Accept, Decline, Picked up, Delivered, and the
restaurant manager's Accept, Reject, Ready, and cancelling (DESIGN.md §1, §2, §5).

Each `check_*` says whether the press may go ahead: it raises the DomainError the presser
should hear, returns False to go ahead, or True when the press repeats one that already took
effect (a double tap, a retry), which changes nothing and sends nothing. Storage makes the
change atomically, guarded on the same conditions, and asks again if the guard failed.

Picking up needs the order PREPARING and ready: the restaurant pressed Ready, or, without a
manager, its preparation time has passed since confirmation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from domain.errors import (
    AlreadyAssigned,
    IllegalTransition,
    NotAllowed,
    NotFound,
    NotOffered,
    NotReady,
    OfferExpired,
    PartnerBusy,
    TooLateToCancel,
)
from domain.ids import OrderId, UserId
from domain.messages import Delivered, OrderCancelled, OutForDelivery
from domain.orders import ASSIGNABLE, CUSTOMER_CANCELLABLE, Actor, ActorKind, OrderStatus
from domain.partners import Partner, PartnerStatus
from domain.pipeline.model import Effects, OfferState, OfferView, OrderView
from domain.pipeline.steps import cancel, ready
from domain.restaurants import Restaurant
from domain.tasks import NewTask, TaskKind

S = OrderStatus


@dataclass(frozen=True, slots=True)
class Assignment:
    """What a partner needs once an order is theirs."""

    order_id: OrderId
    partner_id: UserId
    restaurant: str
    pickup: str  # the restaurant's address
    address: str
    latitude: float | None
    longitude: float | None
    phone: str | None
    note: str
    total: int
    currency: str
    ready_at: datetime | None


def found(order: OrderView | None, order_id: OrderId) -> OrderView:
    if order is None:
        raise NotFound("order", order_id)
    return order


def check_accept(
    order: OrderView, offer: OfferView | None, partner: Partner | None, partner_id: UserId,
    now: datetime,
) -> bool:
    """May `partner_id` take the order on the offer they were sent?"""
    if order.partner_id == partner_id:
        return True
    if offer is None:
        raise NotOffered(f"order {order.id} was not offered to you")
    if order.partner_id is not None:
        raise AlreadyAssigned(f"order {order.id} went to another partner")
    if order.status not in ASSIGNABLE:
        raise OfferExpired(f"order {order.id} is {order.status.value.lower()}")
    if not offer.is_live(now):
        raise OfferExpired(f"the offer for order {order.id} is no longer open")
    if partner is None or partner.status != PartnerStatus.APPROVED:
        raise NotAllowed("only approved partners can take orders")
    if not partner.online:
        raise NotAllowed("go online to take orders")
    if partner.active_order_id is not None:
        raise PartnerBusy(f"finish order {partner.active_order_id} first")
    return False


def assigned(order: OrderView, partner: Partner) -> Effects:
    """The customer's tracking message shows who is coming: an edit, not a new message (issue
    12: the pings are kept for "on its way" and "delivered"). Assignment is not a move (§2)."""
    effects = Effects(order.id)
    effects.show(order, reason=f"{partner.name} will deliver it")
    return effects


def check_decline(order: OrderView, offer: OfferView | None, now: datetime) -> bool:
    if offer is None:
        raise NotOffered(f"order {order.id} was not offered to you")
    if offer.state == OfferState.DECLINED:
        return True
    if offer.state == OfferState.ACCEPTED:
        raise NotAllowed(f"you accepted order {order.id}; ask an admin to hand it over")
    if not offer.is_live(now):
        raise OfferExpired(f"the offer for order {order.id} is no longer open")
    return False


def check_pickup(order: OrderView, partner_id: UserId, now: datetime) -> bool:
    _yours(order, partner_id)
    if order.status in (S.OUT_FOR_DELIVERY, S.DELIVERED):
        return True
    if order.status == S.CONFIRMED:
        raise NotReady(f"order {order.id} is not being prepared yet")
    if order.status != S.PREPARING:
        raise IllegalTransition(order.id, order.status, S.OUT_FOR_DELIVERY)
    if not order.is_ready(now):
        raise NotReady(f"order {order.id} is not ready yet")
    return False


def picked_up(order: OrderView, partner_id: UserId, at: datetime) -> Effects:
    effects = Effects(order.id)
    effects.move(order, S.OUT_FOR_DELIVERY, at=at, actor=Actor(ActorKind.PARTNER, partner_id))
    effects.tell(order.customer_id, OutForDelivery(order.id))
    return effects


def check_delivery(order: OrderView, partner_id: UserId) -> bool:
    _yours(order, partner_id)
    if order.status == S.DELIVERED:
        return True
    if order.status != S.OUT_FOR_DELIVERY:
        raise IllegalTransition(order.id, order.status, S.DELIVERED)
    return False


def delivered(order: OrderView, partner_id: UserId, at: datetime) -> Effects:
    """DELIVERED; the partner is free again, idle from now."""
    effects = Effects(order.id)
    effects.move(order, S.DELIVERED, at=at, actor=Actor(ActorKind.PARTNER, partner_id))
    effects.tell(order.customer_id, Delivered(order.id))
    effects.release_partner = partner_id
    return effects


def restaurant_accepts(
    order: OrderView, restaurant: Restaurant, chat_id: int, at: datetime
) -> Effects | None:
    """CONFIRMED → PREPARING, and dispatch starts; None when accepted already."""
    actor = _manager(restaurant, chat_id)
    if order.status in (S.PREPARING, S.OUT_FOR_DELIVERY, S.DELIVERED):
        return None
    if order.status != S.CONFIRMED:
        raise IllegalTransition(order.id, order.status, S.PREPARING)
    effects = Effects(order.id)
    effects.move(order, S.PREPARING, at=at, actor=actor, reason="accepted by the restaurant")
    effects.mark(searching_since=at)
    effects.tasks.append(NewTask(TaskKind.DISPATCH, order.id, at))
    return effects


def restaurant_rejects(
    order: OrderView, restaurant: Restaurant, chat_id: int, at: datetime, reason: str,
    admins: Iterable[int] = (),
) -> Effects | None:
    """CANCELLED while CONFIRMED or PREPARING; None when cancelled already."""
    actor = _manager(restaurant, chat_id)
    if order.status == S.CANCELLED:
        return None
    if order.status not in ASSIGNABLE:
        raise IllegalTransition(order.id, order.status, S.CANCELLED)
    why = reason.strip() or f"{restaurant.name} could not take the order"
    return cancel(order, Effects(order.id), at=at, actor=actor, reason=why, admins=admins)


def restaurant_ready(
    order: OrderView, restaurant: Restaurant, chat_id: int, at: datetime
) -> Effects | None:
    """Ready from now on; None when it was ready (or picked up) already."""
    _manager(restaurant, chat_id)
    if order.status in (S.OUT_FOR_DELIVERY, S.DELIVERED) or (
        order.status == S.PREPARING and order.is_ready(at)
    ):
        return None
    if order.status == S.CONFIRMED:
        raise NotAllowed(f"accept order {order.id} first")
    if order.status != S.PREPARING:
        raise IllegalTransition(order.id, order.status, S.OUT_FOR_DELIVERY)
    return ready(order, Effects(order.id), at=at)


def cancelled_by(
    order: OrderView, restaurant: Restaurant | None, actor: Actor, at: datetime, reason: str,
    admins: Iterable[int] = (),
) -> Effects | None:
    """Customers cancel while CREATED or CONFIRMED, admins any time before the end (§2).

    A restaurant manager who has had the ticket hears of it too.
    """
    if order.status == S.CANCELLED:
        return None
    if actor.kind == ActorKind.CUSTOMER:
        if actor.id != order.customer_id:
            raise NotAllowed("not your order")
        if order.status not in CUSTOMER_CANCELLABLE:
            raise TooLateToCancel(order.status)
    elif actor.kind not in (ActorKind.ADMIN, ActorKind.SYSTEM):
        raise NotAllowed("only the customer or an admin can cancel an order")
    effects = cancel(order, Effects(order.id), at=at, actor=actor, reason=reason, admins=admins)
    manager = restaurant.manager_chat_id if restaurant is not None else None
    if manager is not None and order.status != S.CREATED:
        effects.tell(manager, OrderCancelled(order.id, reason))
    return effects


def _yours(order: OrderView, partner_id: UserId) -> None:
    if order.partner_id != partner_id:
        raise NotAllowed(f"order {order.id} is not yours")


def _manager(restaurant: Restaurant, chat_id: int) -> Actor:
    if restaurant.manager_chat_id is None or restaurant.manager_chat_id != chat_id:
        raise NotAllowed(f"this chat does not manage {restaurant.name}")
    return Actor(ActorKind.RESTAURANT, restaurant.id)
