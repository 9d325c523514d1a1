"""Every user-facing string, rendered as Telegram HTML."""

from __future__ import annotations

from html import escape

HELP = (
    "<b>Foodbot</b> brings food from local restaurants to your door.\n\n"
    "/start – main menu\n"
    "/help – this help"
)
SORRY = "Sorry, something went wrong on our side. Please try again in a moment."


def greeting(first_name: str) -> str:
    return (
        f"Hi {escape(first_name)}! 👋 I'm <b>Foodbot</b>.\n"
        "Pick a restaurant, fill your cart and I'll bring your order to your door.\n\n"
        "Send /help to see what I can do."
    )
