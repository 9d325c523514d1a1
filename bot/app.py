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
    restaurant,
    rider,
    scheduling,
)
from bot.ratelimit import AppRateLimiter
from bot.shared_budget import SharedBudget

COMMANDS = [
    BotCommand("start", "Main menu"),
    BotCommand("restaurants", "Browse restaurants and menus"),
    BotCommand("cart", "Your cart and checkout"),
    BotCommand("orders", "Your orders: track, cancel, reorder, rate"),
    BotCommand("partner", "Deliver for us: ask to join"),
    BotCommand("online", "Partners: get delivery offers"),
    BotCommand("offline", "Partners: stop getting offers"),
    BotCommand("job", "Partners: your current delivery"),
    BotCommand("mytimezone", "Your own time zone, to see times in it too"),
    BotCommand("help", "What I can do"),
]


async def _post_init(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    await app.bot.set_my_commands(COMMANDS)


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
    for journey in (basics, browse, cart, options, scheduling, payments, line, rider,
                    checkout, orders, partner, restaurant):
        journey.register(app)
    admin.register(app)
    basics.register_fallbacks(app)
    app.add_error_handler(errors.on_error)
    return app
