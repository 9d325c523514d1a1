"""HTML / MarkdownV2 parsing into plain text + entities, and back to HTML."""

from __future__ import annotations

import pytest

from sandbox import plain_text
from sandbox.errors import ApiError
from sandbox.formatting import command_entities, entities_to_html, parse_text
from sandbox.parse_modes import parse_html, parse_markdown


def test_html_tags_entities_and_utf16_offsets() -> None:
    plain, entities = parse_html('🍕 <b>Pizza</b> &lt;3 <a href="https://x.io/?a=1&amp;b=2">link</a>')
    assert plain == "🍕 Pizza <3 link"
    assert entities == (
        {"type": "bold", "offset": 3, "length": 5},  # the emoji is 2 UTF-16 units
        {"type": "text_link", "offset": 12, "length": 4, "url": "https://x.io/?a=1&b=2"},
    )


def test_html_nested_pre_code_language_and_spoiler() -> None:
    plain, entities = parse_html('<pre><code class="language-python">x = 1</code></pre>'
                                 '<tg-spoiler>s</tg-spoiler><span class="tg-spoiler">t</span>')
    assert plain == "x = 1st"
    assert [e["type"] for e in entities] == ["pre", "spoiler", "spoiler"]
    assert entities[0]["language"] == "python"


@pytest.mark.parametrize(("source", "detail"), [
    ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
    ("x</b>", "Unexpected end tag at byte offset 1"),
    ("a <b", "Unclosed start tag at byte offset 2"),
    ("1 < 2 > 0", "Unexpected end of name token at byte offset 3"),
    ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
])
def test_html_errors(source: str, detail: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse_html(source)
    assert caught.value.description == f"Bad Request: can't parse entities: {detail}"


def test_markdown_v2() -> None:
    source = r"*Total:* ₹250\.00 _each_ __u__ ~s~ ||sp|| [site](https://a.b) `c`"
    plain, entities = parse_markdown(source)
    assert plain == "Total: ₹250.00 each u s sp site c"
    assert [e["type"] for e in entities] == [
        "bold", "italic", "underline", "strikethrough", "spoiler", "text_link", "code"]
    with pytest.raises(ApiError, match="Can't find end of Bold entity at byte offset 0"):
        parse_markdown("*open")


def test_legacy_markdown_needs_no_escaping() -> None:
    plain, entities = parse_markdown("*Total:* 5.00!", v2=False)
    assert plain == "Total: 5.00!" and entities[0]["type"] == "bold"


def test_round_trip_to_html_and_plain_text_mode() -> None:
    formatted = parse_text("*Hi* <there>", None)  # no parse_mode: plain text
    assert formatted.html == "*Hi* &lt;there&gt;"
    plain, entities = parse_html("<b>A <i>b</i></b> &amp; c")
    assert entities_to_html(plain, entities) == "<b>A <i>b</i></b> &amp; c"
    with pytest.raises(ApiError, match="unsupported parse_mode"):
        parse_text("x", "BBCode")


def test_texts_are_trimmed_like_telegram() -> None:
    formatted = parse_text("  \n<b> Hi</b> there \n", "HTML")
    assert formatted.plain == "Hi there"
    assert formatted.entities == ({"type": "bold", "offset": 0, "length": 2},)


def test_command_entities() -> None:
    assert command_entities("/start") == ({"type": "bot_command", "offset": 0, "length": 6},)
    assert command_entities("/add@FoodbotSandboxBot 2") == (
        {"type": "bot_command", "offset": 0, "length": 22},)
    assert command_entities("see a/b and /help") == (
        {"type": "bot_command", "offset": 12, "length": 5},)


def test_plain_text_is_what_the_transcript_records_of_a_formatted_text() -> None:
    assert plain_text("  🛵 <b>New delivery</b> &amp; more\n") == "🛵 New delivery & more"
    assert plain_text("<b>kept</b>", None) == "<b>kept</b>"
    with pytest.raises(ApiError):
        plain_text("<b>unclosed")
