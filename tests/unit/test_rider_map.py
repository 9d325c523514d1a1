"""The customer's map of their rider (domain.rider_map): shown once the rider's first spot is
in, moved at most every few seconds to the newest spot, stopped when the order is no longer
on its way, and nothing after that."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from domain.ids import OrderId
from domain.rider_map import EDIT_EVERY_S, MapStep, RiderSpot

T0 = datetime(2026, 11, 30, 12, tzinfo=UTC)
NEW = RiderSpot(OrderId(1), 1001, 12.97, 77.59, T0, on_the_way=True)


def test_the_first_spot_shows_the_map_and_later_ones_move_it_at_a_pace() -> None:
    assert NEW.step(T0) is MapStep.SHOW
    shown = replace(NEW, message_id=70, shown=(12.97, 77.59), shown_at=T0)
    assert shown.step(T0 + timedelta(minutes=5)) is None  # the rider has not moved
    moved = replace(shown, latitude=12.98, moved_at=T0 + timedelta(seconds=1))
    assert moved.step(T0 + timedelta(seconds=EDIT_EVERY_S - 1)) is None  # too soon
    assert moved.next_move == T0 + timedelta(seconds=EDIT_EVERY_S)
    assert moved.step(T0 + timedelta(seconds=EDIT_EVERY_S)) is MapStep.MOVE


def test_a_map_stops_when_the_order_is_no_longer_on_its_way_and_then_rests() -> None:
    shown = replace(NEW, message_id=70, shown=(12.97, 77.59), shown_at=T0)
    over = replace(shown, on_the_way=False, latitude=13.0)
    assert over.step(T0) is MapStep.STOP
    assert replace(over, stopped=True).step(T0) is None
    assert replace(NEW, on_the_way=False).step(T0) is None  # never shown: nothing to stop
