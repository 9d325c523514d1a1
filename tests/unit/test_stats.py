"""Admin stats: counts by status, revenue, delivery times, orders per hour, the two periods."""

from collections import Counter
from datetime import UTC, datetime, timedelta, timezone

import pytest

from domain.ids import OrderId
from domain.orders import OrderStatus
from domain.stats import (
    OrderFact,
    RefundFact,
    Takings,
    compute_stats,
    nearest_rank_of_counts,
    today_and_last_7_days,
    totals_of,
)

S = OrderStatus
NOW = datetime(2025, 3, 10, 14, 37, tzinfo=UTC)
MIDNIGHT = datetime(2025, 3, 10, tzinfo=UTC)


def fact(n: int, status: OrderStatus, placed: datetime, minutes: float | None = None,
         total: int = 10_000) -> OrderFact:
    delivered = placed + timedelta(minutes=minutes) if minutes is not None else None
    return OrderFact(OrderId(n), status, total, placed, delivered)


def at(hour: int, minute: int = 0, day: int = 10) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=UTC)


def test_every_status_is_listed_with_zeros_included() -> None:
    stats = compute_stats(MIDNIGHT, NOW, totals_of([fact(1, S.CREATED, at(9))]), 0)
    assert list(stats.by_status) == list(OrderStatus)
    assert stats.by_status[S.CREATED] == 1
    assert stats.by_status[S.FAILED] == 0
    assert stats.total_orders == 1


def test_revenue_counts_only_delivered_orders_in_minor_units() -> None:
    facts = [
        fact(1, S.DELIVERED, at(9), 30, total=25_050),
        fact(2, S.DELIVERED, at(10), 40, total=10_000),
        fact(3, S.CANCELLED, at(11), total=99_999),
        fact(4, S.OUT_FOR_DELIVERY, at(12), total=50_000),
    ]
    assert compute_stats(MIDNIGHT, NOW, totals_of(facts), 0).revenue_minor == 35_050


def test_orders_belong_to_the_hour_they_were_placed_in_hours_after_the_end_excluded() -> None:
    facts = [
        fact(1, S.DELIVERED, at(23, 50, day=9), 30),  # delivered after midnight: yesterday
        fact(2, S.CREATED, MIDNIGHT),
        fact(3, S.CREATED, at(15)),  # an hour that starts after the end (14:37)
    ]
    stats = compute_stats(MIDNIGHT, NOW, totals_of(facts), 0)
    assert stats.total_orders == 1
    assert stats.deliveries == 0


def test_average_and_p90_delivery_minutes_use_the_nearest_rank() -> None:
    minutes = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110]
    facts = [fact(i, S.DELIVERED, at(1), m) for i, m in enumerate(minutes)]
    stats = compute_stats(MIDNIGHT, NOW, totals_of(facts), 0)
    assert stats.deliveries == 11
    assert stats.average_minutes == pytest.approx(60)
    assert stats.p90_minutes == 100  # rank ceil(0.9 * 11) = 10


def test_delivery_times_are_none_without_deliveries() -> None:
    stats = compute_stats(MIDNIGHT, NOW, totals_of([fact(1, S.PREPARING, at(3))]), 2)
    assert (stats.average_minutes, stats.p90_minutes, stats.deliveries) == (None, None, 0)
    assert stats.partners_online == 2


def test_a_delivered_order_without_a_delivery_time_counts_but_has_no_minutes() -> None:
    stats = compute_stats(MIDNIGHT, NOW, totals_of([fact(1, S.DELIVERED, at(3))]), 0)
    assert stats.by_status[S.DELIVERED] == 1
    assert stats.revenue_minor == 10_000
    assert stats.p90_minutes is None


@pytest.mark.parametrize(
    ("values", "expected"),
    [([], None), ([7], 7), ([5, 1], 5), (list(range(1, 11)), 9), (list(range(1, 101)), 90)],
)
def test_nearest_rank_p90(values: list[float], expected: float | None) -> None:
    assert nearest_rank_percentile(values, 90) == expected


def nearest_rank_percentile(values: list[float], percent: int) -> float | None:
    return nearest_rank_of_counts(Counter(values), percent)


def test_orders_per_hour_covers_the_whole_period_with_zeros() -> None:
    facts = [fact(1, S.CREATED, at(0, 5)), fact(2, S.CREATED, at(0, 59)),
             fact(3, S.CREATED, at(14, 30))]
    points = compute_stats(MIDNIGHT, NOW, totals_of(facts), 0).orders_per_hour
    assert [hour for hour, _ in points] == [at(h) for h in range(15)]
    assert points[0] == (at(0), 2)
    assert points[1] == (at(1), 0)
    assert points[14] == (at(14), 1)


def test_an_empty_period_has_no_hours() -> None:
    assert compute_stats(MIDNIGHT, MIDNIGHT, totals_of([]), 0).orders_per_hour == []


def test_today_runs_from_utc_midnight_and_the_week_covers_six_days_before_it() -> None:
    facts = [
        fact(1, S.DELIVERED, at(9), 25),
        fact(2, S.DELIVERED, at(12, day=4), 35),  # six days before today: in the week
        fact(3, S.DELIVERED, at(23, day=3), 45),  # seven days before: in neither
    ]
    report = today_and_last_7_days(NOW, totals_of(facts), 3)
    assert (report.today.start, report.today.end) == (MIDNIGHT, NOW)
    assert report.last_7_days.start == datetime(2025, 3, 4, tzinfo=UTC)
    assert report.today.total_orders == 1
    assert report.last_7_days.total_orders == 2
    assert report.last_7_days.average_minutes == pytest.approx(30)
    assert len(report.last_7_days.orders_per_hour) == 6 * 24 + 15
    assert report.today.partners_online == report.last_7_days.partners_online == 3


