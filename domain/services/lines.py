"""The private line between an order's customer and its rider, as use cases (domain.lines):
a prompt to reply to, a reply relayed to the other side, the line as admins read and close it.

The bot sends; these decide and record. A relayed message is recorded once the bot's copy is
in the other chat, so the other side can reply to that copy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from domain.errors import NotAllowed
from domain.ids import OrderId, UserId
from domain.lines import LineMessage, Said, Side, check_open, other_chat, side_of
from domain.orders import Order
from domain.ports import Clock, UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class Route:
    """Where a message on a line goes: the order, the writer's side and the other's chat."""

    order: Order
    side: Side
    to_chat: int
    rider_name: str = ""  # as the customer sees it


class LineService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow_factory
        self._clock = clock

    async def start(self, user: UserId, order_id: OrderId) -> Route:
        """💬 pressed: the line the user may write on, or NotAllowed / LineClosed."""
        async with self._uow() as uow:
            return await _route(uow, user, order_id)

    async def prompted(self, route: Route, chat_id: int, message_id: int) -> None:
        """The prompt to reply to is in the writer's chat."""
        await self._add(LineMessage(route.order.id, route.side, Said.PROMPT, self._clock.now(),
                                    chat_id=chat_id, message_id=message_id))

    async def reply_route(self, user: UserId, chat_id: int, replied_to: int) -> Route | None:
        """The line a message replying to the bot's message `replied_to` is written on; None
        when that message carries no line. LineClosed when the order has ended since."""
        async with self._uow() as uow:
            found = await uow.lines.replied_to(chat_id, replied_to)
            if found is None:
                return None
            return await _route(uow, user, found.order_id)

    async def relayed(self, message: LineMessage) -> None:
        """The bot's copy of `message` is in the other side's chat (kept at this moment)."""
        await self._add(replace(message, at=self._clock.now()))

    async def line(self, order_id: OrderId) -> Sequence[LineMessage]:
        async with self._uow() as uow:
            return await uow.lines.of(order_id)

    async def _add(self, message: LineMessage) -> None:
        async with self._uow() as uow:
            await uow.lines.add(message)
            await uow.commit()


async def _route(uow: UnitOfWork, user: UserId, order_id: OrderId) -> Route:
    order = await uow.orders.get(order_id)
    side = side_of(order, user) if order is not None else None
    if order is None or side is None:
        raise NotAllowed("this is not your order")
    check_open(order, await uow.lines.closed(order_id))
    rider = await uow.partners.get(order.partner_id) if order.partner_id is not None else None
    return Route(order, side, other_chat(order, side), rider.name if rider else "")
