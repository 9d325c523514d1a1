"""What every handler shares: screens, the press decorator, and polite refusals in one place.

A button handler is `async def verb_noun(update, context, *ids) -> Screen`: it gets the ids
of its callback data already checked, makes one service call and returns the screen to
show. `@press` does the rest, exactly once per press, on every path: it answers the callback
query (with the refusal as an alert when the data is malformed or the domain says no, so the
screen the user is looking at stays as it was; with a short apology when the handler fails
unexpectedly, whose exception then goes on to the error handler), and redraws the pressed
message at the same time. No button is left spinning.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from telegram import (
    CallbackQuery,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import BadRequest, TelegramError

from bot import texts
from bot.callbacks import BadCallback, unpack
from bot.context import AppContext
from domain.customers import Customer
from domain.errors import DomainError
from domain.ids import UserId

logger = logging.getLogger(__name__)
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


@dataclass(frozen=True)
class Screen:
    """What a handler shows: a text with its buttons, and a short note for the press.

    No text leaves the pressed message as it is; `new_message` sends the text instead of
    editing the pressed message (needed for reply keyboards and photos). With a `photo`
    (a Telegram file id) the text is its caption.
    """

    text: str | None = None
    keyboard: Markup | None = None
    toast: str | None = None
    alert: bool = False
    new_message: bool = False
    photo: str | None = None


PressHandler = Callable[..., Awaitable[Screen]]
Handler = Callable[[Update, AppContext], Coroutine[Any, Any, None]]


def user_id(update: Update) -> UserId:
    assert update.effective_user is not None  # every update our handlers take has a user
    return UserId(update.effective_user.id)


def customer(update: Update) -> Customer:
    assert update.effective_user is not None
    return Customer(UserId(update.effective_user.id), update.effective_user.full_name)


def press(handler: PressHandler) -> Handler:
    """Wraps a button handler: checked ids in, one answer to the press, the screen drawn."""

    @functools.wraps(handler)
    async def run(update: Update, context: AppContext) -> None:
        query = update.callback_query
        if query is None:
            return
        screen = _failed()  # unless the handler gets as far as a screen or a refusal
        try:
            screen = await _screen(handler, update, context, query)
        except BaseException:
            await _answer(query, screen.toast, alert=screen.alert)
            raise
        await _answer_and_draw(query, screen)

    return run


async def _answer_and_draw(query: CallbackQuery, screen: Screen) -> None:
    """The press's answer and its screen go out together: an answer Telegram is slow to take
    (the rate limiter sends it again after a timeout) does not hold up the screen."""
    message = query.message
    if screen.text is None or not isinstance(message, Message):
        await _answer(query, screen.toast, alert=screen.alert)
        return
    _answered.set(query.id)  # here, not only in the answer's own task: the error handler looks
    draw = send(message, screen) if screen.new_message else edit(message, screen)
    await asyncio.gather(_answer(query, screen.toast, alert=screen.alert), draw)


def _failed() -> Screen:
    return Screen(toast=texts.PRESS_FAILED, alert=True)


# The press this update's handling has answered. PTB runs the error handler in the task that
# handled the update (or one started from it), so it sees this and does not answer again.
_answered: ContextVar[str | None] = ContextVar("answered_press", default=None)


async def _screen(
    handler: PressHandler, update: Update, context: AppContext, query: CallbackQuery
) -> Screen:
    """The handler's screen, or the refusal as an alert for malformed data or a domain error."""
    try:
        _, ids = unpack(query.data)
        return await handler(update, context, *ids)
    except (DomainError, BadCallback) as error:
        logger.info("refused press %r from %s: %r", query.data, query.from_user.id, error)
        return Screen(toast=texts.refusal(error), alert=True)


async def _answer(query: CallbackQuery, text: str | None, *, alert: bool) -> None:
    """Answers the press; one Telegram no longer takes (too old, answered already) or that
    failed through every retry the rate limiter allows it is logged, not fatal: the screen
    the press asked for is drawn all the same."""
    try:
        await query.answer(text, show_alert=alert)
    except TelegramError as error:
        logger.info("press %s not answered: %s", query.id, error.message)
    _answered.set(query.id)


def answered(query: CallbackQuery) -> bool:
    """Whether the handling of this update has answered `query` already (Telegram takes one
    answer per press)."""
    return _answered.get() == query.id


async def edit(message: Message, screen: Screen) -> None:
    """Redraws `message` as `screen`; an unchanged screen is fine, an old message gets a new one."""
    assert screen.text is not None
    keyboard = screen.keyboard if isinstance(screen.keyboard, InlineKeyboardMarkup) else None
    try:
        await message.edit_text(screen.text, reply_markup=keyboard)
    except BadRequest as error:
        if "not modified" in error.message:
            return
        logger.info("could not edit message %s (%s): sending a new one", message.id, error)
        await send(message, screen)


async def send(message: Message, screen: Screen) -> Message:
    """Sends `screen` as a new message in the chat of `message`."""
    assert screen.text is not None
    if screen.photo is not None:
        return await message.reply_photo(
            screen.photo, caption=screen.text, reply_markup=screen.keyboard
        )
    return await message.reply_text(screen.text, reply_markup=screen.keyboard)


async def reply(update: Update, screen: Screen) -> None:
    """Sends `screen` as a new message in the update's chat."""
    if update.effective_message is not None and screen.text is not None:
        await send(update.effective_message, screen)


def replies(handler: Handler) -> Handler:
    """Wraps a message handler: a domain error becomes a polite reply, nothing else changes."""

    @functools.wraps(handler)
    async def run(update: Update, context: AppContext) -> None:
        if update.effective_user is None or update.effective_message is None:
            return
        try:
            await handler(update, context)
        except DomainError as error:
            logger.info("refused message from %s: %r", update.effective_user.id, error)
            await update.effective_message.reply_text(texts.refusal(error), parse_mode=None)

    return run
