"""A customer's orders: the list, one order's history, cancel while allowed, reorder, rate."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import texts
from bot.context import AppType
from bot.settings import Settings
from domain.orders import OrderStatus
from sandbox import BotApiServer, SandboxUser
from tests.e2e.conftest import still_queue_settings
from tests.e2e.journey import (
    Uows,
    add_dishes,
    advance,
    cart_of,
    change_dish,
    open_menu,
    order_pizza,
    place_directly,
    press,
    refused,
    say,
    stored_order,
)

S = OrderStatus


@pytest.fixture
def settings(server: BotApiServer, tmp_path: Path) -> Settings:
    return still_queue_settings(server, tmp_path)  # the tests move the orders themselves


async def test_orders_lists_recent_orders_and_opens_one_with_its_history(
    bot: AppType, customer: SandboxUser, uows: Uows
) -> None:
    first = await place_directly(uows, customer.id, "Pizza")
    second = await place_directly(uows, customer.id, "Coke 500 ml", "Coke 500 ml")
    await advance(uows, first.id, S.CONFIRMED, S.PREPARING)

    listing = await say(customer, "/orders", "recent orders")
    assert listing.text.index(f"#{second.id}") < listing.text.index(f"#{first.id}")
    assert f"#{first.id} · Dominos · ₹250.00 · Preparing" in listing.text
    assert f"#{second.id} · Dominos · ₹120.00 · Placed" in listing.text

    detail = await press(customer, f"#{first.id} · Dominos · Preparing", "Being prepared")
    assert [line.split(" · ")[-1] for line in detail.text.splitlines() if " IST · " in line] == [
        "Placed", "Confirmed", "Preparing"]  # Dominos' local time (TIME_ZONE's default)
    assert texts.CANCEL_ORDER_BUTTON not in detail.buttons
    assert detail.buttons[-2:] == [texts.BACK_TO_ORDERS, texts.HOME_BUTTON]


async def test_an_order_is_cancelled_after_a_confirmation_while_still_allowed(
    bot: AppType, customer: SandboxUser, uows: Uows
) -> None:
    order = await place_directly(uows, customer.id, "Pizza")
    await advance(uows, order.id, S.CONFIRMED)
    await say(customer, "/orders", "recent orders")
    await press(customer, f"#{order.id} · Dominos · Confirmed", "Confirmed by the restaurant")

    question = await press(customer, texts.CANCEL_ORDER_BUTTON, "Cancel order")
    assert question.buttons == [texts.CANCEL_YES_BUTTON, texts.CANCEL_NO_BUTTON]
    kept = await press(customer, texts.CANCEL_NO_BUTTON, "Confirmed by the restaurant")
    assert (await stored_order(uows, order.id)).status == S.CONFIRMED

    await press(customer, texts.CANCEL_ORDER_BUTTON, "Cancel order", message_id=kept.message_id)
    cancelled = await press(customer, texts.CANCEL_YES_BUTTON, "✖ Cancelled")

    assert texts.CANCEL_ORDER_BUTTON not in cancelled.buttons
    assert texts.REORDER_BUTTON in cancelled.buttons
    assert (await stored_order(uows, order.id)).status == S.CANCELLED


async def test_cancelling_from_the_tracking_message_updates_it_in_place(
    bot: AppType, customer: SandboxUser, uows: Uows
) -> None:
    tracking = await order_pizza(customer)
    sent = len(customer.bot_messages)

    await press(customer, texts.CANCEL_ORDER_BUTTON, "Cancel order", message_id=tracking.message_id)
    after = await press(customer, texts.CANCEL_YES_BUTTON, "✖ Cancelled")

    assert after.message_id == tracking.message_id and len(customer.bot_messages) == sent
    assert after.buttons == [texts.REORDER_BUTTON]  # no navigation on the tracking message


async def test_a_late_or_stale_cancel_is_refused_politely_and_changes_nothing(
    bot: AppType, customer: SandboxUser, uows: Uows
) -> None:
    order = await place_directly(uows, customer.id, "Pizza")
    await say(customer, "/orders", "recent orders")
    screen = await press(customer, f"#{order.id} · Dominos · Placed", "waiting for the restaurant")
    assert texts.CANCEL_ORDER_BUTTON in screen.buttons
    await advance(uows, order.id, S.CONFIRMED, S.PREPARING)  # the kitchen starts meanwhile

    for pressed in (texts.CANCEL_ORDER_BUTTON, None):
        answer = await refused(customer, pressed, message_id=screen.message_id,
                               data=None if pressed else f"cxy:{order.id}")
        assert answer.text is not None and "can no longer be cancelled" in answer.text

    assert (await stored_order(uows, order.id)).status == S.PREPARING
    fresh = await press(customer, texts.BACK_TO_ORDERS, "recent orders")
    opened = await press(customer, f"#{order.id} · Dominos · Preparing", "Being prepared",
                         message_id=fresh.message_id)
    assert texts.CANCEL_ORDER_BUTTON not in opened.buttons


async def test_another_customers_order_cannot_be_seen_or_touched(
    bot: AppType, customer: SandboxUser, customer_2: SandboxUser, uows: Uows
) -> None:
    theirs = await place_directly(uows, customer_2.id, "Pizza")
    await advance(uows, theirs.id, S.CONFIRMED, S.PREPARING, S.OUT_FOR_DELIVERY, S.DELIVERED,
                  partner=(2001, "Ravi"))
    mine = await say(customer, "/orders", "no orders")

    for data in (f"od:{theirs.id}", f"cx:{theirs.id}", f"cxy:{theirs.id}", f"ro:{theirs.id}",
                 f"rate:{theirs.id}:1", "od:999999"):
        answer = await refused(customer, data=data, message_id=mine.message_id)
        assert answer.text == "I can't find that order.", data

    assert (await stored_order(uows, theirs.id)).status == S.DELIVERED
    async with uows() as uow:
        assert await uow.ratings.get(theirs.id) is None
    assert await cart_of(uows, customer.id) == {}
    assert customer.message(mine.message_id) == mine


async def test_reorder_fills_the_cart_at_todays_prices_and_skips_what_is_gone(
    bot: AppType, customer: SandboxUser, uows: Uows
) -> None:
    order = await place_directly(uows, customer.id, "Pizza", "Pizza", "Cheesy Dip")
    await advance(uows, order.id, S.CANCELLED)
    await change_dish(uows, "Pizza", price=260_00)
    await change_dish(uows, "Cheesy Dip", available=False)
    await say(customer, "/orders", "recent orders")
    await press(customer, f"#{order.id} · Dominos · Cancelled", "Cancelled")

    cart = await press(customer, texts.REORDER_BUTTON, "Your cart")

    assert "2 × Pizza — ₹520.00" in cart.text and "Total: ₹520.00" in cart.text
    assert "left out: Cheesy Dip" in cart.text
    assert await cart_of(uows, customer.id) == {"Pizza": 2}


async def test_reorder_asks_before_replacing_another_restaurants_cart(
    bot: AppType, customer: SandboxUser, uows: Uows
) -> None:
    order = await place_directly(uows, customer.id, "Pizza")
    await advance(uows, order.id, S.CANCELLED)
    await open_menu(customer, "Udupi Tiffins")
    await add_dishes(customer, "➕ Masala Dosa · ₹90.00")
    await say(customer, "/orders", "recent orders")
    await press(customer, f"#{order.id} · Dominos · Cancelled", "Cancelled")

    question = await press(customer, texts.REORDER_BUTTON, "Start a new cart")
    assert "dishes from Udupi Tiffins" in question.text
    await press(customer, texts.NEW_CART_BUTTON, "Your cart")

    assert await cart_of(uows, customer.id) == {"Pizza": 1}


async def test_a_delivered_order_takes_one_rating_of_one_to_five_stars(
    bot: AppType, customer: SandboxUser, uows: Uows
) -> None:
    order = await place_directly(uows, customer.id, "Pizza")
    await advance(uows, order.id, S.CONFIRMED)
    listing = await say(customer, "/orders", "recent orders")
    early = await press(customer, f"#{order.id} · Dominos · Confirmed", "Confirmed")
    assert not [b for b in early.buttons if "⭐" in b]
    answer = await refused(customer, data=f"rate:{order.id}:5", message_id=early.message_id)
    assert answer.text == "Sorry, that is not possible for this order any more."

    await advance(uows, order.id, S.PREPARING, S.OUT_FOR_DELIVERY, S.DELIVERED,
                  partner=(2001, "Ravi"))
    await press(customer, texts.BACK_TO_ORDERS, "recent orders", message_id=listing.message_id)
    delivered = await press(customer, f"#{order.id} · Dominos · Delivered", "Rate your order")
    assert [b for b in delivered.buttons if "⭐" in b] == ["1⭐", "2⭐", "3⭐", "4⭐", "5⭐"]

    rated = await press(customer, "4⭐", "Your rating: ★★★★☆")
    assert not [b for b in rated.buttons if "⭐" in b]
    answer = await refused(customer, data=f"rate:{order.id}:1", message_id=rated.message_id)
    assert answer.text is not None and "rated this order already" in answer.text
    async with uows() as uow:
        assert await uow.ratings.get(order.id) == 4


async def test_my_orders_page_through_any_number_of_orders_with_previous_and_next(
    bot: object, customer: SandboxUser, uows: Uows
) -> None:
    placed = [(await place_directly(uows, customer.id, "Pizza")).id for _ in range(12)]

    first = await say(customer, "/orders", "Your recent orders")
    shown = [f"#{i} " for i in reversed(placed)]
    assert all(f"{o}·" in first.content for o in shown[:10])
    assert f"{shown[10]}·" not in first.content
    assert first.has_button(texts.NEXT_BUTTON) and not first.has_button(texts.PREVIOUS_BUTTON)

    second = await press(customer, texts.NEXT_BUTTON, f"{shown[11]}·",
                         message_id=first.message_id)
    assert f"{shown[10]}·" in second.content and f"{shown[9]}·" not in second.content
    assert second.has_button(texts.PREVIOUS_BUTTON) and not second.has_button(texts.NEXT_BUTTON)

    back = await press(customer, texts.PREVIOUS_BUTTON, f"{shown[0]}·",
                       message_id=first.message_id)
    assert (back.text, back.buttons) == (first.text, first.buttons)
