"""Telegram text formatting: a bot's text with its parse_mode (or explicit entities) becomes
plain text + entities, trimmed like Telegram does, and an HTML rendering of them; user texts
get their bot_command entities.
"""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sandbox.errors import bad_request
from sandbox.parse_modes import Entities, parse_html, parse_markdown, u16len

_ENTITY_TAGS = {
    "bold": "b", "italic": "i", "underline": "u", "strikethrough": "s", "spoiler": "tg-spoiler",
    "code": "code", "pre": "pre", "blockquote": "blockquote",
    "expandable_blockquote": "blockquote expandable", "text_link": "a", "text_mention": "a",
}
_COMMAND_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/@])")


@dataclass(frozen=True, slots=True)
class FormattedText:
    plain: str
    entities: Entities
    html: str


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


def plain_text(text: str, parse_mode: str | None = "HTML") -> str:
    """What a chat shows of a bot's text sent with ``parse_mode``: the text the transcript
    records for it (``TranscriptEvent.text``), so a caller can find where a message it knows
    in its formatted form was delivered. Raises ``ApiError`` for text Telegram would refuse."""
    return parse_text(text, parse_mode).plain


def command_entities(text: str) -> Entities:
    """bot_command entities Telegram attaches to user texts like "/start" or "/add@bot 2"."""
    return tuple(
        {"type": "bot_command", "offset": u16len(text[:m.start()]), "length": u16len(m.group(0))}
        for m in _COMMAND_RE.finditer(text)
    )
