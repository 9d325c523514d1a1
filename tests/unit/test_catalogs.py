"""The message catalogs against the code: complete, in step, and safe to format.

A message missing from a language, a translation with other {fields} or HTML tags than its
English, or a catalog out of step with the code (run `python3 dev.py messages`) fails here.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from bot.catalogs import KEYWORDS, ROOT, SOURCES, TEMPLATE, compiled, extract, translated
from bot.i18n import DOMAIN, ENGLISH, LANGUAGES, catalog_path

TRANSLATED = [code for code in LANGUAGES if code != ENGLISH]
FIELD = re.compile(r"(?<!\{)\{([a-z_]+)\}(?!\})")
TAG = re.compile(r"</?([a-z]+)[^>]*>")


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as po:
        return read_po(po, locale=locale, domain=DOMAIN)


def _ids(catalog: Catalog) -> set[object]:
    return {message.id for message in catalog if message.id}


def _english(message: Message) -> tuple[str, ...]:
    return message.id if isinstance(message.id, tuple) else (message.id,)


def _forms(message: Message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def test_the_template_is_in_step_with_the_code() -> None:
    in_code, in_template = _ids(extract()), _ids(_read(TEMPLATE))
    assert in_code - in_template == set(), "new messages: run `python3 dev.py messages`"
    assert in_template - in_code == set(), "messages the code no longer has: run it too"


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_message_is_translated(code: str) -> None:
    catalog = _read(catalog_path(code), code)
    assert _ids(catalog) == _ids(_read(TEMPLATE)), "run `python3 dev.py messages`"
    missing = [message.id for message in catalog if message.id and not translated(message)]
    assert missing == [], f"{len(missing)} messages of {code} missing or fuzzy: {missing[:5]}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_translations_keep_the_fields_and_tags_of_their_english(code: str) -> None:
    wrong = []
    for message in _read(catalog_path(code), code):
        if not message.id or not translated(message):
            continue
        english = _english(message)
        fields = {name for text in english for name in FIELD.findall(text)}
        tags = Counter(TAG.findall(english[0]))
        for form in _forms(message):
            if set(FIELD.findall(form)) != fields or Counter(TAG.findall(form)) != tags:
                wrong.append((english[0], form))
    assert wrong == []


@pytest.mark.parametrize("code", TRANSLATED)
def test_plural_forms_are_the_languages_own(code: str) -> None:
    catalog = _read(catalog_path(code), code)
    rule = get_plural(Locale.parse(code))
    assert catalog.num_plurals == rule.num_plurals
    for message in catalog:
        if message.id and message.pluralizable:
            assert len(_forms(message)) == rule.num_plurals, message.id


def _marked_calls(tree: ast.AST) -> list[ast.Call]:
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name) and node.func.id in KEYWORDS]


def test_no_message_id_is_built_at_run_time() -> None:
    """An f-string (or text built with + or %) where a message id belongs is never extracted,
    so it would stay English: the fields go to .format() instead."""
    built = []
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for call in _marked_calls(ast.parse(path.read_text(encoding="utf-8"))):
                spec = KEYWORDS[call.func.id]  # type: ignore[attr-defined]
                places = [place - 1 for place in spec] if spec else [0]
                for place in places:
                    if place < len(call.args) and isinstance(
                            call.args[place], ast.JoinedStr | ast.BinOp):
                        built.append(f"{path.relative_to(ROOT)}:{call.lineno}")
    assert built == []


def test_every_message_id_written_in_the_code_is_in_the_template() -> None:
    """Also those an extractor might pass over (one marked inside another call)."""
    written = set()
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for call in _marked_calls(ast.parse(path.read_text(encoding="utf-8"))):
                spec = KEYWORDS[call.func.id]  # type: ignore[attr-defined]
                args = [call.args[p - 1] for p in spec or (1,) if p - 1 < len(call.args)]
                if all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args):
                    values = [a.value for a in args]  # type: ignore[attr-defined]
                    written.add(values[0] if len(values) == 1 else tuple(values))
    assert written - _ids(_read(TEMPLATE)) == set()


def test_every_language_has_a_catalog() -> None:
    assert all(catalog_path(code).is_file() for code in TRANSLATED)
    assert len(TRANSLATED) >= 2


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_compiled_catalog_the_bot_reads_is_its_translation(code: str) -> None:
    assert catalog_path(code, "mo").read_bytes() == compiled(_read(catalog_path(code), code)), \
        "run `python3 dev.py messages`"
