"""Customers are Telegram users who write to the bot."""

from __future__ import annotations

from dataclasses import dataclass

from domain.ids import UserId


@dataclass
class Customer:
    id: UserId
    name: str
    phone: str | None = None
