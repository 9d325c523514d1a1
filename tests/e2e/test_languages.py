"""Every user in their own language (bot/i18n.py, bot/languages.py): a Hindi-speaking customer
orders from an English-speaking kitchen and rider, and each reads every message, their
notifications included, in their own language; /language changes it."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape
from typing import TypeVar

import pytest

from bot import texts
from bot.i18n import money, speaking
from domain.lines import Side
from domain.messages import Delivered, OutForDelivery
from domain.money import Money
from domain.orders import OrderStatus
from sandbox import BotApiServer, ChatMessage, SandboxUser
from tests.e2e.fast_pipeline import (  # noqa: F401  (fixtures)
    no_flood_limits,
    settings,
)
from tests.e2e.journey import HOME, TIMEOUT, Uows, press, say, stored_order
from tests.e2e.test_partners import offer_for, online_partner
from tests.e2e.test_restaurant_ticket import ticket_for

HINDI_CUSTOMER = 1701
T = TypeVar("T")


def words(code: str, make: Callable[[], T]) -> T:
    """What the bot says in language `code`."""
    with speaking(code):
        return make()


def plain(html: str) -> str:
    """A text as the chat shows it: without its tags."""
    return unescape(re.sub(r"<[^>]+>", "", html))


def hindi(make: Callable[[], str]) -> str:
    return plain(words("hi", make))


@pytest.fixture
def hindi_customer(server: BotApiServer) -> SandboxUser:
    return server.user(HINDI_CUSTOMER, first_name="Asha", language_code="hi")


async def shows(user: SandboxUser, text: str) -> ChatMessage:
    return await user.wait_for_new(lambda m: text in m.content, timeout=TIMEOUT)


async def test_a_hindi_customer_orders_from_an_english_kitchen_each_in_their_own_language(
    bot: object, hindi_customer: SandboxUser, partner: SandboxUser, manager: SandboxUser,
    uows: Uows,
) -> None:
    customer = hindi_customer
    await online_partner(uows, partner)  # the rider's app is English

    await say(customer, "/start", hindi(lambda: texts.greeting("Asha")).split("\n")[0])
    await say(customer, "/restaurants", hindi(lambda: texts.RESTAURANTS_BUTTON[2:]))
    await customer.press("Dominos")
    await customer.wait_for_new(lambda m: m.has_button(hindi(lambda: texts.BACK_TO_RESTAURANTS)),
                                timeout=TIMEOUT)
    pizza = words("hi", lambda: money(Money(25000, "INR")))
    await press(customer, f"➕ Pizza · {pizza}", hindi(lambda: texts._count(1)))
    await customer.press(hindi(lambda: texts.CART_BUTTON))
    await customer.wait_for_new(lambda m: m.has_button(hindi(lambda: texts.CHECKOUT_BUTTON)),
                                timeout=TIMEOUT)
    await press(customer, hindi(lambda: texts.CHECKOUT_BUTTON),
                hindi(lambda: texts.ADDRESS_PROMPT).split("\n")[0])
    await customer.send(HOME)
    await customer.wait_for_new(lambda m: m.has_button(hindi(lambda: texts.PLACE_BUTTON)),
                                timeout=TIMEOUT)
    tracking = await press(customer, hindi(lambda: texts.PLACE_BUTTON),
                           hindi(lambda: texts.status(OrderStatus.CREATED)))
    order_id = int(tracking.content.split("#")[1].split()[0])

    ticket = await ticket_for(manager)  # the kitchen reads its ticket in English
    assert f"New order #{order_id}" in ticket.content
    await press(manager, texts.TICKET_ACCEPT_BUTTON, "being prepared",
                message_id=ticket.message_id)
    await customer.wait_for(lambda m: m.message_id == tracking.message_id and hindi(
        lambda: texts.status(OrderStatus.PREPARING)) in m.content, timeout=TIMEOUT)

    offer = await offer_for(partner)  # and so does the rider, an offer and a job card
    assert f"New delivery: order #{order_id}" in offer.content
    card = await press(partner, texts.ACCEPT_OFFER_BUTTON, "Pick up", message_id=offer.message_id)
    talk = hindi(lambda: texts.LINE_TO_RIDER_BUTTON)  # the private line: each reads its head
    await customer.wait_for(lambda m: m.message_id == tracking.message_id and m.has_button(talk),
                            timeout=TIMEOUT)
    await customer.press(talk, message_id=tracking.message_id)
    asked = await shows(customer, hindi(lambda: texts.line_prompt(Side.CUSTOMER, order_id)))
    await customer.send("कृपया घंटी दो बार बजाएं", reply_to=asked.message_id)
    to_rider = await partner.wait_for_text("कृपया घंटी", timeout=TIMEOUT)
    assert f"💬 From the customer, order #{order_id}" in to_rider.content
    await partner.send("On my way", reply_to=to_rider.message_id)
    await customer.wait_for_text(hindi(lambda: texts.line_message(
        Side.RIDER, order_id, "Ravi", "On my way")), timeout=TIMEOUT)
    await press(manager, texts.TICKET_READY_BUTTON, "ready for pickup",
                message_id=ticket.message_id)
    await press(partner, texts.PICKED_UP_BUTTON, "On the way", message_id=card.message_id)
    await customer.wait_for_text(hindi(lambda: texts.out_for_delivery(
        OutForDelivery(order_id))), timeout=TIMEOUT)
    await press(partner, texts.DELIVERED_BUTTON, "delivered. Thank you",
                message_id=card.message_id)
    enjoy, done = (hindi(lambda: texts.delivered(Delivered(order_id))),
                   hindi(lambda: texts.status(OrderStatus.DELIVERED)))
    await customer.wait_for(lambda m: m.message_id != tracking.message_id  # sent anew
                            and enjoy in m.content and done in m.content, timeout=TIMEOUT)

    said = " ".join(m.content for m in customer.bot_messages)
    for english in ("Order #", "Delivered", "on its way", "Enjoy your meal", "Your cart"):
        assert english not in said
    assert (await stored_order(uows, order_id)).status == OrderStatus.DELIVERED


async def test_language_switches_the_chat_with_buttons_and_is_kept(
    bot: object, customer: SandboxUser
) -> None:
    question = await say(customer, "/language", plain(texts.language_question("en")))
    assert question.has_button("✓ English") and question.has_button("हिन्दी")

    await press(customer, "Русский", plain(words("ru", lambda: texts.language_chosen("ru"))),
                message_id=question.message_id)
    await say(customer, "/help", plain(words("ru", lambda: texts.HELP)).split("\n")[0])

    again = await say(customer, "/language", plain(words("ru", lambda: texts.language_question(
        "ru"))))
    assert again.has_button("✓ Русский")


async def test_language_with_a_code_chooses_at_once_and_an_unknown_one_is_refused_politely(
    bot: object, customer: SandboxUser
) -> None:
    await say(customer, "/language hi", plain(words("hi", lambda: texts.language_chosen("hi"))))

    refused = await say(customer, "/language klingon",
                        plain(words("hi", lambda: texts.NO_SUCH_LANGUAGE)))
    assert refused.has_button("✓ हिन्दी")
    await say(customer, "/help", plain(words("hi", lambda: texts.HELP)).split("\n")[0])
