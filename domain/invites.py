"""Partner invite codes: an admin's /invite makes one; /partner CODE uses it up (single use).

A code is 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L), drawn from an
injected TokenSource, so the domain stays free of randomness. A code is valid for 7 days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Protocol

from domain.ids import UserId

ALPHABET: Final = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH: Final = 8
VALID_FOR: Final = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class InviteCode:
    code: str
    created_by: UserId
    created_at: datetime
    expires_at: datetime


class InviteCodes(Protocol):
    async def add(self, invite: InviteCode) -> None: ...

    async def use(self, code: str, user_id: UserId, at: datetime) -> bool:
        """Marks the code used by `user_id` if it exists, is unused and unexpired at `at`,
        in one conditional statement; False (and nothing changed) otherwise."""
        ...


def code_from_token(token: int) -> str:
    """CODE_LENGTH characters of ALPHABET from a random integer (31**8 < 2**40 < 2**62)."""
    chars = []
    for _ in range(CODE_LENGTH):
        token, digit = divmod(token, len(ALPHABET))
        chars.append(ALPHABET[digit])
    return "".join(chars)


def normalize_code(text: str) -> str | None:
    """The code as stored, from what a person typed (case and spaces forgiven); None when it
    cannot be a code at all."""
    code = "".join(text.split()).upper()
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code
