"""The private lines (domain.lines): their messages, and the one a reply is to."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, insert, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from domain.ids import OrderId
from domain.lines import LineMessage, Said, Side
from storage.sql import LINE_MESSAGES

_L = LINE_MESSAGES.c


class SqlLines:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, message: LineMessage) -> None:
        await self._session.execute(insert(LINE_MESSAGES).values(
            order_id=message.order_id, side=message.side.value, said=message.said.value,
            at=message.at, text=message.text, file_id=message.file_id,
            latitude=message.latitude, longitude=message.longitude, chat_id=message.chat_id,
            message_id=message.message_id))

    async def replied_to(self, chat_id: int, message_id: int) -> LineMessage | None:
        """The line message the bot's message `message_id` in that chat carries, if any."""
        stmt = select(LINE_MESSAGES).where(_L.chat_id == chat_id, _L.message_id == message_id)
        row = (await self._session.execute(stmt.limit(1))).mappings().first()
        return _message(row) if row is not None else None

    async def of(self, order_id: OrderId) -> Sequence[LineMessage]:
        """The order's line, oldest first (prompts left out)."""
        stmt = (select(LINE_MESSAGES)
                .where(_L.order_id == order_id, _L.said != Said.PROMPT.value)
                .order_by(_L.id))
        return [_message(row) for row in (await self._session.execute(stmt)).mappings()]

    async def closed(self, order_id: OrderId) -> bool:
        stmt = select(func.count()).select_from(LINE_MESSAGES).where(
            _L.order_id == order_id, _L.said == Said.CLOSED.value)
        return int((await self._session.execute(stmt)).scalar_one()) > 0


def _message(r: RowMapping) -> LineMessage:
    return LineMessage(OrderId(r["order_id"]), Side(r["side"]), Said(r["said"]), r["at"],
                       r["text"], r["file_id"], r["latitude"], r["longitude"], r["chat_id"],
                       r["message_id"])
