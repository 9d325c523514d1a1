"""Opening hours: a restaurant's weekly hours in its local time, and the days it is closed.

`/hours 3 mon-fri 11:00-23:00 | sat-sun 10:00-23:30` reads into `WeeklyHours`; a day may have
several periods (`mon 11:00-15:00, 18:00-23:00`); `24:00` ends a day, and a period past
midnight is written as two (`fri 18:00-24:00 | sat 00:00-02:00`). Pure: the moment asked
about comes in, as an aware datetime, and is read in the restaurant's zone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Final
from zoneinfo import ZoneInfo

from domain.errors import InvalidInput

DAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PERIOD = re.compile(r"([0-2][0-9]):([0-5][0-9])-([0-2][0-9]):([0-5][0-9])")
DAY_MINUTES: Final = 24 * 60


@dataclass(frozen=True, slots=True)
class Period:
    """Open from `start` to `end`, minutes after local midnight, on weekday `day` (0 Monday)."""

    day: int
    start: int
    end: int

    def __post_init__(self) -> None:
        if not (0 <= self.day < 7 and 0 <= self.start < self.end <= DAY_MINUTES):
            raise InvalidInput("a period opens before it closes, within one day")


@dataclass(frozen=True, slots=True)
class WeeklyHours:
    periods: tuple[Period, ...]

    def open_at(self, local: datetime) -> bool:
        minute = local.hour * 60 + local.minute
        return any(p.day == local.weekday() and p.start <= minute < p.end
                   for p in self.periods)

    def next_opening(self, local: datetime, closed: Iterable[date] = ()) -> datetime | None:
        """The next local moment it opens after `local`, within a week; None if never."""
        shut = set(closed)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        for ahead in range(8):
            day = midnight + timedelta(days=ahead)
            if day.date() in shut:
                continue
            starts = sorted(p.start for p in self.periods if p.day == day.weekday())
            for start in starts:
                moment = day + timedelta(minutes=start)
                if moment > local:
                    return moment
        return None

    def closing_after(self, local: datetime) -> datetime | None:
        """When the period open at `local` ends (local time); None when closed now."""
        minute = local.hour * 60 + local.minute
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        for p in self.periods:
            if p.day == local.weekday() and p.start <= minute < p.end:
                return midnight + timedelta(minutes=p.end)
        return None

    def __str__(self) -> str:
        """'mon 11:00-23:00 | tue 11:00-23:00 | ...': one part a day, as /hours reads it."""
        parts = []
        for index, name in enumerate(DAYS):
            spans = [f"{_hhmm(p.start)}-{_hhmm(p.end)}" for p in self.periods if p.day == index]
            if spans:
                parts.append(f"{name} {', '.join(spans)}")
        return " | ".join(parts)


def parse_hours(text: str) -> WeeklyHours:
    """'mon-fri 11:00-23:00 | sat-sun 10:00-23:30' into weekly hours, or InvalidInput."""
    periods: list[Period] = []
    for part in (p.strip() for p in text.split("|")):
        days_text, _, spans = part.partition(" ")
        days = _days(days_text.strip().lower())
        if not spans.strip():
            raise InvalidInput("'{shown}' needs its hours, such as 11:00-23:00", shown=part[:40])
        for span in (s.strip() for s in spans.split(",")):
            match = _PERIOD.fullmatch(span)
            if match is None:
                raise InvalidInput("hours are written 11:00-23:00, not '{shown}'",
                                   shown=span[:40])
            h1, m1, h2, m2 = map(int, match.groups())
            if h1 > 23 or h2 > 24 or (h2 == 24 and m2):
                raise InvalidInput("'{shown}' is not a time of day", shown=span)
            periods += [Period(day, h1 * 60 + m1, h2 * 60 + m2) for day in days]
    _no_overlap(periods)
    return WeeklyHours(tuple(sorted(periods, key=lambda p: (p.day, p.start))))


def _days(text: str) -> list[int]:
    first, _, last = text.partition("-")
    if first not in DAYS or (last and last not in DAYS):
        raise InvalidInput("days are mon to sun, or a range such as mon-fri, not '{shown}'",
                           shown=text[:20])
    start, end = DAYS.index(first), DAYS.index(last or first)
    return [day % 7 for day in range(start, end + 1 if end >= start else end + 8)]


def _no_overlap(periods: list[Period]) -> None:
    ordered = sorted(periods, key=lambda p: (p.day, p.start))
    for before, after in pairwise(ordered):
        if before.day == after.day and after.start < before.end:
            raise InvalidInput("{day}'s hours overlap", day=DAYS[before.day])


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def local(moment: datetime, zone: str) -> datetime:
    """`moment` as the clock on the wall reads it in `zone`."""
    return moment.astimezone(ZoneInfo(zone))


@dataclass(frozen=True, slots=True)
class Opening:
    """Whether a restaurant takes orders at a moment, and what changes next (local times):
    when it closes (if it is open) or opens (if it is closed by its hours or for the day)."""

    open: bool
    closes_at: datetime | None = None
    opens_at: datetime | None = None
    asked_at: datetime | None = None  # the moment asked about, local: "in 20 min", "tomorrow"

    @property
    def minutes_to_close(self) -> int | None:
        if self.closes_at is None or self.asked_at is None:
            return None
        return int((self.closes_at - self.asked_at).total_seconds() // 60)

    @property
    def opens_in_days(self) -> int | None:
        """0 when it opens later today, 1 tomorrow, ..."""
        if self.opens_at is None or self.asked_at is None:
            return None
        return (self.opens_at.date() - self.asked_at.date()).days
