"""Languages: every text a user reads is looked up in the reader's language.

The catalogs are gettext's: `bot/locales/foodbot.pot` holds every message id (the English
text, extracted from the code by Babel: `python3 dev.py messages`), and
`bot/locales/<code>/LC_MESSAGES/foodbot.po` its translation into one language, plural forms
included, compiled beside it into `foodbot.mo` by the same command (a test fails when one is
out of step with the other). The standard library reads the compiled one, the first time the
language is spoken. English is the code's own text, money and days written as the code
writes them: a bot whose users all speak English loads no locale data (about 4.5 MB resident).

Which language is spoken is a context variable: the inbox sets it for each update it hands to
the handlers (the chat's stored choice, else the sender's Telegram `language_code`), and the
jobs set it for each recipient before they word a message for them (`speaking`). Code that
words text only ever calls `_`, `ngettext`, `money` and `date`; it never passes a language.
"""

from __future__ import annotations

import functools
import gettext as gettext_module
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from domain.money import Money, minor_exponent

LOCALES = Path(__file__).with_name("locales")
DOMAIN = "foodbot"
ENGLISH = "en"  # the language of the code's own texts: it needs no catalog
# every language with a catalog, in the order /language offers them, by its own name
LANGUAGES: dict[str, str] = {"en": "English", "hi": "हिन्दी", "ru": "Русский"}

_speaking: ContextVar[str] = ContextVar("language", default=ENGLISH)


def language() -> str:
    """The language being spoken now."""
    return _speaking.get()


@contextmanager
def speaking(code: str) -> Iterator[None]:
    """Words everything within in the language `code` (one of LANGUAGES)."""
    token = _speaking.set(code if code in LANGUAGES else ENGLISH)
    try:
        yield
    finally:
        _speaking.reset(token)


def speak(code: str) -> None:
    """Words the rest of this task in `code`: for a task that handles one user's update."""
    _speaking.set(code if code in LANGUAGES else ENGLISH)


def chosen(code: str | None) -> str | None:
    """The language of ours that a Telegram `language_code` ("hi", "ru-RU", "en-GB") asks
    for; None when we have none for it."""
    if not code:
        return None
    base = code.replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else None


def _(message: str) -> str:
    """`message` in the language spoken now."""
    return _catalog(_speaking.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for the number `n`, by the plural rules of the language spoken
    now (English and Hindi have two forms, Russian three)."""
    return _catalog(_speaking.get()).ngettext(singular, plural, n)


def in_every_language(message: str) -> list[str]:
    """`message` as each language words it: the text of a reply-keyboard button, which comes
    back as a message to be matched whoever pressed it."""
    return list(dict.fromkeys(_catalog(code).gettext(message) for code in LANGUAGES))


def fixed(texts: Mapping[str, str], name: str, module: str) -> str:
    """The text `name` of a texts module's table of fixed texts, in the language spoken now:
    what its `__getattr__` answers for `texts.NAME` (PEP 562: Python asks it for every name
    the module does not define); AttributeError for a name the table does not have."""
    try:
        message = texts[name]
    except KeyError:
        raise AttributeError(f"module {module!r} has no attribute {name!r}") from None
    return _(message)


def N_(message: str) -> str:
    """Marks `message` for the catalogs where it is defined; `_` translates it where used."""
    return message


def money(amount: Money) -> str:
    """An amount as the language writes it: "₹1,23,456.50" in Hindi, "123 456,50 ₹" in
    Russian; in English as the code writes it ("₹123,456.50", Money.format)."""
    code = language()
    return amount.format() if code == ENGLISH else _money(amount.amount, amount.currency, code)


@functools.lru_cache(maxsize=4096)
def _money(amount: int, currency: str, code: str) -> str:
    """Kept: Babel takes ~10 us an amount, and a menu shows the same prices again and again."""
    from babel.numbers import format_currency

    value = Decimal(amount).scaleb(-minor_exponent(currency))
    return format_currency(value, currency, locale=code)


# the CLDR patterns the texts use, as strftime writes them in English (the C locale's names)
_ENGLISH_DATES = {"EEE dd MMM HH:mm": "%a %d %b %H:%M", "dd MMM HH:mm": "%d %b %H:%M",
                  "EEE dd MMM": "%a %d %b", "EEE": "%a"}


def date(moment: datetime, zone: str | None, pattern: str = "EEE dd MMM") -> str:
    """A day (or with another CLDR `pattern`, a moment) in `zone` (None: as it is, a local
    time), with its names in the language spoken now: "Mon 30 Nov", "सोम 30 नव॰", "пн 30
    нояб."."""
    code, local = language(), moment.astimezone(ZoneInfo(zone)) if zone else moment
    if code == ENGLISH and pattern in _ENGLISH_DATES:
        return local.strftime(_ENGLISH_DATES[pattern])
    from babel.dates import format_datetime

    return format_datetime(local, pattern, tzinfo=local.tzinfo, locale=code)


def catalog_path(code: str, kind: str = "po") -> Path:
    """Where the catalog of `code` is: its translation ("po"), or that compiled ("mo")."""
    return LOCALES / code / "LC_MESSAGES" / f"{DOMAIN}.{kind}"


@functools.cache
def _catalog(code: str) -> gettext_module.NullTranslations:
    """The compiled catalog of `code`; English is the code's own text."""
    if code == ENGLISH:
        return gettext_module.NullTranslations()
    with catalog_path(code, "mo").open("rb") as compiled:
        return gettext_module.GNUTranslations(compiled)
