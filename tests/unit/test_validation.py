"""The one rule for control characters in stored text: refused where typed, line breaks and
tabs allowed; removed from Telegram profile names."""

import pytest

from domain.customers import Customer
from domain.errors import InvalidInput
from domain.ids import UserId
from domain.orders import DeliveryDetails
from domain.partners import Partner
from domain.restaurants import MAX_NAME
from domain.validation import check_length, profile_name

CONTROLS = [chr(c) for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)] if chr(c) not in "\t\n\r"]


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: f"U+{ord(c):04X}")
def test_every_control_character_but_line_breaks_and_tabs_is_refused(control: str) -> None:
    for value in (f"12 Main{control} Road", f"12 Main Road{control}", control):
        with pytest.raises(InvalidInput) as refused:
            check_length("address", value, 300)
        assert str(refused.value) == "address must not contain invisible control characters"


def test_line_breaks_tabs_and_visible_unicode_are_kept() -> None:
    text = "Flat 4\r\n12 Main Road\tBengaluru 🏠 ‍ (near the café)"
    assert check_length("address", f"  {text}  ", 300) == text


def test_a_delivery_and_a_menu_name_refuse_them_too() -> None:
    with pytest.raises(InvalidInput, match="address"):
        DeliveryDetails("12 Main\x00 Road")
    with pytest.raises(InvalidInput, match="note"):
        DeliveryDetails("12 Main Road", note="\x1b[31mred")
    with pytest.raises(InvalidInput, match="name"):
        check_length("name", "Soup\x00", MAX_NAME)


def test_profile_names_lose_their_control_characters_instead() -> None:
    assert profile_name("As\x00ha\x1b \u200dK\x85") == "Asha \u200dK"
    assert Customer(UserId(1), "Bi\x00lal").name == "Bilal"
    assert Partner(UserId(2), "Ra\x07vi").name == "Ravi"
