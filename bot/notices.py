"""Outbox rows -> what the chat shows: every kind the pipeline writes, rendered with texts.py.

`order_status` is not here: it is not a new message but an edit of the customer's live
tracking message (bot/tracking.py), re-rendered from the database.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup

from bot import keyboards, texts
from domain.invites import PARTNER_APPROVED, PARTNER_REVOKED
from domain.pipeline.model import Note
from domain.services.error_alerts import ERROR_ALERT
from domain.services.partners import PARTNER_REQUEST


class UnknownNotice(ValueError):
    """An outbox kind this version cannot render; it is given up, not retried forever."""


@dataclass(frozen=True, slots=True)
class Notice:
    text: str
    keyboard: InlineKeyboardMarkup | None = None
    location: tuple[float, float] | None = None  # sent after the text


Data = Mapping[str, object]
_TEXTS: dict[str, Callable[[Data], str]] = {
    Note.ORDER_CANCELLED: texts.order_cancelled,
    Note.OFFER_EXPIRED: texts.offer_expired,
    Note.FINDING_PARTNER: texts.finding_partner,
    Note.PARTNER_ASSIGNED: texts.partner_assigned,
    Note.ORDER_READY: texts.order_ready,
    Note.OUT_FOR_DELIVERY: texts.out_for_delivery,
    Note.DELIVERED: texts.delivered,
    Note.ORDER_FAILED: texts.order_failed,
    Note.ADMIN_ALERT: texts.admin_alert,
    PARTNER_REQUEST: texts.partner_request,
    PARTNER_APPROVED: texts.partner_approved,
    PARTNER_REVOKED: texts.partner_revoked,
    ERROR_ALERT: texts.error_alert,
}


def render(kind: str, data: Data) -> Notice:
    """The message for an outbox row; UnknownNotice when this version has no such kind."""
    try:
        if kind == Note.RESTAURANT_TICKET:
            return Notice(texts.restaurant_ticket(data), keyboards.ticket(_int(data["order_id"])))
        if kind == Note.OFFER:
            return Notice(texts.offer(data), keyboards.offer(_int(data["order_id"])),
                          _location(data))
        return Notice(_TEXTS[kind](data))
    except (KeyError, TypeError, ValueError) as exc:
        raise UnknownNotice(f"cannot render {kind!r}: {exc!r}") from exc


def _int(value: object) -> int:
    return int(str(value))


def _location(data: Data) -> tuple[float, float] | None:
    lat, lon = data.get("latitude"), data.get("longitude")
    if isinstance(lat, int | float) and isinstance(lon, int | float):
        return float(lat), float(lon)
    return None
