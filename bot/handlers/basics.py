"""/start, /help, /language, the main menu, and what the bot says to anything it does not
expect."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import i18n, keyboards, texts
from bot.callbacks import Action, pattern
from bot.context import AppContext, AppType
from bot.handlers.common import Screen, customer, press, replies, reply, user_id
from bot.i18n import LANGUAGES


async def start(update: Update, context: AppContext) -> None:
    """Greets the user by name with the main menu, and records them as a customer."""
    assert update.effective_user is not None
    user = update.effective_user
    await context.services.customers.register_customer(user_id(update), user.full_name)
    await reply(update, Screen(texts.greeting(user.first_name), keyboards.main_menu()))


async def show_help(update: Update, context: AppContext) -> None:
    """Lists what the bot can do."""
    await reply(update, Screen(texts.HELP, keyboards.home_only()))


@replies
async def my_time_zone(update: Update, context: AppContext) -> None:
    """/mytimezone ZONE: times are shown in the customer's own zone too; '-' forgets it;
    alone, says which it is."""
    service, who = context.services.customers, customer(update)
    wanted, now = " ".join(context.args or ()).strip(), context.services.clock.now()
    if not wanted:
        known = await service.get(who.id)
        await reply(update, Screen(texts.time_zone_is(known.time_zone if known else None, now)))
        return
    changed = await service.set_time_zone(who, None if wanted == "-" else wanted)
    await reply(update, Screen(texts.time_zone_is(changed.time_zone, now, changed=True)))


async def language(update: Update, context: AppContext) -> None:
    """/language: the languages as buttons; /language CODE (en, hi, ru) chooses at once."""
    wanted = " ".join(context.args or ()).strip().lower()
    if wanted in LANGUAGES:
        await reply(update, await _choose(update, context, wanted))
        return
    text = texts.NO_SUCH_LANGUAGE if wanted else texts.language_question(i18n.language())
    await reply(update, Screen(text, keyboards.languages(i18n.language())))


@press
async def choose_language(update: Update, context: AppContext, place: int) -> Screen:
    """A language pressed: spoken in this chat from now on, this answer included."""
    return await _choose(update, context, list(LANGUAGES)[place])


async def _choose(update: Update, context: AppContext, code: str) -> Screen:
    assert update.effective_chat is not None
    await context.services.languages.choose(update.effective_chat.id, code)
    i18n.speak(code)  # the rest of this update's handling, its answer included
    return Screen(texts.language_chosen(code), keyboards.main_menu())


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
    app.add_handler(CommandHandler("mytimezone", my_time_zone))
    app.add_handler(CommandHandler("language", language))
    app.add_handler(CallbackQueryHandler(choose_language, pattern=pattern(Action.LANGUAGE)))
    app.add_handler(CallbackQueryHandler(open_main_menu, pattern=pattern(Action.HOME)))
    app.add_handler(CallbackQueryHandler(open_help, pattern=pattern(Action.HELP)))


def register_fallbacks(app: AppType) -> None:
    """Last in line: whatever no other handler took."""
    app.add_handler(CallbackQueryHandler(unknown_press))
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE, not_understood))
