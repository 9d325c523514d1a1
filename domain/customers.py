"""Customers are Telegram users who write to the bot."""

from __future__ import annotations

from dataclasses import dataclass

from domain.ids import UserId
from domain.validation import profile_name


@dataclass
class Customer:
    id: UserId
    name: str
    phone: str | None = None
    time_zone: str | None = None  # their own (/mytimezone): times are shown in it too

    def __post_init__(self) -> None:
        self.name = profile_name(self.name)  # from the Telegram profile, not typed to us
