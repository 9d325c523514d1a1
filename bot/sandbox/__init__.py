"""A local Telegram Bot API sandbox: an HTTP server python-telegram-bot can talk to, plus
simulated users (``server.user(...)``) and a readable transcript of every conversation.

    async with BotApiServer(token=TOKEN) as server:
        app = ApplicationBuilder().token(TOKEN).base_url(server.base_url) \\
            .base_file_url(server.base_file_url).build()
        asha = server.user(1001, first_name="Asha")
        await asha.send("/start")
        await asha.wait_for_text("Hello")
"""

from bot.sandbox.errors import ApiError, ButtonNotFound, SandboxError
from bot.sandbox.faults import Faults
from bot.sandbox.limits import RateLimits
from bot.sandbox.models import (
    Button,
    CallbackAnswer,
    CallbackPress,
    ChatMessage,
    Contact,
    Location,
    Mark,
    ReplyButton,
    TranscriptEvent,
)
from bot.sandbox.server import BotApiServer
from bot.sandbox.transcript import format_event, format_transcript
from bot.sandbox.users import SandboxUser

__all__ = [
    "ApiError",
    "BotApiServer",
    "Button",
    "ButtonNotFound",
    "CallbackAnswer",
    "CallbackPress",
    "ChatMessage",
    "Contact",
    "Faults",
    "Location",
    "Mark",
    "RateLimits",
    "ReplyButton",
    "SandboxError",
    "SandboxUser",
    "TranscriptEvent",
    "format_event",
    "format_transcript",
]
