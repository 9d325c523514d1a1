"""A dish that runs out, marked from the kitchen's ticket (issue 14): 🚫 under each dish of a
new order's ticket marks it sold out; the same button pressed anywhere else changes nothing."""

from __future__ import annotations

from bot import texts
from domain.errors import NotAllowed
from sandbox import ChatMessage, SandboxUser
from tests.e2e.fast_pipeline import no_flood_limits, settings  # noqa: F401  (fixtures)
from tests.e2e.journey import TIMEOUT, Uows, item, order_pizza, refused, say

SOLD_OUT = "🚫 Pizza: sold out"


def data_of(message: ChatMessage, label: str) -> str:
    found = [b.callback_data for row in message.inline_keyboard for b in row if b.text == label]
    assert found and found[0] is not None
    return found[0]


async def test_the_kitchen_marks_a_dish_sold_out_from_its_ticket(
    bot: object, customer: SandboxUser, customer_2: SandboxUser, manager: SandboxUser,
    uows: Uows,
) -> None:
    await order_pizza(customer)
    ticket = await manager.wait_for(lambda m: m.has_button(SOLD_OUT), timeout=TIMEOUT)
    own = await say(customer_2, "/start", "Foodbot")

    forged = await refused(customer_2, data=data_of(ticket, SOLD_OUT), message_id=own.message_id)
    untouched = (await item(uows, "Pizza")).stock
    answer = await refused(manager, SOLD_OUT, message_id=ticket.message_id)  # an alert

    assert forged.text == texts.refusal(NotAllowed("not the kitchen")) and untouched is None
    assert answer.text is not None and answer.text.startswith("Pizza is sold out")
    assert (await item(uows, "Pizza")).stock == 0
    assert ticket.has_button(texts.TICKET_ACCEPT_BUTTON)  # the ticket stays as it was
