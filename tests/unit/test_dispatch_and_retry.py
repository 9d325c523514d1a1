"""Dispatch picks the longest-idle available partner; retries back off and give up."""

from datetime import UTC, datetime, timedelta

import pytest

from domain.dispatch import pick_partner
from domain.errors import NotAllowed, PartnerBusy
from domain.ids import OrderId, UserId
from domain.partners import Partner, PartnerStatus
from domain.retry import RetryPolicy

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def partner(pid: int, idle_min: int, **kw: object) -> Partner:
    fields: dict[str, object] = {
        "status": PartnerStatus.APPROVED, "online": True,
        "idle_since": T0 - timedelta(minutes=idle_min), **kw,
    }
    return Partner(UserId(pid), f"P{pid}", **fields)  # type: ignore[arg-type]


def test_longest_idle_available_partner_gets_the_offer() -> None:
    team = [partner(1, 5), partner(2, 30), partner(3, 10)]
    assert pick_partner(team) is team[1]


def test_unavailable_partners_are_never_picked() -> None:
    team = [
        partner(1, 60, online=False),
        partner(2, 50, active_order_id=OrderId(4)),
        partner(3, 40, status=PartnerStatus.PENDING),
        partner(4, 30, status=PartnerStatus.REVOKED),
        partner(5, 1),
    ]
    assert pick_partner(team) is team[4]
    assert pick_partner(team[:4]) is None


def test_partners_who_declined_are_skipped() -> None:
    team = [partner(1, 30), partner(2, 10)]
    assert pick_partner(team, exclude={UserId(1)}) is team[1]
    assert pick_partner(team, exclude={UserId(1), UserId(2)}) is None


def test_a_partner_holds_one_active_order() -> None:
    p = partner(1, 0)
    p.take(OrderId(10))
    p.take(OrderId(10))  # again: a no-op
    with pytest.raises(PartnerBusy):
        p.take(OrderId(11))
    p.release(OrderId(10), T0)
    assert p.is_available and p.idle_since == T0


def test_pending_partner_cannot_go_online() -> None:
    p = Partner(UserId(1), "New")
    with pytest.raises(NotAllowed):
        p.go_online(T0)
    assert not p.online


def test_backoff_doubles_within_jitter_and_gives_up_at_the_limit() -> None:
    policy = RetryPolicy(max_attempts=4, base_delay_s=1, max_delay_s=100, jitter=0.2)
    delays = [policy.delay_s(n, 0.5) for n in (1, 2, 3)]
    assert delays == [1, 2, 4]
    assert policy.delay_s(2, 0.0) == pytest.approx(1.6)
    assert policy.delay_s(2, 0.999) == pytest.approx(2.4, rel=1e-3)
    assert policy.next_attempt_at(3, T0, 0.5) == T0 + timedelta(seconds=4)
    assert policy.next_attempt_at(4, T0, 0.5) is None


def test_backoff_is_capped() -> None:
    policy = RetryPolicy(max_attempts=50, base_delay_s=1, max_delay_s=60, jitter=0)
    assert policy.delay_s(30, 0.3) == 60
