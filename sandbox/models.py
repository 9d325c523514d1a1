"""Plain data objects shared by the server, the user side and the transcript."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sandbox.invoices import Invoice, SuccessfulPayment, format_amount


@dataclass(frozen=True, slots=True)
class Button:
    """An inline keyboard button as the user sees it."""

    text: str
    callback_data: str | None = None
    url: str | None = None
    pay: bool = False  # an invoice's Pay button (SandboxUser.pay pays it)


@dataclass(frozen=True, slots=True)
class ReplyButton:
    """A reply keyboard button (the keyboard that replaces the phone keyboard)."""

    text: str
    request_location: bool = False
    request_contact: bool = False


@dataclass(frozen=True, slots=True)
class Contact:
    phone_number: str
    first_name: str
    last_name: str | None = None
    user_id: int | None = None


@dataclass(frozen=True, slots=True)
class Location:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class ChatMessage:
    """One message in a private chat, as the user sees it *now*.

    Instances are immutable snapshots: an edit replaces the stored object with a new one
    whose ``version`` is one higher. ``text`` is the plain text (HTML tags stripped, entities
    unescaped) and is ``""`` for messages without text; ``html`` is the HTML form (the raw text
    when the bot used parse_mode=HTML). ``seq`` is the server-wide change counter of the last
    change, used by marks (see ``SandboxUser.mark``).
    """

    message_id: int
    chat_id: int
    from_bot: bool
    date: int
    text: str = ""
    html: str = ""
    parse_mode: str | None = None
    entities: tuple[dict[str, Any], ...] = ()
    caption: str | None = None
    caption_html: str | None = None
    caption_entities: tuple[dict[str, Any], ...] = ()
    photo_file_id: str | None = None
    document_file_id: str | None = None
    document_name: str | None = None
    location: Location | None = None
    contact: Contact | None = None
    invoice: Invoice | None = None
    successful_payment: SuccessfulPayment | None = None
    inline_keyboard: list[list[Button]] = field(default_factory=list)
    reply_keyboard: list[list[ReplyButton]] | None = None
    force_reply: bool = False
    reply_to_message_id: int | None = None
    edited: bool = False
    edit_date: int | None = None
    version: int = 0
    seq: int = 0

    @property
    def content(self) -> str:
        """Text, or the caption for media messages ("" if neither)."""
        return self.text or (self.caption or "")

    @property
    def buttons(self) -> list[str]:
        """Texts of all inline buttons, row by row."""
        return [b.text for row in self.inline_keyboard for b in row]

    def has_button(self, text: str) -> bool:
        return text in self.buttons

    def button(self, text: str) -> Button | None:
        for row in self.inline_keyboard:
            for b in row:
                if b.text == text:
                    return b
        return None

    def summary(self) -> str:
        """One line describing the message, for error messages and listings."""
        who = "bot" if self.from_bot else "user"
        body = self.content
        if self.photo_file_id:
            body = f"[photo] {body}".strip()
        elif self.document_name is not None:
            body = f"[document {self.document_name}] {body}".strip()
        elif self.location is not None:
            body = f"[location {self.location.latitude}, {self.location.longitude}]"
        elif self.contact is not None:
            body = f"[contact {self.contact.phone_number}]"
        elif self.invoice is not None:
            total = format_amount(self.invoice.total_amount, self.invoice.currency)
            body = f"[invoice {self.invoice.title}: {total}]"
        elif self.successful_payment is not None:
            paid = self.successful_payment
            body = (f"[payment {format_amount(paid.total_amount, paid.currency)} "
                    f"{paid.telegram_payment_charge_id}]")
        line = f"#{self.message_id} {who}: {body!r}"
        if self.inline_keyboard:
            line += " " + " ".join(f"[{t}]" for t in self.buttons)
        if self.edited:
            line += f" (edited v{self.version})"
        return line


@dataclass(frozen=True, slots=True)
class CallbackAnswer:
    """What the bot answered via answerCallbackQuery."""

    text: str | None = None
    show_alert: bool = False
    url: str | None = None
    cache_time: int = 0


@dataclass(frozen=True, slots=True)
class CallbackPress:
    """A button press the user made; pass it to ``wait_for_answer``."""

    query_id: str
    user_id: int
    message_id: int
    data: str
    button_text: str | None = None


@dataclass(frozen=True, slots=True)
class Mark:
    """A point in the server's change history (see ``SandboxUser.mark``)."""

    seq: int


@dataclass(frozen=True, slots=True)
class TranscriptEvent:
    """One entry in the server's ordered event log.

    kind is one of: user_text, user_location, user_contact, user_photo, user_document,
    user_edit, press, block, unblock, bot_message, bot_photo, bot_document, bot_location,
    bot_edit, bot_delete, callback_answer, chat_action; payments: bot_invoice, pay (the user
    starts paying), precheckout_answer, payment (one per successful_payment message),
    payment_declined, payment_timeout.
    """

    seq: int
    time: float
    chat_id: int
    user_id: int
    kind: str
    text: str = ""
    user_name: str = ""
    bot_name: str = "Bot"
    message_id: int | None = None
    buttons: tuple[tuple[str, ...], ...] = ()
    reply_buttons: tuple[tuple[str, ...], ...] | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "time": self.time,
            "chat_id": self.chat_id,
            "user_id": self.user_id,
            "kind": self.kind,
            "text": self.text,
            "user_name": self.user_name,
            "bot_name": self.bot_name,
            "message_id": self.message_id,
            "buttons": [list(r) for r in self.buttons],
            "reply_buttons": (None if self.reply_buttons is None
                              else [list(r) for r in self.reply_buttons]),
            "detail": self.detail,
        }
