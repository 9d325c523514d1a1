"""Builders for Bot API JSON objects (User, Chat, Message, CallbackQuery, ...)."""

from __future__ import annotations

from typing import Any

from sandbox.keyboards import Markup
from sandbox.models import Button, ChatMessage, Location
from sandbox.precheckout import PreCheckout
from sandbox.state import BotIdentity, PendingQuery, SandboxState, UserProfile


def bot_user(bot: BotIdentity, full: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"id": bot.id, "is_bot": True, "first_name": bot.first_name,
                           "username": bot.username}
    if full:  # getMe adds the capability flags
        out.update(can_join_groups=True, can_read_all_group_messages=False,
                   supports_inline_queries=False, can_connect_to_business=False,
                   has_main_web_app=False)
    return out


def _without_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}


def user_dict(user: UserProfile) -> dict[str, Any]:
    return _without_none({"id": user.id, "is_bot": False, "first_name": user.first_name,
                          "last_name": user.last_name, "username": user.username,
                          "language_code": user.language_code})


def chat_dict(user: UserProfile) -> dict[str, Any]:
    return _without_none({"id": user.id, "type": "private", "first_name": user.first_name,
                          "last_name": user.last_name, "username": user.username})


def chat_full_info(user: UserProfile) -> dict[str, Any]:
    """getChat's ChatFullInfo for a private chat (only the required/basic fields)."""
    gifts = {"unlimited_gifts": True, "limited_gifts": True, "unique_gifts": True,
             "premium_subscription": True, "gifts_from_channels": True}
    return {**chat_dict(user), "accent_color_id": 0, "max_reaction_count": 11,
            "accepted_gift_types": gifts}


def inline_markup_dict(rows: list[list[Button]]) -> dict[str, Any] | None:
    return Markup(inline=rows).inline_raw


def location_dict(loc: Location, live: bool) -> dict[str, Any]:
    """The Location object as the Bot API server renders it: live_period (with heading and
    proximity_alert_radius) only while the live location still updates (``live``)."""
    out: dict[str, Any] = {"latitude": loc.latitude, "longitude": loc.longitude}
    if loc.horizontal_accuracy:
        out["horizontal_accuracy"] = loc.horizontal_accuracy
    if live:
        out.update(_without_none({"live_period": loc.live_period, "heading": loc.heading,
                                  "proximity_alert_radius": loc.proximity_alert_radius}))
    return out


def message_dict(state: SandboxState, msg: ChatMessage, with_reply: bool = True) -> dict[str, Any]:
    """The Bot API Message object for a stored message, as of now."""
    user = state.users[msg.chat_id]
    out: dict[str, Any] = {
        "message_id": msg.message_id,
        "from": bot_user(state.bot) if msg.from_bot else user_dict(user),
        "chat": chat_dict(user),
        "date": msg.date,
    }
    if msg.edit_date is not None:
        out["edit_date"] = msg.edit_date
    if msg.reply_to_message_id is not None and with_reply:
        replied = state.chats[msg.chat_id].messages.get(msg.reply_to_message_id)
        if replied is not None:
            out["reply_to_message"] = message_dict(state, replied, with_reply=False)
    if msg.text:
        out["text"] = msg.text
        if msg.entities:
            out["entities"] = list(msg.entities)
    if msg.photo_file_id:
        stored = state.files.get(msg.photo_file_id)
        out["photo"] = stored.photo_sizes() if stored else []
    if msg.document_file_id:
        stored = state.files.get(msg.document_file_id)
        out["document"] = stored.document_dict() if stored else {"file_id": msg.document_file_id}
    if msg.caption is not None:
        out["caption"] = msg.caption
        if msg.caption_entities:
            out["caption_entities"] = list(msg.caption_entities)
    if msg.location is not None:
        out["location"] = location_dict(msg.location, msg.live_at(state.clock()))
    if msg.contact is not None:
        out["contact"] = _without_none({
            "phone_number": msg.contact.phone_number, "first_name": msg.contact.first_name,
            "last_name": msg.contact.last_name, "user_id": msg.contact.user_id})
    if msg.invoice is not None:
        out["invoice"] = msg.invoice.to_dict()
    if msg.successful_payment is not None:
        out["successful_payment"] = msg.successful_payment.to_dict()
    markup = inline_markup_dict(msg.inline_keyboard)
    if markup is not None:
        out["reply_markup"] = markup
    return out


def callback_query_dict(state: SandboxState, query: PendingQuery) -> dict[str, Any]:
    chat = state.chats[query.user_id]
    out: dict[str, Any] = {"id": query.id, "from": user_dict(state.users[query.user_id]),
                           "chat_instance": chat.instance, "data": query.data}
    message = chat.messages.get(query.message_id)
    if message is not None:
        out["message"] = message_dict(state, message)
    else:  # deleted meanwhile: Telegram sends an InaccessibleMessage
        out["message"] = {"chat": chat_dict(state.users[query.user_id]),
                          "message_id": query.message_id, "date": 0}
    return out


def pre_checkout_query_dict(state: SandboxState, query: PreCheckout) -> dict[str, Any]:
    """The PreCheckoutQuery object (no shipping_option_id: shipping is not emulated)."""
    out: dict[str, Any] = {"id": query.id, "from": user_dict(state.users[query.user_id]),
                           "currency": query.invoice.currency,
                           "total_amount": query.total_amount,
                           "invoice_payload": query.invoice.payload}
    if query.order_info is not None:
        out["order_info"] = query.order_info.to_dict()
    return out
