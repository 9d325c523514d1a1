"""The bot's own Bot API calls: paced, retried, and a 429 makes only its chat wait.

Every call the bot makes (a handler's reply or edit, a press's answer, a start-up call, the
outbox sender's messages; not getUpdates) passes through `AppRateLimiter`. PTB's
`AIORateLimiter` paused every request of the process on one `RetryAfter` (PTB issues #3765,
#4003, #5338) and retried nothing else. This one decides per call, the way the outbox sender
(bot/sender.py) decides per message, with the same `RetryPolicy` (`Services.retry`):

- `RetryAfter`: that chat waits what Telegram asked (a call without a chat waits itself);
  every other chat's calls go on at once. The call is tried again, up to FLOOD_RETRIES times.
- a 5xx, a timeout or another network error: tried again after the policy's backoff with
  jitter (counted from the start of the failed try: a timeout is not waited out twice), up to
  its attempts. Only the HTTP request is sent again, never the handler run again, so nothing
  the handler decided (an order placed, a press taken) happens twice; a reply whose lost
  answer Telegram had in fact taken may arrive twice, and an edit or a press's answer
  repeated that way gets a 400 the handlers already take in their stride.
- anything else (400, 403, ...): straight back to the caller.
- `answerCallbackQuery` is tried again only within CALLBACK_ANSWER_WITHIN_S of its first
  try: Telegram takes a press's answer for a short while only.
- the start-up calls (getMe, setMyCommands, setWebhook) are tried again with
  the policy's backoff, one log line per failed attempt, until STARTUP_RETRY_S after the first
  of them; then, or at once for an error that no retry mends (a rejected token),
  `StartupFailed`: one line for the operator, never the token.
- `rate_limit_args=NO_RETRY` (the outbox sender): sent once; the sender reschedules. A chat
  that a 429 is holding back gets its `RetryAfter` at once, without asking Telegram again.

Calls to a chat share one overall budget of `overall_per_s` a second (RATE_LIMIT_GLOBAL_PER_S,
bot.budget; with REDIS_URL one `budget` for all instances, bot.shared_budget): replies (every
call but the sender's) first, the sender's notifications with what they leave; `spare()` tells
the sender how much that is before it claims.

A call carrying `allow_paid_broadcast` (the sender's new messages with PAID_BROADCAST on) is
paced by its own budget, `paid` (PAID_BROADCAST_PER_S), as Telegram counts it against its own
limit: it takes nothing from the replies' budget; `paid_spare()` is what the sender may claim
for it. Per chat nothing changes: the sender's pacing (one a second) and a chat's 429 still hold.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
from collections.abc import Callable, Coroutine
from datetime import timedelta
from functools import partial
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError
from telegram.ext import BaseRateLimiter

from bot.budget import Budget, OutboundBudget
from bot.chat_pace import ChatPace
from bot.floor import Floor
from domain.retry import RetryPolicy

logger = logging.getLogger(__name__)

NO_RETRY = -1  # rate_limit_args for calls whose caller handles every failure itself
FLOOD_RETRIES = 3  # a call Telegram answers with 429 waits retry_after, then tries again
CALLBACK_ANSWER_WITHIN_S = 10.0  # Telegram takes a press's answer for about 15 s
STARTUP_CALLS = frozenset({"getMe", "setMyCommands", "setWebhook"})  # deleteWebhook: the poller

Result = bool | dict[str, Any] | list[dict[str, Any]]
Send = Callable[[], Coroutine[Any, Any, Result]]


class StartupFailed(Exception):
    """A start-up call could not be made in time (or ever); the message is one line."""


def retry_after_s(exc: RetryAfter) -> float:
    """The seconds Telegram asked to wait, whichever form PTB gives them in."""
    wait = exc.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


def transient(exc: BaseException) -> bool:
    """A 5xx, a timeout or a lost connection: worth trying again. PTB makes a 400 a NetworkError
    too; it never is."""
    return isinstance(exc, NetworkError) and not isinstance(exc, BadRequest)


class AppRateLimiter(BaseRateLimiter[int]):
    """Paces and retries the bot's calls; a 429 holds back only its own chat."""

    def __init__(self, retry: RetryPolicy, *, overall_per_s: float = 30.0,
                 startup_retry_s: float = 60.0, redact: Callable[[str], str] = str,
                 sample: Callable[[], float] = random.random,
                 on_error: Callable[[str, TelegramError], None] = lambda _m, _e: None,
                 budget: Budget | None = None, floor: Floor | None = None,
                 paid: Budget | None = None, per_chat: ChatPace | None = None) -> None:
        """`redact` takes secrets (the token) out of a text before it is logged; `on_error`
        hears of every error Telegram answered a call with (the metrics count them); `budget`
        paces calls to chats (default: this process's bucket of `overall_per_s`); `floor`
        lets that many notifications a second go in turn with the replies (bot/floor.py);
        `paid` paces the paid broadcasts (None: there are none); `per_chat` counts the new
        messages to each chat, so notifications wait for room (bot/chat_pace.py)."""
        self._retry, self._sample, self._on_error = retry, sample, on_error
        self._budget = budget if budget is not None else OutboundBudget(overall_per_s)
        self._startup_retry_s = startup_retry_s
        self._startup_deadline: float | None = None
        self._held_until: dict[object, float] = {}  # chat -> loop time its 429 ends
        self._redact = redact
        self._floor = floor if floor is not None else Floor(0)
        self._paid = paid
        self._per_chat = per_chat if per_chat is not None else ChatPace(1.0)

    async def spare(self) -> int:
        """Calls the budget has free now that no reply is waiting for, or the floor's token
        when that is more: what the outbox sender may claim this tick."""
        return max(await self._budget.spare(), self._floor.available())

    async def paid_spare(self) -> int | None:
        """Paid broadcasts the paid budget has free now; None: notifications are not paid."""
        return await self._paid.spare() if self._paid is not None else None

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Stops the budget's background work (the shared budget's pump)."""
        await self._budget.close()
        if self._paid is not None:
            await self._paid.close()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        chat = data.get("chat_id")
        send = partial(self._told, endpoint, partial(callback, *args, **kwargs))
        paid = self._paid is not None and bool(data.get("allow_paid_broadcast"))
        counted = endpoint.startswith("send") and chat is not None  # a new message to a chat
        if counted:
            send = partial(self._counted, chat, send)
        if rate_limit_args is not None and rate_limit_args <= NO_RETRY:
            if counted and (room := self._per_chat.wait(chat)) > 0:
                raise RetryAfter(math.ceil(room))  # the chat's replies used its messages
            return await self._once(chat, send, paid=paid)
        if endpoint in STARTUP_CALLS:
            return await self._start_up(endpoint, send)
        within = CALLBACK_ANSWER_WITHIN_S if endpoint == "answerCallbackQuery" else None
        return await self._retried(endpoint, chat, send, within, paid=paid)

    async def _told(self, endpoint: str, send: Send) -> Result:
        """One try of the call; an error Telegram answered is reported to `on_error`."""
        try:
            return await send()
        except TelegramError as exc:
            self._on_error(endpoint, exc)
            raise

    async def _counted(self, chat: object, send: Send) -> Result:
        result = await send()
        self._per_chat.took(chat)
        return result

    async def _once(self, chat: object, send: Send, *, paid: bool = False) -> Result:
        held = self._held_for(chat)
        if held > 0:
            raise RetryAfter(math.ceil(held))
        try:
            return await self._paced(chat, send, reply=False, paid=paid)
        except RetryAfter as exc:
            self._hold(chat, retry_after_s(exc))
            raise

    async def _retried(self, endpoint: str, chat: object, send: Send,
                       within: float | None, *, paid: bool = False) -> Result:
        loop = asyncio.get_running_loop()
        deadline = None if within is None else loop.time() + within
        failures = floods = 0
        while True:
            held = self._held_for(chat)
            if held > 0:  # waits out the chat's 429; another may have come meanwhile: look again
                await asyncio.sleep(held)
                continue
            tried_at = loop.time()
            try:
                return await self._paced(chat, send, reply=True, paid=paid)
            except RetryAfter as exc:
                wait, floods = retry_after_s(exc), floods + 1
                self._hold(chat, wait)
                if floods > FLOOD_RETRIES or _past(deadline, loop.time() + wait):
                    raise
                logger.info("%s to chat %s: flood control, again in %.0f s", endpoint, chat, wait)
                if chat is None:
                    await asyncio.sleep(wait)
            except TelegramError as exc:
                failures += 1  # the backoff counts from the failed try's start: a timeout waited
                delay = max(0.0, self._retry.delay_s(failures, self._sample())
                            - (loop.time() - tried_at))
                if (not transient(exc) or failures >= self._retry.max_attempts
                        or _past(deadline, loop.time() + delay)):
                    raise
                logger.info("%s to chat %s failed (%s), try %d: again in %.1f s", endpoint,
                            chat, self._scrub(exc), failures, delay)
                await asyncio.sleep(delay)

    async def _start_up(self, endpoint: str, send: Send) -> Result:
        loop = asyncio.get_running_loop()
        if self._startup_deadline is None:
            self._startup_deadline = loop.time() + self._startup_retry_s
        attempt = 0
        while True:
            attempt += 1
            try:
                return await send()
            except RetryAfter as exc:
                delay = retry_after_s(exc)
                reason = f"flood control for {delay:.0f} s"
            except TelegramError as exc:
                if not transient(exc):
                    raise StartupFailed(f"Telegram refused {endpoint} ({self._scrub(exc)}): "
                                        "check TELEGRAM_BOT_TOKEN and TELEGRAM_BASE_URL") from None
                delay, reason = self._retry.delay_s(attempt, self._sample()), self._scrub(exc)
            left = self._startup_deadline - loop.time()
            if left <= 0:
                raise StartupFailed(
                    f"Telegram did not answer {endpoint} for {self._startup_retry_s:.0f} s "
                    f"(STARTUP_RETRY_S), last: {reason}: giving up") from None
            delay = min(delay, left)
            logger.warning("start-up: %s failed (attempt %d: %s); trying again in %.1f s, "
                           "giving up in %.0f s", endpoint, attempt, reason, delay, left)
            await asyncio.sleep(delay)

    async def _paced(self, chat: object, send: Send, *, reply: bool, paid: bool) -> Result:
        if chat is not None and paid and self._paid is not None:
            await self._paid.notify()  # a paid broadcast: its own budget, none of the replies'
        elif chat is not None:
            await self._token(reply)
        return await send()

    async def _token(self, reply: bool) -> None:
        if reply:
            await self._budget.reply()
        elif self._floor.take():  # a notification within its floor: the next token
            await self._budget.reply(first=True)
        else:
            await self._budget.notify()

    def _held_for(self, chat: object) -> float:
        """Seconds this chat must still wait after a 429 (0 when it need not)."""
        if chat is None or chat not in self._held_until:
            return 0.0
        left = self._held_until[chat] - asyncio.get_running_loop().time()
        if left <= 0:
            del self._held_until[chat]
        return max(left, 0.0)

    def _hold(self, chat: object, seconds: float) -> None:
        if chat is not None:
            until = asyncio.get_running_loop().time() + seconds
            self._held_until[chat] = max(until, self._held_until.get(chat, until))

    def _scrub(self, exc: Exception) -> str:
        return self._redact(str(exc) or type(exc).__name__)


def _past(deadline: float | None, when: float) -> bool:
    return deadline is not None and when > deadline
