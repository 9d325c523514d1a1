"""/stats on the database (domain/stats.py): the totals kept of finished orders, added to in
the transaction that finishes each, and the orders still under way, read in one statement.

One statement reads both, so it sees one moment on either database: an order finishing while
an admin reads /stats is counted once, under way or finished, never twice or not at all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import (
    BigInteger,
    case,
    cast,
    func,
    literal,
    literal_column,
    select,
    text,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert

from domain.orders import OrderStatus
from domain.stats import HourTotals, hour_start
from storage.pipeline.bulk import Bulk
from storage.rows.orders import UNDER_WAY
from storage.sql import ORDERS, STATS_HOURS, STATS_MINUTES, adding_statement, dialect_name
from storage.types import UTCDateTime

Values = dict[str, Any]
SUMS = ("orders", "revenue", "online", "fees", "discounts", "tips", "deliveries",
        "delivery_seconds", "late")


async def add_finished(session: AsyncSession, totals: Iterable[HourTotals]) -> None:
    """Adds the totals of orders that finished in this transaction to those kept.

    The rows go in key order, hours before minutes, so on PostgreSQL two transactions adding
    to the same hours wait for each other at most in line, never in a circle. Callers add as
    the last write of a transaction, which holds these rows until it commits.
    """
    dialect = dialect_name(session)
    for statement, rows in adding(dialect, totals):
        await _ADDERS[statement.table.name].run(session, rows)


def adding(dialect: str, totals: Iterable[HourTotals]) -> list[tuple[Insert, list[Values]]]:
    """The statements that add `totals` to those kept, with their rows (none for none)."""
    hours: defaultdict[tuple[datetime, str], Values] = defaultdict(
        lambda: dict.fromkeys(SUMS, 0))
    minutes: defaultdict[tuple[datetime, str, int], int] = defaultdict(int)
    for t in totals:
        summed = hours[(t.hour, t.status.value)]
        for name in SUMS:
            summed[name] += getattr(t, name)
        for measure, counts in (("took", t.took), ("past", t.past)):
            for value, count in counts.items():
                minutes[(t.hour, measure, value)] += count
    work = []
    if hours:
        work.append((adding_statement(dialect, STATS_HOURS, ("hour", "status")),
                     [{"hour": hour, "status": status, **summed}
                      for (hour, status), summed in sorted(hours.items())]))
    if minutes:
        work.append((adding_statement(dialect, STATS_MINUTES, ("hour", "measure", "minutes")),
                     [{"hour": hour, "measure": measure, "minutes": value, "orders": count}
                      for (hour, measure, value), count in sorted(minutes.items())]))
    return work


# the same statements run through the driver (storage/pipeline/bulk.py), by table
_ADDERS = {
    table.name: Bulk(partial(adding_statement, table=table, key=key), [*key, *sums])
    for table, key, sums in (
        (STATS_HOURS, ("hour", "status"), SUMS),
        (STATS_MINUTES, ("hour", "measure", "minutes"), ("orders",)),
    )
}


def _zeros(count: int) -> list[Any]:
    return [literal_column("0") for _ in range(count)]


async def totals_since(session: AsyncSession, starts: Sequence[datetime]) -> list[HourTotals]:
    """The totals of the orders placed at or after the first of `starts` (hours' starts): kept
    for the finished ones, one a piece for those under way; the delivery minutes summed from
    each start to the next (the periods /stats shows), not hour by hour."""
    h, m, o = STATS_HOURS.c, STATS_MINUTES.c, ORDERS.c
    first, *later = sorted(starts)
    bucket: Any = literal(first, UTCDateTime())
    if later:
        bucket = case(*((m.hour >= start, literal(start, UTCDateTime()))
                        for start in reversed(later)), else_=bucket)
    kept = select(literal_column("'h'"), h.hour, h.status, literal_column("0"),
                  *(h[name] for name in SUMS)).where(h.hour >= first)
    spread = (select(literal_column("'m'"), bucket, m.measure, m.minutes,
                     cast(func.sum(m.orders), BigInteger), *_zeros(len(SUMS) - 1))
              .where(m.hour >= first).group_by(text("2"), text("3"), text("4")))
    live = select(literal_column("'l'"), o.created_at, o.status, literal_column("0"),
                  literal_column("1"), *_zeros(len(SUMS) - 1)
                  ).where(UNDER_WAY, o.created_at >= first)
    totals: list[HourTotals] = []
    spreads: defaultdict[datetime, dict[str, dict[int, int]]] = defaultdict(
        lambda: {"took": {}, "past": {}})
    for part, hour, name, value, *sums in await session.execute(union_all(kept, spread, live)):
        if part == "m":  # a period's minutes come together: one total, not one per minute
            spreads[hour][name][value] = sums[0]
        elif part == "l":
            totals.append(HourTotals(hour_start(hour), OrderStatus(name), 1))
        else:
            totals.append(HourTotals(hour, OrderStatus(name), *sums))
    totals += [HourTotals(hour, OrderStatus.DELIVERED, took=counts["took"], past=counts["past"])
               for hour, counts in spreads.items()]
    return totals
