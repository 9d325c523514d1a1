"""Keyset paging (issue 16): a long list read a page at a time, newest first, each page as
cheap with a million rows before it as with none; the keys of its first and last rows (an id,
or a customer's order's (created, id): domain.views.order_key) lead to the pages beside it.

A service asks storage for one row more than a page, below a key (`before`, newest first) or
above one (`after`, oldest first); `keyset` makes the page of what it read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
K = TypeVar("K")


@dataclass(frozen=True)
class Keyset(Generic[T, K]):
    items: tuple[T, ...]
    newer: K | None = None  # the first row's key, when newer rows exist: ◀
    older: K | None = None  # the last row's key, when older rows exist: ▶


def keyset(found: Sequence[T], limit: int, key: Callable[[T], K], *,
           before: K | None = None, after: K | None = None) -> Keyset[T, K]:
    """The page of `found` (up to `limit` + 1 rows, read as the module says)."""
    more = len(found) > limit
    rows = tuple(reversed(found[:limit])) if after is not None else tuple(found[:limit])
    if not rows:
        return Keyset(rows)
    newer = more if after is not None else before is not None  # one came from there
    older = True if after is not None else more
    return Keyset(rows, key(rows[0]) if newer else None, key(rows[-1]) if older else None)
