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
- any other Telegram error: retried with backoff up to the policy's attempts, then given up.

Backoff is the domain's `RetryPolicy`, the same the queue's tasks use, built at the
composition root.

The sender calls the Bot API with `rate_limit_args=NO_RETRY` (see `bot.ratelimit`): the
limiter's overall budget still counts these calls, but it never retries them itself, so every
failure reaches this module, which keeps its retries in the database. A chat that a 429 on a
handler's reply is holding back gets its `RetryAfter` at once, without asking Telegram.
"""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import timedelta
from typing import Any

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot.context import Services
from bot.notices import UnknownNotice, render
from bot.ratelimit import NO_RETRY, retry_after_s
from bot.tracking import refresh_tracking
from domain.ids import OrderId
from domain.pipeline.model import Note
from domain.pipeline.ports import OutgoingMessage

logger = logging.getLogger(__name__)


async def send_due(bot: ExtBot[Any], services: Services) -> int:
    """One tick: claims what may go out now and sends it; returns how many were claimed."""
    messages = await services.outbox.claim(services.clock.now())
    results = await asyncio.gather(*(_deliver(bot, services, message) for message in messages),
                                   return_exceptions=True)
    for message, result in zip(messages, results, strict=True):
        if isinstance(result, BaseException):  # its lease runs out and it is tried again
            logger.error("outbox %s failed unexpectedly", message.id, exc_info=result)
    return len(messages)


async def _deliver(bot: ExtBot[Any], services: Services, message: OutgoingMessage) -> None:
    outbox, clock = services.outbox, services.clock
    try:
        telegram_id = await _send(bot, services, message)
    except RetryAfter as exc:
        seconds = retry_after_s(exc)
        await outbox.retry(message.id, error=f"RetryAfter: {seconds}s",
                           at=clock.now() + timedelta(seconds=seconds))
    except (BadRequest, Forbidden, UnknownNotice) as exc:  # never going to succeed
        logger.warning("outbox %s to chat %s given up: %s", message.id, message.chat_id, exc)
        await outbox.give_up(message.id, error=_error(exc), now=clock.now())
    except (NetworkError, TelegramError) as exc:
        await _retry_later(services, message, exc)
    else:
        await outbox.sent(message.id, now=clock.now(), telegram_id=telegram_id)


async def _retry_later(services: Services, message: OutgoingMessage, exc: Exception) -> None:
    """Again after the retry policy's backoff with jitter; a network error is retried without
    limit (the delay stops growing at its cap), any other error up to the policy's attempts."""
    policy, now = services.retry, services.clock.now()
    if not isinstance(exc, NetworkError) and message.attempts >= policy.max_attempts:
        logger.warning("outbox %s given up after %d attempts: %s", message.id,
                       message.attempts, exc)
        await services.outbox.give_up(message.id, error=_error(exc), now=now)
        return
    delay = policy.delay_s(message.attempts, random.random())
    logger.info("outbox %s failed (%s): again in %.1f s", message.id, exc, delay)
    await services.outbox.retry(message.id, error=_error(exc), at=now + timedelta(seconds=delay))


async def _send(bot: ExtBot[Any], services: Services, message: OutgoingMessage) -> int | None:
    """Telegram's id of the message sent; None for an edit of the tracking message."""
    if message.kind == Note.ORDER_STATUS:
        order_id = OrderId(int(str(message.data["order_id"])))
        await refresh_tracking(bot, services.orders, order_id, rate_limit_args=NO_RETRY)
        return None
    notice = render(message.kind, message.data)
    sent = await bot.send_message(message.chat_id, notice.text, reply_markup=notice.keyboard,
                                  rate_limit_args=NO_RETRY)
    if notice.location is not None:
        try:  # a courtesy after the offer: its failure must not resend the offer
            await bot.send_location(message.chat_id, *notice.location, rate_limit_args=NO_RETRY)
        except TelegramError as exc:
            logger.info("location for outbox %s not sent: %s", message.id, exc)
    return sent.message_id


def _error(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"
