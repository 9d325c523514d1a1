"""Telegram text formatting: HTML / MarkdownV2 / Markdown parsing into plain text + entities.

Offsets and lengths of entities are in UTF-16 code units, like the Bot API. Parse errors are
raised as ``ApiError`` with Telegram's "Bad Request: can't parse entities: ..." wording.
"""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sandbox.errors import ApiError, bad_request

_HTML_TAGS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "tg-spoiler": "spoiler", "span": "spoiler", "a": "text_link", "code": "code", "pre": "pre",
    "blockquote": "blockquote", "tg-emoji": "custom_emoji",
}
_ENTITY_TAGS = {
    "bold": "b", "italic": "i", "underline": "u", "strikethrough": "s", "spoiler": "tg-spoiler",
    "code": "code", "pre": "pre", "blockquote": "blockquote",
    "expandable_blockquote": "blockquote expandable", "text_link": "a", "text_mention": "a",
}
_ATTR_RE = re.compile(r"""([a-zA-Z_][\w-]*)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?""")
_NAME_RE = re.compile(r"([a-zA-Z][a-zA-Z0-9-]*)(.*)$", re.S)
_CHAR_REF_RE = re.compile(r"&(#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|lt|gt|amp|quot);")
_COMMAND_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/@])")
_MD_RESERVED = set("_*[]()~`>#+-=|{}.!")
_MD_NAMES = {"bold": "Bold", "italic": "Italic", "underline": "Underline",
             "strikethrough": "Strikethrough", "spoiler": "Spoiler"}


@dataclass(frozen=True, slots=True)
class FormattedText:
    plain: str
    entities: tuple[dict[str, Any], ...]
    html: str


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

    def result(self) -> tuple[str, tuple[dict[str, Any], ...]]:
        ents = sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.parts), tuple(ents)


def parse_html(text: str) -> tuple[str, tuple[dict[str, Any], ...]]:
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


def parse_markdown(text: str, v2: bool = True) -> tuple[str, tuple[dict[str, Any], ...]]:
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


def entities_to_html(plain: str, entities: Sequence[dict[str, Any]]) -> str:
    """Render plain text + entities back to Telegram-style HTML."""
    index_of16: dict[int, int] = {}
    pos16 = 0
    for idx, ch in enumerate(plain):
        index_of16[pos16] = idx
        pos16 += u16len(ch)
    index_of16[pos16] = len(plain)
    opens: dict[int, list[dict[str, Any]]] = {}
    for e in sorted(entities, key=lambda e: (e["offset"], -e["length"])):
        if e.get("type") in _ENTITY_TAGS:
            opens.setdefault(index_of16.get(e["offset"], 0), []).append(e)
    out: list[str] = []
    stack: list[tuple[int, str]] = []  # (end index, closing tag)
    for idx in range(len(plain) + 1):
        while stack and stack[-1][0] <= idx:
            out.append(stack.pop()[1])
        for e in opens.get(idx, []):
            tag = _ENTITY_TAGS[e["type"]]
            attrs = ""
            if e["type"] == "text_link":
                attrs = f' href="{htmllib.escape(e.get("url", ""))}"'
            elif e["type"] == "text_mention":
                attrs = f' href="tg://user?id={e.get("user", {}).get("id", 0)}"'
            elif e["type"] == "pre" and e.get("language"):
                out.append(f'<pre><code class="language-{htmllib.escape(e["language"])}">')
                end = index_of16.get(e["offset"] + e["length"], len(plain))
                stack.append((end, "</code></pre>"))
                continue
            out.append(f"<{tag}{attrs}>")
            end = index_of16.get(e["offset"] + e["length"], len(plain))
            stack.append((end, f"</{tag.split()[0]}>"))
        if idx < len(plain):
            out.append(htmllib.escape(plain[idx], quote=False))
    return "".join(out)


Entities = tuple[dict[str, Any], ...]


def _trim(plain: str, entities: Entities) -> tuple[str, Entities]:
    """Telegram strips leading/trailing whitespace from texts; entities are shifted/clipped."""
    left = plain.lstrip()
    lead = u16len(plain) - u16len(left)
    text = left.rstrip()
    total = u16len(text)
    out: list[dict[str, Any]] = []
    for e in entities:
        start = max(int(e.get("offset", 0)) - lead, 0)
        end = min(int(e.get("offset", 0)) + int(e.get("length", 0)) - lead, total)
        if end > start:
            out.append({**e, "offset": start, "length": end - start})
    return text, tuple(out)


def parse_text(text: str, parse_mode: str | None, entities: Any = None) -> FormattedText:
    """Parse a bot-supplied text/caption according to parse_mode (or explicit entities).

    ``html`` is the raw text for parse_mode=HTML, otherwise an HTML rendering of the entities.
    """
    mode = (parse_mode or "").strip().lower()
    if mode == "html":
        plain, ents = _trim(*parse_html(text))
        return FormattedText(plain, ents, text.strip())
    if mode in ("markdownv2", "markdown"):
        plain, ents = parse_markdown(text, v2=mode == "markdownv2")
    elif mode:
        raise bad_request(f"unsupported parse_mode {parse_mode}")
    else:
        plain = text
        given = entities if isinstance(entities, list) else []
        ents = tuple(e for e in given if isinstance(e, dict))
    plain, ents = _trim(plain, ents)
    return FormattedText(plain, ents, entities_to_html(plain, ents))


def command_entities(text: str) -> tuple[dict[str, Any], ...]:
    """bot_command entities Telegram attaches to user texts like "/start" or "/add@bot 2"."""
    return tuple(
        {"type": "bot_command", "offset": u16len(text[:m.start()]), "length": u16len(m.group(0))}
        for m in _COMMAND_RE.finditer(text)
    )
