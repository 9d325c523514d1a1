"""/start and /help."""

from __future__ import annotations

from telegram import Update

from bot import texts
from bot.context import AppContext
from domain.ids import UserId


async def start(update: Update, context: AppContext) -> None:
    """Greets the user by name and records them as a customer."""
    user = update.effective_user
    message = update.effective_message
    if user is None or message is None:
        return
    await context.service.register_customer(UserId(user.id), user.full_name)
    await message.reply_text(texts.greeting(user.first_name))


async def show_help(update: Update, context: AppContext) -> None:
    """Lists what the bot can do."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(texts.HELP)
