"""People's data (domain/people.py) through the chat: /mydata sends everything stored about
the user as a file; /forgetme erases it once confirmed, and is refused while an order goes on.
After it, nothing in any table names them, and their delivered order is still there for the
restaurant, anonymised."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from sqlalchemy import select

from bot import texts
from domain.orders import OrderStatus
from domain.people import StillActive
from sandbox import BotApiServer, SandboxUser
from storage.rows import Base
from tests.e2e.fast_pipeline import no_flood_limits, ready_at_once, settings  # noqa: F401
from tests.e2e.journey import HOME, TIMEOUT, Uows, order_pizza, press, refused, say, stored_order
from tests.e2e.test_partners import deliver, offer_for, online_partner, order_id_of

PHONE = "+91 99876 54321"


async def my_data(server: BotApiServer, user: SandboxUser) -> dict[str, Any]:
    await user.send("/mydata")
    document = await user.wait_for_new(lambda m: m.document_file_id is not None,
                                       timeout=TIMEOUT)
    assert document.document_name == f"foodbot-data-{user.id}.json"
    assert texts.MYDATA_CAPTION in document.content
    found = json.loads(server.file_bytes(document.document_file_id or ""))
    assert isinstance(found, dict)
    return found


async def everything_stored(uows: Uows) -> list[tuple[str, str]]:
    """Every value of every row of every table, as text, with its table's name; but the inbox,
    the updates as Telegram sent them, which it deletes within the hour of their handling."""
    found = []
    async with uows() as uow:
        for table in Base.metadata.sorted_tables:
            if table.name != "inbox":
                for row in (await uow.session.execute(select(table))).all():
                    found += [(table.name, str(value)) for value in row]
    return found


@pytest.mark.usefixtures("ready_at_once")
async def test_a_customer_takes_their_data_and_then_has_it_erased(
    bot: object, server: BotApiServer, customer: SandboxUser, partner: SandboxUser,
    uows: Uows,
) -> None:
    await online_partner(uows, partner)
    await customer.share_contact(PHONE)
    tracking = await order_pizza(customer)
    order_id = order_id_of(tracking)
    offer = await offer_for(partner)
    card = await press(partner, texts.ACCEPT_OFFER_BUTTON, "Pick up", message_id=offer.message_id)

    data = await my_data(server, customer)
    assert data["customer"][0]["name"] == "Asha"
    assert [o["id"] for o in data["orders"]] == [order_id]
    assert data["orders"][0]["address"] == HOME
    assert {i["name"] for i in data["order_items"]} == {"Pizza"}
    assert data["language"][0]["language"] == "en"

    question = await say(customer, "/forgetme", "Erase your data?")
    answer = await refused(customer, texts.FORGET_YES_BUTTON, message_id=question.message_id)
    assert answer.text == texts.refusal(StillActive([order_id]))
    assert (await stored_order(uows, order_id)).delivery.address == HOME  # nothing changed

    await deliver(partner, customer, card, tracking)
    await press(customer, texts.FORGET_YES_BUTTON, "your data is erased",
                message_id=question.message_id)

    stored = await everything_stored(uows)
    for personal in (rf"(?<!\d){customer.id}(?!\d)", "Asha", "asha", re.escape(HOME),
                     re.escape(PHONE)):
        assert not [(t, v) for t, v in stored if re.search(personal, v)], personal
    kept = await stored_order(uows, order_id)
    assert kept.status == OrderStatus.DELIVERED and kept.total.amount > 0  # the restaurant's
    assert (kept.delivery.address, kept.delivery.phone, kept.customer_id < 0) == ("—", None, True)
    await say(customer, "/orders", texts.NO_ORDERS)  # a stranger now: nothing is theirs


@pytest.mark.usefixtures("ready_at_once")
async def test_a_partner_is_forgotten_and_their_deliveries_stay_anonymised(
    bot: object, server: BotApiServer, customer: SandboxUser, partner: SandboxUser,
    uows: Uows,
) -> None:
    await online_partner(uows, partner)
    tracking = await order_pizza(customer)
    offer = await offer_for(partner)
    card = await press(partner, texts.ACCEPT_OFFER_BUTTON, "Pick up", message_id=offer.message_id)
    await deliver(partner, customer, card, tracking)

    data = await my_data(server, partner)
    assert data["partner"][0]["name"] == "Ravi"
    assert [d["id"] for d in data["deliveries"]] == [order_id_of(tracking)]

    question = await say(partner, "/forgetme", "Erase your data?")
    await press(partner, texts.FORGET_YES_BUTTON, "your data is erased",
                message_id=question.message_id)

    stored = await everything_stored(uows)
    assert not [(t, v) for t, v in stored if re.search(rf"(?<!\d){partner.id}(?!\d)|Ravi", v)]
    kept = await stored_order(uows, order_id_of(tracking))
    assert kept.status == OrderStatus.DELIVERED and (kept.partner_id or 0) < 0
    await say(partner, "/online", "approved delivery partners")  # no longer a partner
