"""The order state machine of DESIGN.md §2, checked over every pair of statuses."""

from datetime import UTC, datetime, timedelta
from itertools import product

import pytest

from domain.errors import AlreadyAssigned, IllegalTransition, NotAllowed
from domain.ids import RestaurantId, UserId
from domain.orders import (
    Actor,
    ActorKind,
    DeliveryDetails,
    Order,
    OrderItem,
    OrderStatus,
    allowed_moves,
)

S = OrderStatus
T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ALLOWED = {
    (S.CREATED, S.CONFIRMED), (S.CONFIRMED, S.PREPARING), (S.PREPARING, S.OUT_FOR_DELIVERY),
    (S.OUT_FOR_DELIVERY, S.DELIVERED),
    *((s, S.CANCELLED) for s in (S.CREATED, S.CONFIRMED, S.PREPARING, S.OUT_FOR_DELIVERY)),
    *((s, S.FAILED) for s in (S.CREATED, S.CONFIRMED, S.PREPARING, S.OUT_FOR_DELIVERY)),
}
TERMINAL = (S.DELIVERED, S.CANCELLED, S.FAILED)
PARTNER = UserId(77)


def order_in(status: OrderStatus) -> Order:
    order = Order.place(
        customer_id=UserId(1), restaurant_id=RestaurantId(1),
        items=(OrderItem(1, "Pizza", 25000, 2),), currency="INR",
        delivery=DeliveryDetails("12 MG Road"), at=T0,
    )
    order.partner_id = PARTNER  # pickup needs a partner; assignment is tested on its own
    order.status = status
    order.new_events.clear()
    return order


@pytest.mark.parametrize(("start", "to"), sorted(ALLOWED))
def test_each_allowed_move_succeeds_and_records_an_event(start: S, to: S) -> None:
    order = order_in(start)
    at = T0 + timedelta(minutes=5)
    event = order.advance(to, at=at, actor=Actor(ActorKind.ADMIN, 9), reason="why")
    assert order.status is to
    assert event is not None
    assert order.new_events == [event]
    assert (event.from_status, event.to_status, event.at, str(event.actor), event.reason) == (
        start, to, at, "admin:9", "why"
    )


DISALLOWED = sorted((a, b) for a, b in product(S, S) if a != b and (a, b) not in ALLOWED)


@pytest.mark.parametrize(("start", "to"), DISALLOWED)
def test_every_other_move_raises_and_changes_nothing(start: S, to: S) -> None:
    order = order_in(start)
    with pytest.raises(IllegalTransition):
        order.advance(to, at=T0)
    assert order.status is start
    assert order.new_events == []


@pytest.mark.parametrize("terminal", TERMINAL)
def test_terminal_states_accept_no_move(terminal: S) -> None:
    assert allowed_moves(terminal) == frozenset()
    assert terminal.is_terminal


@pytest.mark.parametrize("status", list(S))
def test_asking_for_the_current_state_is_a_no_op(status: S) -> None:
    order = order_in(status)
    assert order.advance(status, at=T0) is None
    assert order.status is status
    assert order.new_events == []


def test_the_main_line_runs_forward_only() -> None:
    order = order_in(S.CREATED)
    for to in (S.CONFIRMED, S.PREPARING, S.OUT_FOR_DELIVERY, S.DELIVERED):
        order.advance(to, at=T0)
    assert [e.to_status for e in order.new_events] == [
        S.CONFIRMED, S.PREPARING, S.OUT_FOR_DELIVERY, S.DELIVERED
    ]
    with pytest.raises(IllegalTransition):
        order.advance(S.PREPARING, at=T0)


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
    order = order_in(S.PREPARING)
    order.partner_id = None
    with pytest.raises(IllegalTransition):
        order.advance(S.OUT_FOR_DELIVERY, at=T0)


@pytest.mark.parametrize("status", [S.CREATED, S.CONFIRMED])
def test_customer_may_cancel_early(status: S) -> None:
    order = order_in(status)
    order.cancel(at=T0, actor=Actor(ActorKind.CUSTOMER, 1))
    assert order.status is S.CANCELLED


@pytest.mark.parametrize("status", [S.PREPARING, S.OUT_FOR_DELIVERY, *TERMINAL])
def test_customer_may_not_cancel_late(status: S) -> None:
    order = order_in(status)
    if status is S.CANCELLED:
        assert order.cancel(at=T0, actor=Actor(ActorKind.CUSTOMER, 1)) is None
        return
    with pytest.raises((NotAllowed, IllegalTransition)):
        order.cancel(at=T0, actor=Actor(ActorKind.CUSTOMER, 1))
    assert order.status is status


def test_another_customer_cannot_cancel() -> None:
    order = order_in(S.CREATED)
    with pytest.raises(NotAllowed):
        order.cancel(at=T0, actor=Actor(ActorKind.CUSTOMER, 2))
    assert order.status is S.CREATED


@pytest.mark.parametrize("status", [S.CREATED, S.CONFIRMED, S.PREPARING, S.OUT_FOR_DELIVERY])
def test_admin_may_cancel_any_open_order(status: S) -> None:
    order = order_in(status)
    order.cancel(at=T0, actor=Actor(ActorKind.ADMIN, 9), reason="kitchen fire")
    assert order.status is S.CANCELLED
    assert order.new_events[-1].reason == "kitchen fire"


@pytest.mark.parametrize("status", list(S))
def test_partner_is_assigned_only_while_confirmed_or_preparing(status: S) -> None:
    order = order_in(status)
    order.partner_id = None
    if status in (S.CONFIRMED, S.PREPARING):
        assert order.assign_partner(PARTNER) is True
        assert order.assign_partner(PARTNER) is False  # again: a no-op
        with pytest.raises(AlreadyAssigned):
            order.assign_partner(UserId(78))
        assert order.partner_id == PARTNER
    else:
        with pytest.raises(NotAllowed):
            order.assign_partner(PARTNER)
        assert order.partner_id is None
