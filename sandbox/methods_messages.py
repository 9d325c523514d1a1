"""Bot API methods that send, edit and delete messages, and answerCallbackQuery."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.apiobjects import message_dict
from sandbox.errors import bad_request
from sandbox.files import StoredFile
from sandbox.formatting import FormattedText, parse_text
from sandbox.keyboards import Markup, check_markup_allowed_on_edit, parse_markup
from sandbox.models import CallbackAnswer, ChatMessage, Contact
from sandbox.params import Params, Upload
from sandbox.state import Chat, SandboxState

MAX_TEXT = 4096
MAX_CAPTION = 1024
NOT_MODIFIED = ("message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message")
Method = Callable[[SandboxState, Params], Any]


def target_chat(state: SandboxState, p: Params) -> Chat:
    return state.chat_for_bot(p.require_str("chat_id", bad_request("chat_id is empty")))


def _text(p: Params, name: str = "text") -> FormattedText:
    raw = p.get_str(name) or ""
    formatted = parse_text(raw, p.get_str("parse_mode"), p.get_json("entities"))
    if not formatted.plain.strip():
        raise bad_request("message text is empty")
    if len(formatted.plain) > MAX_TEXT:
        raise bad_request("message is too long")
    return formatted


def _caption(p: Params) -> FormattedText | None:
    raw = p.get_str("caption")
    if not raw:
        return None
    formatted = parse_text(raw, p.get_str("parse_mode"), p.get_json("caption_entities"))
    if len(formatted.plain) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return formatted


def _caption_fields(caption: FormattedText | None) -> dict[str, Any]:
    if caption is None:
        return {"caption": None, "caption_html": None, "caption_entities": ()}
    return {"caption": caption.plain, "caption_html": caption.html,
            "caption_entities": caption.entities}


def _reply_to(chat: Chat, p: Params) -> int | None:
    params = p.get_json("reply_parameters")
    allow = p.get_bool("allow_sending_without_reply")
    if isinstance(params, dict):
        message_id = params.get("message_id")
        allow = bool(params.get("allow_sending_without_reply", allow))
    else:
        message_id = p.get_int("reply_to_message_id")
    if message_id is None:
        return None
    if int(message_id) not in chat.messages:
        if allow:
            return None
        raise bad_request("message to be replied not found")
    return int(message_id)


def prepare(state: SandboxState, p: Params) -> tuple[Chat, Markup, int | None]:
    """Validate the target chat, reply_markup and reply parameters (before any side effect)."""
    chat = target_chat(state, p)
    return chat, parse_markup(p.raw("reply_markup")), _reply_to(chat, p)


def deliver(state: SandboxState, target: tuple[Chat, Markup, int | None], event: str,
            event_text: str, detail: dict[str, Any] | None = None,
            **fields: Any) -> dict[str, Any]:
    """Store a bot message, update the user's reply keyboard and log it."""
    chat, markup, reply_to = target
    message = state.add_message(chat, True, inline_keyboard=markup.inline,
                                reply_keyboard=markup.reply, force_reply=markup.force_reply,
                                reply_to_message_id=reply_to, **fields)
    user = state.users[chat.id]
    if markup.reply is not None:
        user.reply_keyboard = markup.reply
    elif markup.remove_keyboard:
        user.reply_keyboard = None
    extra = dict(detail or {})
    if markup.remove_keyboard:
        extra["remove_keyboard"] = True
    state.record(event, chat.id, event_text, message=message, **extra)
    return message_dict(state, message)


def send_message(state: SandboxState, p: Params) -> dict[str, Any]:
    target = prepare(state, p)
    text = _text(p)
    return deliver(state, target, "bot_message", text.plain, text=text.plain, html=text.html,
                   entities=text.entities, parse_mode=p.get_str("parse_mode"))


def _resolve_file(state: SandboxState, value: Upload | str | None, kind: str) -> StoredFile:
    if value is None:
        raise bad_request(f"there is no {kind} in the request")
    if isinstance(value, Upload):
        return state.files.add(kind, value.data, value.filename, value.content_type)
    if value.startswith(("http://", "https://")):
        name = value.rsplit("/", 1)[-1] or None
        return state.files.add(kind, b"", name if kind == "document" else None, source_url=value)
    stored = state.files.get(value)
    if stored is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    if stored.kind != kind:
        raise bad_request(f"can't use file of type {stored.kind.title()} as {kind.title()}")
    return stored


def send_photo(state: SandboxState, p: Params) -> dict[str, Any]:
    target = prepare(state, p)
    caption = _caption(p)
    stored = _resolve_file(state, p.get_file("photo"), "photo")
    return deliver(state, target, "bot_photo", caption.plain if caption else "",
                   {"file_id": stored.file_id, "size": stored.size},
                   photo_file_id=stored.file_id, **_caption_fields(caption))


