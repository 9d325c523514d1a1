"""All mutable sandbox state: users, private chats and their messages, queries, commands."""

from __future__ import annotations

import dataclasses
import itertools
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.errors import QUERY_INVALID, ApiError, bad_request, forbidden
from sandbox.files import FileStore
from sandbox.models import CallbackAnswer, ChatMessage, ReplyButton, TranscriptEvent
from sandbox.notifier import Notifier
from sandbox.precheckout import PaymentDesk
from sandbox.transcript import TranscriptLog
from sandbox.updates import UpdateQueue

Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class BotIdentity:
    id: int
    first_name: str
    username: str


@dataclass
class UserProfile:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "en"
    phone_number: str | None = None
    blocked: bool = False
    reply_keyboard: list[list[ReplyButton]] | None = None

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)


@dataclass
class Chat:
    """A private chat; its id equals the user's id. Message ids are shared by both sides."""

    id: int
    instance: str
    messages: dict[int, ChatMessage] = field(default_factory=dict)
    next_message_id: int = 1


@dataclass
class PendingQuery:
    id: str
    user_id: int
    message_id: int
    data: str
    created: float
    answer: CallbackAnswer | None = None


class SandboxState:
    def __init__(self, bot: BotIdentity, clock: Clock, callback_query_ttl: float = 15.0,
                 pre_checkout_timeout: float = 10.0) -> None:
        self.bot = bot
        self.clock = clock
        self.callback_query_ttl = callback_query_ttl
        self.notifier = Notifier()
        self.updates = UpdateQueue(self.notifier)
        self.files = FileStore()
        self.transcript = TranscriptLog()
        self.users: dict[int, UserProfile] = {}
        self.chats: dict[int, Chat] = {}
        self.queries: dict[str, PendingQuery] = {}
        self.payments = PaymentDesk(self.notifier, pre_checkout_timeout)
        self.commands: dict[str, list[dict[str, str]]] = {}
        self.seq = 0
        self._query_ids = itertools.count(1)

    # -- users and chats ---------------------------------------------------------------------
    def ensure_user(self, user_id: int, **profile: Any) -> UserProfile:
        user = self.users.get(user_id)
        if user is None:
            profile.setdefault("first_name", f"User{user_id}")
            user = self.users[user_id] = UserProfile(id=user_id, **profile)
        else:
            for key, value in profile.items():
                setattr(user, key, value)
        return user

    def open_chat(self, user_id: int) -> Chat:
        """The chat with user_id, created when the user first writes to the bot."""
        chat = self.chats.get(user_id)
        if chat is None:
            chat = self.chats[user_id] = Chat(id=user_id, instance=str(secrets.randbits(62)))
        return chat

    def chat_for_bot(self, chat_id: Any) -> Chat:
        """The chat the bot addresses, or Telegram's error (chat not found / blocked)."""
        try:
            key = int(chat_id)
        except (TypeError, ValueError):
            raise bad_request("chat not found") from None
        chat = self.chats.get(key)
        if chat is None:
            raise bad_request("chat not found")
        if self.users[key].blocked:
            raise forbidden("bot was blocked by the user")
        return chat

    # -- messages ----------------------------------------------------------------------------
    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def add_message(self, chat: Chat, from_bot: bool, **fields: Any) -> ChatMessage:
        message = ChatMessage(message_id=chat.next_message_id, chat_id=chat.id, from_bot=from_bot,
                              date=int(time.time()), seq=self.next_seq(), **fields)
        chat.next_message_id += 1
        chat.messages[message.message_id] = message
        self.notifier.notify()
        return message

    def edit_message(self, message: ChatMessage, **changes: Any) -> ChatMessage:
        new = dataclasses.replace(message, edited=True, edit_date=int(time.time()),
                                  version=message.version + 1, seq=self.next_seq(), **changes)
        self.chats[message.chat_id].messages[message.message_id] = new
        self.notifier.notify()
        return new

    def find_message(self, chat: Chat, message_id: Any, missing: str) -> ChatMessage:
        try:
            message = chat.messages.get(int(message_id))
        except (TypeError, ValueError):
            message = None
        if message is None:
            raise bad_request(missing)
        return message

    def delete_message(self, chat: Chat, message_id: int) -> ChatMessage:
        message = self.find_message(chat, message_id, "message to delete not found")
        del chat.messages[message_id]
        self.next_seq()
        self.notifier.notify()
        return message

    # -- callback queries --------------------------------------------------------------------
    def new_query(self, user_id: int, message_id: int, data: str) -> PendingQuery:
        query_id = f"{user_id}{next(self._query_ids):08d}{secrets.randbelow(10**6):06d}"
        query = PendingQuery(query_id, user_id, message_id, data, self.clock())
        self.queries[query_id] = query
        return query

    def answer_query(self, query_id: str, answer: CallbackAnswer) -> PendingQuery:
        query = self.queries.get(query_id)
        expired = query is not None and self.clock() - query.created > self.callback_query_ttl
        if query is None or query.answer is not None or expired:
            raise QUERY_INVALID
        query.answer = answer
        self.notifier.notify()
        return query

    # -- transcript --------------------------------------------------------------------------
    def record(self, kind: str, user_id: int, text: str = "", message_id: int | None = None,
               message: ChatMessage | None = None, **detail: Any) -> TranscriptEvent:
        """Append a transcript event (buttons/keyboard are taken from ``message`` if given)."""
        user = self.users.get(user_id)
        buttons: tuple[tuple[str, ...], ...] = ()
        reply: tuple[tuple[str, ...], ...] | None = None
        if message is not None:
            message_id = message.message_id
            buttons = tuple(tuple(b.text for b in row) for row in message.inline_keyboard)
            if message.reply_keyboard is not None:
                reply = tuple(tuple(b.text for b in row) for row in message.reply_keyboard)
        event = TranscriptEvent(
            seq=len(self.transcript.events) + 1, time=self.clock(), chat_id=user_id,
            user_id=user_id, kind=kind, text=text, message_id=message_id,
            user_name=user.first_name if user else "", bot_name=self.bot.first_name,
            buttons=buttons, reply_buttons=reply, detail=detail)
        self.transcript.append(event)
        self.notifier.notify()
        return event


def require(value: Any, error: ApiError) -> Any:
    """Raise ``error`` if a required parameter is missing/empty."""
    if value is None or value == "":
        raise error
    return value
