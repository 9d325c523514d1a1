"""Keyset paging by id (issue 16): a long list read a page at a time, newest first, each page
as cheap with a million rows before it as with none; the ids of its first and last rows lead
to the pages beside it.

A service asks storage for one row more than a page, below an id (`before`, newest first) or
above one (`after`, oldest first); `keyset` makes the page of what it read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Keyset(Generic[T]):
    items: tuple[T, ...]
    newer: int | None = None  # the first row's id, when newer rows exist: ◀
    older: int | None = None  # the last row's id, when older rows exist: ▶


def keyset(found: Sequence[T], limit: int, key: Callable[[T], int], *,
           before: int | None = None, after: int | None = None) -> Keyset[T]:
    """The page of `found` (up to `limit` + 1 rows, read as the module says)."""
    more = len(found) > limit
    rows = tuple(reversed(found[:limit])) if after is not None else tuple(found[:limit])
    if not rows:
        return Keyset(rows)
    newer = more if after is not None else before is not None  # one came from there
    older = True if after is not None else more
    return Keyset(rows, key(rows[0]) if newer else None, key(rows[-1]) if older else None)
