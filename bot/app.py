"""Builds the python-telegram-bot Application: handlers in order, rate limiter, error handler."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import BotCommand
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults

from bot import admin
from bot.aiohttp_request import AiohttpRequest
from bot.budget import OutboundBudget
from bot.chat_pace import ChatPace
from bot.context import AppContext, AppType, Services
from bot.floor import Floor
from bot.handlers import (
    basics,
    browse,
    cart,
    checkout,
    errors,
    line,
    options,
    orders,
    partner,
    payments,
    people,
    restaurant,
    rider,
    scheduling,
)
from bot.i18n import LANGUAGES, N_, _, speaking
from bot.ratelimit import AppRateLimiter
from bot.shared_budget import SharedBudget

COMMANDS = [  # the menu of commands Telegram shows beside the text field, in each language
    ("start", N_("Main menu")),
    ("restaurants", N_("Browse restaurants and menus")),
    ("cart", N_("Your cart and checkout")),
    ("orders", N_("Your orders: track, cancel, reorder, rate")),
    ("partner", N_("Deliver for us: ask to join")),
    ("online", N_("Partners: get delivery offers")),
    ("offline", N_("Partners: stop getting offers")),
    ("job", N_("Partners: your current delivery")),
    ("mytimezone", N_("Your own time zone, to see times in it too")),
    ("language", N_("The language I speak with you")),
    ("mydata", N_("Everything stored about you, as a file")),
    ("forgetme", N_("Erase your data")),
    ("help", N_("What I can do")),
]


def commands() -> list[BotCommand]:
    """The command menu in the language spoken now."""
    return [BotCommand(name, _(description)) for name, description in COMMANDS]


async def _post_init(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """The command menu for users of each language we speak (Telegram picks it by their app's
    language), and in the default language for everyone else."""
    services = app.bot_data["services"]
    for code in LANGUAGES:
        with speaking(code):
            await app.bot.set_my_commands(commands(), language_code=code)
    with speaking(services.settings.default_language):
        await app.bot.set_my_commands(commands())


def rate_limiter(services: Services) -> AppRateLimiter:
    """Paces and retries every call the bot makes; a 429 holds back only its chat. With
    PAID_BROADCAST the sender's paid broadcasts have a budget of their own, in this process
    (across instances the outbox's count of the last second caps them)."""
    settings, secrets = services.settings, errors.secrets_of(services.settings)
    per_s = settings.rate_limit_global_per_s
    shared = services.outbound
    return AppRateLimiter(
        services.retry, overall_per_s=per_s,
        startup_retry_s=settings.startup_retry_s, redact=lambda text: errors.scrub(text, secrets),
        on_error=services.ops.metrics.telegram_error,
        budget=SharedBudget(shared, per_s) if shared is not None else None,
        floor=Floor(settings.notify_floor_per_s),
        paid=OutboundBudget(settings.paid_per_s) if settings.paid_per_s is not None else None,
        per_chat=ChatPace(settings.rate_limit_per_chat_per_s),
    )


Hook = Callable[[Application[Any, Any, Any, Any, Any, Any]], Coroutine[Any, Any, None]]


def build_app(services: Services, *, on_shutdown: Hook | None = None) -> AppType:
    """The whole bot, wired to `services`; not yet started."""
    settings = services.settings
    builder = (
        ApplicationBuilder()
        .token(settings.token())
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.file_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        # PTB's defaults (pool of 256, one for getUpdates), on aiohttp: less CPU a call
        .request(AiohttpRequest())
        .get_updates_request(AiohttpRequest(connection_pool_size=1))
        .context_types(ContextTypes(context=AppContext))
        .rate_limiter(rate_limiter(services))
        .post_init(_post_init)
        .updater(None)  # updates come through the inbox (bot/runner.py), not PTB's Updater
    )
    if on_shutdown is not None:
        builder = builder.post_shutdown(on_shutdown)
    app: AppType = builder.build()
    app.bot_data["services"] = services
    for journey in (basics, browse, cart, options, scheduling, payments, line, rider, people,
                    checkout, orders, partner, restaurant):
        journey.register(app)
    admin.register(app)
    basics.register_fallbacks(app)
    app.add_error_handler(errors.on_error)
    return app
