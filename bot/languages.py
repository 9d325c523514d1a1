"""Which language each chat is spoken to in (bot/i18n.py has the languages themselves).

A chat's language is the one stored for it: chosen with /language, or, for a private chat,
taken on first contact from its user's Telegram app (`language_code`), when we speak it. A
chat with none stored (a group, a user whose app asks for a language we do not speak) is
spoken to in DEFAULT_LANGUAGE. Later notifications use the stored language of the chat they go
to, whoever caused them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from bot.i18n import LANGUAGES, chosen
from domain.languages import Languages

logger = logging.getLogger(__name__)


class ChatLanguages:
    def __init__(self, store: Languages, default: str) -> None:
        self._store = store
        self._default = default

    async def of(self, chat_ids: Iterable[int]) -> dict[int, str]:
        """The language of each chat (its own, else the default)."""
        ids = set(chat_ids)
        stored = await self._store.of(ids)
        return {chat: self.spoken(stored.get(chat)) for chat in ids}

    def spoken(self, stored: str | None) -> str:
        """The language of a chat whose stored one (read with its row) is `stored`."""
        return ours(stored) or self._default

    async def of_chat(self, chat_id: int) -> str:
        return (await self.of((chat_id,)))[chat_id]

    async def first_contact(self, chat_id: int, update: Mapping[str, Any]) -> str:
        """The language of a chat with none stored: in a private chat, the one its user's
        Telegram app asks for when we speak it (stored from now on); else the default."""
        code = asked_by(update)
        if code is None or chat_id <= 0:  # groups and channels have negative ids
            return self._default
        try:
            await self._store.adopt(chat_id, code)
        except Exception:  # the reply is still worded in it; the next update stores it
            logger.exception("could not store the language of chat %s", chat_id)
        return code

    async def choose(self, chat_id: int, code: str) -> None:
        await self._store.choose(chat_id, code)


def asked_by(update: Mapping[str, Any]) -> str | None:
    """The language of ours that the Telegram app of an update's sender is set to, if any."""
    for body in update.values():
        if isinstance(body, Mapping):
            sender = body.get("from")
            if isinstance(sender, Mapping):
                code = sender.get("language_code")
                return chosen(code if isinstance(code, str) else None)
    return None


def ours(code: str | None) -> str | None:
    """A stored language we (still) speak; None for none, or one no longer offered."""
    return code if code in LANGUAGES else None
