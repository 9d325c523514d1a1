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


LIVE_FOREVER = 0x7FFFFFFF  # the live_period of a live location that can be updated forever


@dataclass(frozen=True, slots=True)
class Location:
    """A point on the map; a live one (``live_period`` set: seconds from the message's sending,
    or LIVE_FOREVER) may carry the direction of travel (``heading``, 1-360 degrees) and a
    ``proximity_alert_radius`` (meters). ``horizontal_accuracy``: meters, 0-1500."""

    latitude: float
    longitude: float
    horizontal_accuracy: float | None = None
    live_period: int | None = None
    heading: int | None = None
    proximity_alert_radius: int | None = None

    def label(self) -> str:
        """"[location 12.97, 77.59]" or "[live location 12.97, 77.59, live 3600 s]"."""
        point = f"{self.latitude}, {self.longitude}"
        if self.live_period is None:
            return f"[location {point}]"
        heading = f", heading {self.heading}" if self.heading is not None else ""
        period = ("indefinitely" if self.live_period == LIVE_FOREVER
                  else f"{self.live_period} s")
        return f"[live location {point}{heading}, live {period}]"


@dataclass(frozen=True)
class ChatMessage:
    """One message in a private chat, as the user sees it *now*.

    Instances are immutable snapshots: an edit replaces the stored object with a new one
    whose ``version`` is one higher. ``text`` is the plain text (HTML tags stripped, entities
    unescaped) and is ``""`` for messages without text; ``html`` is the HTML form (the raw text
    when the bot used parse_mode=HTML). ``seq`` is the server-wide change counter of the last
    change, used by marks (see ``SandboxUser.mark``). A live location (``location.live_period``
    set) was sent at ``live_since`` on the sandbox clock and is ``live_stopped`` once stopped;
    ``live_at(now)`` tells whether it still updates.
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
    live_since: float | None = None
    live_stopped: bool = False
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

    def live_at(self, now: float) -> bool:
        """A live location that still updates at ``now`` (sandbox clock): not stopped and
        within its live_period since it was sent."""
        location = self.location
        if location is None or location.live_period is None or self.live_since is None:
            return False
        if self.live_stopped:
            return False
        return location.live_period == LIVE_FOREVER or now - self.live_since < location.live_period

    def summary(self, now: float | None = None) -> str:
        """One line describing the message, for error messages and listings; with ``now``
        (sandbox clock) a live location past its live_period shows "(expired)"."""
        who = "bot" if self.from_bot else "user"
        body = self.content
        if self.photo_file_id:
            body = f"[photo] {body}".strip()
        elif self.document_name is not None:
            body = f"[document {self.document_name}] {body}".strip()
        elif self.location is not None:
            body = self.location.label()
            if self.live_stopped:
                body += " (stopped)"
            elif (now is not None and self.location.live_period is not None
                  and not self.live_at(now)):
                body += " (expired)"
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
    user_edit, user_delete, press, block, unblock, bot_message, bot_photo, bot_document,
    bot_location, bot_edit, bot_delete, callback_answer, chat_action; live locations:
    user_live_location, user_live_move, user_live_stop, bot_live_move, bot_live_stop (a bot's
    live location is sent as bot_location with a live_period); payments: bot_invoice, pay
    (the user starts paying), precheckout_answer, payment (one per successful_payment
    message), payment_declined, payment_timeout.
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
