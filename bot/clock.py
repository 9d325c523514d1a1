"""The real sources of time and randomness, injected into the domain at the composition root."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class RandomTokens:
    def new_token(self) -> int:
        """An unguessable positive integer below 2**62 (it travels in callback data)."""
        return secrets.randbits(62) or 1
