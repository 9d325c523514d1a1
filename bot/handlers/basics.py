"""/start, /help, the main menu, and what the bot says to anything it does not expect."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import keyboards, texts
from bot.callbacks import Action, pattern
from bot.context import AppContext, AppType
from bot.handlers.common import Screen, press, reply, user_id


async def start(update: Update, context: AppContext) -> None:
    """Greets the user by name with the main menu, and records them as a customer."""
    assert update.effective_user is not None
    user = update.effective_user
    await context.services.customers.register_customer(user_id(update), user.full_name)
    await reply(update, Screen(texts.greeting(user.first_name), keyboards.main_menu()))


async def show_help(update: Update, context: AppContext) -> None:
    """Lists what the bot can do."""
    await reply(update, Screen(texts.HELP, keyboards.home_only()))


async def not_understood(update: Update, context: AppContext) -> None:
    """Unknown text, commands and media get the main menu."""
    await reply(update, Screen(texts.NOT_UNDERSTOOD, keyboards.main_menu()))


@press
async def open_main_menu(update: Update, context: AppContext) -> Screen:
    """The main menu in place of the pressed screen."""
    return Screen(texts.MAIN_MENU, keyboards.main_menu())


@press
async def open_help(update: Update, context: AppContext) -> Screen:
    """The help in place of the pressed screen."""
    return Screen(texts.HELP, keyboards.home_only())


@press
async def unknown_press(update: Update, context: AppContext) -> Screen:
    """A button this bot never made (or no longer makes); @press refuses it politely."""
    return Screen()


def register(app: AppType) -> None:
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("help", show_help))
    app.add_handler(CallbackQueryHandler(open_main_menu, pattern=pattern(Action.HOME)))
    app.add_handler(CallbackQueryHandler(open_help, pattern=pattern(Action.HELP)))


def register_fallbacks(app: AppType) -> None:
    """Last in line: whatever no other handler took."""
    app.add_handler(CallbackQueryHandler(unknown_press))
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE, not_understood))
