"""A local Telegram Bot API sandbox: an HTTP server python-telegram-bot can talk to, plus
simulated users (``server.user(...)``) and a readable transcript of every conversation.

    async with BotApiServer(token=TOKEN) as server:
        app = ApplicationBuilder().token(TOKEN).base_url(server.base_url) \\
            .base_file_url(server.base_file_url).build()
        asha = server.user(1001, first_name="Asha")
        await asha.send("/start")
        await asha.wait_for_text("Hello")
"""

from sandbox.errors import ApiError, ButtonNotFound, SandboxError
from sandbox.faults import Faults
from sandbox.formatting import plain_text
from sandbox.invoices import Invoice, LabeledPrice, OrderInfo, ShippingAddress, SuccessfulPayment
from sandbox.limits import RateLimits
from sandbox.models import (
    LIVE_FOREVER,
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
from sandbox.payments import Payment
from sandbox.server import BotApiServer
from sandbox.transcript import format_event, format_transcript
from sandbox.users import SandboxUser

# The local server's test payment provider: sendInvoice takes it (any "<digits>:TEST:<any>"
# token works), for a bot run against the sandbox without a real provider token.
TEST_PROVIDER_TOKEN = "284685063:TEST:sandbox"

__all__ = [
    "LIVE_FOREVER",
    "TEST_PROVIDER_TOKEN",
    "ApiError",
    "BotApiServer",
    "Button",
    "ButtonNotFound",
    "CallbackAnswer",
    "CallbackPress",
    "ChatMessage",
    "Contact",
    "Faults",
    "Invoice",
    "LabeledPrice",
    "Location",
    "Mark",
    "OrderInfo",
    "Payment",
    "RateLimits",
    "ReplyButton",
    "SandboxError",
    "SandboxUser",
    "ShippingAddress",
    "SuccessfulPayment",
    "TranscriptEvent",
    "format_event",
    "format_transcript",
    "plain_text",
]