def send_document(state: SandboxState, p: Params) -> dict[str, Any]:
    target = prepare(state, p)
    caption = _caption(p)
    stored = _resolve_file(state, p.get_file("document"), "document")
    return deliver(state, target, "bot_document", caption.plain if caption else "",
                   {"file_id": stored.file_id, "file_name": stored.file_name, "size": stored.size},
                   document_file_id=stored.file_id, document_name=stored.file_name,
                   **_caption_fields(caption))


def send_contact(state: SandboxState, p: Params) -> dict[str, Any]:
    target = prepare(state, p)
    phone = p.require_str("phone_number", bad_request("phone_number is empty"))
    first = p.require_str("first_name", bad_request("first_name is empty"))
    contact = Contact(phone, first, p.get_str("last_name"), p.get_int("user_id"))
    return deliver(state, target, "bot_contact", first, {"phone_number": phone}, contact=contact)


def editable_message(state: SandboxState, p: Params) -> tuple[Chat, ChatMessage, Markup]:
    """The bot's own message an edit method names, and the edit's new reply_markup."""
    if p.get_str("inline_message_id") and not p.get_str("chat_id"):
        raise bad_request("MESSAGE_ID_INVALID")
    chat = target_chat(state, p)
    message_id = p.require_int("message_id", bad_request("message identifier is not specified"))
    message = state.find_message(chat, message_id, "message to edit not found")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    markup = parse_markup(p.raw("reply_markup"))
    check_markup_allowed_on_edit(markup)
    return chat, message, markup


def _edited(state: SandboxState, chat: Chat, message: ChatMessage, changes: dict[str, Any],
            **extra: Any) -> dict[str, Any]:
    """Apply an edit; ``changes`` is the content compared for "message is not modified"."""
    if all(getattr(message, k) == v for k, v in changes.items()):
        raise bad_request(NOT_MODIFIED)
    new = state.edit_message(message, **changes, **extra)
    state.record("bot_edit", chat.id, new.content, message=new)
    return message_dict(state, new)


def edit_message_text(state: SandboxState, p: Params) -> dict[str, Any]:
    chat, message, markup = editable_message(state, p)
    if not message.text:
        raise bad_request("there is no text in the message to edit")
    text = _text(p)
    # Like Telegram: editing without reply_markup removes the inline keyboard.
    return _edited(state, chat, message, {"text": text.plain, "entities": text.entities,
                                          "inline_keyboard": markup.inline},
                   html=text.html, parse_mode=p.get_str("parse_mode"))


def edit_message_caption(state: SandboxState, p: Params) -> dict[str, Any]:
    chat, message, markup = editable_message(state, p)
    if not (message.photo_file_id or message.document_file_id):
        raise bad_request("there is no caption in the message to edit")
    fields = _caption_fields(_caption(p))
    caption_html = fields.pop("caption_html")
    return _edited(state, chat, message, {"inline_keyboard": markup.inline, **fields},
                   caption_html=caption_html)


def edit_message_reply_markup(state: SandboxState, p: Params) -> dict[str, Any]:
    chat, message, markup = editable_message(state, p)
    return _edited(state, chat, message, {"inline_keyboard": markup.inline})


def delete_message(state: SandboxState, p: Params) -> bool:
    chat = target_chat(state, p)
    message_id = p.require_int("message_id", bad_request("message identifier is not specified"))
    state.delete_message(chat, message_id)
    state.record("bot_delete", chat.id, message_id=message_id)
    return True


def answer_callback_query(state: SandboxState, p: Params) -> bool:
    query_id = p.require_str("callback_query_id", bad_request("callback_query_id is empty"))
    answer = CallbackAnswer(text=p.get_str("text"), show_alert=p.get_bool("show_alert"),
                            url=p.get_str("url"), cache_time=p.get_int("cache_time", 0) or 0)
    query = state.answer_query(query_id, answer)
    state.record("callback_answer", query.user_id, answer.text or "", message_id=query.message_id,
                 show_alert=answer.show_alert, query_id=query_id)
    return True


def send_chat_action(state: SandboxState, p: Params) -> bool:
    chat = target_chat(state, p)
    action = p.require_str("action", bad_request("action is empty"))
    state.record("chat_action", chat.id, action)
    return True


MESSAGE_METHODS: dict[str, Method] = {
    "sendmessage": send_message,
    "sendphoto": send_photo,
    "senddocument": send_document,
    "sendcontact": send_contact,
    "editmessagetext": edit_message_text,
    "editmessagecaption": edit_message_caption,
    "editmessagereplymarkup": edit_message_reply_markup,
    "deletemessage": delete_message,
    "answercallbackquery": answer_callback_query,
    "sendchataction": send_chat_action,
}
