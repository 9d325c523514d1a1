"""Service statistics for admins: orders by status, revenue, delivery times, orders per hour.

Rules:

- An order belongs to the period in which it was *placed* (``start <= placed_at < end``);
  its status is its status now. So the counts by status add up to the orders placed in
  the period, and an order placed at 23:50 and delivered at 00:20 counts for the day
  it was placed.
- Revenue is the sum of the totals of those orders that are DELIVERED, in minor units,
  split into cash and paid online; the delivery fees, discounts and tips are those of the
  same orders. Refunds are those recorded due in the period (by when they were recorded).
- Delivery time is minutes from placed to delivered, over the DELIVERED orders that
  have a delivery time. The p90 uses the nearest-rank method: the values sorted
  ascending, the one at rank ``ceil(0.9 * n)`` (1-based), so it is always a time that
  really happened (with 1 to 10 deliveries it is the slowest one).
- Orders per hour covers the whole period, one point per UTC hour that starts before
  ``end``, zeros included.
- "Today" runs from UTC midnight to ``now``; "last 7 days" from the UTC midnight six
  days before today's to ``now``: today and the six whole days before it.

Every datetime must be timezone-aware UTC; a naive one raises ValueError.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.ids import OrderId
from domain.orders import OrderStatus

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


def nearest_rank_percentile(values: Iterable[float], percent: int) -> float | None:
    """The value at rank ceil(percent/100 * n) of the sorted values; None for no values."""
    if not 0 < percent <= 100:
        raise ValueError("percent must be in 1..100")
    ordered = sorted(values)
    if not ordered:
        return None
    rank = -(-percent * len(ordered) // 100)  # ceil without floats
    return ordered[rank - 1]


def hour_start(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def compute_stats(
    start: datetime, end: datetime, facts: Iterable[OrderFact], partners_online: int,
    refunds: Iterable[RefundFact] = (),
) -> Stats:
    """The stats of the orders placed in [start, end)."""
    require_utc(start, "start")
    require_utc(end, "end")
    if end < start:
        raise ValueError("the period ends before it starts")
    if partners_online < 0:
        raise ValueError("partners_online cannot be negative")
    placed = [fact for fact in facts if start <= fact.placed_at < end]
    by_status = dict.fromkeys(OrderStatus, 0)
    by_status.update(Counter(fact.status for fact in placed))
    delivered = [fact for fact in placed if fact.status == OrderStatus.DELIVERED]
    minutes = [m for fact in delivered if (m := fact.delivery_minutes) is not None]
    past = [m for fact in delivered if (m := fact.minutes_past_estimate) is not None]
    return Stats(
        start=start,
        end=end,
        by_status=by_status,
        revenue_minor=sum(fact.total_minor for fact in delivered),
        deliveries=len(minutes),
        average_minutes=sum(minutes) / len(minutes) if minutes else None,
        p90_minutes=nearest_rank_percentile(minutes, 90),
        orders_per_hour=_per_hour(start, end, placed),
        partners_online=partners_online,
        money=_money(delivered, [r for r in refunds if start <= r.at < end]),
        past_estimate_p50=nearest_rank_percentile(past, 50),
        past_estimate_p90=nearest_rank_percentile(past, 90),
        late=sum(1 for minutes in past if minutes > 0),
    )


def _money(delivered: list[OrderFact], refunds: list[RefundFact]) -> Takings:
    return Takings(
        online=sum(fact.total_minor for fact in delivered if fact.paid_online),
        fees=sum(fact.delivery_fee for fact in delivered),
        discounts=sum(fact.discount for fact in delivered),
        tips=sum(fact.tip for fact in delivered),
        refunds=len(refunds),
        refunded=sum(refund.amount for refund in refunds),
    )


def today_and_last_7_days(
    now: datetime, facts: Iterable[OrderFact], partners_online: int,
    refunds: Iterable[RefundFact] = (),
) -> StatsReport:
    """Stats for today (UTC midnight to now) and for today plus the six days before it."""
    require_utc(now, "now")
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    facts, refunds = list(facts), list(refunds)
    return StatsReport(
        today=compute_stats(midnight, now, facts, partners_online, refunds),
        last_7_days=compute_stats(midnight - 6 * DAY, now, facts, partners_online, refunds),
    )


def _per_hour(
    start: datetime, end: datetime, placed: list[OrderFact]
) -> list[tuple[datetime, int]]:
    counts = Counter(hour_start(fact.placed_at) for fact in placed)
    points: list[tuple[datetime, int]] = []
    hour = hour_start(start)
    while hour < end:
        points.append((hour, counts[hour]))
        hour += HOUR
    return points
