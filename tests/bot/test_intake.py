"""What the intake stores of an update: its chat (the order key), its own date, its JSON; and
that its filter drops updates before anything is stored."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from telegram import Update

from bot.intake import Intake, inbound
from domain.inbox import InboundUpdate

SENT = 1_736_164_800  # 2025-01-06 12:00 UTC
ASHA = {"id": 1001, "is_bot": False, "first_name": "Asha"}


def message(update_id: int, user: dict[str, object] = ASHA) -> Update:
    return Update.de_json({"update_id": update_id, "message": {
        "message_id": 5, "date": SENT, "text": "/help", "from": user,
        "chat": {"id": user["id"], "type": "private"}}}, None)


def test_a_message_is_keyed_by_its_chat_and_keeps_its_own_date() -> None:
    stored = inbound(message(7))
    assert (stored.update_id, stored.chat_id, stored.kind) == (7, 1001, "message")
    assert stored.sent_at == datetime(2025, 1, 6, 12, 0, tzinfo=UTC)
    assert stored.payload["message"]["text"] == "/help"  # type: ignore[index]


def test_a_press_on_an_inline_message_is_keyed_by_its_user_and_has_no_date() -> None:
    press = Update.de_json({"update_id": 8, "callback_query": {
        "id": "q1", "from": ASHA, "chat_instance": "c", "inline_message_id": "i",
        "data": "home"}}, None)
    stored = inbound(press)
    assert (stored.chat_id, stored.kind, stored.sent_at) == (1001, "callback_query", None)


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

    async def only_odd(update: Update) -> bool:
        return update.update_id % 2 == 1

    intake = Intake(inbox, Now(), admit=only_odd,  # type: ignore[arg-type]
                    on_stored=lambda: woken.append(True))
    assert await intake.take([message(1), message(2), message(3)]) == [1, 3]
    assert await intake.take([message(4)]) == []
    assert (inbox.stored, woken) == ([1, 3], [True])