def test_facts_may_be_a_one_shot_iterator() -> None:
    report = today_and_last_7_days(NOW, iter(totals_of([fact(1, S.CREATED, at(9))])), 0)
    assert report.today.total_orders == report.last_7_days.total_orders == 1


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        today_and_last_7_days(datetime(2025, 3, 10, 14), [], 0)
    with pytest.raises(ValueError, match="timezone-aware"):
        fact(1, S.CREATED, datetime(2025, 3, 10, 9))


def test_non_utc_offsets_are_refused() -> None:
    ist = timezone(timedelta(hours=5, minutes=30))
    with pytest.raises(ValueError, match="must be UTC"):
        compute_stats(MIDNIGHT.astimezone(ist), NOW, [], 0)


def test_a_period_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="ends before"):
        compute_stats(NOW, MIDNIGHT, totals_of([]), 0)


def test_revenue_splits_into_cash_and_online_with_fees_discounts_tips_and_refunds() -> None:
    facts = [
        OrderFact(OrderId(1), S.DELIVERED, 54000, at(9), at(10), delivery_fee=4000),
        OrderFact(OrderId(2), S.DELIVERED, 47000, at(11), at(12), discount=5000, tip=2000,
                  paid_online=True),
        OrderFact(OrderId(3), S.CANCELLED, 30000, at(12), paid_online=True, tip=1000),
    ]
    refunds = [RefundFact(at(12, 30), 30000), RefundFact(at(9, day=3), 999)]  # one too old

    stats = compute_stats(MIDNIGHT, NOW, totals_of(facts), 0, refunds)

    assert (stats.revenue_minor, stats.cash_minor) == (101000, 54000)
    assert stats.money == Takings(online=47000, fees=4000, discounts=5000, tips=2000,
                                  refunds=1, refunded=30000)


def test_deliveries_are_compared_with_their_estimate() -> None:
    facts = [
        OrderFact(OrderId(n), S.DELIVERED, 10_000, at(9), at(9, 40),
                  expected_at=at(9, 40) + timedelta(minutes=-past))
        for n, past in enumerate((-5, 0, 3, 8, 12), 1)
    ] + [OrderFact(OrderId(9), S.DELIVERED, 10_000, at(9), at(9, 30))]  # no estimate kept

    stats = compute_stats(MIDNIGHT, NOW, totals_of(facts), 0)

    assert (stats.past_estimate_p50, stats.past_estimate_p90, stats.late) == (3.0, 12.0, 3)


def test_orders_summed_as_each_finishes_give_the_same_stats_as_all_at_once() -> None:
    """Storage adds each finished order to its hour's totals in its own transaction."""
    facts = [
        OrderFact(OrderId(n), S.DELIVERED, 10_000 + n, at(9 + n % 3, n), at(10 + n % 3, n * 2),
                  delivery_fee=500, discount=n, tip=100 * (n % 2), paid_online=n % 3 == 0,
                  expected_at=at(10 + n % 3, 30))
        for n in range(1, 20)
    ] + [fact(30, S.CANCELLED, at(9)), fact(31, S.FAILED, at(11)), fact(32, S.CREATED, at(12))]
    one_by_one = [totals for f in facts for totals in totals_of([f])]

    assert compute_stats(MIDNIGHT, NOW, one_by_one, 1) == compute_stats(
        MIDNIGHT, NOW, totals_of(facts), 1)


def test_delivery_times_are_kept_to_the_minute_as_they_are_shown() -> None:
    """The percentiles of whole minutes are the whole-minute percentiles of the times; the
    average and the count of late deliveries are exact."""
    took = [12.4, 12.6, 30.2, 45.5, 46.5, 18.0, 25.49, 33.3, 41.0, 19.9, 22.7]
    facts = [OrderFact(OrderId(n), S.DELIVERED, 100, at(9), at(9) + timedelta(minutes=m),
                       expected_at=at(9) + timedelta(minutes=m - 0.3))  # 18 s late each
             for n, m in enumerate(took)]

    stats = compute_stats(MIDNIGHT, NOW, totals_of(facts), 0)

    assert stats.p90_minutes == round(nearest_rank_percentile(took, 90) or 0) == 46
    assert stats.average_minutes == pytest.approx(sum(took) / len(took), abs=1 / 60)
    assert stats.late == len(took)  # each only 0.3 min late, which rounds to 0
    assert (stats.past_estimate_p50, stats.past_estimate_p90) == (0, 0)


def test_the_nearest_rank_of_counted_values_is_the_value_at_that_rank_listed() -> None:
    values = [3, 3, 3, 7, 9, 9, 12, 40]
    counts = {3: 3, 7: 1, 9: 2, 12: 1, 40: 1}
    for percent in (1, 37, 50, 75, 90, 100):
        rank = -(-percent * len(values) // 100)
        assert nearest_rank_of_counts(counts, percent) == values[rank - 1]
    assert nearest_rank_of_counts({}, 90) is None
