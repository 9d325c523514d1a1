"""Promo codes through the real bot (issue 13): an admin adds one, a customer applies it at
the summary with 🏷 Promo code, sees the discount on the bill and the tracking message, and the
admin sees the use; an ended code, a code below its minimum and an unknown code each say why."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot import texts
from bot.settings import Settings
from sandbox import BotApiServer, SandboxUser
from tests.e2e.conftest import still_queue_settings
from tests.e2e.journey import (
    TIMEOUT,
    Uows,
    add_dishes,
    checkout_to_summary,
    open_menu,
    press,
    say,
)

PIZZA = "➕ Pizza · ₹250.00"


@pytest.fixture
def settings(server: BotApiServer, tmp_path: Path) -> Settings:
    return still_queue_settings(server, tmp_path)


async def with_code(customer: SandboxUser, code: str, expect: str) -> str:
    await press(customer, texts.PROMO_BUTTON, "Type your promo code")
    return (await say(customer, code, expect)).content


async def test_a_code_takes_its_discount_off_the_bill_and_the_admin_sees_it_used(
    bot: object, admin: SandboxUser, customer: SandboxUser, uows: Uows
) -> None:
    added = await say(admin, "/addpromo SAVE10 | 10% | 300 | 2099-12-31 | 100", "promo code")
    assert "SAVE10 · 10% off | from ₹300.00 | until 2099-12-31 | 100 uses" in added.content
    await open_menu(customer)
    await add_dishes(customer, PIZZA)
    await checkout_to_summary(customer)

    below = await with_code(customer, "save10", "Check your order")
    assert "Promo code SAVE10 does not apply: it is for orders of ₹300.00 or more." in below
    await open_menu(customer)
    await add_dishes(customer, PIZZA)
    summary = await checkout_to_summary(customer)
    assert "Items: ₹500.00\nDelivery: free\nDiscount (SAVE10): −₹50.00\nTotal: ₹450.00" in (
        summary.content)
    assert summary.has_button(texts.REMOVE_PROMO_BUTTON)
    tracking = await press(customer, texts.PLACE_BUTTON, "Order #",
                           message_id=summary.message_id)

    assert "Discount (SAVE10): −₹50.00\nTotal: ₹450.00 · pay on delivery" in tracking.content
    listed = await say(admin, "/promos", "Latest 1 promo codes")
    assert "used 1/100 · active" in listed.content
    await say(admin, "/endpromo SAVE10", "Ended promo code SAVE10")
    listed = await say(admin, "/promos", "Latest 1 promo codes")
    assert "used 1/100 · ended" in listed.content


async def test_an_unknown_code_and_a_removed_one_leave_the_bill_whole(
    bot: object, customer: SandboxUser, admin: SandboxUser
) -> None:
    await say(admin, "/addpromo FIFTY | 50", "promo code")
    await open_menu(customer)
    await add_dishes(customer, PIZZA)
    await checkout_to_summary(customer)

    unknown = await with_code(customer, "NOPE42", "Check your order")
    applied = await with_code(customer, "fifty", "Discount (FIFTY)")
    removed = await press(customer, texts.REMOVE_PROMO_BUTTON, "Check your order")

    assert "Promo code NOPE42 does not apply: there is no such code." in unknown
    assert "Total: ₹250.00" in unknown and "Total: ₹200.00" in applied
    assert "Total: ₹250.00" in removed.content and "Discount" not in removed.content
    assert removed.has_button(texts.PROMO_BUTTON)


async def test_two_customers_racing_for_the_last_use_get_one_discount_and_one_refusal(
    bot: object, admin: SandboxUser, customer: SandboxUser, customer_2: SandboxUser,
    uows: Uows,
) -> None:
    await say(admin, "/addpromo LAST1 | 50 | | | 1", "promo code")
    summaries = []
    for user in (customer, customer_2):
        await open_menu(user)
        await add_dishes(user, PIZZA)
        await checkout_to_summary(user)
        await press(user, texts.PROMO_BUTTON, "Type your promo code")
        summaries.append(await say(user, "LAST1", "Discount (LAST1)"))

    await asyncio.gather(*(user.press(texts.PLACE_BUTTON, message_id=shown.message_id)
                           for user, shown in zip((customer, customer_2), summaries,
                                                  strict=True)))
    screens = [await user.wait_for(
        lambda m, shown=shown: m.message_id == shown.message_id
        and ("Order #" in m.content or "Something changed" in m.content), timeout=TIMEOUT)
        for user, shown in zip((customer, customer_2), summaries, strict=True)]

    placed = [s for s in screens if "Order #" in s.content]
    refused = [s for s in screens if "Something changed" in s.content]
    assert len(placed) == len(refused) == 1
    assert "Discount (LAST1): −₹50.00" in placed[0].content
    assert "Promo code LAST1 does not apply: it has been used up." in refused[0].content
    assert "Total: ₹250.00" in refused[0].content
    listed = await say(admin, "/promos", "Latest 1 promo codes")
    assert "used 1/1" in listed.content
