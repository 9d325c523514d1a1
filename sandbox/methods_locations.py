"""Bot API methods for locations: sendLocation (static or live), editMessageLiveLocation and
stopMessageLiveLocation, with the checks and error texts of the Bot API server and TDLib.

Whether a live location still updates is judged on the sandbox clock (``state.clock``, the
one of flood limits and callback-query expiry), so a test moves past a live_period without
sleeping. An edit sets the new point, heading and accuracy as given (absent: none, as they
describe the latest fix) and keeps live_period and proximity_alert_radius unless given.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from sandbox.apiobjects import message_dict
from sandbox.errors import bad_request
from sandbox.keyboards import Markup
from sandbox.live_locations import (
    MAX_HEADING,
    MAX_HORIZONTAL_ACCURACY,
    MAX_LIVE_PERIOD,
    MAX_PROXIMITY_ALERT_RADIUS,
    MIN_LIVE_PERIOD,
    is_valid_live_period,
    is_valid_point,
)
from sandbox.methods_messages import NOT_MODIFIED, Method, deliver, editable_message, prepare
from sandbox.models import LIVE_FOREVER, ChatMessage, Location
from sandbox.params import Params
from sandbox.state import Chat, SandboxState

CANT_EDIT = "message can't be edited"
NO_LIVE_LOCATION = "there is no live location in the message to edit"
WRONG_PERIOD = "wrong live location period specified"
MAX_EXPIRY_AHEAD = 90 * 86400  # an extended live location must expire within 90 days
_SAME = 1e-6  # TDLib's tolerance when it compares two points


def _coordinates(p: Params) -> tuple[float, float]:
    lat, lon = p.get_float("latitude"), p.get_float("longitude")
    if lat is None or lon is None:
        raise bad_request(f"{'latitude' if lat is None else 'longitude'} is empty")
    return lat, lon


def _accuracy(p: Params) -> float | None:
    """TDLib clamps the accuracy to 0-1500 m and sends it in whole meters, rounded up."""
    value = p.get_float("horizontal_accuracy")
    if value is None or not math.isfinite(value) or value <= 0:
        return None
    return float(math.ceil(min(value, MAX_HORIZONTAL_ACCURACY)))


def _heading(p: Params) -> int | None:
    heading = p.get_int("heading", 0) or 0
    if not 0 <= heading <= MAX_HEADING:
        raise bad_request("wrong live location heading specified")
    return heading or None


def _proximity_alert_radius(p: Params) -> int | None:
    radius = p.get_int("proximity_alert_radius", 0) or 0
    if not 0 <= radius <= MAX_PROXIMITY_ALERT_RADIUS:
        raise bad_request("wrong live location proximity alert radius specified")
    return radius or None


def _live_period(p: Params) -> int | None:
    """None for a static location (live_period absent or 0)."""
    period = p.get_int("live_period", 0) or 0
    if period == 0:
        return None
    if not is_valid_live_period(period):
        raise bad_request(WRONG_PERIOD)
    return period


def send_location(state: SandboxState, p: Params) -> dict[str, Any]:
    target = prepare(state, p)
    lat, lon = _coordinates(p)
    if not is_valid_point(lat, lon):
        raise bad_request("wrong coordinates")
    period, heading, radius = _live_period(p), _heading(p), _proximity_alert_radius(p)
    detail: dict[str, Any] = {"latitude": lat, "longitude": lon}
    if period is None:  # heading and alert radius are checked, but only a live one keeps them
        return deliver(state, target, "bot_location", "", detail,
                       location=Location(lat, lon, _accuracy(p)))
    location = Location(lat, lon, _accuracy(p), period, heading, radius)
    return deliver(state, target, "bot_location", "",
                   {**detail, "live_period": period, "heading": heading},
                   location=location, live_since=state.clock())


def _live_message(state: SandboxState, p: Params) -> tuple[Chat, ChatMessage, Markup, Location]:
    """The bot's live location message the call names, still updating, or TDLib's error."""
    chat, message, markup = editable_message(state, p)
    location = message.location
    if location is None and (message.text or message.photo_file_id or message.document_file_id):
        raise bad_request(NO_LIVE_LOCATION)  # TDLib could edit it, but not as a location
    if location is None or not message.live_at(state.clock()):
        raise bad_request(CANT_EDIT)  # static, stopped, expired, or a contact, invoice...
    return chat, message, markup, location


def _new_period(p: Params, current: int | None, elapsed: float) -> int | None:
    """live_period counts from the sending: longer by at most a day, expiring within 90 days."""
    period = p.get_int("live_period", 0) or 0
    if period == 0:
        return current
    if period == LIVE_FOREVER:
        return period
    ceiling = (math.inf if current is None or current == LIVE_FOREVER
               else current + MAX_LIVE_PERIOD)
    if not MIN_LIVE_PERIOD <= period <= ceiling or period - elapsed > MAX_EXPIRY_AHEAD:
        raise bad_request(WRONG_PERIOD)
    return period


def edit_message_live_location(state: SandboxState, p: Params) -> dict[str, Any]:
    lat, lon = _coordinates(p)
    heading, radius = _heading(p), _proximity_alert_radius(p)
    chat, message, markup, old = _live_message(state, p)
    if not is_valid_point(lat, lon):
        raise bad_request("invalid location specified")
    elapsed = state.clock() - (message.live_since or 0.0)
    new = dataclasses.replace(
        old, latitude=lat, longitude=lon, horizontal_accuracy=_accuracy(p), heading=heading,
        proximity_alert_radius=old.proximity_alert_radius if radius is None else radius,
        live_period=_new_period(p, old.live_period, elapsed))
    same_point = abs(lat - old.latitude) < _SAME and abs(lon - old.longitude) < _SAME
    unchanged = dataclasses.replace(new, latitude=old.latitude, longitude=old.longitude) == old
    if same_point and unchanged and markup.inline == message.inline_keyboard:
        raise bad_request(NOT_MODIFIED)
    # Like the other edits: without reply_markup the inline keyboard goes.
    edited = state.edit_message(message, location=new, inline_keyboard=markup.inline)
    state.record("bot_live_move", chat.id, message=edited, latitude=lat, longitude=lon,
                 heading=heading)
    return message_dict(state, edited)


def stop_message_live_location(state: SandboxState, p: Params) -> dict[str, Any]:
    chat, message, markup, _ = _live_message(state, p)
    stopped = state.edit_message(message, live_stopped=True, inline_keyboard=markup.inline)
    state.record("bot_live_stop", chat.id, message=stopped)
    return message_dict(state, stopped)


LOCATION_METHODS: dict[str, Method] = {
    "sendlocation": send_location,
    "editmessagelivelocation": edit_message_live_location,
    "stopmessagelivelocation": stop_message_live_location,
}
