"""Promo codes' rules: what a code takes off, and why it does not apply."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import InvalidInput
from domain.promos import Promo, PromoProblem, normalize_code
from domain.services.admin.promos import describe, valid_through

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
TEN = Promo("SAVE10", 10, None, min_order=30000, valid_until=NOW + timedelta(days=1),
            total_uses=100, uses_per_customer=2)


def test_a_percentage_rounds_down_and_an_amount_never_exceeds_the_dishes() -> None:
    assert [TEN.discount_for(s) for s in (30000, 33333, 99)] == [3000, 3333, 9]
    fifty = Promo("FIFTY", None, 5000)
    assert [fifty.discount_for(s) for s in (30000, 4000)] == [5000, 4000]


@pytest.mark.parametrize(("promo", "subtotal", "uses", "problem"), [
    (TEN, 30000, 0, None),
    (TEN, 29999, 0, PromoProblem.BELOW_MINIMUM),
    (TEN, 30000, 2, PromoProblem.USED_BY_YOU),
    (replace(TEN, used=100), 30000, 0, PromoProblem.USED_UP),
    (replace(TEN, valid_until=NOW), 30000, 0, PromoProblem.EXPIRED),
    (replace(TEN, ended_at=NOW), 30000, 0, PromoProblem.ENDED),
    (replace(TEN, total_uses=None, valid_until=None), 30000, 1, None),
])
def test_a_code_applies_until_a_reason_says_otherwise(
    promo: Promo, subtotal: int, uses: int, problem: PromoProblem | None
) -> None:
    assert promo.problem(subtotal, uses, NOW) == problem


@pytest.mark.parametrize(("fields", "why"), [
    ({"percent": None}, "either a percentage or an amount"),
    ({"amount": 100}, "either a percentage or an amount"),
    ({"percent": 0}, "1 to 100"),
    ({"percent": None, "amount": 0}, "above zero"),
    ({"total_uses": 0}, "total uses"),
    ({"uses_per_customer": 0}, "uses per customer"),
    ({"code": "X"}, "3 to 20"),
])
def test_a_promo_out_of_range_is_refused(fields: dict[str, object], why: str) -> None:
    with pytest.raises(InvalidInput, match=why):
        replace(TEN, **fields)


def test_codes_are_read_case_blind_and_a_last_day_ends_at_the_next_midnight() -> None:
    assert normalize_code("  save10 ") == "SAVE10"
    with pytest.raises(InvalidInput):
        normalize_code("SAVE 10")
    assert valid_through(NOW.date()) == datetime(2026, 12, 1, tzinfo=UTC)
    ends = replace(TEN, valid_until=valid_through(NOW.date()))
    assert describe(ends, "INR") == ("10% off | from ₹300.00 | until 2026-11-30 | 100 uses | "
                                     "2 per customer")
