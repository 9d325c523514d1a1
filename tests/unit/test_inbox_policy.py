"""Which stored updates are acted on: fresh ones; too old or too often tried get "try again"."""

from datetime import UTC, datetime, timedelta

from domain.inbox import InboxPolicy, StoredUpdate, Verdict

T0 = datetime(2025, 1, 6, 12, 0, tzinfo=UTC)
POLICY = InboxPolicy(stale_after=timedelta(minutes=2), max_attempts=3)


def stored(*, sent_at: datetime | None, attempts: int = 1) -> StoredUpdate:
    """An update stored at T0."""
    return StoredUpdate(1, 1001, "message", {}, sent_at, T0, attempts)


def test_a_message_is_judged_by_its_own_date() -> None:
    sent_long_ago = stored(sent_at=T0 - timedelta(minutes=5))  # waited at Telegram
    assert POLICY.verdict(sent_long_ago, T0) is Verdict.STALE
    assert POLICY.verdict(stored(sent_at=T0), T0 + timedelta(minutes=2)) is Verdict.HANDLE


def test_a_press_has_no_date_and_is_judged_by_when_it_was_stored() -> None:
    press = stored(sent_at=None)
    assert POLICY.verdict(press, T0 + timedelta(minutes=2)) is Verdict.HANDLE
    assert POLICY.verdict(press, T0 + timedelta(minutes=2, seconds=1)) is Verdict.STALE


def test_an_update_whose_handling_keeps_dying_is_given_up_after_its_attempts() -> None:
    assert POLICY.verdict(stored(sent_at=T0, attempts=3), T0) is Verdict.HANDLE
    assert POLICY.verdict(stored(sent_at=T0, attempts=4), T0) is Verdict.GIVE_UP
