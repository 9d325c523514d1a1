"""The ordered event log of everything users and the bot did, and its readable rendering."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Iterable, Mapping

from sandbox.invoices import PAYMENT_EVENTS, payment_lines
from sandbox.live_locations import LOCATION_EVENTS, location_lines
from sandbox.models import TranscriptEvent

logger = logging.getLogger(__name__)

Listener = Callable[[TranscriptEvent], None]
_ACTIONS = {"typing": "is typing…", "upload_photo": "is sending a photo…",
            "upload_document": "is sending a file…", "find_location": "is finding a location…"}


class TranscriptLog:
    """Append-only event list with live subscribers (callbacks and async iterators)."""

    def __init__(self) -> None:
        self.events: list[TranscriptEvent] = []
        self._listeners: list[Listener] = []
        self._queues: set[asyncio.Queue[TranscriptEvent | None]] = set()

    def append(self, event: TranscriptEvent) -> None:
        self.events.append(event)
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # a broken printer must not break the server
                logger.exception("transcript listener %r failed", listener)
        for queue in self._queues:
            queue.put_nowait(event)

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(event)`` for every new event; returns a function that unsubscribes."""
        self._listeners.append(listener)

        def remove() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return remove

    def stream(self, replay: bool = False) -> TranscriptStream:
        """Events from this call on (the past ones first if ``replay``) until the server stops."""
        queue: asyncio.Queue[TranscriptEvent | None] = asyncio.Queue()
        if replay:
            for event in self.events:
                queue.put_nowait(event)
        self._queues.add(queue)
        return TranscriptStream(queue, self._queues)

    def close(self) -> None:
        """End all running ``stream()`` iterators."""
        for queue in self._queues:
            queue.put_nowait(None)


class TranscriptStream(AsyncIterator[TranscriptEvent]):
    """Async iterator over live events; subscribed on creation, ``aclose()`` to unsubscribe."""

    def __init__(self, queue: asyncio.Queue[TranscriptEvent | None],
                 registry: set[asyncio.Queue[TranscriptEvent | None]]) -> None:
        self._queue = queue
        self._registry = registry

    async def __anext__(self) -> TranscriptEvent:
        item = await self._queue.get()
        if item is None:
            self._registry.discard(self._queue)
            raise StopAsyncIteration
        return item

    async def aclose(self) -> None:
        self._registry.discard(self._queue)


def _keyboard_lines(rows: Iterable[Iterable[str]], prefix: str = "") -> list[str]:
    return [f"   {prefix}" + " ".join(f"[{t}]" for t in row) for row in rows]


def _indent(head: str, text: str) -> list[str]:
    first, *rest = (text or "").split("\n")
    return [f"{head}{first}".rstrip()] + [f"    {line}" for line in rest]


def format_event(event: TranscriptEvent, names: Mapping[int, str] | None = None,
                 show_recipient: bool = True, show_actions: bool = False) -> list[str]:
    """Render one event as one or more lines (empty list for events hidden by default)."""
    user = (names or {}).get(event.user_id) or event.user_name or f"User {event.user_id}"
    bot = event.bot_name + (f" → {user}" if show_recipient else "")
    d, kind, text = event.detail, event.kind, event.text
    ref = f" #{event.message_id}" if event.message_id is not None else ""
    suffix = f": {text}" if text else ""
    if kind == "user_text":
        lines = _indent(f"{user}: ", text)
    elif kind == "user_edit":
        lines = _indent(f"{user} edits{ref}: ", text)
    elif kind == "user_contact":
        lines = [f"{user} shares contact {d.get('phone_number')}"]
    elif kind == "user_photo":
        lines = _indent(f"{user} sends a photo{': ' if text else ''}", text)
    elif kind == "user_document":
        head = f"{user} sends {d.get('file_name')} ({d.get('size')} bytes)"
        lines = _indent(f"{head}{': ' if text else ''}", text)
    elif kind == "press":
        forged = f" (data={d.get('data')!r})" if d.get("forged") else ""
        lines = [f"{user} presses [{text or d.get('data')}]{forged}"]
    elif kind == "user_delete":
        lines = [f"{user} (deletes{ref})"]
    elif kind in ("block", "unblock"):
        lines = [f"{user} {kind}s the bot"]
    elif kind == "bot_message":
        lines = _indent(f"{bot}: ", text)
    elif kind == "bot_edit":
        lines = _indent(f"{bot} (edits{ref}): ", text)
    elif kind == "bot_photo":
        lines = _indent(f"{bot}: [photo]{' ' if text else ''}", text)
    elif kind == "bot_document":
        lines = _indent(f"{bot}: [file {d.get('file_name')}]{' ' if text else ''}", text)
    elif kind == "bot_contact":
        lines = [f"{bot}: [contact {text} {d.get('phone_number')}]"]
    elif kind == "bot_delete":
        lines = [f"{bot} (deletes{ref})"]
    elif kind == "callback_answer":
        if not text and not show_actions:
            return []
        style = "popup" if d.get("show_alert") else "toast"
        lines = [f"{bot} ({style}){suffix}" if text else f"{bot} (acknowledges the press)"]
    elif kind == "chat_action":
        if not show_actions:
            return []
        lines = [f"{event.bot_name} {_ACTIONS.get(text, text)}"]
    elif kind in LOCATION_EVENTS:
        lines = location_lines(kind, user, bot, ref, d)
    elif kind in PAYMENT_EVENTS:
        lines = payment_lines(kind, user, bot, text, d)
    else:
        lines = [f"{user} {kind}{suffix}"]
    lines += _keyboard_lines(event.buttons)
    if event.reply_buttons is not None:
        lines += _keyboard_lines(event.reply_buttons, "keyboard: ")
    if d.get("remove_keyboard"):
        lines.append("   (keyboard removed)")
    return lines


def format_transcript(events: Iterable[TranscriptEvent], names: Mapping[int, str] | None = None,
                      *, show_actions: bool = False) -> str:
    """A readable multi-line rendering of events.

    ``names`` maps user ids to display names (default: the user's first name). Bot lines show
    the recipient ("Foodbot → Asha: ...") when the events involve more than one chat.
    Empty callback answers and chat actions are hidden unless ``show_actions``.
    """
    events = list(events)
    multi = len({e.chat_id for e in events}) > 1
    lines: list[str] = []
    for event in events:
        lines += format_event(event, names, show_recipient=multi, show_actions=show_actions)
    return "\n".join(lines)
