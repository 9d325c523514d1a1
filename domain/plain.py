"""A dataclass's fields as JSON values: datetimes as ISO 8601, tuples as lists, enums as
their values. Every status change writes outbox rows through this, so it is kept quick: a
class's field names are looked up once, and plain values returned at once (asking
`dataclasses` for every message was a tenth of the queue worker's time)."""

from __future__ import annotations

import dataclasses
import functools
from datetime import datetime
from enum import StrEnum
from typing import Any

_AS_IS = frozenset({int, str, float, bool, type(None)})


def plain(value: Any) -> Any:
    kind: Any = type(value)
    if kind in _AS_IS:
        return value
    names = _field_names(kind)
    if names is not None:
        return {name: plain(getattr(value, name)) for name in names}
    if isinstance(value, tuple | list):
        return [plain(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    return value


@functools.cache
def _field_names(kind: Any) -> tuple[str, ...] | None:
    if not dataclasses.is_dataclass(kind):
        return None
    return tuple(f.name for f in dataclasses.fields(kind))
