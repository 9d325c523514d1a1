"""The per-user inbound limit: a token bucket per user, one slow-down notice per window."""

import pytest

from domain.inbound_limit import InboundLimiter, Verdict

A, B, ADMIN = 1001, 1002, 9001


def verdicts(limiter: InboundLimiter, user: int, at: float, n: int) -> list[Verdict]:
    return [limiter.admit(user, at) for _ in range(n)]


def test_a_burst_up_to_the_limit_is_admitted_then_one_slow_down_then_silence() -> None:
    limiter = InboundLimiter(5)
    assert verdicts(limiter, A, 0.0, 9) == [Verdict.ADMIT] * 5 + [Verdict.SLOW_DOWN] + \
        [Verdict.DROP] * 3


def test_one_user_over_the_limit_does_not_limit_another() -> None:
    limiter = InboundLimiter(3)
    verdicts(limiter, A, 0.0, 50)
    assert verdicts(limiter, B, 0.0, 3) == [Verdict.ADMIT] * 3


def test_exempt_users_are_never_limited() -> None:
    limiter = InboundLimiter(2, exempt={ADMIN})
    assert verdicts(limiter, ADMIN, 0.0, 500) == [Verdict.ADMIT] * 500
    assert limiter.tracked() == 0


def test_tokens_come_back_at_the_limits_rate() -> None:
    limiter = InboundLimiter(60)  # one a second
    verdicts(limiter, A, 0.0, 61)
    assert limiter.admit(A, 0.5) is Verdict.DROP
    assert limiter.admit(A, 1.0) is Verdict.ADMIT
    assert limiter.admit(A, 1.0) is Verdict.DROP
    assert verdicts(limiter, A, 11.0, 11) == [Verdict.ADMIT] * 10 + [Verdict.DROP]


def test_a_steady_flooder_gets_the_limit_through_and_one_notice_a_minute() -> None:
    limiter = InboundLimiter(6)
    seen = [limiter.admit(A, t / 10) for t in range(1800)]  # ten a second for three minutes
    assert seen.count(Verdict.ADMIT) == 6 + 6 * 3 - 1  # the burst, then one every 10 s
    assert seen.count(Verdict.SLOW_DOWN) == 3


def test_the_notice_comes_again_only_after_a_window() -> None:
    limiter = InboundLimiter(2)  # a token every 30 s
    assert verdicts(limiter, A, 0.0, 4) == [Verdict.ADMIT] * 2 + [Verdict.SLOW_DOWN, Verdict.DROP]
    assert verdicts(limiter, A, 30.0, 2) == [Verdict.ADMIT, Verdict.DROP]  # told at 0 s
    assert verdicts(limiter, A, 59.9, 1) == [Verdict.DROP]
    assert verdicts(limiter, A, 60.0, 2) == [Verdict.ADMIT, Verdict.SLOW_DOWN]


def test_a_clock_that_stands_still_or_repeats_never_refills() -> None:
    limiter = InboundLimiter(2)
    verdicts(limiter, A, 10.0, 3)
    assert limiter.admit(A, 9.0) is Verdict.DROP


def test_idle_users_are_forgotten_after_a_window() -> None:
    limiter = InboundLimiter(3)
    for user in range(100):
        limiter.admit(user, 0.0)
    verdicts(limiter, A, 30.0, 10)  # limited, told at 30 s: quiet until 90 s
    limiter.admit(B, 61.0)  # the first call past a window sweeps
    assert limiter.tracked() == 2  # A (still in its window) and B
    assert limiter.admit(A, 61.0) is Verdict.ADMIT  # A's bucket refilled all the same


@pytest.mark.parametrize("per_minute", [0, -1])
def test_a_limit_below_one_is_refused(per_minute: int) -> None:
    with pytest.raises(ValueError, match="at least one"):
        InboundLimiter(per_minute)
