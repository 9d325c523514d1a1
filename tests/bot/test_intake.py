"""What the intake reads and stores of an update as Telegram sent it: its chat (the order key),
its sender (whom the inbound limit counts), its own date, its JSON; that JSON which is not an
update is refused; and that its filter drops updates before anything is stored."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from bot.intake import Arrival, Intake, MalformedUpdate, arrival
from domain.inbox import InboundUpdate

SENT = 1_736_164_800  # 2025-01-06 12:00 UTC
ASHA = {"id": 1001, "is_bot": False, "first_name": "Asha"}


def raw_message(update_id: int, user: dict[str, object] = ASHA,
                chat: int | None = None) -> dict[str, object]:
    return {"update_id": update_id, "message": {
        "message_id": 5, "date": SENT, "text": "/help", "from": user,
        "chat": {"id": chat or user["id"], "type": "private" if chat is None else "group"}}}


def message(update_id: int) -> Arrival:
    return arrival(raw_message(update_id))


def test_a_message_is_keyed_by_its_chat_and_keeps_its_own_date() -> None:
    seen = arrival(raw_message(7, chat=-500))
    assert (seen.user_id, seen.chat_id, seen.query_id) == (1001, -500, None)
    stored = seen.stored()
    assert (stored.update_id, stored.chat_id, stored.kind) == (7, -500, "message")
    assert stored.sent_at == datetime(2025, 1, 6, 12, 0, tzinfo=UTC)
    assert stored.payload["message"]["text"] == "/help"  # type: ignore[index]


def test_a_press_is_keyed_by_the_chat_of_its_message_and_keeps_its_id() -> None:
    seen = arrival({"update_id": 9, "callback_query": {
        "id": "q2", "from": ASHA, "chat_instance": "c", "data": "home",
        "message": {"message_id": 3, "date": SENT, "chat": {"id": -500, "type": "group"}}}})
    assert (seen.user_id, seen.chat_id, seen.query_id) == (1001, -500, "q2")
    assert (seen.stored().chat_id, seen.stored().sent_at) == (-500, None)


def test_a_press_on_an_inline_message_is_keyed_by_its_user_and_has_no_date() -> None:
    stored = arrival({"update_id": 8, "callback_query": {
        "id": "q1", "from": ASHA, "chat_instance": "c", "inline_message_id": "i",
        "data": "home"}}).stored()
    assert (stored.chat_id, stored.kind, stored.sent_at) == (1001, "callback_query", None)


def test_a_poll_answer_counts_against_the_user_who_answered() -> None:
    seen = arrival({"update_id": 10, "poll_answer": {"poll_id": "p", "user": ASHA,
                                                     "option_ids": [0]}})
    assert (seen.user_id, seen.chat_id, seen.stored().chat_id) == (1001, None, 1001)


@pytest.mark.parametrize("raw", [
    [], "update", {"message": {}}, {"update_id": "7", "message": {}},
    {"update_id": True, "message": {}}, {"update_id": 7}, {"update_id": 7, "message": "hi"},
])
def test_json_that_is_not_an_update_is_refused(raw: object) -> None:
    with pytest.raises(MalformedUpdate):
        arrival(raw)


class Recording:
    def __init__(self) -> None:
        self.stored: list[int] = []

    async def store(self, updates: Sequence[InboundUpdate], now: datetime) -> list[int]:
        self.stored += [u.update_id for u in updates]
        return [u.update_id for u in updates]


class Now:
    def now(self) -> datetime:
        return datetime(2025, 1, 6, 12, 0, tzinfo=UTC)


async def test_the_filter_drops_updates_before_they_are_stored() -> None:
    inbox, woken = Recording(), []

    async def only_odd(update: Arrival) -> bool:
        return update.update_id % 2 == 1

    intake = Intake(inbox, Now(), admit=only_odd,  # type: ignore[arg-type]
                    on_stored=lambda: woken.append(True))
    assert await intake.take([message(1), message(2), message(3)]) == [1, 3]
    assert await intake.take([message(4)]) == []
    assert (inbox.stored, woken) == ([1, 3], [True])


class Gated:
    """Stores after `gate` opens; refuses any batch holding update 13."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.entered = asyncio.Event()
        self.calls: list[list[int]] = []

    async def store(self, updates: Sequence[InboundUpdate], now: datetime) -> list[int]:
        ids = [u.update_id for u in updates]
        self.calls.append(ids)
        self.entered.set()
        await self.gate.wait()
        if 13 in ids:
            raise ConnectionError("the database went away")
        return [i for i in ids if i != 2]  # 2 was stored before: not new


async def test_updates_arriving_while_others_are_stored_are_stored_together() -> None:
    """One webhook request an update: those that come while a transaction is open share the
    next one, and each request still hears only of its own updates."""
    inbox, woken = Gated(), []
    intake = Intake(inbox, Now(), on_stored=lambda: woken.append(True))  # type: ignore[arg-type]
    first = asyncio.create_task(intake.take([message(1)]))
    await asyncio.wait_for(inbox.entered.wait(), timeout=10)
    rest = [asyncio.create_task(intake.take([message(i)])) for i in (2, 3, 4)]
    inbox.gate.set()
    assert await asyncio.wait_for(asyncio.gather(first, *rest), timeout=10) == [[1], [], [3], [4]]
    assert inbox.calls == [[1], [2, 3, 4]]
    assert len(woken) == 3  # update 2 was no news


async def test_a_batch_that_fails_is_tried_again_one_caller_at_a_time() -> None:
    inbox = Gated()
    intake = Intake(inbox, Now())  # type: ignore[arg-type]
    first = asyncio.create_task(intake.take([message(1)]))
    await asyncio.wait_for(inbox.entered.wait(), timeout=10)
    bad = asyncio.create_task(intake.take([message(13)]))
    good = asyncio.create_task(intake.take([message(5)]))
    inbox.gate.set()
    assert await asyncio.wait_for(first, timeout=10) == [1]
    assert await asyncio.wait_for(good, timeout=10) == [5]
    with pytest.raises(ConnectionError):  # its webhook answers 500; Telegram sends it again
        await asyncio.wait_for(bad, timeout=10)
    assert inbox.calls == [[1], [13, 5], [13], [5]]
