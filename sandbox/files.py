"""In-memory file storage: uploads from the bot and from users, served via getFile."""

from __future__ import annotations

import itertools
import mimetypes
import secrets
import struct
from dataclasses import dataclass
from typing import Any

MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # bots may only download files up to 20 MB
_PREFIX = {"photo": "AgACAgIAAxk", "document": "BQACAgIAAxk"}
_EXT = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp"}


@dataclass(frozen=True, slots=True)
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: str  # "photo" | "document"
    data: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0
    source_url: str | None = None

    @property
    def size(self) -> int:
        return len(self.data)

    def photo_sizes(self) -> list[dict[str, Any]]:
        """A one-element PhotoSize array describing the stored picture."""
        return [{"file_id": self.file_id, "file_unique_id": self.file_unique_id,
                 "width": self.width, "height": self.height, "file_size": self.size}]

    def document_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"file_id": self.file_id, "file_unique_id": self.file_unique_id,
                               "file_size": self.size}
        if self.file_name:
            out["file_name"] = self.file_name
        if self.mime_type:
            out["mime_type"] = self.mime_type
        return out

    def file_dict(self) -> dict[str, Any]:
        """The Bot API File object returned by getFile."""
        return {"file_id": self.file_id, "file_unique_id": self.file_unique_id,
                "file_size": self.size, "file_path": self.file_path}


def image_size(data: bytes) -> tuple[int, int]:
    """(width, height) of a PNG, GIF or JPEG image; (0, 0) if it cannot be read."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        w, h = struct.unpack(">II", data[16:24])
        return int(w), int(h)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        w, h = struct.unpack("<HH", data[6:10])
        return int(w), int(h)
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            length = struct.unpack(">H", data[i + 2:i + 4])[0]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # SOFn markers
                h, w = struct.unpack(">HH", data[i + 5:i + 9])
                return int(w), int(h)
            i += 2 + int(length)
    return 0, 0


class FileStore:
    """Files by file_id and by file_path; file ids look like Telegram's (opaque strings)."""

    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._counter = itertools.count(1)

    def add(self, kind: str, data: bytes, file_name: str | None = None,
            mime_type: str | None = None, source_url: str | None = None) -> StoredFile:
        n = next(self._counter)
        if mime_type is None and file_name:
            mime_type = mimetypes.guess_type(file_name)[0]
        if kind == "photo":
            width, height = image_size(data)
            ext = _EXT.get(mime_type or "", ".jpg")
            path = f"photos/file_{n}{ext}"
            mime_type = None
        else:
            width = height = 0
            suffix = file_name.rsplit(".", 1)[-1] if file_name and "." in file_name else "bin"
            path = f"documents/file_{n}.{suffix}"
        stored = StoredFile(
            file_id=f"{_PREFIX.get(kind, 'BQAC')}{n:06d}{secrets.token_urlsafe(24)}",
            file_unique_id=f"AQAD{n:04d}{secrets.token_urlsafe(6)}",
            kind=kind, data=data, file_path=path, file_name=file_name, mime_type=mime_type,
            width=width, height=height, source_url=source_url,
        )
        self._by_id[stored.file_id] = stored
        self._by_path[path] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        return self._by_id.get(file_id)

    def by_path(self, path: str) -> StoredFile | None:
        return self._by_path.get(path)

    def __len__(self) -> int:
        return len(self._by_id)
