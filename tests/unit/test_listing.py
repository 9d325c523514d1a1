"""The restaurant list's order, kept until a restaurant may open or close (domain/listing.py)."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from domain.hours import parse_hours
from domain.ids import RestaurantId
from domain.listing import RestaurantOrder
from domain.restaurants import Restaurant

START = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)  # a Friday
KITCHENS = (
    Restaurant(RestaurantId(1), "Dominos", "MG Road", time_zone="Asia/Kolkata",
               hours=parse_hours("mon-fri 11:00-15:00, 18:00-23:00 | sat-sun 10:00-24:00")),
    Restaurant(RestaurantId(2), "zaika sweets", "Kreuzberg", time_zone="Europe/Berlin",
               closed_on=frozenset({date(2026, 11, 28)})),  # no hours, closed on Saturday
    Restaurant(RestaurantId(3), "Burger Barn", "Soho", time_zone="Europe/London",
               hours=parse_hours("mon-sun 12:00-22:47"), closed_on=frozenset({date(2026, 11, 29)})),
    Restaurant(RestaurantId(4), "closed for works", "Indiranagar", is_open=False),
    Restaurant(RestaurantId(5), "Night Owl", "Koramangala", time_zone="Asia/Kolkata",
               hours=parse_hours("mon-sun 22:00-24:00, 00:00-04:00")),
)


def fresh(restaurants: tuple[Restaurant, ...], now: datetime) -> list[str]:
    return [r.name for r in RestaurantOrder().of(restaurants, now)]


def test_open_restaurants_come_first_then_by_name_whatever_its_case() -> None:
    at_lunch = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)  # 12:30 in Bengaluru, 8:00 in Berlin
    assert fresh(KITCHENS, at_lunch) == [
        "Dominos", "zaika sweets", "Burger Barn", "closed for works", "Night Owl"]


def test_the_order_kept_is_always_the_order_worked_out_afresh() -> None:
    """Minute by minute over three days of openings, closings, closed days and midnights in
    two time zones: the order kept never lags behind."""
    kept = RestaurantOrder()
    moment = START + timedelta(minutes=3)  # kept five minutes at most: out of step with hours
    while moment < START + timedelta(days=3):
        assert [r.name for r in kept.of(KITCHENS, moment)] == fresh(KITCHENS, moment), moment
        moment += timedelta(minutes=1)


def test_it_is_worked_out_again_only_when_it_may_have_changed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[int] = []
    opening = Restaurant.opening

    def counted(self: Restaurant, now: datetime):  # type: ignore[no-untyped-def]
        asked.append(self.id)
        return opening(self, now)

    monkeypatch.setattr(Restaurant, "opening", counted)
    kept = RestaurantOrder()
    noon = datetime(2026, 11, 27, 6, 30, tzinfo=UTC)  # 12:00 in Bengaluru: Dominos closes at 15:00
    kept.of(KITCHENS, noon)
    assert len(asked) == len(KITCHENS)

    kept.of(KITCHENS, noon + timedelta(minutes=4))
    assert len(asked) == len(KITCHENS)  # the same catalogue, nobody opened or closed

    kept.of(KITCHENS, noon + timedelta(minutes=5))
    assert len(asked) == 2 * len(KITCHENS)  # kept five minutes at most

    edited = (*KITCHENS[:3], replace(KITCHENS[3], is_open=True), *KITCHENS[4:])
    assert "closed for works" in [r.name for r in kept.of(edited, noon + timedelta(minutes=6))
                                  ][:4]
    assert len(asked) == 3 * len(KITCHENS)  # a new catalogue: at once
