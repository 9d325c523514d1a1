"""Locations, static and live: Telegram's limits on them and their transcript lines.

A live location is a location message with a ``live_period`` (60 s to a day, or LIVE_FOREVER)
counted from its sending. Until it expires or is stopped, its sender moves it by editing it:
the bot with editMessageLiveLocation (methods_locations.py), a user's client with edits the
bot receives as ``edited_message`` updates (``SandboxUser.move_live_location``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from sandbox.models import LIVE_FOREVER

MIN_LIVE_PERIOD = 60  # seconds, Telegram's server-side limits (TDLib's process_input_...)
MAX_LIVE_PERIOD = 86400
MAX_HEADING = 360  # degrees; 0 means "no heading"
MAX_PROXIMITY_ALERT_RADIUS = 100000  # meters
MAX_HORIZONTAL_ACCURACY = 1500.0  # meters

LOCATION_EVENTS = frozenset({"user_location", "user_live_location", "user_live_move",
                             "user_live_stop", "bot_location", "bot_live_move", "bot_live_stop"})


def is_valid_point(latitude: float, longitude: float) -> bool:
    """A point on Earth, as TDLib's Location::init accepts it."""
    return (math.isfinite(latitude) and math.isfinite(longitude)
            and abs(latitude) <= 90 and abs(longitude) <= 180)


def is_valid_live_period(period: int) -> bool:
    return period == LIVE_FOREVER or MIN_LIVE_PERIOD <= period <= MAX_LIVE_PERIOD


def period_text(period: Any) -> str:
    return "indefinitely" if period == LIVE_FOREVER else f"{period} s"


def _point(d: Mapping[str, Any]) -> str:
    heading = f", heading {d['heading']}" if d.get("heading") is not None else ""
    return f"{d.get('latitude')}, {d.get('longitude')}{heading}"


def location_lines(kind: str, user: str, bot: str, ref: str,
                   d: Mapping[str, Any]) -> list[str]:
    """The transcript line of a location event (``ref``: " #12" or "")."""
    if kind == "user_location":
        return [f"{user} shares location ({_point(d)})"]
    if kind == "user_live_location":
        return [f"{user} shares live location ({_point(d)}), "
                f"live {period_text(d.get('live_period'))}"]
    if kind == "user_live_move":
        return [f"{user} moves live location{ref} to ({_point(d)})"]
    if kind == "user_live_stop":
        return [f"{user} stops sharing live location{ref}"]
    if kind == "bot_location" and d.get("live_period") is not None:
        return [f"{bot}: [live location {_point(d)}, live {period_text(d['live_period'])}]"]
    if kind == "bot_location":
        return [f"{bot}: [location {_point(d)}]"]
    if kind == "bot_live_move":
        return [f"{bot} (moves{ref}): [live location {_point(d)}]"]
    return [f"{bot} (stops{ref}): [live location stopped]"]
