"""Validation of reply_markup objects sent by the bot, like Telegram does it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sandbox.errors import ApiError, bad_request
from sandbox.models import Button, ReplyButton

MAX_CALLBACK_DATA_BYTES = 64
_INLINE_ACTIONS = (
    "callback_data", "url", "login_url", "switch_inline_query", "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat", "callback_game", "pay", "web_app", "copy_text",
)
_BAD_MARKUP = "can't parse reply keyboard markup JSON object"


@dataclass(frozen=True, slots=True)
class Markup:
    """A parsed reply_markup. Exactly one of the flags/keyboards describes what was sent."""

    raw: dict[str, Any] | None = None
    inline: list[list[Button]] = field(default_factory=list)
    reply: list[list[ReplyButton]] | None = None
    remove_keyboard: bool = False
    force_reply: bool = False

    @property
    def inline_raw(self) -> dict[str, Any] | None:
        """The markup as Telegram echoes it in Message.reply_markup (inline keyboards only)."""
        if not self.inline:
            return None
        return {"inline_keyboard": [[_button_dict(b) for b in row] for row in self.inline]}


NO_MARKUP = Markup()


def _button_dict(b: Button) -> dict[str, Any]:
    out: dict[str, Any] = {"text": b.text}
    if b.callback_data is not None:
        out["callback_data"] = b.callback_data
    if b.url is not None:
        out["url"] = b.url
    if b.pay:
        out["pay"] = True
    return out


def parse_markup(value: Any) -> Markup:
    """Parse reply_markup given as a dict or a JSON string (form-encoded requests)."""
    if value is None or value == "":
        return NO_MARKUP
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise bad_request(_BAD_MARKUP) from None
    if not isinstance(value, dict):
        raise bad_request(_BAD_MARKUP)
    if "inline_keyboard" in value:
        return Markup(raw=value, inline=_parse_inline(value["inline_keyboard"]))
    if "keyboard" in value:
        return Markup(raw=value, reply=_parse_reply(value["keyboard"]))
    if value.get("remove_keyboard"):
        return Markup(raw=value, remove_keyboard=True)
    if value.get("force_reply"):
        return Markup(raw=value, force_reply=True)
    raise bad_request(_BAD_MARKUP)


def _rows(value: Any, what: str) -> list[list[Any]]:
    if not isinstance(value, list) or not all(isinstance(r, list) for r in value):
        raise bad_request(f"field \"{what}\" of the markup must be an Array of Arrays")
    return value


def _parse_inline(value: Any) -> list[list[Button]]:
    rows: list[list[Button]] = []
    for row in _rows(value, "inline_keyboard"):
        out: list[Button] = []
        for item in row:
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise bad_request(_BAD_MARKUP)
            if not any(k in item for k in _INLINE_ACTIONS):
                raise bad_request("text buttons are unallowed in the inline keyboard")
            data = item.get("callback_data")
            if data is not None:
                data = str(data)
                if not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
                    raise bad_request("BUTTON_DATA_INVALID")
            url = item.get("url")
            out.append(Button(text=item["text"], callback_data=data, url=str(url) if url else None,
                              pay=item.get("pay") is True))
        if out:
            rows.append(out)
    return rows


def _parse_reply(value: Any) -> list[list[ReplyButton]]:
    rows: list[list[ReplyButton]] = []
    for row in _rows(value, "keyboard"):
        out: list[ReplyButton] = []
        for item in row:
            if isinstance(item, str):
                out.append(ReplyButton(item))
            elif isinstance(item, dict) and isinstance(item.get("text"), str):
                out.append(ReplyButton(item["text"], bool(item.get("request_location")),
                                       bool(item.get("request_contact"))))
            else:
                raise bad_request(_BAD_MARKUP)
        if out:
            rows.append(out)
    if not rows:
        raise bad_request("keyboard must be non-empty")
    return rows


def first_button_pays(markup: Markup) -> bool:
    """Telegram's rule for an invoice's own keyboard: its first button is the Pay button."""
    return bool(markup.inline and markup.inline[0] and markup.inline[0][0].pay)


def check_markup_allowed_on_edit(markup: Markup) -> None:
    """Only inline keyboards may be attached when editing a message."""
    if markup.reply is not None or markup.remove_keyboard or markup.force_reply:
        raise ApiError(400, "Bad Request: inline keyboard expected")
