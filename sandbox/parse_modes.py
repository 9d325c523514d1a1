"""The parse_mode grammars: HTML, MarkdownV2 and legacy Markdown into plain text + entities.

Offsets and lengths of entities are in UTF-16 code units, like the Bot API. Parse errors are
raised as ``ApiError`` with Telegram's "Bad Request: can't parse entities: ..." wording.
"""

from __future__ import annotations

import html as htmllib
import re
from typing import Any

from sandbox.errors import ApiError, bad_request

_HTML_TAGS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "tg-spoiler": "spoiler", "span": "spoiler", "a": "text_link", "code": "code", "pre": "pre",
    "blockquote": "blockquote", "tg-emoji": "custom_emoji",
}
_ATTR_RE = re.compile(r"""([a-zA-Z_][\w-]*)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?""")
_NAME_RE = re.compile(r"([a-zA-Z][a-zA-Z0-9-]*)(.*)$", re.S)
_CHAR_REF_RE = re.compile(r"&(#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|lt|gt|amp|quot);")
_MD_RESERVED = set("_*[]()~`>#+-=|{}.!")
_MD_NAMES = {"bold": "Bold", "italic": "Italic", "underline": "Underline",
             "strikethrough": "Strikethrough", "spoiler": "Spoiler"}

Entities = tuple[dict[str, Any], ...]  # Bot API MessageEntity objects, sorted by offset


def u16len(text: str) -> int:
    """Length in UTF-16 code units (the unit of Bot API entity offsets)."""
    return len(text.encode("utf-16-le")) // 2


def _parse_error(detail: str) -> ApiError:
    return bad_request(f"can't parse entities: {detail}")


