"""The inbound gate with a limit shared across instances: it decides while the shared count
answers, and counts in the process while it cannot (Redis down), never failing open. A live
location's moves are counted apart from everything else the user sends, and never answered."""

from __future__ import annotations

from dataclasses import dataclass, field

from telegram import Bot

from bot.inbound import InboundGate
from bot.intake import Arrival, arrival
from domain.inbound_limit import InboundLimiter, Verdict, moves_of

ADMIN = 9001


BOT = Bot("123456:GATE-test-token-value")  # never called: nothing here is turned away aloud


def message_from(user_id: int) -> Arrival:
    return arrival({"update_id": 1, "message": {
        "message_id": 1, "date": 0, "text": "hi",
        "chat": {"id": user_id, "type": "private"},
        "from": {"id": user_id, "is_bot": False, "first_name": "A"},
    }})


def move_of(user_id: int, update_id: int = 2) -> Arrival:
    """A live location's move, as Telegram sends it: an edit of the location message."""
    return arrival({"update_id": update_id, "edited_message": {
        "message_id": 7, "date": 0, "edit_date": 1,
        "location": {"latitude": 12.97, "longitude": 77.6, "live_period": 3600},
        "chat": {"id": user_id, "type": "private"},
        "from": {"id": user_id, "is_bot": False, "first_name": "R"},
    }})


def edited_text_of(user_id: int) -> Arrival:
    return arrival({"update_id": 3, "edited_message": {
        "message_id": 8, "date": 0, "edit_date": 1, "text": "hi again",
        "chat": {"id": user_id, "type": "private"},
        "from": {"id": user_id, "is_bot": False, "first_name": "R"},
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


async def test_a_riders_moves_never_spend_what_their_presses_need() -> None:
    gate = InboundGate(InboundLimiter(2), BOT, lambda: 0.0)

    moves = [await gate.screen(move_of(1001, n)) for n in range(5)]

    # past the limit the moves are dropped, and the rider is not told to slow down: their
    # phone sent them
    assert moves == [Verdict.ADMIT, Verdict.ADMIT, Verdict.DROP, Verdict.DROP, Verdict.DROP]
    assert [await gate.screen(message_from(1001)) for _ in range(3)] == [
        Verdict.ADMIT, Verdict.ADMIT, Verdict.SLOW_DOWN]
    assert not await gate.admit(move_of(1001, 9))  # refused, and no answer is sent for it


async def test_moves_are_counted_apart_in_the_shared_count_too() -> None:
    shared = SharedCount(Verdict.ADMIT)
    gate = InboundGate(InboundLimiter(5), BOT, lambda: 0.0, shared=shared)

    await gate.screen(move_of(1001))
    await gate.screen(message_from(1001))
    await gate.screen(edited_text_of(1001))  # an edited text is the person's own doing

    assert shared.asked == [moves_of(1001), 1001, 1001]
    assert moves_of(1001) < 0  # nobody's user id
