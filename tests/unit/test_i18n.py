"""Languages: which one is spoken, and how each writes numbers, money, days and plurals."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime
from babel.numbers import format_currency

from bot import i18n, texts
from bot.i18n import (
    ENGLISH,
    LANGUAGES,
    chosen,
    date,
    in_every_language,
    language,
    money,
    speaking,
)
from domain.messages import OutForDelivery
from domain.money import Money, minor_exponent
from domain.orders import OrderStatus


@pytest.mark.parametrize(("code", "ours"), [
    ("hi", "hi"), ("hi-IN", "hi"), ("ru-RU", "ru"), ("en_GB", "en"), ("RU", "ru"),
    ("pt-br", None), ("", None), (None, None),
])
def test_a_telegram_language_code_picks_one_of_ours(code: str | None, ours: str | None) -> None:
    assert chosen(code) == ours


def test_speaking_lasts_as_long_as_its_block_and_falls_back_to_english() -> None:
    with speaking("ru"):
        assert language() == "ru"
        with speaking("xx"):
            assert language() == ENGLISH
        assert language() == "ru"
    assert language() == ENGLISH


async def test_each_task_speaks_its_own_language() -> None:
    """Updates of different users are handled at once: one's language never leaks."""
    started = asyncio.Event()

    async def one(code: str) -> str:
        with speaking(code):
            started.set() if code == "ru" else await started.wait()
            await asyncio.sleep(0)
            return texts.HELP

    russian, hindi = await asyncio.gather(one("ru"), one("hi"))
    with speaking("ru"):
        assert russian == texts.HELP
    with speaking("hi"):
        assert hindi == texts.HELP
    assert russian != hindi


@pytest.mark.parametrize(("code", "shown"), [
    ("en", "₹123,456.50"), ("hi", "₹1,23,456.50"), ("ru", "123\xa0456,50\xa0₹"),
])
def test_money_is_written_the_way_the_language_writes_it(code: str, shown: str) -> None:
    with speaking(code):
        assert money(Money(12345650, "INR")) == shown


def test_money_keeps_the_currencys_own_decimals() -> None:
    assert money(Money(1500, "JPY")) == "¥1,500"
    assert money(Money(1234, "USD")) == "$12.34"


def test_days_and_months_are_named_in_the_language() -> None:
    moment = datetime(2026, 11, 30, 13, 0, tzinfo=UTC)  # a Monday; 18:30 in Kolkata
    shown = {}
    for code in LANGUAGES:
        with speaking(code):
            shown[code] = texts._day_time(moment, "Asia/Kolkata")
    assert shown["en"] == "Mon 30 Nov 18:30 IST"
    assert shown["ru"].startswith("пн") and "нояб" in shown["ru"]
    assert shown["hi"].startswith("सोम")


def test_russian_counts_with_its_three_plural_forms() -> None:
    with speaking("ru"):
        forms = {n: texts._count(n) for n in (1, 2, 5, 21, 22, 25)}
    assert forms[1].split()[1] == forms[21].split()[1]
    assert forms[2].split()[1] == forms[22].split()[1]
    assert forms[5].split()[1] == forms[25].split()[1]
    assert len({forms[1].split()[1], forms[2].split()[1], forms[5].split()[1]}) == 3


def test_english_counts_one_and_many() -> None:
    assert (texts._count(1), texts._count(2)) == ("1 item", "2 items")


def test_every_language_words_the_fixed_texts_and_the_notifications() -> None:
    note = OutForDelivery(7)
    worded = {}
    for code in LANGUAGES:
        with speaking(code):
            worded[code] = (texts.HELP, texts.status(OrderStatus.PREPARING),
                            texts.out_for_delivery(note))
    assert len({words for words in worded.values()}) == len(LANGUAGES)
    assert all("#7" in words[2] for words in worded.values())


def test_a_reply_keyboard_button_is_known_in_every_language() -> None:
    buttons = texts.in_every_language("CANCEL_CHECKOUT_BUTTON")
    assert buttons[0] == texts.CANCEL_CHECKOUT_BUTTON
    assert len(buttons) == len(LANGUAGES)
    assert in_every_language("no such message") == ["no such message"]


def test_an_unknown_text_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NO_SUCH_TEXT"):
        _ = texts.NO_SUCH_TEXT


@pytest.mark.parametrize("pattern", sorted(i18n._ENGLISH_DATES))
def test_english_days_written_without_locale_data_are_what_babel_writes(pattern: str) -> None:
    for moment in (datetime(2026, 11, 30, 13, 5, tzinfo=UTC), datetime(2027, 1, 4, 23, 59,
                                                                        tzinfo=UTC)):
        assert date(moment, "Asia/Kolkata", pattern) == format_datetime(
            moment, pattern, tzinfo=ZoneInfo("Asia/Kolkata"), locale="en")


@pytest.mark.parametrize("currency", ["INR", "USD", "EUR", "GBP", "JPY"])
def test_english_money_written_without_locale_data_is_what_babel_writes(currency: str) -> None:
    for amount in (0, 5, 12345650, -250):
        shown = Money(amount, currency)
        value = Decimal(amount).scaleb(-minor_exponent(currency))
        assert money(shown) == format_currency(value, currency, locale="en")
