"""Sends the outbox (DESIGN.md §4): paced, in order per chat, each row marked only once
Telegram accepted it.

The database paces: `MessageOutbox.claim` hands out at most one message per chat (its oldest
unsent), none for a chat sent to within the last second (edits of the tracking message,
`order_status`, are not paced per chat: they add no message to the chat), and no more than
the global budget left this second, so every instance keeps the same limits. The messages of
one tick go to different chats and are sent concurrently; each settles on its own:

- accepted: marked sent, with Telegram's message id;
- `RetryAfter`: due again after `retry_after`, the other chats carry on;
- a network error or timeout (or a 5xx): retried with backoff, without limit (capped delay);
- 400 / 403 (chat not found, bot blocked, a message Telegram will never take): given up,
  the error recorded on the row;
- any other Telegram error: retried with backoff up to the policy's attempts, then given up;
- a row this version cannot read or render (`domain.messages.decode`, `bot.notices.render`):
  logged as an error and the admins told, then retried like the above (a newer instance of a
  rolling deploy may know it).

A message whose last try never settled (the process died mid-send; Telegram may have it) is
sent again, but only once its chat has no update left in the inbox: the user may have acted
on the first copy, and the stale check below then drops the second (`claim_heads`). That
second copy, when the first did arrive, is the one duplicate the outbox allows.

Just before sending, a message its order has overtaken (an offer no longer open, "finding a
partner" once one has it, ...: `domain.pipeline.stale`) is not sent; its row is given up with
the reason ("stale: ..."). Every row is one Telegram call. An offer carries the drop-off as
a map link; a map pin of its own (`DropOffPin`) is only in rows an older version wrote.

A milestone (on its way, delivered: `domain.messages.Milestone`) sends the tracking message
anew, under a headline (bot/tracking.py `send_anew`): one call that pings and shows the
whole order, where an edit and a ping beside it took two.

Edits of the tracking message are coalesced: each renders the order as it is when it is
sent, so once one (or the message sent anew) has gone out, the edits of the same order
queued behind it in its chat before it was rendered have nothing left to show; they are
given up ("superseded: ...") instead of costing a Telegram call each
(`MessageOutbox.later_edits`, `supersede`).

Backoff is the domain's `RetryPolicy`, the same the queue's tasks use, built at the
composition root.

The sender calls the Bot API with `rate_limit_args=NO_RETRY` (see `bot.ratelimit`): the
limiter's overall budget still counts these calls, but it never retries them itself, so every
failure reaches this module, which keeps its retries in the database. A chat that a 429 on a
handler's reply is holding back gets its `RetryAfter` at once, without asking Telegram.

Replies to users' own actions come first (bot.budget): a tick claims no more than the budget
has spare (`AppRateLimiter.spare`), and what it claimed waits behind any reply that comes.

With PAID_BROADCAST every new message (text or map pin) goes with `allow_paid_broadcast`:
Telegram takes up to 1000 a second, for Stars, and the limiter paces them on their own budget
(`AppRateLimiter.paid_spare`), leaving the free one to the replies. Edits of the tracking
message cannot be paid for (editMessageText has no such parameter): they stay on the free
budget, behind the replies, as before. Per chat nothing changes.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Coroutine, Mapping, Sequence
from datetime import timedelta
from typing import Any

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot.context import Services
from bot.handlers.errors import alert_admins, failure_of, secrets_of
from bot.i18n import speaking
from bot.notices import Notice, headline, render
from bot.ratelimit import NO_RETRY, AppRateLimiter, retry_after_s, transient
from bot.tracking import refresh_tracking, send_anew
from domain.ids import OrderId
from domain.messages import MalformedMessage, Message, Milestone, OrderStatusChanged, decode
from domain.pipeline.ports import OutgoingMessage
from domain.pipeline.stale import OrderNow, order_of, stale

logger = logging.getLogger(__name__)


async def send_due(bot: ExtBot[Any], services: Services) -> int:
    """One tick: claims what may go out now and sends it; returns how many were claimed."""
    limiter = bot.rate_limiter
    spare = paid = None
    if isinstance(limiter, AppRateLimiter):
        spare, paid = await limiter.spare(), await limiter.paid_spare()
    messages = await services.outbox.claim(services.clock.now(), at_most=spare,
                                           paid_at_most=paid)
    contents = [_read(message) for message in messages]
    orders = await services.outbox.orders_now(
        {order for c in contents if not isinstance(c, Exception) and (order := order_of(c))})
    shows = [m for m, c in zip(messages, contents, strict=True)  # the tracking message
             if isinstance(c, OrderStatusChanged | Milestone)]
    later = await services.outbox.later_edits(shows) if shows else []  # before any renders
    results = await asyncio.gather(
        *(_speaking(services.languages.spoken(message.language),
                    _deliver(bot, services, message, content, orders, later))
          for message, content in zip(messages, contents, strict=True)),
        return_exceptions=True)
    for message, result in zip(messages, results, strict=True):
        if isinstance(result, BaseException):  # its lease runs out and it is tried again
            logger.error("outbox %s failed unexpectedly", message.id, exc_info=result)
    return len(messages)


def _read(message: OutgoingMessage) -> Message | MalformedMessage:
    try:
        return decode(message.kind, message.data)
    except MalformedMessage as exc:
        return exc


async def _speaking(language: str, delivery: Coroutine[Any, Any, None]) -> None:
    """Words a message in its recipient's language (the chat's, not whoever caused it)."""
    with speaking(language):
        await delivery


async def _deliver(
    bot: ExtBot[Any], services: Services, message: OutgoingMessage,
    content: Message | MalformedMessage, orders: Mapping[int, OrderNow],
    later: Sequence[OutgoingMessage] = (),
) -> None:
    outbox, clock = services.outbox, services.clock
    try:
        if isinstance(content, MalformedMessage):
            raise content
        prepared = (content if isinstance(content, OrderStatusChanged)
                    else (content, headline(content)) if isinstance(content, Milestone)
                    else render(content))
    except Exception as exc:  # a row this version cannot read, or a bug in the wording
        await _unrenderable(services, message, exc)
        return
    order = order_of(content)
    overtaken = stale(content, message.chat_id, orders.get(order) if order else None)
    if overtaken is not None:
        logger.info("outbox %s to chat %s not sent: %s", message.id, message.chat_id, overtaken)
        await outbox.give_up(message.id, error=f"stale: {overtaken}", now=clock.now())
        return
    try:
        asked = clock.now()  # Telegram counts a message as it arrives: the pacing does too
        telegram_id = await _send(bot, services, message.chat_id, prepared)
    except RetryAfter as exc:
        seconds = retry_after_s(exc)
        await outbox.retry(message.id, error=f"RetryAfter: {seconds}s",
                           at=clock.now() + timedelta(seconds=seconds))
    except (BadRequest, Forbidden) as exc:  # never going to succeed
        logger.warning("outbox %s to chat %s given up: %s", message.id, message.chat_id, exc)
        await outbox.give_up(message.id, error=_error(exc), now=clock.now())
    except (NetworkError, TelegramError) as exc:
        await _retry_later(services, message, exc)
    else:
        taken = time.perf_counter()
        await outbox.sent(message.id, now=asked, telegram_id=telegram_id)
        services.ops.metrics.settled(time.perf_counter() - taken)
        if isinstance(content, OrderStatusChanged | Milestone):
            await outbox.supersede(_shown(message, content.order_id, later), by=message.id,
                                   now=clock.now())


def _shown(head: OutgoingMessage, order_id: int,
           later: Sequence[OutgoingMessage]) -> list[int]:
    """The edits of the order queued behind `head` in its chat, which `head` (an edit of
    the tracking message, or the message sent anew) has shown."""
    return [m.id for m in later
            if m.chat_id == head.chat_id and m.id > head.id
            and isinstance(c := _read(m), OrderStatusChanged) and c.order_id == order_id]


async def _unrenderable(services: Services, message: OutgoingMessage, exc: Exception) -> None:
    """Logged as an error and the admins told (a bug, or a row a newer version wrote during a
    rolling deploy); retried like any failed send, so a fixed or newer instance can still
    send it, and given up after the retry policy's attempts."""
    logger.error("outbox %s (%s) to chat %s cannot be rendered", message.id, message.kind,
                 message.chat_id, exc_info=exc)
    await alert_admins(services.error_alerts, failure_of(exc, None, job="outbox sender"),
                       secrets_of(services.settings))
    await _retry_later(services, message, exc)


