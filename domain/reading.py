"""Reading JSON values back into frozen dataclasses by their type hints: the inverse of
domain.plain, refusing (Unreadable, saying where and why) whatever does not fit instead of
guessing. Keys a dataclass does not have are ignored; a missing field takes its default."""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any, Union, get_args, get_origin, get_type_hints


class Unreadable(ValueError):
    """A value that does not fit its type."""


def read(cls: type[Any], data: object, where: str) -> Any:
    if not isinstance(data, Mapping):
        raise Unreadable(f"{where}: expected an object, got {type(data).__name__}")
    hints = get_type_hints(cls)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name in data:
            values[f.name] = _value(hints[f.name], data[f.name], f"{where}.{f.name}")
        elif f.default is dataclasses.MISSING:
            raise Unreadable(f"{where}: {f.name} is missing")
    return cls(**values)


def _value(hint: Any, value: object, where: str) -> Any:
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        options = get_args(hint)
        if value is None and type(None) in options:
            return None
        (inner,) = [option for option in options if option is not type(None)]
        return _value(inner, value, where)
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise Unreadable(f"{where}: expected a list, got {type(value).__name__}")
        return tuple(_value(get_args(hint)[0], item, where) for item in value)
    if dataclasses.is_dataclass(hint):
        return read(hint, value, where)  # type: ignore[arg-type]
    if isinstance(hint, type) and issubclass(hint, StrEnum):
        if value not in {member.value for member in hint}:
            raise Unreadable(f"{where}: {value!r} is not a {hint.__name__}")
        return hint(value)
    if hint is datetime:
        return _datetime(value, where)
    if hint is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if hint in (int, str, bool) and type(value) is hint:
        return value
    raise Unreadable(f"{where}: expected {getattr(hint, '__name__', hint)}, got {value!r}")


def _datetime(value: object, where: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(value)) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise Unreadable(f"{where}: expected an ISO 8601 time with its zone, got {value!r}")
    return parsed
