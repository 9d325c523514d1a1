"""Refunds as admins make them (issue 13): the refunds due, and recording one done — the money
itself goes back at the payment provider, outside the Bot API. Audited; the customer is told."""

from __future__ import annotations

from collections.abc import Sequence

from domain.errors import NotFound
from domain.ids import UserId
from domain.messages import Notification, RefundDone
from domain.money import Money
from domain.payments import Refund
from domain.ports import Clock
from domain.services.admin.common import record
from domain.services.admin.ports import AdminUowFactory

LISTED = 30  # refunds /refunds shows, oldest first
MAX_NOTE = 200  # characters of an admin's note on a refund made


def refund_target(refund_id: int) -> str:
    return f"refund #{refund_id}"


class RefundAdmin:
    def __init__(self, uows: AdminUowFactory, clock: Clock) -> None:
        self._uows = uows
        self._clock = clock

    async def due(self) -> Sequence[Refund]:
        async with self._uows() as uow:
            return await uow.payments.refunds_due(LISTED)

    async def refunded(self, actor: UserId, refund_id: int, note: str) -> Refund:
        """Records a due refund as made, with the admin's note (e.g. the provider's refund
        id); refused for an unknown refund or one recorded already."""
        now = self._clock.now()
        async with self._uows() as uow:
            done = await uow.payments.mark_refunded(refund_id, note, now)
            if done is None:
                raise NotFound("refund due", refund_id)
            await record(uow, self._clock, actor, "refunded", refund_target(refund_id),
                         f"{Money(done.amount, done.currency)} · {note}")
            await uow.outbox.add(Notification(done.customer_id, RefundDone(
                done.amount, done.currency, done.order_id)), now)
            await uow.commit()
            return done
