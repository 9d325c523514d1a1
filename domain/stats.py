"""Service statistics for admins: orders by status, revenue, delivery times, orders per hour.

Rules:

- An order belongs to the period in which it was *placed* (in a UTC hour from ``start``'s
  to the last that starts before ``end``); its status is its status now. So the counts by
  status add up to the orders placed in the period, and an order placed at 23:50 and
  delivered at 00:20 counts for the day it was placed.
- Revenue is the sum of the totals of those orders that are DELIVERED, in minor units,
  split into cash and paid online; the delivery fees, discounts and tips are those of the
  same orders. Refunds are those recorded due in the period (by when they were recorded).
- Delivery time is minutes from placed to delivered, over the DELIVERED orders that
  have a delivery time. The p90 uses the nearest-rank method: the values sorted
  ascending, the one at rank ``ceil(0.9 * n)`` (1-based), so it is always a time that
  really happened, to the minute (with 1 to 10 deliveries it is the slowest one).
- Orders per hour covers the whole period, one point per UTC hour that starts before
  ``end``, zeros included.
- "Today" runs from UTC midnight to ``now``; "last 7 days" from the UTC midnight six
  days before today's to ``now``: today and the six whole days before it.

What is kept (a year of orders is too many to read for every /stats): an order that has
finished (delivered, cancelled, failed) is added, as it finishes, to the `HourTotals` of the
UTC hour it was placed in and the status it ended in; the orders still under way are read as
they are. So a period is a run of whole UTC hours, and delivery times go into the percentiles
to the whole minute, rounded as they are shown (rounding keeps the order of the values, so the
percentile of the rounded values is the rounded percentile).

Every datetime must be timezone-aware UTC; a naive one raises ValueError.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from domain.ids import OrderId
from domain.orders import OrderStatus

N = TypeVar("N", int, float)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def require_utc(moment: datetime, what: str = "datetime") -> datetime:
    """`moment` unchanged if it is timezone-aware UTC; ValueError otherwise."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware UTC, got naive {moment.isoformat()}")
    if moment.utcoffset() != timedelta(0):
        raise ValueError(f"{what} must be UTC, got {moment.isoformat()}")
    return moment


@dataclass(frozen=True, slots=True)
class OrderFact:
    """What the stats need to know about one order."""

    order_id: OrderId
    status: OrderStatus
    total_minor: int
    placed_at: datetime
    delivered_at: datetime | None = None
    delivery_fee: int = 0
    discount: int = 0
    tip: int = 0
    paid_online: bool = False
    expected_at: datetime | None = None  # estimated when placed

    def __post_init__(self) -> None:
        require_utc(self.placed_at, "placed_at")
        if self.delivered_at is not None:
            require_utc(self.delivered_at, "delivered_at")

    @property
    def minutes_past_estimate(self) -> float | None:
        """Delivered this many minutes after the estimate (negative: early)."""
        if self.delivery_minutes is None or self.expected_at is None or not self.delivered_at:
            return None
        return (self.delivered_at - self.expected_at) / timedelta(minutes=1)

    @property
    def delivery_minutes(self) -> float | None:
        """Minutes from placed to delivered, for delivered orders (never below zero)."""
        if self.status != OrderStatus.DELIVERED or self.delivered_at is None:
            return None
        return max(0.0, (self.delivered_at - self.placed_at) / timedelta(minutes=1))


@dataclass(frozen=True, slots=True)
class RefundFact:
    """A refund recorded due: when, and how much (minor units)."""

    at: datetime
    amount: int


@dataclass(frozen=True, slots=True)
class HourTotals:
    """Orders placed in one UTC hour that are (or ended) in one status, summed: what is kept
    of finished orders, added to as they finish. Money and times count for delivered orders
    only; `took` and `past` count deliveries by whole minutes (rounded) from placed to
    delivered and past the estimate (negative: early)."""

    hour: datetime
    status: OrderStatus
    orders: int = 0
    revenue: int = 0
    online: int = 0
    fees: int = 0
    discounts: int = 0
    tips: int = 0
    deliveries: int = 0  # with a delivery time
    delivery_seconds: int = 0
    late: int = 0  # delivered after the estimate
    took: Mapping[int, int] = field(default_factory=dict)
    past: Mapping[int, int] = field(default_factory=dict)


def totals_of(facts: Iterable[OrderFact]) -> list[HourTotals]:
    """The facts summed by the hour they were placed in and their status."""
    groups: dict[tuple[datetime, OrderStatus], list[OrderFact]] = {}
    for fact in facts:
        groups.setdefault((hour_start(fact.placed_at), fact.status), []).append(fact)
    return [_summed(hour, status, group) for (hour, status), group in groups.items()]


def _summed(hour: datetime, status: OrderStatus, facts: list[OrderFact]) -> HourTotals:
    if status != OrderStatus.DELIVERED:
        return HourTotals(hour, status, len(facts))
    timed = [(fact, m) for fact in facts if (m := fact.delivery_minutes) is not None]
    past = [m for fact in facts if (m := fact.minutes_past_estimate) is not None]
    return HourTotals(
        hour, status, len(facts),
        revenue=sum(fact.total_minor for fact in facts),
        online=sum(fact.total_minor for fact in facts if fact.paid_online),
        fees=sum(fact.delivery_fee for fact in facts),
        discounts=sum(fact.discount for fact in facts),
        tips=sum(fact.tip for fact in facts),
        deliveries=len(timed),
        delivery_seconds=sum(round(m * 60) for _, m in timed),
        late=sum(1 for m in past if m > 0),
        took=Counter(round(m) for _, m in timed),
        past=Counter(round(m) for m in past),
    )


