"""When an order arrives: 🗓 Deliver later on the summary shows today's and tomorrow's
delivery times; a time pressed (or ⚡ As soon as possible) draws the summary again with it."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot import keyboards, texts
from bot.callbacks import Action, pattern
from bot.context import AppContext, AppType
from bot.handlers.checkout import summary_screen
from bot.handlers.common import Screen, press, user_id


@press
async def show_slots(update: Update, context: AppContext, token: int, day: int) -> Screen:
    """The delivery times of `day` in place of the summary."""
    page = await context.services.scheduling.slot_page(user_id(update), token, day)
    return Screen(texts.slot_page(page), keyboards.slot_page(page))


@press
async def choose_slot(update: Update, context: AppContext, token: int, minute: int) -> Screen:
    """Delivers at the time pressed (or as soon as possible); the new summary."""
    summary = await context.services.scheduling.schedule(user_id(update), token, minute)
    return summary_screen(context, summary)


def register(app: AppType) -> None:
    app.add_handler(CallbackQueryHandler(show_slots, pattern=pattern(Action.SLOTS)))
    app.add_handler(CallbackQueryHandler(choose_slot, pattern=pattern(Action.SLOT)))
