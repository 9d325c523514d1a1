"""Implements domain.languages.Languages: one row per chat."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime

from sqlalchemy import Label, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.languages import Languages
from storage.sql import CHAT_LANGUAGES, add_missing, upsert


def language_of(chat_id: str) -> Label[str | None]:
    """The language stored for the chat whose id is the column `chat_id` (in full, such as
    "outbox.chat_id") of the row an UPDATE ... RETURNING returns, read with it: a claim's rows
    come with their chats' languages. Named in full because RETURNING names its own columns
    bare, which inside the subquery would be the languages' own chat_id."""
    c = CHAT_LANGUAGES.c
    return (select(c.language).where(c.chat_id == literal_column(chat_id))
            .scalar_subquery().label("language"))


class SqlLanguages:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = session_factory

    async def of(self, chat_ids: Collection[int]) -> dict[int, str]:
        if not chat_ids:
            return {}
        c = CHAT_LANGUAGES.c
        stmt = select(c.chat_id, c.language).where(c.chat_id.in_(sorted(set(chat_ids))))
        async with self._sessions() as session:
            return {chat: language for chat, language in (await session.execute(stmt)).all()}

    async def adopt(self, chat_id: int, language: str) -> None:
        row = {"chat_id": chat_id, "language": language, "updated_at": datetime.now(UTC)}
        async with self._sessions() as session, session.begin():
            await add_missing(session, CHAT_LANGUAGES, row)

    async def choose(self, chat_id: int, language: str) -> None:
        row = {"chat_id": chat_id, "language": language, "updated_at": datetime.now(UTC)}
        async with self._sessions() as session, session.begin():
            await upsert(session, CHAT_LANGUAGES, row, key=("chat_id",))


def _implements(languages: SqlLanguages) -> Languages:
    return languages  # mypy checks the class against the port
