"""Which language each chat is spoken to in: the port the bot keeps it through (bot/i18n.py
knows the languages themselves)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol


class Languages(Protocol):
    async def of(self, chat_ids: Collection[int]) -> dict[int, str]:
        """The stored language of each of `chat_ids` that has one."""
        ...

    async def adopt(self, chat_id: int, language: str) -> None:
        """A chat's first language (its user's Telegram app's); kept if it has one already."""
        ...

    async def choose(self, chat_id: int, language: str) -> None:
        """The language the chat chose (/language), from now on."""
        ...
