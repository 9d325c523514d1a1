"""Who may press what: partners' and managers' buttons, and cancelling (pure rules)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import (
    AlreadyAssigned,
    IllegalTransition,
    NotAllowed,
    NotOffered,
    NotReady,
    OfferExpired,
    PartnerBusy,
    TooLateToCancel,
)
from domain.ids import OrderId, RestaurantId, UserId
from domain.messages import Delivered, Kind, OrderStatusChanged
from domain.orders import Actor, ActorKind, OrderStatus
from domain.partners import Partner, PartnerStatus
from domain.pipeline.model import Effects, OfferState, OfferView, OrderView
from domain.pipeline.presses import (
    assigned,
    cancelled_by,
    check_accept,
    check_decline,
    check_delivery,
    check_pickup,
    delivered,
    picked_up,
    restaurant_accepts,
    restaurant_ready,
    restaurant_rejects,
)
from domain.restaurants import Restaurant
from domain.tasks import TaskKind

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
S = OrderStatus
ME, YOU = UserId(7), UserId(8)
KITCHEN = Restaurant(RestaurantId(5), "CTR", "Malleshwaram", manager_chat_id=-500)
OFFER = OfferView(OrderId(42), ME, OfferState.OPEN, T0, T0 + timedelta(seconds=60))
RIDER = Partner(ME, "Kiran", PartnerStatus.APPROVED, online=True)


def order(status: S = S.PREPARING, **changes: object) -> OrderView:
    view = OrderView(OrderId(42), status, UserId(1001), KITCHEN.id, None, 9000, "INR", "Jayanagar")
    return replace(view, **changes)  # type: ignore[arg-type]


def test_a_partner_may_take_the_order_offered_to_them_while_the_offer_runs() -> None:
    assert check_accept(order(), OFFER, RIDER, ME, T0 + timedelta(seconds=59)) is False
    assert check_accept(order(partner_id=ME), None, RIDER, ME, T0) is True  # a replay


@pytest.mark.parametrize(("view", "offer", "rider", "error"), [
    (order(), None, RIDER, NotOffered),
    (order(partner_id=YOU), OFFER, RIDER, AlreadyAssigned),
    (order(S.CANCELLED), OFFER, RIDER, OfferExpired),
    (order(), replace(OFFER, state=OfferState.DECLINED), RIDER, OfferExpired),
    (order(), replace(OFFER, expires_at=T0), RIDER, OfferExpired),
    (order(), OFFER, replace(RIDER, online=False), NotAllowed),
    (order(), OFFER, replace(RIDER, status=PartnerStatus.REVOKED), NotAllowed),
    (order(), OFFER, replace(RIDER, active_order_id=OrderId(41)), PartnerBusy),
])
def test_a_partner_is_told_why_they_cannot_take_an_order(
    view: OrderView, offer: OfferView | None, rider: Partner, error: type[Exception]
) -> None:
    with pytest.raises(error):
        check_accept(view, offer, rider, ME, T0)


def test_taking_an_order_shows_the_customer_who_is_coming_in_the_tracking_message() -> None:
    [note] = assigned(order(), RIDER).notes  # an edit of the tracking message, no new message
    assert note.kind == Kind.ORDER_STATUS
    assert note.data["status"] == note.data["previous"] == order().status.value
    assert "Kiran" in note.data["reason"]
    assert assigned(order(), RIDER).moves == []  # assignment is not a move


def test_declining_twice_is_one_decline_and_an_accepted_order_cannot_be_declined() -> None:
    assert check_decline(order(), OFFER, T0) is False
    assert check_decline(order(), replace(OFFER, state=OfferState.DECLINED), T0) is True
    with pytest.raises(NotAllowed):
        check_decline(order(), replace(OFFER, state=OfferState.ACCEPTED), T0)
    with pytest.raises(NotOffered):
        check_decline(order(), None, T0)


def test_pickup_needs_the_assigned_partner_and_a_ready_order() -> None:
    ready = order(partner_id=ME, ready_at=T0)
    assert check_pickup(ready, ME, T0) is False
    with pytest.raises(NotAllowed):
        check_pickup(ready, YOU, T0)
    with pytest.raises(NotReady):
        check_pickup(replace(ready, ready_at=T0 + timedelta(minutes=1)), ME, T0)
    with pytest.raises(NotReady):
        check_pickup(replace(ready, status=S.CONFIRMED), ME, T0)
    with pytest.raises(IllegalTransition):
        check_pickup(replace(ready, status=S.CANCELLED), ME, T0)
    assert check_pickup(replace(ready, status=S.OUT_FOR_DELIVERY), ME, T0) is True

    effects = picked_up(ready, ME, T0)
    assert effects.status == S.OUT_FOR_DELIVERY and str(effects.moves[0].actor) == "partner:7"
    # the tracking message sent anew, which pings: no edit of the old one beside it
    assert [n.kind for n in effects.notes] == [Kind.OUT_FOR_DELIVERY]


def test_delivery_frees_the_partner() -> None:
    on_the_way = order(S.OUT_FOR_DELIVERY, partner_id=ME)
    assert check_delivery(on_the_way, ME) is False
    assert check_delivery(replace(on_the_way, status=S.DELIVERED), ME) is True
    with pytest.raises(NotAllowed):
        check_delivery(on_the_way, YOU)
    effects = delivered(on_the_way, ME, T0)
    assert (effects.status, effects.release_partner) == (S.DELIVERED, ME)
    assert [n.kind for n in effects.notes] == [Kind.DELIVERED]


def test_a_milestone_takes_the_place_of_its_steps_edit_of_the_tracking_message() -> None:
    on_the_way = order(S.OUT_FOR_DELIVERY, partner_id=ME)
    effects = Effects(on_the_way.id)
    effects.show(on_the_way, reason="a partner change")  # an edit, until the milestone
    effects.tell(ME, OrderStatusChanged(42, "X", "X"))  # another chat's note: left alone
    effects.tell(on_the_way.customer_id, Delivered(42))
    effects.move(on_the_way, S.DELIVERED, at=T0)  # its edit: the message sent anew shows it
    assert [(n.chat_id, n.kind) for n in effects.notes] == [
        (ME, Kind.ORDER_STATUS), (1001, Kind.DELIVERED)]


def test_only_the_restaurants_own_chat_may_accept_and_accepting_starts_dispatch() -> None:
    with pytest.raises(NotAllowed):
        restaurant_accepts(order(S.CONFIRMED), KITCHEN, -1, T0)
    effects = restaurant_accepts(order(S.CONFIRMED), KITCHEN, -500, T0)
    assert effects is not None and effects.status == S.PREPARING
    assert [(t.kind, t.run_at) for t in effects.tasks] == [(TaskKind.DISPATCH, T0)]
    assert restaurant_accepts(order(S.PREPARING), KITCHEN, -500, T0) is None
    with pytest.raises(IllegalTransition):
        restaurant_accepts(order(S.CANCELLED), KITCHEN, -500, T0)


def test_a_rejected_order_is_cancelled_and_its_partner_told() -> None:
    effects = restaurant_rejects(order(partner_id=ME), KITCHEN, -500, T0, " ")
    assert effects is not None and effects.status == S.CANCELLED
    assert effects.moves[0].reason == "CTR could not take the order"
    assert (ME, Kind.ORDER_CANCELLED) in [(n.chat_id, n.kind) for n in effects.notes]
    assert effects.release_partner == ME and effects.end_offers
    assert restaurant_rejects(order(S.CANCELLED), KITCHEN, -500, T0, "") is None


def test_ready_is_once_and_only_after_accepting() -> None:
    with pytest.raises(NotAllowed):
        restaurant_ready(order(S.CONFIRMED), KITCHEN, -500, T0)
    effects = restaurant_ready(order(partner_id=ME), KITCHEN, -500, T0)
    assert effects is not None and effects.progress is not None
    assert effects.progress.ready_at == T0
    assert restaurant_ready(order(ready_at=T0), KITCHEN, -500, T0) is None


def test_customers_cancel_early_and_their_own_orders_admins_any_time_before_the_end() -> None:
    customer = Actor(ActorKind.CUSTOMER, 1001)
    assert cancelled_by(order(S.CONFIRMED), KITCHEN, customer, T0, "changed my mind") is not None
    with pytest.raises(TooLateToCancel):
        cancelled_by(order(S.PREPARING), KITCHEN, customer, T0, "")
    with pytest.raises(NotAllowed):
        cancelled_by(order(S.CREATED), KITCHEN, Actor(ActorKind.CUSTOMER, 1002), T0, "")
    with pytest.raises(NotAllowed):
        cancelled_by(order(S.CREATED), KITCHEN, Actor(ActorKind.PARTNER, 7), T0, "")
    admin = Actor(ActorKind.ADMIN, 9)
    effects = cancelled_by(order(S.OUT_FOR_DELIVERY, partner_id=ME), KITCHEN, admin, T0, "fraud")
    assert effects is not None and effects.release_partner == ME
    assert sorted((n.chat_id, n.kind) for n in effects.notes) == sorted([
        (1001, Kind.ORDER_STATUS), (1001, Kind.ORDER_CANCELLED), (ME, Kind.ORDER_CANCELLED),
        (-500, Kind.ORDER_CANCELLED),  # the kitchen had the ticket
    ])
    assert cancelled_by(order(S.CANCELLED), KITCHEN, admin, T0, "") is None
    with pytest.raises(IllegalTransition):
        cancelled_by(order(S.DELIVERED), KITCHEN, admin, T0, "")
    early = cancelled_by(order(S.CREATED), KITCHEN, customer, T0, "")
    assert early is not None and -500 not in [n.chat_id for n in early.notes]