class _Builder:
    """Accumulates plain text and entities while a parser walks the source."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.parts: list[str] = []
        self.pos16 = 0
        self.entities: list[dict[str, Any]] = []

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.pos16 += u16len(text)

    def byte_offset(self, index: int) -> int:
        return len(self.source[:index].encode("utf-8"))

    def entity(self, kind: str, start16: int, **extra: Any) -> None:
        if self.pos16 > start16:
            length = self.pos16 - start16
            self.entities.append({"type": kind, "offset": start16, "length": length, **extra})

    def result(self) -> tuple[str, Entities]:
        ents = sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.parts), tuple(ents)


def parse_html(text: str) -> tuple[str, Entities]:
    """parse_mode=HTML: Telegram's subset of tags, &lt; &gt; &amp; &quot; and numeric references."""
    b = _Builder(text)
    stack: list[_Open] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "&":
            m = _CHAR_REF_RE.match(text, i)
            if m:
                b.add(htmllib.unescape(m.group(0)))
                i = m.end()
                continue
            b.add(c)
        elif c == "<":
            end = text.find(">", i)
            if end == -1:
                raise _parse_error(f"Unclosed start tag at byte offset {b.byte_offset(i)}")
            inner = text[i + 1:end]
            if inner.startswith("/"):
                name = inner[1:].strip().lower()
                if not stack:
                    raise _parse_error(f"Unexpected end tag at byte offset {b.byte_offset(i)}")
                tag, kind, start, extra = stack.pop()
                if name != tag:
                    raise _parse_error(f'Unmatched end tag at byte offset {b.byte_offset(i)}, '
                                       f'expected "</{tag}>", found "</{name}>"')
                if kind:
                    b.entity(kind, start, **extra)
            else:
                stack.append(_open_tag(b, inner, i, stack))
            i = end + 1
            continue
        else:
            b.add(c)
        i += 1
    if stack:
        raise _parse_error(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return b.result()


_Open = tuple[str, str, int, dict[str, Any]]  # tag, entity type, start offset, extra fields


def _open_tag(b: _Builder, inner: str, index: int, stack: list[_Open]) -> _Open:
    m = _NAME_RE.match(inner)
    if not m:
        offset = b.byte_offset(index + 1)
        raise _parse_error(f"Unexpected end of name token at byte offset {offset}")
    tag = m.group(1).lower()
    if tag not in _HTML_TAGS:
        raise _parse_error(f'Unsupported start tag "{tag}" at byte offset {b.byte_offset(index)}')
    attrs = {k.lower(): htmllib.unescape(v.strip("\"'")) if v else ""
             for k, v in _ATTR_RE.findall(m.group(2))}
    kind, extra = _HTML_TAGS[tag], dict[str, Any]()
    if tag == "span" and attrs.get("class") != "tg-spoiler":
        offset = b.byte_offset(index)
        raise _parse_error(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
    if tag == "a":
        url = attrs.get("href", "")
        if not url:
            kind = ""
        elif url.startswith("tg://user?id="):
            kind, extra = "text_mention", {"user": {"id": int(url.split("=", 1)[1] or 0),
                                                    "is_bot": False, "first_name": ""}}
        else:
            extra = {"url": url}
    elif tag == "blockquote" and "expandable" in attrs:
        kind = "expandable_blockquote"
    elif tag == "tg-emoji":
        extra = {"custom_emoji_id": attrs.get("emoji-id", "")}
    elif tag == "code" and stack and stack[-1][0] == "pre" and \
            attrs.get("class", "").startswith("language-"):
        stack[-1][3]["language"] = attrs["class"][len("language-"):]
        kind = ""  # merged into the enclosing pre entity
    return tag, kind, b.pos16, extra


def parse_markdown(text: str, v2: bool = True) -> tuple[str, Entities]:
    """MarkdownV2 (v2=True) or legacy Markdown."""
    b = _Builder(text)
    open_: dict[str, tuple[str, int, int]] = {}  # marker -> (entity type, start16, source index)
    link: tuple[int, int] | None = None  # (start16, source index) of an open [link
    i, n = 0, len(text)
    toggles = {"*": "bold", "_": "italic", "__": "underline", "~": "strikethrough", "||": "spoiler"}
    if not v2:
        toggles = {"*": "bold", "_": "italic"}
    while i < n:
        c = text[i]
        two = text[i:i + 2]
        if c == "\\" and i + 1 < n and (v2 or text[i + 1] in "_*`["):
            b.add(text[i + 1])
            i += 2
            continue
        if c == "`":
            i = _md_code(b, text, i, v2)
            continue
        marker = two if two in toggles and v2 else (c if c in toggles else "")
        if marker:
            if marker in open_:
                kind, start, _ = open_.pop(marker)
                b.entity(kind, start)
            else:
                open_[marker] = (toggles[marker], b.pos16, i)
            i += len(marker)
            continue
        if c == "[" and link is None:
            link = (b.pos16, i)
        elif c == "]" and link is not None and text.startswith("(", i + 1):
            close = text.find(")", i + 2)
            if close == -1:
                raise _parse_error(f"Can't find end of a URL at byte offset {b.byte_offset(i)}")
            b.entity("text_link", link[0], url=text[i + 2:close].replace("\\)", ")"))
            link, i = None, close + 1
            continue
        elif v2 and c in _MD_RESERVED:
            raise _parse_error(
                f"Character '{c}' is reserved and must be escaped with the preceding '\\'")
        else:
            b.add(c)
        i += 1
    if link is not None and v2:
        offset = b.byte_offset(link[1])
        raise _parse_error(f"Can't find end of a TextUrl entity at byte offset {offset}")
    for kind, _, index in open_.values():
        name = _MD_NAMES.get(kind, kind.title())
        raise _parse_error(f"Can't find end of {name} entity at byte offset {b.byte_offset(index)}")
    return b.result()


def _md_code(b: _Builder, text: str, i: int, v2: bool) -> int:
    fence = "```" if text.startswith("```", i) else "`"
    j = i + len(fence)
    chunk: list[str] = []
    while j < len(text) and not text.startswith(fence, j):
        if v2 and text[j] == "\\" and j + 1 < len(text):
            j += 1
        chunk.append(text[j])
        j += 1
    if j >= len(text):
        kind = "Pre" if fence == "```" else "Code"
        raise _parse_error(f"Can't find end of {kind} entity at byte offset {b.byte_offset(i)}")
    body, extra = "".join(chunk), {}
    if fence == "```":
        first, sep, rest = body.partition("\n")
        if sep and first and " " not in first:
            body, extra = rest, {"language": first}
    start = b.pos16
    b.add(body)
    b.entity("pre" if fence == "```" else "code", start, **extra)
    return j + len(fence)
