"""Request parameter parsing: query string, JSON, urlencoded and multipart bodies.

Form-encoded clients (python-telegram-bot included) send every value as a string and nested
objects (reply_markup, allowed_updates, ...) as JSON strings; JSON clients send real types.
The typed getters accept both.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from sandbox.errors import bad_request


@dataclass(frozen=True, slots=True)
class Upload:
    """A file sent in a multipart request."""

    field: str
    filename: str | None
    content_type: str | None
    data: bytes


class Params:
    def __init__(self, values: dict[str, Any] | None = None,
                 files: dict[str, Upload] | None = None) -> None:
        self.values = values or {}
        self.files = files or {}

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def get_str(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, dict | list):
            return json.dumps(value)
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    def get_int(self, name: str, default: int | None = None) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            raise bad_request(f"invalid {name} specified") from None

    def get_float(self, name: str) -> float | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def get_bool(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1", "yes")
        return bool(value)

    def get_json(self, name: str) -> Any:
        value = self.values.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value

    def require_str(self, name: str, error: Exception) -> str:
        value = self.get_str(name)
        if value is None or value == "":
            raise error
        return value

    def require_int(self, name: str, error: Exception) -> int:
        value = self.get_int(name)
        if value is None:
            raise error
        return value

    def get_file(self, name: str) -> Upload | str | None:
        """An uploaded file (direct or via attach://) or a file_id/URL string."""
        if name in self.files:
            return self.files[name]
        value = self.get_str(name)
        if value and value.startswith("attach://"):
            upload = self.files.get(value[len("attach://"):])
            if upload is None:
                raise bad_request("wrong file identifier/HTTP URL specified")
            return upload
        return value or None


async def read_params(request: web.Request) -> Params:
    """Collect parameters from the query string and the body (body wins)."""
    values: dict[str, Any] = dict(request.query)
    files: dict[str, Upload] = {}
    if request.can_read_body:
        if request.content_type == "application/json":
            raw = await request.read()
            if raw.strip():
                try:
                    body = json.loads(raw)
                except ValueError:
                    raise bad_request("can't parse JSON object") from None
                if not isinstance(body, dict):
                    raise bad_request("can't parse JSON object")
                values.update(body)
        elif request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = Upload(key, value.filename, value.content_type, value.file.read())
                else:
                    values[key] = value if isinstance(value, str) else value.decode()
    return Params(values, files)