async def _retry_later(services: Services, message: OutgoingMessage, exc: Exception) -> None:
    """Again after the retry policy's backoff with jitter; a network error is retried without
    limit (the delay stops growing at its cap), any other error up to the policy's attempts."""
    policy, now = services.retry, services.clock.now()
    if not transient(exc) and message.attempts >= policy.max_attempts:
        logger.warning("outbox %s given up after %d attempts: %s", message.id,
                       message.attempts, exc)
        await services.outbox.give_up(message.id, error=_error(exc), now=now)
        return
    delay = policy.delay_s(message.attempts, random.random())
    logger.info("outbox %s failed (%s): again in %.1f s", message.id, exc, delay)
    await services.outbox.retry(message.id, error=_error(exc), at=now + timedelta(seconds=delay))


async def _send(
    bot: ExtBot[Any], services: Services, chat_id: int,
    content: OrderStatusChanged | tuple[Milestone, str] | Notice,
) -> int | None:
    """Telegram's id of the message sent; None for an edit of the tracking message."""
    if isinstance(content, OrderStatusChanged):
        await refresh_tracking(bot, services.orders, OrderId(content.order_id),
                               rate_limit_args=NO_RETRY)
        return None
    paid = services.settings.paid_broadcast or None  # None: the parameter is not sent
    if isinstance(content, tuple):
        milestone, words = content
        return await send_anew(bot, services.orders, OrderId(milestone.order_id), chat_id,
                               words, paid=paid, rate_limit_args=NO_RETRY)
    if content.location is not None:
        pin = await bot.send_location(chat_id, *content.location, allow_paid_broadcast=paid,
                                      rate_limit_args=NO_RETRY)
        return pin.message_id
    sent = await bot.send_message(chat_id, content.text, reply_markup=content.keyboard,
                                  allow_paid_broadcast=paid, rate_limit_args=NO_RETRY)
    return sent.message_id


def _error(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"
