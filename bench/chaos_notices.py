"""The notifications of a chaos run, as the outbox wrote them and as the chats received them.

Each outbox row (but the tracking message's edits, which are re-rendered and carry no news of
their own) is rendered as the sender renders it (`bot.notices`) and found in the server's
transcript by its text in its chat (a map pin by its coordinates). From that:

- duplicates: a row's message delivered more than once to its chat;
- stale: a message delivered when the order had already overtaken it, judged by the domain's
  own rule (`domain.pipeline.stale`) against the order as it was at that moment, rebuilt from
  its events and offers (an offer delivered after it was taken, a "finding a partner" after
  one was found, ...); offers (and their pins) are counted apart, and so are the messages
  overtaken less than `RACE_S` before they arrived (the sender looks just before sending, so
  a change in the moment between is a race, not a message resent long after);
- order: the first arrival of each row in one chat must follow the order the outbox wrote
  the rows in (a row is recognised by the Telegram message id the sender recorded on it, or
  as the only row of its chat with that text).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row

from bench.chaos_checks import Stored
from bot.notices import headline, render
from domain.messages import DropOffPin, Kind, MalformedMessage, Message, Milestone, Offer, decode
from domain.orders import OrderStatus
from domain.pipeline.stale import OrderNow, order_of, stale
from sandbox import TranscriptEvent, plain_text

Key = tuple[Any, ...]
RACE_S = 1.0  # stale by less than this: the sender's last look raced the change
EXAMPLES = 12


def notifications(stored: Stored, transcript: Sequence[TranscriptEvent],
                  clock_offset_s: float, killed_at: Sequence[float] = ()) -> dict[str, Any]:
    """`clock_offset_s` turns the server's clock (transcript times) into Unix time;
    `killed_at` are the Unix times of the kills. A copy that arrived after a kill that came
    after the copy before it is a send the kill cut: Telegram took it, the database had not
    recorded it yet (the one duplicate the outbox allows)."""
    rows: dict[tuple[int, Key], list[int]] = defaultdict(list)
    messages: dict[int, Message] = {}
    for row in sorted(stored.outbox, key=lambda r: r.id):
        if row.kind == Kind.ORDER_STATUS.value:
            continue
        try:
            messages[row.id] = decode(row.kind, row.payload)
        except (MalformedMessage, ValueError):
            continue
        rows[(row.chat_id, _key(messages[row.id]))].append(row.id)
    marked = {(r.chat_id, r.message_id): r.id for r in stored.outbox if r.message_id is not None}
    delivered: dict[tuple[int, Key], list[TranscriptEvent]] = defaultdict(list)
    for event in transcript:
        for key in _delivered_keys(event):
            if (event.chat_id, key) in rows:
                delivered[(event.chat_id, key)].append(event)
                break
    history, about = History(stored), {r.id: r for r in stored.outbox}
    examples: list[str] = []  # a few of each finding, to look into

    def example(row_id: int | None, what: str) -> None:
        row = about.get(row_id) if row_id is not None else None
        if row is not None and len(examples) < EXAMPLES:
            state = "sent" if row.sent_at else "given up" if row.given_up_at else "unsent"
            error = f" (last error: {row.last_error})" if row.last_error else ""
            examples.append(f"outbox {row.id} ({row.kind}) to chat {row.chat_id} {what}; "
                            f"the row is {state}{error}")

    duplicates = stale_offers = stale_other = raced = cut = 0
    arrivals: dict[int, list[tuple[int, int]]] = defaultdict(list)  # chat -> (seq, row id)
    for (chat, key), events in delivered.items():
        written = rows[(chat, key)]
        duplicates += max(0, len(events) - len(written))
        if len(events) > len(written):
            example(written[0], f"arrived {len(events)} times")
            times = sorted(event.time + clock_offset_s for event in events)
            cut += sum(any(before < kill < after for kill in killed_at)
                       for before, after in zip(times, times[len(written):], strict=False))
        for event in events:
            # the row Telegram's message id was recorded on; else the one row with this text
            row_id = marked.get((chat, event.message_id)) or (
                written[0] if len(written) == 1 else None)
            if row_id is not None:
                arrivals[chat].append((event.seq, row_id))
            message = messages[row_id if row_id is not None else written[0]]
            at = datetime.fromtimestamp(event.time + clock_offset_s, UTC)
            order = order_of(message)
            if order is not None and stale(message, chat, history.at(order, at)):
                if isinstance(message, Offer | DropOffPin):
                    stale_offers += 1
                else:
                    stale_other += 1
                late = (at - history.changed(order, at)).total_seconds()
                raced += late < RACE_S
                example(row_id, f"arrived {late:.1f} s after its order overtook it")
    out_of_order = 0
    for chat_rows in arrivals.values():  # each row's first arrival, in the outbox's order?
        latest, seen = 0, set()
        for _, row_id in sorted(chat_rows):
            if row_id not in seen:
                out_of_order += row_id < latest
                if row_id < latest:
                    example(row_id, f"arrived after outbox {latest}")
                latest = max(latest, row_id)
                seen.add(row_id)
    sent = sum(len(events) for events in delivered.values())
    errors = Counter(_reason(r.last_error) for r in stored.outbox
                     if r.given_up_at is not None)
    return {
        "notifications_written": len(messages),
        "notifications_arrived": sent,
        "notifications_duplicated": duplicates,
        "duplicates_per_1000": round(1000 * duplicates / sent, 1) if sent else 0.0,
        "duplicates_cut_by_a_kill": cut,
        "stale_offers": stale_offers, "stale_other": stale_other, "stale_raced": raced,
        "chat_order_broken": out_of_order,
        "outbox_unsent": sum(1 for r in stored.outbox
                             if r.sent_at is None and r.given_up_at is None),
        "outbox_given_up": dict(sorted(errors.items())),
        "notification_examples": examples,
    }


def _key(message: Message) -> Key:
    if isinstance(message, DropOffPin):
        return ("pin", message.latitude, message.longitude)
    if isinstance(message, Milestone):  # the tracking message sent anew: known by its headline
        return ("text", plain_text(headline(message)))
    notice = render(message)  # type: ignore[arg-type]  # every kind but order_status
    return ("text", plain_text(notice.text))


def _delivered_keys(event: TranscriptEvent) -> list[Key]:
    """What the message may be known by: its text, or the headline above a tracking message
    sent anew."""
    if event.kind == "bot_message":
        return [("text", event.text), ("text", event.text.split("\n\n", 1)[0])]
    if event.kind == "bot_location":
        return [("pin", event.detail.get("latitude"), event.detail.get("longitude"))]
    return []


def _reason(error: str | None) -> str:
    """A given-up row's reason without its details: "stale: the offer is no longer open"."""
    text = error or "unknown"
    return text if text.startswith("stale:") else text.split(":")[0]


class History:
    """Each order as it was at a given moment: status, partner and open offers."""

    def __init__(self, stored: Stored) -> None:
        self._events = stored.events_of()
        self._offers: dict[int, list[Row[Any]]] = defaultdict(list)
        for offer in stored.offers:
            self._offers[offer.order_id].append(offer)

    def at(self, order_id: int, when: datetime) -> OrderNow | None:
        moves = [e for e in self._events.get(order_id, []) if e.at <= when]
        if not moves:
            return None
        offers = self._offers.get(order_id, [])
        taken = [o.partner_id for o in offers if o.state == "accepted"
                 and o.closed_at is not None and o.closed_at <= when]
        open_now = frozenset(o.partner_id for o in offers if o.offered_at <= when
                             and (o.closed_at is None or o.closed_at > when))
        return OrderNow(OrderStatus(moves[-1].to_status), taken[0] if taken else None, open_now)

    def changed(self, order_id: int, when: datetime) -> datetime:
        """The order's last change (a move, or an offer closed) at or before `when`."""
        times = [e.at for e in self._events.get(order_id, []) if e.at <= when]
        times += [o.closed_at for o in self._offers.get(order_id, [])
                  if o.closed_at is not None and o.closed_at <= when]
        return max(times, default=when)
