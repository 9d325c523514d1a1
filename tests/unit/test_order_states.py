"""The order state machine of DESIGN.md §2, checked over every pair of statuses, through the
one function that moves an order (`Effects.move`) and the one cancel (`cancelled_by`)."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import product

import pytest

from domain.errors import IllegalTransition, NotAllowed, OfferExpired
from domain.ids import OrderId, RestaurantId, UserId
from domain.messages import Kind
from domain.orders import (
    Actor,
    ActorKind,
    DeliveryDetails,
    Order,
    OrderItem,
    OrderStatus,
    allowed_moves,
)
from domain.partners import Partner, PartnerStatus
from domain.pipeline.model import Effects, OfferState, OfferView, OrderView
from domain.pipeline.presses import cancelled_by, check_accept
from domain.restaurants import Restaurant

S = OrderStatus
T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ALLOWED = {
    (S.CREATED, S.CONFIRMED), (S.CONFIRMED, S.PREPARING), (S.PREPARING, S.OUT_FOR_DELIVERY),
    (S.OUT_FOR_DELIVERY, S.DELIVERED),
    *((s, S.CANCELLED) for s in (S.CREATED, S.CONFIRMED, S.PREPARING, S.OUT_FOR_DELIVERY)),
    *((s, S.FAILED) for s in (S.CREATED, S.CONFIRMED, S.PREPARING, S.OUT_FOR_DELIVERY)),
}
TERMINAL = (S.DELIVERED, S.CANCELLED, S.FAILED)
CUSTOMER, PARTNER = UserId(1), UserId(77)
KITCHEN = Restaurant(RestaurantId(1), "CTR", "Malleshwaram", manager_chat_id=-500)


def order_in(status: OrderStatus, partner: UserId | None = PARTNER) -> OrderView:
    """Pickup needs a partner; assignment is tested on its own."""
    return OrderView(OrderId(42), status, CUSTOMER, KITCHEN.id, partner, 50000, "INR", "MG Road")


@pytest.mark.parametrize(("start", "to"), sorted(ALLOWED))
def test_each_allowed_move_succeeds_and_records_an_event(start: S, to: S) -> None:
    effects = Effects(OrderId(42))
    at = T0 + timedelta(minutes=5)
    event = effects.move(order_in(start), to, at=at, actor=Actor(ActorKind.ADMIN, 9), reason="why")
    assert effects.status is to and effects.expect is start
    assert event is not None and effects.moves == [event]
    assert (event.from_status, event.to_status, event.at, str(event.actor), event.reason) == (
        start, to, at, "admin:9", "why"
    )


def test_every_move_updates_the_customers_tracking_message() -> None:
    effects = Effects(OrderId(42))
    effects.move(order_in(S.CREATED), S.CONFIRMED, at=T0)
    [note] = effects.notes
    assert (note.chat_id, note.kind, note.data["status"]) == (CUSTOMER, Kind.ORDER_STATUS,
                                                              "CONFIRMED")


DISALLOWED = sorted((a, b) for a, b in product(S, S) if a != b and (a, b) not in ALLOWED)


@pytest.mark.parametrize(("start", "to"), DISALLOWED)
def test_every_other_move_raises_and_changes_nothing(start: S, to: S) -> None:
    effects = Effects(OrderId(42))
    with pytest.raises(IllegalTransition):
        effects.move(order_in(start), to, at=T0)
    assert (effects.moves, effects.notes, effects.expect) == ([], [], None)


@pytest.mark.parametrize("terminal", TERMINAL)
def test_terminal_states_accept_no_move(terminal: S) -> None:
    assert allowed_moves(terminal) == frozenset()
    assert terminal.is_terminal


@pytest.mark.parametrize("status", list(S))
def test_asking_for_the_current_state_is_a_no_op(status: S) -> None:
    effects = Effects(OrderId(42))
    assert effects.move(order_in(status), status, at=T0) is None
    assert (effects.moves, effects.notes) == ([], [])


def test_the_main_line_runs_forward_only() -> None:
    effects, order = Effects(OrderId(42)), order_in(S.CREATED)
    for to in (S.CONFIRMED, S.PREPARING, S.OUT_FOR_DELIVERY, S.DELIVERED):
        effects.move(order, to, at=T0)
    assert [e.to_status for e in effects.moves] == [
        S.CONFIRMED, S.PREPARING, S.OUT_FOR_DELIVERY, S.DELIVERED
    ]
    assert effects.expect is S.CREATED  # storage applies them only if it is still CREATED
    with pytest.raises(IllegalTransition):
        effects.move(order, S.PREPARING, at=T0)


def test_placing_records_the_first_event_from_nowhere() -> None:
    order = Order.place(
        customer_id=UserId(5), restaurant_id=RestaurantId(2),
        items=(OrderItem(3, "Dosa", 9000, 1), OrderItem(4, "Chai", 2000, 3)),
        currency="INR", delivery=DeliveryDetails("Flat 4"), at=T0,
    )
    assert order.status is S.CREATED
    assert order.total.amount == 15000
    [event] = order.new_events
    assert (event.from_status, event.to_status, str(event.actor)) == (None, S.CREATED, "customer:5")


def test_pickup_needs_an_assigned_partner() -> None:
    with pytest.raises(IllegalTransition):
        Effects(OrderId(42)).move(order_in(S.PREPARING, None), S.OUT_FOR_DELIVERY, at=T0)


def cancel(status: S, actor: Actor, reason: str = "") -> Effects | None:
    return cancelled_by(order_in(status, None), KITCHEN, actor, T0, reason)


@pytest.mark.parametrize("status", [S.CREATED, S.CONFIRMED])
def test_customer_may_cancel_early(status: S) -> None:
    effects = cancel(status, Actor(ActorKind.CUSTOMER, CUSTOMER))
    assert effects is not None and effects.status is S.CANCELLED


@pytest.mark.parametrize("status", [S.PREPARING, S.OUT_FOR_DELIVERY, *TERMINAL])
def test_customer_may_not_cancel_late(status: S) -> None:
    if status is S.CANCELLED:
        assert cancel(status, Actor(ActorKind.CUSTOMER, CUSTOMER)) is None  # a repeated press
        return
    with pytest.raises((NotAllowed, IllegalTransition)):
        cancel(status, Actor(ActorKind.CUSTOMER, CUSTOMER))


def test_another_customer_cannot_cancel() -> None:
    with pytest.raises(NotAllowed):
        cancel(S.CREATED, Actor(ActorKind.CUSTOMER, UserId(2)))


@pytest.mark.parametrize("status", [S.CREATED, S.CONFIRMED, S.PREPARING, S.OUT_FOR_DELIVERY])
def test_admin_may_cancel_any_open_order(status: S) -> None:
    effects = cancel(status, Actor(ActorKind.ADMIN, 9), "kitchen fire")
    assert effects is not None and effects.status is S.CANCELLED
    assert effects.moves[-1].reason == "kitchen fire"


@pytest.mark.parametrize("status", list(S))
def test_partner_is_assigned_only_while_confirmed_or_preparing(status: S) -> None:
    offer = OfferView(OrderId(42), PARTNER, OfferState.OPEN, T0, T0 + timedelta(minutes=1))
    rider = Partner(PARTNER, "Kiran", PartnerStatus.APPROVED, online=True)
    view = replace(order_in(status), partner_id=None)
    if status in (S.CONFIRMED, S.PREPARING):
        assert check_accept(view, offer, rider, PARTNER, T0) is False  # may take it
    else:
        with pytest.raises(OfferExpired):
            check_accept(view, offer, rider, PARTNER, T0)
