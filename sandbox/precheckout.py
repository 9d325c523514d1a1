"""Pre-checkout queries waiting for the bot's answerPreCheckoutQuery, and the charge ids of
the payments that went through.

Telegram gives the bot 10 seconds to answer (``BotApiServer(pre_checkout_timeout=...)``
shortens it for tests). The deadline runs on real (event-loop monotonic) time, not on the
server's injectable ``clock``: the paying user's ``pay()`` waits for it. The query ends at the
first of: an answer, the deadline, or the payer giving up (its ``pay()`` cancelled); any later
answer gets Telegram's "query is too old ..." error, as does a second answer or an unknown id.
"""

from __future__ import annotations

import itertools
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from sandbox.errors import QUERY_INVALID
from sandbox.invoices import Invoice, OrderInfo
from sandbox.notifier import Notifier


@dataclass(frozen=True, slots=True)
class PreCheckoutAnswer:
    """What the bot answered: ok, or not ok with the error_message the user is shown."""

    ok: bool
    error_message: str | None = None


@dataclass
class PreCheckout:
    """One pre-checkout query: a user confirming the payment form of an invoice message."""

    id: str
    user_id: int
    message_id: int  # the invoice message
    invoice: Invoice
    tip: int
    order_info: OrderInfo | None
    deadline: float  # time.monotonic() seconds
    answer: PreCheckoutAnswer | None = None
    closed: bool = False  # the deadline passed or the payer stopped waiting

    @property
    def total_amount(self) -> int:
        """The prices plus the tip: what the user is charged."""
        return self.invoice.total_amount + self.tip


class PaymentDesk:
    """The pre-checkout queries of all users, and the payment charge-id counter."""

    def __init__(self, notifier: Notifier, timeout: float = 10.0,
                 now: Callable[[], float] = time.monotonic) -> None:
        self.timeout = timeout
        self.queries: dict[str, PreCheckout] = {}
        self._notifier = notifier
        self._now = now
        self._query_ids = itertools.count(1)
        self._charges = itertools.count(1)

    def open(self, user_id: int, message_id: int, invoice: Invoice, tip: int,
             order_info: OrderInfo | None) -> PreCheckout:
        query_id = f"{user_id}{next(self._query_ids):08d}{secrets.randbelow(10**6):06d}"
        query = PreCheckout(query_id, user_id, message_id, invoice, tip, order_info,
                            self._now() + self.timeout)
        self.queries[query_id] = query
        return query

    def answer(self, query_id: str, answer: PreCheckoutAnswer) -> PreCheckout:
        """Record the bot's answer, or raise QUERY_INVALID (unknown, answered, too late)."""
        query = self.queries.get(query_id)
        if (query is None or query.answer is not None or query.closed
                or self._now() >= query.deadline):
            raise QUERY_INVALID
        query.answer = answer
        self._notifier.notify()
        return query

    async def outcome(self, query: PreCheckout) -> PreCheckoutAnswer | None:
        """The bot's answer, or None once the deadline passed without one."""
        try:
            await self._notifier.wait_for(lambda: query.answer,
                                          max(query.deadline - self._now(), 0.0))
        except TimeoutError:
            pass
        finally:  # timed out or cancelled: no later answer counts
            query.closed = query.answer is None
        return query.answer

    def charge_ids(self) -> tuple[str, str]:
        """New (telegram_payment_charge_id, provider_payment_charge_id), unique per payment."""
        n = next(self._charges)
        return f"sandbox-charge-{n}", f"provider-charge-{n}"
