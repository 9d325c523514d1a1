"""Checkout through the real bot: address or location, note, summary, placing exactly once."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest

from bot import texts
from bot.context import AppType
from bot.settings import Settings
from domain.checkout import Checkout
from domain.errors import NotAllowed, NotYourContact
from domain.ids import UserId
from domain.orders import MAX_ADDRESS, MAX_NOTE, OrderStatus
from sandbox import BotApiServer, SandboxUser
from tests.e2e.conftest import still_queue_settings
from tests.e2e.journey import (
    HOME,
    TIMEOUT,
    Uows,
    add_dishes,
    at_address_step,
    cart_of,
    change_dish,
    checkout_to_summary,
    open_menu,
    order_count,
    press,
    refused,
    restaurant,
    say,
    stored_order,
)


@pytest.fixture
def settings(server: BotApiServer, tmp_path: Path) -> Settings:
    return still_queue_settings(server, tmp_path)  # a placed order stays CREATED: no race


def order_id_in(text: str) -> int:
    return int(text.split("Order #")[1].split()[0])


async def checkout_of(uows: Uows, customer_id: int) -> Checkout:
    async with uows() as uow:
        draft = await uow.checkouts.get(UserId(customer_id))
    assert draft is not None
    return draft


async def test_a_customer_goes_from_start_to_a_placed_order_in_six_presses(
    bot: AppType, customer: SandboxUser, server: BotApiServer, uows: Uows
) -> None:
    await say(customer, "/start", "Foodbot")
    await press(customer, texts.RESTAURANTS_BUTTON, "Restaurants")
    await press(customer, "Dominos", "Pizzas")
    await press(customer, "➕ Pizza · ₹250.00", "In your cart")
    await press(customer, texts.CART_BUTTON, "Your cart")
    await press(customer, texts.CHECKOUT_BUTTON, "Where should we deliver")
    summary = await say(customer, HOME, "Check your order")
    tracking = await press(customer, texts.PLACE_BUTTON, "Order #")

    presses = [e for e in server.transcript if e.kind == "press" and e.user_id == customer.id]
    assert len(presses) == 6  # plus typing the address
    assert tracking.message_id == summary.message_id  # the summary became the tracking message
    assert "Placed" in tracking.text and "1 × Pizza — ₹250.00" in tracking.text
    assert HOME in tracking.text and tracking.buttons == [texts.CANCEL_ORDER_BUTTON]
    assert customer.reply_keyboard is None
    order = await stored_order(uows, order_id_in(tracking.text))
    assert (order.status, order.total.amount, order.delivery.address) == (
        OrderStatus.CREATED, 250_00, HOME)
    assert await cart_of(uows, customer.id) == {}


async def test_a_shared_location_and_a_note_go_into_the_order(
    bot: AppType, customer: SandboxUser, uows: Uows
) -> None:
    await at_address_step(uows, customer.id, "Pizza")

    await customer.share_location(12.9716, 77.5946)
    await customer.wait_for_new(lambda m: "Check your order" in m.text, timeout=TIMEOUT)
    summary = await say(customer, "Flat 4B, <ring twice>", "Note:")
    tracking = await press(customer, texts.PLACE_BUTTON, "Order #", message_id=summary.message_id)

    assert "12.97160, 77.59460" in summary.text and "Note: Flat 4B, <ring twice>" in summary.text
    order = await stored_order(uows, order_id_in(tracking.text))
    assert (order.delivery.latitude, order.delivery.longitude) == (12.9716, 77.5946)
    assert order.delivery.note == "Flat 4B, <ring twice>"


async def test_the_address_prompt_offers_to_share_the_location(
    bot: AppType, customer: SandboxUser
) -> None:
    await open_menu(customer)
    await add_dishes(customer, "➕ Pizza · ₹250.00")
    await press(customer, texts.CART_BUTTON, "Your cart")
    await press(customer, texts.CHECKOUT_BUTTON, "Where should we deliver")
    assert [b.text for row in customer.reply_keyboard or [] for b in row] == [
        texts.SHARE_LOCATION_BUTTON, texts.SHARE_PHONE_BUTTON, texts.CANCEL_CHECKOUT_BUTTON]

    await customer.tap_reply_button(texts.SHARE_LOCATION_BUTTON, location=(12.9716, 77.5946))
    summary = await customer.wait_for_new(lambda m: "Check your order" in m.text)

    assert "📍 Deliver to: 📍 12.97160, 77.59460" in summary.text
    assert customer.reply_keyboard is None


async def test_a_shared_phone_number_goes_into_the_order_and_is_kept_for_next_time(
    bot: AppType, customer: SandboxUser, uows: Uows
) -> None:
    await open_menu(customer)
    await add_dishes(customer, "➕ Pizza · ₹250.00")
    await press(customer, texts.CART_BUTTON, "Your cart")
    await press(customer, texts.CHECKOUT_BUTTON, "Where should we deliver")

    await customer.tap_reply_button(texts.SHARE_PHONE_BUTTON, phone_number="+91 98450 12345")
    await customer.wait_for_new(lambda m: "rider can call you on +91 98450 12345" in m.text)
    summary = await say(customer, HOME, "Check your order")
    tracking = await press(customer, texts.PLACE_BUTTON, "Order #", message_id=summary.message_id)

    assert "📞 Phone: +91 98450 12345" in summary.text
    order = await stored_order(uows, order_id_in(tracking.text))
    assert order.delivery.phone == "+91 98450 12345"
    await open_menu(customer)
    await add_dishes(customer, "➕ Pizza · ₹250.00")
    again = await checkout_to_summary(customer)
    assert "📞 Phone: +91 98450 12345" in again.text


async def test_someone_elses_contact_card_is_refused_and_changes_nothing(
    bot: AppType, customer: SandboxUser, uows: Uows
) -> None:
    await at_address_step(uows, customer.id, "Pizza")

    await customer.share_contact("+91 90000 00000", user_id=4242)
    reply = await customer.wait_for_new()

    assert reply.text == texts.refusal(NotYourContact())
    assert (await checkout_of(uows, customer.id)).phone is None


async def test_a_malformed_phone_number_is_refused_and_changes_nothing(
    bot: AppType, customer: SandboxUser, uows: Uows
) -> None:
    await at_address_step(uows, customer.id, "Pizza")

    await customer.share_contact("12")
    reply = await customer.wait_for_new()

    assert "Phone must be 6 to 15 digits" in reply.text
    assert (await checkout_of(uows, customer.id)).phone is None


async def test_too_long_an_address_or_note_is_refused_with_the_limit(
    bot: AppType, customer: SandboxUser, uows: Uows
) -> None:
    await at_address_step(uows, customer.id, "Pizza")

    reply = await say(customer, "x" * (MAX_ADDRESS + 1), "longer than")
    assert reply.text == f"Address is longer than {MAX_ADDRESS} characters. Please try again."
    assert (await checkout_of(uows, customer.id)).address is None  # still asking for it

    await say(customer, HOME, "Check your order")
    reply = await say(customer, "n" * (MAX_NOTE + 1), "longer than")
    assert reply.text == f"Note is longer than {MAX_NOTE} characters. Please try again."
    draft = await checkout_of(uows, customer.id)
    assert (draft.address, draft.note) == (HOME, "")


async def test_pressing_place_order_twice_places_one_order(
    bot: AppType, customer: SandboxUser, uows: Uows
) -> None:
    await at_address_step(uows, customer.id, "Pizza")
    summary = await say(customer, HOME, "Check your order")

    first = await customer.press(texts.PLACE_BUTTON, message_id=summary.message_id)
    second = await customer.press_data(summary.message_id, first.data)  # a quick double tap
    answers = [await customer.wait_for_answer(p) for p in (first, second)]

    assert await order_count(uows) == 1
    assert answers[0].text is not None and "placed!" in answers[0].text
    assert answers[1].text is not None and "placed already" in answers[1].text
    assert not answers[1].show_alert


async def test_place_order_on_an_outdated_summary_is_refused(
    bot: AppType, customer: SandboxUser, uows: Uows
) -> None:
    await at_address_step(uows, customer.id, "Pizza")
    old = await say(customer, HOME, "Check your order")
    await say(customer, "Leave at the door", "Note:")  # a new summary replaces the old one

    answer = await refused(customer, texts.PLACE_BUTTON, message_id=old.message_id)

    assert answer.text is not None and "out of date" in answer.text
    assert await order_count(uows) == 0
    assert await cart_of(uows, customer.id) == {"Pizza": 1}


async def test_a_price_change_after_the_summary_is_shown_and_confirmed_again(
    bot: AppType, customer: SandboxUser, uows: Uows
) -> None:
    await at_address_step(uows, customer.id, "Pizza", "Coke 500 ml")
    summary = await say(customer, HOME, "Check your order")
    await change_dish(uows, "Pizza", price=275_00)
    await change_dish(uows, "Coke 500 ml", available=False)

    await customer.press(texts.PLACE_BUTTON, message_id=summary.message_id)
    again = await customer.wait_for_new(lambda m: "Something changed" in m.text)

    assert again.message_id == summary.message_id
    assert "Pizza: ₹250.00 → ₹275.00" in again.text and "taken out: Coke 500 ml" in again.text
    assert "Total: ₹275.00" in again.text
    assert await order_count(uows) == 0
    placed = await press(customer, texts.PLACE_BUTTON, "Order #", message_id=again.message_id)
    order = await stored_order(uows, order_id_in(placed.text))
    assert [(i.name, i.unit_price) for i in order.items] == [("Pizza", 275_00)]


async def test_checkout_can_be_cancelled_keeping_the_cart(
    bot: AppType, customer: SandboxUser, uows: Uows
) -> None:
    await open_menu(customer)
    await add_dishes(customer, "➕ Pizza · ₹250.00")
    await press(customer, texts.CART_BUTTON, "Your cart")
    await press(customer, texts.CHECKOUT_BUTTON, "Where should we deliver")

    await customer.tap_reply_button(texts.CANCEL_CHECKOUT_BUTTON)
    await customer.wait_for_new(lambda m: "Checkout cancelled" in m.text, timeout=TIMEOUT)

    assert customer.reply_keyboard is None
    assert await cart_of(uows, customer.id) == {"Pizza": 1}
    reply = await say(customer, "12 Residency Road", "didn't get that")  # no longer an address
    assert reply.has_button(texts.RESTAURANTS_BUTTON)


async def test_checkout_with_an_empty_cart_is_refused(
    bot: AppType, customer: SandboxUser
) -> None:
    await open_menu(customer)
    await add_dishes(customer, "➕ Pizza · ₹250.00")
    cart = await press(customer, texts.CART_BUTTON, "Your cart")
    await press(customer, "➖ Pizza", "cart is empty")

    answer = await refused(customer, data="co", message_id=cart.message_id)

    assert answer.text is not None and "cart is empty" in answer.text
    assert customer.reply_keyboard is None


async def test_two_customers_ordering_at_once_get_their_own_orders(
    bot: AppType, customer: SandboxUser, customer_2: SandboxUser, uows: Uows
) -> None:
    async def order(user: SandboxUser, restaurant: str, dish: str, address: str) -> int:
        await open_menu(user, restaurant)
        await add_dishes(user, dish)
        await checkout_to_summary(user, address)
        return order_id_in((await press(user, texts.PLACE_BUTTON, "Order #")).text)

    ids = await asyncio.gather(
        order(customer, "Dominos", "➕ Pizza · ₹250.00", "Asha's house"),
        order(customer_2, "Udupi Tiffins", "➕ Masala Dosa · ₹90.00", "Bilal's flat"),
    )

    asha, bilal = [await stored_order(uows, i) for i in ids]
    assert (asha.customer_id, [i.name for i in asha.items], asha.delivery.address) == (
        customer.id, ["Pizza"], "Asha's house")
    assert (bilal.customer_id, [i.name for i in bilal.items], bilal.delivery.address) == (
        customer_2.id, ["Masala Dosa"], "Bilal's flat")


async def test_checkout_is_refused_while_the_restaurant_is_closed(
    bot: AppType, customer: SandboxUser, uows: Uows
) -> None:
    await at_address_step(uows, customer.id, "Pizza")
    dominos = await restaurant(uows, "Dominos")
    async with uows() as uow:
        await uow.restaurants.save(replace(dominos, is_open=False))
        await uow.commit()
    cart = await say(customer, "/cart", "Your cart")

    answer = await refused(customer, texts.CHECKOUT_BUTTON, message_id=cart.message_id)

    assert answer.text == "Sorry, Dominos is closed right now."
    assert customer.reply_keyboard is None and await order_count(uows) == 0


async def test_pay_now_without_online_payment_is_refused_and_sends_no_invoice(
    bot: AppType, customer: SandboxUser, uows: Uows
) -> None:
    await open_menu(customer)
    await add_dishes(customer, "➕ Pizza · ₹250.00")
    summary = await checkout_to_summary(customer)
    draft = await checkout_of(uows, customer.id)
    assert texts.PAY_NOW_BUTTON not in summary.buttons  # no PAYMENT_PROVIDER_TOKEN here

    answer = await refused(customer, data=f"pay:{draft.token}", message_id=summary.message_id)

    assert answer.text == texts.refusal(NotAllowed("paying online is not offered"))
    assert not any(m.invoice is not None for m in customer.bot_messages)
    assert await checkout_of(uows, customer.id) == draft and await order_count(uows) == 0