@dataclass(frozen=True, slots=True)
class Takings:
    """Where the period's money came from and went, minor units."""

    online: int = 0  # of the revenue, paid in chat; the rest was cash on delivery
    fees: int = 0
    discounts: int = 0
    tips: int = 0
    refunds: int = 0  # how many refunds were recorded due
    refunded: int = 0  # and their sum


@dataclass(frozen=True, slots=True)
class Stats:
    start: datetime
    end: datetime
    by_status: dict[OrderStatus, int]  # every status, zeros included, in lifecycle order
    revenue_minor: int
    deliveries: int  # delivered orders with a known delivery time
    average_minutes: float | None
    p90_minutes: float | None
    orders_per_hour: list[tuple[datetime, int]]
    partners_online: int
    money: Takings = Takings()
    past_estimate_p50: float | None = None  # minutes delivered after the estimate (- early)
    past_estimate_p90: float | None = None
    late: int = 0  # deliveries after their estimate

    @property
    def cash_minor(self) -> int:
        return self.revenue_minor - self.money.online

    @property
    def total_orders(self) -> int:
        return sum(self.by_status.values())


@dataclass(frozen=True, slots=True)
class StatsReport:
    today: Stats
    last_7_days: Stats


def nearest_rank_of_counts(counts: Mapping[N, int], percent: int) -> N | None:
    """The value at rank ceil(percent/100 * n) of the values sorted, each given as value ->
    how many times it occurs; None for no values."""
    if not 0 < percent <= 100:
        raise ValueError("percent must be in 1..100")
    total = sum(counts.values())
    if not total:
        return None
    rank = -(-percent * total // 100)  # ceil without floats
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if seen >= rank:
            return value
    raise AssertionError("unreachable: the ranks add up to the total")


def hour_start(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def compute_stats(
    start: datetime, end: datetime, totals: Iterable[HourTotals], partners_online: int,
    refunds: Iterable[RefundFact] = (),
) -> Stats:
    """The stats of the orders placed in the UTC hours from `start`'s to the last that starts
    before `end`."""
    require_utc(start, "start")
    require_utc(end, "end")
    if end < start:
        raise ValueError("the period ends before it starts")
    if partners_online < 0:
        raise ValueError("partners_online cannot be negative")
    first = hour_start(start)
    placed = [t for t in totals if first <= t.hour < end]
    by_status = dict.fromkeys(OrderStatus, 0)
    for t in placed:
        by_status[t.status] += t.orders
    delivered = [t for t in placed if t.status == OrderStatus.DELIVERED]
    deliveries = sum(t.deliveries for t in delivered)
    took: Counter[int] = Counter()
    past: Counter[int] = Counter()
    for t in delivered:
        took.update(t.took)
        past.update(t.past)
    return Stats(
        start=start,
        end=end,
        by_status=by_status,
        revenue_minor=sum(t.revenue for t in delivered),
        deliveries=deliveries,
        average_minutes=(sum(t.delivery_seconds for t in delivered) / deliveries / 60
                         if deliveries else None),
        p90_minutes=nearest_rank_of_counts(took, 90),
        orders_per_hour=_per_hour(first, end, placed),
        partners_online=partners_online,
        money=_money(delivered, [r for r in refunds if start <= r.at < end]),
        past_estimate_p50=nearest_rank_of_counts(past, 50),
        past_estimate_p90=nearest_rank_of_counts(past, 90),
        late=sum(t.late for t in delivered),
    )


def _money(delivered: list[HourTotals], refunds: list[RefundFact]) -> Takings:
    return Takings(
        online=sum(t.online for t in delivered),
        fees=sum(t.fees for t in delivered),
        discounts=sum(t.discounts for t in delivered),
        tips=sum(t.tips for t in delivered),
        refunds=len(refunds),
        refunded=sum(refund.amount for refund in refunds),
    )


def today_and_last_7_days(
    now: datetime, totals: Iterable[HourTotals], partners_online: int,
    refunds: Iterable[RefundFact] = (),
) -> StatsReport:
    """Stats for today (UTC midnight to now) and for today plus the six days before it."""
    require_utc(now, "now")
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    totals, refunds = list(totals), list(refunds)
    return StatsReport(
        today=compute_stats(midnight, now, totals, partners_online, refunds),
        last_7_days=compute_stats(midnight - 6 * DAY, now, totals, partners_online, refunds),
    )


def _per_hour(
    first: datetime, end: datetime, placed: list[HourTotals]
) -> list[tuple[datetime, int]]:
    counts: Counter[datetime] = Counter()
    for t in placed:
        counts[t.hour] += t.orders
    points: list[tuple[datetime, int]] = []
    hour = first
    while hour < end:
        points.append((hour, counts[hour]))
        hour += HOUR
    return points
