"""What each queued task does to its order (DESIGN.md §2, §4, §5). Pure: see domain.pipeline.

confirm_order   CREATED → CONFIRMED after checking the restaurant is open and every dish still
                available (else CANCELLED, the customer told why). Without a manager the order
                goes on to PREPARING at once, ready after the restaurant's preparation time,
                and dispatch's first look is made in the same step (the task goes on as the
                order's dispatch task: one claim and one batch fewer an order); with one, the
                manager gets a ticket and dispatch starts when they accept.
dispatch        offers the order to one free partner at a time, longest idle first, skipping
                partners who declined or let an offer for it expire; an offer runs for
                `offer_timeout_s`. With nobody free it looks again with backoff, tells the
                customer once, and alerts the admins once past `no_partner_alert_after_s`.
mark_ready      the order is ready now (tells the assigned partner).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Final

from domain.errors import NotFound
from domain.messages import (
    AdminAlert,
    AlertReason,
    FindingPartner,
    Message,
    Offer,
    OfferExpired,
    OrderCancelled,
    OrderFailed,
    OrderReady,
    RefundDue,
    RefundPromised,
    RestaurantTicket,
    TicketLine,
)
from domain.orders import ASSIGNABLE, SYSTEM, Actor, ActorKind, OrderStatus
from domain.pipeline.model import (
    Effects,
    Handler,
    Next,
    OfferState,
    OfferView,
    OrderView,
    PipelineConfig,
    Snapshot,
    Step,
    TaskRun,
)
from domain.restaurants import Restaurant, Unanswered
from domain.tasks import TaskKind

S = OrderStatus


def confirm_order(task: TaskRun, snap: Snapshot) -> Step:
    order = _order(task, snap)
    if order is None or order.status != S.CREATED:
        return Step()  # handled already, or cancelled meanwhile
    restaurant = _restaurant(order, snap)
    now, effects = snap.now, Effects(order.id)
    if not restaurant.is_open:  # switched off since; its hours were checked at placing
        return Step(cancel(order, effects, at=now, reason=f"{restaurant.name} is closed",
                           admins=snap.config.admin_ids))
    if order.scheduled_for is not None and not restaurant.open_at(now):  # hours changed since
        reason = f"{restaurant.name} is closed at the time this order was scheduled for"
        return Step(cancel(order, effects, at=now, reason=reason, admins=snap.config.admin_ids))
    gone = [line.name for line in snap.lines.get(order.id, ()) if not line.available]
    if gone:
        reason = "no longer available: " + ", ".join(gone)
        return Step(cancel(order, effects, at=now, reason=reason, admins=snap.config.admin_ids))
    effects.move(order, S.CONFIRMED, at=now)
    if restaurant.manager_chat_id is not None:
        lines = tuple(TicketLine(line.name, line.quantity, line.item_id or 0, line.options)
                      for line in snap.lines[order.id])
        effects.tell(restaurant.manager_chat_id, RestaurantTicket(
            order.id, restaurant.id, lines, order.total, order.currency,
            order.delivery_fee, order.discount, order.tip, order.paid_online))
        answer_by = now + timedelta(seconds=restaurant.answer_within_s)
        return Step(effects, Next(TaskKind.KITCHEN_TIMEOUT, answer_by))
    effects.move(order, S.PREPARING, at=now, reason="no restaurant manager: auto-accepted")
    ready_at = now + timedelta(minutes=restaurant.prep_minutes)
    effects.mark(ready_at=ready_at, searching_since=now)
    preparing = replace(order, status=S.PREPARING, ready_at=ready_at, searching_since=now)
    return _find_partner(task, preparing, effects, (), snap)  # dispatch's first look, here


def kitchen_timeout(task: TaskRun, snap: Snapshot) -> Step:
    """The kitchen has not answered the ticket in time: the admins are told, and the order is
    accepted for it or cancelled, as the restaurant is set. Answered meanwhile: nothing."""
    order = _order(task, snap)
    if order is None or order.status != S.CONFIRMED:
        return Step()
    restaurant, now, effects = _restaurant(order, snap), snap.now, Effects(order.id)
    waited = restaurant.answer_within_s
    if restaurant.unanswered == Unanswered.ACCEPT:
        effects.move(order, S.PREPARING, at=now,
                     reason=f"{restaurant.name} did not answer in time: accepted for it")
        effects.mark(ready_at=now + timedelta(minutes=restaurant.prep_minutes),
                     searching_since=now)
        alert(effects, snap.config, AdminAlert(
            AlertReason.KITCHEN_SILENT, order.id, waited_s=waited, error="accepted for it"))
        return Step(effects, Next(TaskKind.DISPATCH, now))
    cancel(order, effects, at=now, reason=f"{restaurant.name} did not answer in time",
           admins=snap.config.admin_ids)
    if restaurant.manager_chat_id is not None:
        effects.tell(restaurant.manager_chat_id,
                     OrderCancelled(order.id, "not answered in time"))
    alert(effects, snap.config, AdminAlert(
        AlertReason.KITCHEN_SILENT, order.id, waited_s=waited,
        error="cancelled, the customer told"))
    return Step(effects)


def dispatch_order(task: TaskRun, snap: Snapshot) -> Step:
    order = _order(task, snap)
    if order is None:
        return Step()
    now, effects = snap.now, Effects(order.id)
    offers = snap.offers.get(order.id, ())
    live = next((offer for offer in offers if offer.state == OfferState.OPEN), None)
    if order.status not in ASSIGNABLE or order.partner_id is not None:
        effects.end_offers = live is not None  # taken, or over: no offer stays open for it
        return Step(effects if live else None)
    if live is not None:
        if live.expires_at > now:
            return Step(None, Next(TaskKind.DISPATCH, live.expires_at, task.payload))
        effects.expire_offer = live.partner_id
        effects.tell(live.partner_id, OfferExpired(order.id))
    if order.searching_since is None:
        effects.mark(searching_since=now)
    return _find_partner(task, order, effects, offers, snap)


def _find_partner(
    task: TaskRun, order: OrderView, effects: Effects, offers: tuple[OfferView, ...],
    snap: Snapshot,
) -> Step:
    """Offers the order to the longest idle free partner it has not been offered to yet, or
    looks again later; the task runs next when the offer runs out."""
    now = snap.now
    partner = snap.pool.take(exclude={offer.partner_id for offer in offers})
    if partner is None:
        return _nobody_free(task, order, effects, snap)
    expires_at = now + timedelta(seconds=snap.config.offer_timeout_s)
    effects.new_offer = OfferView(order.id, partner.id, OfferState.OPEN, now, expires_at)
    restaurant = _restaurant(order, snap)
    effects.tell(partner.id, Offer(
        order.id, restaurant.name, pickup=restaurant.address, address=order.address,
        total=order.total, currency=order.currency, expires_at=expires_at,
        latitude=order.latitude, longitude=order.longitude,  # one message: a map link in it
        delivery_fee=order.delivery_fee, discount=order.discount, tip=order.tip,
        paid_online=order.paid_online,
    ))
    return Step(effects, Next(TaskKind.DISPATCH, expires_at))


def _nobody_free(task: TaskRun, order: OrderView, effects: Effects, snap: Snapshot) -> Step:
    """Looks again later; tells the customer once, and past the threshold the admins, and
    the customer again, honestly, that it is taking longer than usual."""
    now, config = snap.now, snap.config
    if not order.told_searching:
        effects.tell(order.customer_id, FindingPartner(order.id))
        effects.mark(told_searching=True)
    since = order.searching_since or now
    alert_at = since + timedelta(seconds=config.no_partner_alert_after_s)
    if not order.admins_alerted and alert_at <= now:
        waited = int((now - since).total_seconds())
        alert(effects, config, AdminAlert(AlertReason.NO_PARTNER, order.id, waited_s=waited))
        effects.tell(order.customer_id, FindingPartner(order.id, taking_long=True))
        effects.mark(admins_alerted=True)
    rounds = _int(task.payload.get("round")) + 1
    delay = min(config.dispatch_max_wait_s, snap.retry.delay_s(rounds, task.sample))
    run_at = now + timedelta(seconds=delay)
    if not order.admins_alerted and alert_at > now:
        run_at = min(run_at, alert_at)  # so the alert is on time
    return Step(effects, Next(TaskKind.DISPATCH, run_at, {"round": rounds}))


def mark_ready(task: TaskRun, snap: Snapshot) -> Step:
    order = _order(task, snap)
    if order is None or order.status != S.PREPARING or order.is_ready(snap.now):
        return Step()
    return Step(ready(order, Effects(order.id), at=snap.now))


def ready(order: OrderView, effects: Effects, *, at: datetime) -> Effects:
    """The food is ready now; the assigned partner, if any, hears it."""
    effects.mark(ready_at=at)
    if order.partner_id is not None:
        effects.tell(order.partner_id, OrderReady(order.id))
    return effects


def cancel(
    order: OrderView, effects: Effects, *, at: datetime, actor: Actor = SYSTEM, reason: str,
    admins: Iterable[int] = (),
) -> Effects:
    """CANCELLED with its reason: the customer is told (unless they cancelled it themselves:
    their screen shows it), open offers are withdrawn, a partner released and told; money
    paid online is due back (the `admins` are told)."""
    effects.move(order, S.CANCELLED, at=at, actor=actor, reason=reason)
    if actor.kind != ActorKind.CUSTOMER:
        effects.tell(order.customer_id, OrderCancelled(order.id, reason))
    _end(order, effects, OrderCancelled(order.id, reason))
    refund(order, effects, f"cancelled: {reason}" if reason else "cancelled", admins)
    return effects


def refund(order: OrderView, effects: Effects, reason: str, admins: Iterable[int]) -> None:
    """An order paid online that ends unfulfilled: a refund of all that was paid is recorded
    with the move; the customer hears it is coming, the admins that it is theirs to make."""
    if not order.paid_online:
        return
    effects.refund = reason
    effects.tell(order.customer_id, RefundPromised(order.id, order.total, order.currency))
    for admin in sorted(set(admins)):
        effects.tell(admin, RefundDue(order.total, order.currency, reason, order.id))


def fail_order(order: OrderView, config: PipelineConfig, *, at: datetime, error: str) -> Effects:
    """FAILED after the pipeline gave up: the customer is told and every admin alerted."""
    effects = Effects(order.id)
    if order.status.is_terminal:
        return effects
    reason = f"the pipeline gave up: {error}"
    effects.move(order, S.FAILED, at=at, reason=reason)
    effects.tell(order.customer_id, OrderFailed(order.id))
    alert(effects, config, AdminAlert(AlertReason.ORDER_FAILED, order.id, error=error))
    _end(order, effects, OrderFailed(order.id, reason))
    refund(order, effects, "the order could not be completed", config.admin_ids)
    return effects


def alert(effects: Effects, config: PipelineConfig, message: AdminAlert) -> None:
    for admin in sorted(config.admin_ids):
        effects.tell(admin, message)


def _end(order: OrderView, effects: Effects, partner_hears: Message) -> None:
    """The order is over: no offer stays open, and its partner is free again and told."""
    effects.end_offers = True
    if order.partner_id is not None:
        effects.release_partner = order.partner_id
        effects.tell(order.partner_id, partner_hears)


def _order(task: TaskRun, snap: Snapshot) -> OrderView | None:
    return snap.orders.get(task.order_id) if task.order_id is not None else None


def _restaurant(order: OrderView, snap: Snapshot) -> Restaurant:
    restaurant = snap.restaurants.get(order.restaurant_id)
    if restaurant is None:
        raise NotFound("restaurant", order.restaurant_id)
    return restaurant


def _int(value: object) -> int:
    return value if isinstance(value, int) else 0


HANDLERS: Final[Mapping[str, Handler]] = {
    TaskKind.CONFIRM_ORDER: confirm_order,
    TaskKind.DISPATCH: dispatch_order,
    TaskKind.MARK_READY: mark_ready,
    TaskKind.KITCHEN_TIMEOUT: kitchen_timeout,
}
