"""Delivery slots (issue 14): the half-hour grid of the restaurant's local clock, today and
tomorrow, only while the kitchen can make the order, never sooner than it could arrive."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from domain.hours import parse_hours
from domain.ids import RestaurantId
from domain.restaurants import Restaurant
from domain.slots import SLOT_MINUTES, day_of, first_slot, fits, slots, starts_at

# Monday 30 November 2026, 13:37 in Bengaluru (UTC+5:30); lunch 11:00-15:00, dinner 18:00-23:00
NOW = datetime(2026, 11, 30, 8, 7, tzinfo=UTC)
DOMINOS = Restaurant(RestaurantId(1), "Dominos", "MG Road", prep_minutes=20, travel_minutes=20,
                     time_zone="Asia/Kolkata",
                     hours=parse_hours("mon-sun 11:00-15:00 | mon-sun 18:00-23:00"))


def at(day: int, hhmm: str) -> datetime:
    """A local time on 30 November + `day`, in UTC."""
    hours, minutes = map(int, hhmm.split(":"))
    local = datetime(2026, 11, 30, hours, minutes) + timedelta(days=day, hours=-5, minutes=-30)
    return local.replace(tzinfo=UTC)


def local_times(found: list[datetime], day: int) -> list[str]:
    return [(s + timedelta(hours=5, minutes=30)).strftime("%H:%M") for s in found
            if day_of(DOMINOS, s, NOW) == day]


def test_slots_follow_the_hours_on_the_local_half_hour_grid() -> None:
    found = list(slots(DOMINOS, NOW))
    # today: from 13:37 + 40 min; the kitchen starts 40 min before and is done 20 min before,
    # within lunch (11:00-15:00) or dinner (18:00-23:00)
    assert local_times(found, 0) == [
        "14:30", "15:00", "19:00", "19:30", "20:00", "20:30", "21:00", "21:30", "22:00",
        "22:30", "23:00"]
    tomorrow = local_times(found, 1)
    assert tomorrow[:2] == ["12:00", "12:30"] and tomorrow[-1] == "23:00"
    assert len(tomorrow) == 7 + 9
    assert all(fits(DOMINOS, s, NOW) for s in found)
    assert first_slot(DOMINOS, NOW) == at(0, "14:30")
    assert starts_at(DOMINOS, at(0, "19:30")) == at(0, "18:50")


def test_a_slot_that_does_not_fit_is_refused() -> None:
    assert not fits(DOMINOS, at(0, "14:00"), NOW)  # sooner than it could arrive
    assert not fits(DOMINOS, at(0, "19:15"), NOW)  # off the grid
    assert not fits(DOMINOS, at(0, "15:30"), NOW)  # the food would be ready at 15:10, closed
    assert not fits(DOMINOS, at(0, "18:30"), NOW)  # the kitchen would start at 17:50, closed
    assert not fits(DOMINOS, at(2, "12:00"), NOW)  # the day after tomorrow
    assert not fits(replace(DOMINOS, is_open=False), at(0, "19:30"), NOW)  # switched off
    closed = replace(DOMINOS, closed_on=frozenset({date(2026, 12, 1)}))
    assert local_times(list(slots(closed, NOW)), 1) == []  # a closed day has none


def test_without_hours_every_slot_of_today_and_tomorrow_fits() -> None:
    always = replace(DOMINOS, hours=None)
    found = list(slots(always, NOW))
    assert found[0] == at(0, "14:30") and found[-1] == at(1, "23:30")
    assert all((s - found[0]) % timedelta(minutes=SLOT_MINUTES) == timedelta() for s in found)


def test_a_zone_with_a_quarter_hour_offset_keeps_the_local_grid() -> None:
    kathmandu = replace(DOMINOS, time_zone="Asia/Kathmandu", hours=None)  # UTC+5:45
    first = first_slot(kathmandu, NOW)
    assert first is not None and (first + timedelta(hours=5, minutes=45)).minute in (0, 30)
