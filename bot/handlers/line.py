"""The private line between an order's customer and its rider (domain.lines): 💬 sends a
prompt to reply to; a reply to a prompt or to a relayed copy goes to the other side as the
bot's own message — a text, a photo or a location — and is kept with the order."""

from __future__ import annotations

import logging
from typing import Any

from telegram import ForceReply, Message, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, ExtBot, MessageHandler, filters

from bot import texts
from bot.callbacks import Action, pattern
from bot.context import AppContext, AppType
from bot.handlers.basics import not_understood
from bot.handlers.checkout import take_location, take_text
from bot.handlers.common import Screen, press, replies, user_id
from bot.i18n import speaking
from domain.ids import OrderId
from domain.lines import MAX_TEXT, LineMessage, Said, Side
from domain.services.lines import Route

logger = logging.getLogger(__name__)


@press
async def start_line(update: Update, context: AppContext, order_id: int) -> Screen:
    """💬 on the tracking message or the job card: a prompt to reply to, below it."""
    lines = context.services.lines
    route = await lines.start(user_id(update), OrderId(order_id))
    query = update.callback_query
    assert query is not None and isinstance(query.message, Message)
    prompt = await query.message.reply_text(
        texts.line_prompt(route.side, order_id),
        reply_markup=ForceReply(selective=True))
    await lines.prompted(route, prompt.chat_id, prompt.message_id)
    return Screen()


@replies
async def relay(update: Update, context: AppContext) -> None:
    """A reply: on a line, relayed to the other side; anything else as it would be taken
    without the reply (checkout's address or note, a location, the main menu)."""
    message = update.effective_message
    assert message is not None and message.reply_to_message is not None
    route = await context.services.lines.reply_route(
        user_id(update), message.chat_id, message.reply_to_message.message_id)
    if route is None:
        if message.location is not None:
            await take_location(update, context)
        elif message.text is not None:
            await take_text(update, context)
        else:
            await not_understood(update, context)
        return
    try:
        said = await _send(context, route, message)
    except TelegramError as error:  # the other side blocked the bot, or Telegram failed
        logger.info("line of order %s not relayed: %s", route.order.id, error)
        await message.reply_text(texts.LINE_NOT_DELIVERED)
        return
    if said is None:
        await message.reply_text(texts.LINE_WHAT)
        return
    await context.services.lines.relayed(said)
    await message.reply_text(texts.LINE_SENT)


async def _send(context: AppContext, route: Route, message: Message) -> LineMessage | None:
    """The message's copy in the other side's chat, as the line keeps it; None for a kind of
    message a line does not carry."""
    bot, head = context.bot, (route.side, route.order.id, route.rider_name)
    with speaking(await context.services.languages.of_chat(route.to_chat)):  # theirs
        return await _copy(bot, route, message, head)


async def _copy(bot: ExtBot[Any], route: Route, message: Message,
                head: tuple[Side, int, str]) -> LineMessage | None:
    if message.text is not None:
        text = message.text[:MAX_TEXT]
        sent = await bot.send_message(route.to_chat, texts.line_message(*head, text))
        return _kept(route, Said.TEXT, sent, text=text)
    if message.photo:
        photo, caption = message.photo[-1].file_id, (message.caption or "")[:MAX_TEXT]
        sent = await bot.send_photo(route.to_chat, photo,
                                    caption=texts.line_message(*head, caption))
        return _kept(route, Said.PHOTO, sent, text=caption, file_id=photo)
    if message.location is not None:
        spot = message.location
        await bot.send_message(route.to_chat, texts.line_message(*head, ""))
        sent = await bot.send_location(route.to_chat, spot.latitude, spot.longitude)
        return _kept(route, Said.LOCATION, sent, latitude=spot.latitude,
                     longitude=spot.longitude)
    return None


def _kept(route: Route, said: Said, sent: Message, *, text: str = "",
          file_id: str | None = None, latitude: float | None = None,
          longitude: float | None = None) -> LineMessage:
    """The line's record of the copy `sent` in the other side's chat."""
    return LineMessage(route.order.id, route.side, said, sent.date, text, file_id, latitude,
                       longitude, sent.chat_id, sent.message_id)


def register(app: AppType) -> None:
    app.add_handler(CallbackQueryHandler(start_line, pattern=pattern(Action.LINE)))
    carried = (filters.TEXT & ~filters.COMMAND) | filters.PHOTO | filters.LOCATION
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.REPLY & carried, relay))
