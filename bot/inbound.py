"""The per-user inbound limit at the bot's door (DESIGN.md §7; the rule: domain/inbound_limit.py).

`InboundGate.screen(arrival)` is the one call site of the limiter: it counts the update against
its user's limit (`INBOUND_LIMIT_PER_USER_PER_MIN`; the admins in `ADMIN_IDS` are never
limited) as the update is taken in, and says whether to handle it. `InboundGate.admit` is the
intake's filter (bot/intake.py): every update passes it before it is stored in the inbox, so a
flood costs no database work, and a backlog is counted as it arrives, not as it drains.

`turn_away` is what a refused update gets: a press is always answered, so no button spins (an
alert saying "slow down" the first time in a window, the same words as a short note after);
a message gets "slow down" once per window and nothing after. A refused update that needs no
answer costs a dictionary lookup (with REDIS_URL, one Redis round trip: storage/shared.py).
At most `TURNING_AWAY` answers are in flight at once, so a flood of refused presses never
takes the HTTP connections the other users' replies need.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from telegram import Bot
from telegram.error import TelegramError

from bot import texts
from bot.i18n import ENGLISH, speak
from bot.intake import Arrival
from bot.languages import asked_by
from bot.settings import Settings
from domain.inbound_limit import InboundLimiter, SharedLimit, Verdict, moves_of

logger = logging.getLogger(__name__)

TURNING_AWAY = 8  # refusals being answered at once, whoever they are for


class InboundGate:
    """The limiter with its clock, and what the bot says to an update it turns away."""

    def __init__(self, limiter: InboundLimiter, bot: Bot,
                 clock: Callable[[], float] = time.monotonic,
                 on_refused: Callable[[Verdict], None] = lambda _: None,
                 shared: SharedLimit | None = None, language: str = ENGLISH) -> None:
        """`on_refused` hears of every update turned away (the metrics count them); with
        `shared` (REDIS_URL) updates are counted with the other instances'. A refusal is
        worded in the language the sender's Telegram app asks for, else in `language` (the
        gate reads no database)."""
        self._language = language
        self.limiter = limiter
        self.shared = shared  # with REDIS_URL: counted with the other instances
        self._bot = bot
        self._clock = clock
        self._on_refused = on_refused
        self._answering = asyncio.Semaphore(TURNING_AWAY)
        self._answers: set[asyncio.Task[None]] = set()  # turn_away tasks, held until done

    async def admit(self, update: Arrival) -> bool:
        """The intake's filter: True to store and handle `update`. A refused update is answered
        in the background (see `turn_away`), so taking in the rest of a batch never waits."""
        verdict = await self.screen(update)
        if verdict.admitted:
            return True
        if update.query_id is not None or verdict is Verdict.SLOW_DOWN:
            task = asyncio.create_task(self.turn_away(update, verdict))
            self._answers.add(task)
            task.add_done_callback(self._answers.discard)
        return False

    async def screen(self, update: Arrival) -> Verdict:
        """Counts `update` against its user's limit: `Verdict.ADMIT` to handle it. With a
        shared limit, in it; in this process while the shared one cannot be reached. A live
        location's moves are counted in a bucket of their own (`moves_of`), and one turned
        away is dropped without a word: the rider's phone sent it, not the rider."""
        user = update.user_id
        if user is None or user in self.limiter.exempt:  # channel posts, polls; the admins
            return Verdict.ADMIT
        key = moves_of(user) if update.moves else user
        verdict = await self.shared.admit(key) if self.shared is not None else None
        if verdict is None:
            verdict = self.limiter.admit(key, self._clock())
        if not verdict.admitted:
            self._on_refused(verdict)
        if update.moves:  # the phone sent it, not the person: nothing to tell them
            return Verdict.DROP if verdict is Verdict.SLOW_DOWN else verdict
        if verdict is Verdict.SLOW_DOWN:
            logger.info("user %s is over the inbound limit of %s a minute: their updates are "
                        "dropped until it refills", user, self.limiter.per_minute)
        return verdict

    async def turn_away(self, update: Arrival, verdict: Verdict) -> None:
        """Answers a refused update that needs it (see `admit` and the module's docstring)."""
        async with self._answering:
            try:
                speak(asked_by(update.payload) or self._language)  # this task is its own
                if update.query_id is not None:
                    await self._bot.answer_callback_query(
                        update.query_id, texts.SLOW_DOWN, show_alert=verdict is Verdict.SLOW_DOWN)
                elif update.chat_id is not None:
                    await self._bot.send_message(update.chat_id, texts.SLOW_DOWN, parse_mode=None)
            except TelegramError as error:  # a refused update is not worth an error alert
                logger.info("could not turn away update %s: %s", update.update_id, error)


def inbound_gate(
    settings: Settings, bot: Bot, clock: Callable[[], float] = time.monotonic,
    on_refused: Callable[[Verdict], None] = lambda _: None,
    shared: SharedLimit | None = None,
) -> InboundGate:
    """The gate for one bot process, from the settings; it answers through `bot`; with
    `shared` (REDIS_URL) it counts with the other instances."""
    limiter = InboundLimiter(settings.inbound_limit_per_user_per_min, exempt=settings.admin_ids)
    return InboundGate(limiter, bot, clock, on_refused, shared, settings.default_language)
