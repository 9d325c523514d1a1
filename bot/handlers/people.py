"""People's data (domain/people.py): /mydata sends everything stored about the user as a file;
/forgetme, once confirmed, erases it (refused while an order of theirs is still going)."""

from __future__ import annotations

import json

from telegram import InputFile, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import keyboards, texts
from bot.callbacks import Action, pattern
from bot.context import AppContext, AppType
from bot.handlers.common import Screen, press, replies, reply, user_id


@replies
async def my_data(update: Update, context: AppContext) -> None:
    """The user's data as JSON, one document: every row stored about them, by table."""
    assert update.effective_message is not None
    who = user_id(update)
    found = await context.services.people.export(who)
    body = json.dumps({"user_id": who, **found}, default=str, ensure_ascii=False, indent=1)
    await update.effective_message.reply_document(
        InputFile(body.encode(), filename=f"foodbot-data-{who}.json"),
        caption=texts.MYDATA_CAPTION)


async def forget_me(update: Update, context: AppContext) -> None:
    """Asks first: erasing cannot be undone."""
    await reply(update, Screen(texts.FORGET_QUESTION, keyboards.forget()))


@press
async def confirm_forget(update: Update, context: AppContext) -> Screen:
    """Erases the user's data; refused with an alert while an order of theirs goes on."""
    forgotten = await context.services.people.forget(user_id(update))
    return Screen(texts.forgotten(forgotten))


def register(app: AppType) -> None:
    app.add_handler(CommandHandler("mydata", my_data))
    app.add_handler(CommandHandler("forgetme", forget_me))
    app.add_handler(CallbackQueryHandler(confirm_forget, pattern=pattern(Action.FORGET)))
