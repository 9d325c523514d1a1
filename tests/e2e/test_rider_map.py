"""The rider on the map (issue 15): once the order is out for delivery, the partner's live
location is relayed to its customer as a live location of the bot's, moved as the partner
moves — paced, so Telegram's flood limits (on here, edits counted) answer it no 429 — and stopped
at delivery; the tracking message says how far the rider is from the spot the customer shared.
Nobody else sees it; a partner not on the way is told when it would be shown."""

from __future__ import annotations

import logging

import pytest

from bot import texts
from domain.estimates import distance_km, minutes_for
from sandbox import BotApiServer, ChatMessage, RateLimits, SandboxUser
from tests.e2e.fast_pipeline import ready_at_once, settings  # noqa: F401  (fixtures)
from tests.e2e.journey import TIMEOUT, Uows, add_dishes, open_menu, press, say
from tests.e2e.test_outbound_budget import too_fast
from tests.e2e.test_partners import offer_for, online_partner

MAP_TIMEOUT = 20.0  # the map moves at most every 5 s
HOME = (12.9352, 77.6245)  # Koramangala: where the customer shared they are
ROUTE = [(12.9756 - 0.002 * n, 77.6067 + 0.001 * n) for n in range(12)]


@pytest.fixture(autouse=True)
def flood_limits(server: BotApiServer) -> None:
    server.set_limits(RateLimits(count_edits=True))  # Telegram's, edits counted too


def maps_of(user: SandboxUser) -> list[ChatMessage]:
    return [m for m in user.bot_messages if m.location is not None]


def at(message: ChatMessage | None, spot: tuple[float, float]) -> bool:
    return (message is not None and message.location is not None
            and (round(message.location.latitude, 6), round(message.location.longitude, 6))
            == (round(spot[0], 6), round(spot[1], 6)))


@pytest.mark.usefixtures("ready_at_once")
async def test_the_customer_follows_the_rider_until_delivery_and_nobody_else_does(
    bot: object, customer: SandboxUser, customer_2: SandboxUser, partner: SandboxUser,
    uows: Uows, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="sandbox.server")  # it logs every 429 it answers
    await online_partner(uows, partner)
    await say(customer_2, "/start", "Foodbot")
    await open_menu(customer)
    await add_dishes(customer, "➕ Pizza · ₹250.00")
    await press(customer, texts.CART_BUTTON, "Your cart")
    await press(customer, texts.CHECKOUT_BUTTON, "Where should we deliver")
    await customer.share_location(*HOME)
    summary = await customer.wait_for_new(lambda m: "Check your order" in m.content)
    tracking = await press(customer, texts.PLACE_BUTTON, "Order #", message_id=summary.message_id)
    offer = await offer_for(partner)
    card = await press(partner, texts.ACCEPT_OFFER_BUTTON, "Pick up", message_id=offer.message_id)
    early = await partner.share_live_location(*ROUTE[0], live_period=3600)  # not yet on the way
    await partner.wait_for_text("your live location is shown to its customer", timeout=TIMEOUT)
    await partner.stop_live_location(early.message_id)
    await press(partner, texts.PICKED_UP_BUTTON, "On the way", message_id=card.message_id)

    live = await partner.share_live_location(*ROUTE[0], live_period=3600)
    shown = await customer.wait_for(lambda m: at(m, ROUTE[0]), timeout=MAP_TIMEOUT)
    assert customer.is_live(shown)
    for spot in ROUTE[1:]:  # a rider's phone sends a new spot every moment
        await partner.move_live_location(live.message_id, *spot)
    await customer.wait_for(
        lambda m: m.message_id == shown.message_id and at(m, ROUTE[-1]), timeout=MAP_TIMEOUT)

    assert [m.message_id for m in maps_of(customer)] == [shown.message_id]  # one map, moved
    # the tracking message: as far as the rider was when it was drawn, one of the route's
    # spots (which one depends on when the map job looked: the rider keeps moving)
    followed = await customer.wait_for(
        lambda m: m.message_id == tracking.message_id and "Your rider is" in m.content,
        timeout=MAP_TIMEOUT)
    said = {f"📍 Your rider is {km:.1f} km away: about {minutes_for(km)} min"
            for km in (distance_km(*spot, *HOME) for spot in ROUTE)}
    assert any(line in followed.content for line in said), followed.content
    assert maps_of(customer_2) == [] and maps_of(partner) == []
    await press(partner, texts.DELIVERED_BUTTON, "delivered. Thank you",
                message_id=card.message_id)
    await customer.wait_for(lambda m: m.message_id == shown.message_id
                            and not customer.is_live(m), timeout=MAP_TIMEOUT)
    # the moving map's edits never met the flood limits. Edits are not paced per chat, by
    # design (bot/chat_pace.py: Telegram does not count them against a chat's messages), so
    # where the server counts them, as here, the map's first message can meet a 429 right
    # after the tracking message's "On the way" edit; the map job sends it again at its next
    # look, as it does after any 429, and the outbox retries the tracking edits it pushes back
    assert [refused for refused in too_fast(caplog) if "editmessagelivelocation" in refused] \
        == []
