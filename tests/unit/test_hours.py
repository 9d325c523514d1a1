"""Opening hours: reading /hours, and whether a restaurant takes orders at a moment."""

from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from domain.errors import InvalidInput
from domain.hours import parse_hours
from domain.ids import RestaurantId
from domain.restaurants import Restaurant

WEEK = parse_hours("mon-fri 11:00-15:00, 18:00-23:00 | sat-sun 10:00-24:00")
DOMINOS = Restaurant(RestaurantId(1), "Dominos", "MG Road", time_zone="Asia/Kolkata",
                     hours=WEEK)


def ist(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in November 2026 as the clock reads it in Bengaluru, in UTC as stored."""
    return datetime(2026, 11, day, hour, minute, tzinfo=ZoneInfo("Asia/Kolkata")).astimezone(UTC)


def test_hours_read_back_as_written_one_part_a_day() -> None:
    assert str(WEEK).startswith("mon 11:00-15:00, 18:00-23:00 | tue 11:00-15:00, 18:00-23:00")
    assert str(WEEK).endswith("sat 10:00-24:00 | sun 10:00-24:00")
    assert parse_hours(str(WEEK)) == WEEK
    assert str(parse_hours("fri-mon 09:00-10:00")) == (
        "mon 09:00-10:00 | fri 09:00-10:00 | sat 09:00-10:00 | sun 09:00-10:00")


@pytest.mark.parametrize(("text", "why"), [
    ("mon 11:00", "hours are written"), ("funday 11:00-12:00", "days are mon to sun"),
    ("mon 12:00-11:00", "opens before it closes"), ("mon 25:00-26:00", "not a time of day"),
    ("mon 11:00-15:00, 14:00-16:00", "overlap"), ("mon", "needs its hours"),
    ("mon 24:30-24:40", "not a time of day"),
])
def test_hours_that_cannot_be_meant_are_refused(text: str, why: str) -> None:
    with pytest.raises(InvalidInput, match=why):
        parse_hours(text)


def test_a_restaurant_takes_orders_only_within_its_hours_in_its_local_time() -> None:
    monday = 30  # 30 November 2026 is a Monday
    assert [DOMINOS.open_at(ist(monday, h, m)) for h, m in (
        (10, 59), (11, 0), (14, 59), (15, 0), (18, 30), (23, 0))] == [
        False, True, True, False, True, False]
    lunch = DOMINOS.opening(ist(monday, 14, 40))
    assert (lunch.open, lunch.minutes_to_close) == (True, 20)
    evening = DOMINOS.opening(ist(monday, 16, 0))
    assert (evening.open, evening.opens_in_days) == (False, 0)
    assert evening.opens_at is not None and f"{evening.opens_at:%H:%M}" == "18:00"
    night = DOMINOS.opening(ist(monday, 23, 30))
    assert night.opens_in_days == 1 and f"{night.opens_at:%a %H:%M}" == "Tue 11:00"


def test_a_closed_day_or_the_switch_closes_it_whatever_the_hours() -> None:
    holiday = replace(DOMINOS, closed_on=frozenset({date(2026, 11, 30)}))
    closed = holiday.opening(ist(30, 12))
    assert not closed.open and f"{closed.opens_at:%a %H:%M}" == "Tue 11:00"
    assert not replace(DOMINOS, is_open=False).open_at(ist(30, 12))
    assert replace(DOMINOS, hours=None).open_at(ist(30, 3))  # no hours: open when switched on


def test_without_hours_a_run_of_closed_days_opens_after_the_last() -> None:
    always = replace(DOMINOS, hours=None, closed_on=frozenset(
        {date(2026, 11, 30), date(2026, 12, 1)}))
    closed = always.opening(ist(30, 12))
    assert not closed.open and f"{closed.opens_at:%a %d %H:%M}" == "Wed 02 00:00"


def test_a_dish_sold_out_for_today_comes_back_at_the_next_opening() -> None:
    monday = 30
    assert DOMINOS.reopens_after(ist(monday, 12)) == ist(monday, 18)  # dinner, after lunch
    assert DOMINOS.reopens_after(ist(monday, 19)) == datetime(
        2026, 12, 1, 11, tzinfo=ZoneInfo("Asia/Kolkata")).astimezone(UTC)
    no_hours = replace(DOMINOS, hours=None)
    assert no_hours.reopens_after(ist(monday, 12)) == datetime(
        2026, 12, 1, tzinfo=ZoneInfo("Asia/Kolkata")).astimezone(UTC)
