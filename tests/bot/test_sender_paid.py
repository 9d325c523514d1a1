"""The outbox sender with and without PAID_BROADCAST (bot/sender.py, bot/jobs.py): what it
asks the budgets before it claims, what it passes to Telegram, and that a run which claimed a
whole batch looks again at once. Fakes of the outbox and the bot; no database, no network."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from bot.jobs import send_outbox
from bot.languages import ChatLanguages
from bot.ratelimit import AppRateLimiter
from bot.sender import send_due
from bot.settings import load_settings
from bot.wakeup import Wakeup
from domain.messages import OfferExpired, encode
from domain.pipeline.ports import OutgoingMessage
from tests.bot.test_paid_broadcast import still
from tests.bot.test_ratelimit import QUICK
from tests.integration.builders import T0, FixedClock


class Outbox:
    """Hands out what waits, `batch_size` at a time; notes what the sender asked for."""

    batch_size = 2

    def __init__(self, chats: int) -> None:
        self.waiting = [OutgoingMessage(n, 4000 + n, OfferExpired.KIND, encode(OfferExpired(n)), 1)
                        for n in range(chats)]
        self.asked: list[tuple[int | None, int | None]] = []
        self.marked: list[int] = []

    async def claim(self, now: datetime, *, at_most: int | None = None,
                    paid_at_most: int | None = None) -> list[OutgoingMessage]:
        self.asked.append((at_most, paid_at_most))
        taken, self.waiting = self.waiting[:self.batch_size], self.waiting[self.batch_size:]
        return taken

    async def orders_now(self, order_ids: Collection[int]) -> dict[int, Any]:
        return {}

    async def later_edits(self, heads: Collection[OutgoingMessage]) -> list[OutgoingMessage]:
        return []

    async def sent(self, message_id: int, *, now: datetime, telegram_id: int | None) -> None:
        self.marked.append(message_id)

    async def next_due(self, now: datetime) -> datetime | None:
        return now if self.waiting else None


class Bot:
    """Takes every message; notes the arguments."""

    def __init__(self, limiter: AppRateLimiter) -> None:
        self.rate_limiter, self.calls = limiter, list[dict[str, Any]]()

    async def send_message(self, chat_id: int, text: str, **kwargs: Any) -> Any:
        self.calls.append(kwargs)
        return SimpleNamespace(message_id=len(self.calls))


def services(outbox: Outbox, *, paid: bool) -> Any:
    return SimpleNamespace(
        settings=load_settings(_env_file=None, paid_broadcast=paid), outbox=outbox,
        clock=FixedClock(T0), ops=SimpleNamespace(metrics=SimpleNamespace(settled=lambda _: None)),
        wakeup=Wakeup(), languages=ChatLanguages(NoLanguages(), "en"))


class NoLanguages:
    """No chat has chosen a language: each is spoken to in the default."""

    async def of(self, chat_ids: Collection[int]) -> dict[int, str]:
        return {}

    async def adopt(self, chat_id: int, language: str) -> None:
        raise AssertionError("the sender stores no language")

    async def choose(self, chat_id: int, language: str) -> None:
        raise AssertionError("the sender stores no language")


async def test_with_paid_broadcast_each_new_message_is_paid_for_and_both_budgets_asked() -> None:
    outbox = Outbox(2)
    bot = Bot(AppRateLimiter(QUICK, budget=still(20.0), paid=still(100.0)))
    assert await send_due(bot, services(outbox, paid=True)) == 2  # type: ignore[arg-type]
    assert outbox.asked == [(10, 50)]  # the free budget's spare for edits, the paid one's
    assert [call["allow_paid_broadcast"] for call in bot.calls] == [True, True]
    assert outbox.marked == [0, 1]


async def test_without_it_nothing_is_paid_for() -> None:
    outbox = Outbox(2)
    bot = Bot(AppRateLimiter(QUICK, budget=still(20.0)))
    await send_due(bot, services(outbox, paid=False))  # type: ignore[arg-type]
    assert outbox.asked == [(10, None)]
    assert [call["allow_paid_broadcast"] for call in bot.calls] == [None, None]


async def test_a_run_that_claimed_a_whole_batch_looks_again_at_once() -> None:
    bot = Bot(AppRateLimiter(QUICK, budget=still(20.0), paid=still(100.0)))
    full = services(Outbox(5), paid=True)
    await send_outbox(SimpleNamespace(bot=bot), full)
    assert full.wakeup.outbox.is_set
    short = services(Outbox(1), paid=True)
    await send_outbox(SimpleNamespace(bot=bot), short)
    assert not short.wakeup.outbox.is_set
