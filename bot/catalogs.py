"""Keeps the message catalogs in step with the code: `python3 dev.py messages`.

Extracts every message id from bot/ and domain/ (Babel's Python extractor, with the keywords
below) into bot/locales/foodbot.pot, then updates each language's .po from it, and compiles
each into the .mo beside it that the bot reads: new messages
come in untranslated, changed ones marked fuzzy with the old translation as a hint, dropped ones
go (git keeps them). A translator then fills in the .po; tests/unit/test_catalogs.py
fails while any message is missing, fuzzy or has other {fields} than its English.

A new language: add it to bot.i18n.LANGUAGES and run `python3 dev.py messages`, which starts its
.po from the template (README, "Languages").
"""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from bot.i18n import DOMAIN, ENGLISH, LANGUAGES, LOCALES, catalog_path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("bot", "domain")
TEMPLATE = LOCALES / f"{DOMAIN}.pot"
# what marks a message id: gettext's own names, and the domain's worded refusals
# (domain.errors.Explained: the template is the first argument; LineClosed's reason the second)
KEYWORDS: dict[str, tuple[int, ...] | None] = {
    "_": None, "N_": None, "ngettext": (1, 2),
    "InvalidInput": None, "InvalidQuantity": None, "ChoiceRefused": None, "LineClosed": (2,),
}
COMMENT_TAGS = ("TRANSLATORS:",)
_STAMP = datetime(2026, 1, 1, tzinfo=UTC)  # fixed, so an unchanged catalog writes the same


def extract() -> Catalog:
    """Every message id the code uses now, sorted, without source locations (they would change
    the files on every edit elsewhere)."""
    catalog = Catalog(project="foodbot", domain=DOMAIN, creation_date=_STAMP,
                      revision_date=_STAMP, charset="utf-8", fuzzy=False)
    for folder in SOURCES:
        found = extract_from_dir(ROOT / folder, [("**.py", "python")], keywords=KEYWORDS,
                                 comment_tags=COMMENT_TAGS, strip_comment_tags=True)
        for _file, _line, message, comments, context in found:
            catalog.add(message, None, auto_comments=comments, context=context)
    return catalog


def translated(message: Message) -> bool:
    """Whether a message has a translation to use: every plural form, and not fuzzy."""
    forms = message.string if isinstance(message.string, tuple) else (message.string,)
    return not message.fuzzy and all(forms)


def compiled(catalog: Catalog) -> bytes:
    """The catalog as gettext's .mo, which bot.i18n reads; fuzzy and untranslated messages are
    left out (the English shows instead: a guess is not a translation)."""
    out = BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def write(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        write_po(out, catalog, width=100, no_location=True, sort_output=True,
                 include_previous=True, ignore_obsolete=True)


def update() -> list[str]:
    """Writes the template and updates every language's catalog; returns what it did."""
    template = extract()
    write(template, TEMPLATE)
    done = [f"{TEMPLATE.relative_to(ROOT)}: {len(template)} messages"]
    for code in LANGUAGES:
        if code == ENGLISH:
            continue
        path = catalog_path(code)
        if path.exists():
            with path.open("rb") as po:
                catalog = read_po(po, locale=code, domain=DOMAIN)
        else:
            catalog = Catalog(locale=code, domain=DOMAIN, project="foodbot",
                              creation_date=_STAMP, revision_date=_STAMP, fuzzy=False)
        catalog.update(template)
        catalog.revision_date = _STAMP
        write(catalog, path)
        catalog_path(code, "mo").write_bytes(compiled(catalog))
        untranslated = sum(1 for m in catalog if m.id and not translated(m))
        done.append(f"{path.relative_to(ROOT)}: {untranslated} to translate")
    return done


if __name__ == "__main__":
    print("\n".join(update()))
