"""The inbound gate with a limit shared across instances: it decides while the shared count
answers, and counts in the process while it cannot (Redis down), never failing open."""

from __future__ import annotations

from dataclasses import dataclass, field

from telegram import Bot

from bot.inbound import InboundGate
from bot.intake import Arrival, arrival
from domain.inbound_limit import InboundLimiter, Verdict

ADMIN = 9001


BOT = Bot("123456:GATE-test-token-value")  # never called: nothing here is turned away aloud


def message_from(user_id: int) -> Arrival:
    return arrival({"update_id": 1, "message": {
        "message_id": 1, "date": 0, "text": "hi",
        "chat": {"id": user_id, "type": "private"},
        "from": {"id": user_id, "is_bot": False, "first_name": "A"},
    }})


@dataclass
class SharedCount:
    """A stand-in for the Redis count: answers `verdict` (None: unreachable)."""

    verdict: Verdict | None
    asked: list[int] = field(default_factory=list)

    async def admit(self, user_id: int) -> Verdict | None:
        self.asked.append(user_id)
        return self.verdict


async def test_the_shared_count_decides_while_it_answers() -> None:
    shared = SharedCount(Verdict.SLOW_DOWN)
    gate = InboundGate(InboundLimiter(5), BOT, lambda: 0.0, shared=shared)

    assert await gate.screen(message_from(1001)) is Verdict.SLOW_DOWN
    assert gate.limiter.tracked() == 0  # the process's own buckets untouched


async def test_with_the_shared_count_unreachable_the_instance_still_limits() -> None:
    gate = InboundGate(InboundLimiter(2), BOT, lambda: 0.0, shared=SharedCount(None))

    verdicts = [await gate.screen(message_from(1001)) for _ in range(4)]

    assert verdicts == [Verdict.ADMIT, Verdict.ADMIT, Verdict.SLOW_DOWN, Verdict.DROP]


async def test_admins_are_never_counted_anywhere() -> None:
    shared = SharedCount(Verdict.DROP)
    gate = InboundGate(InboundLimiter(1, exempt={ADMIN}), BOT, lambda: 0.0, shared=shared)

    assert await gate.screen(message_from(ADMIN)) is Verdict.ADMIT
    assert shared.asked == []
