"""The one error handler: log with the traceback, apologise to the user."""

from __future__ import annotations

import logging

from telegram import Update

from bot import texts
from bot.context import AppContext

logger = logging.getLogger(__name__)


async def on_error(update: object, context: AppContext) -> None:
    """Logs the failure; the user sees a short apology instead of silence."""
    logger.error("update failed", exc_info=context.error)
    if isinstance(update, Update) and update.effective_message is not None:
        await update.effective_message.reply_text(texts.SORRY)
