"""A rider's live location and the inbound limit: the phone's moves are counted apart from what
the rider presses, so a ride's worth of moves never turns away their ✅ Delivered, and the
moves the limit drops are dropped without a word (the rider did nothing to be told off for).

The limit here is 8 updates a minute (one back every 7.5 s): the customer's journey fits in
it, and the rider's four own updates (accept, picked up, sharing, delivered) beside twelve
moves would not, were they counted together. Telegram's flood limits are off.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import texts
from bot.settings import Settings
from sandbox import BotApiServer, SandboxUser
from tests.e2e.conftest import e2e_settings
from tests.e2e.fast_pipeline import no_flood_limits, ready_at_once  # noqa: F401  (fixtures)
from tests.e2e.journey import Uows, order_pizza, press
from tests.e2e.test_partners import offer_for, online_partner

LIMIT = 8
MOVES = 12
ROUTE = [(12.9756 - 0.002 * n, 77.6067 + 0.001 * n) for n in range(MOVES + 1)]


@pytest.fixture
def settings(server: BotApiServer, tmp_path: Path) -> Settings:
    return e2e_settings(server, tmp_path, queue_interval_s=0.05, outbox_interval_s=0.05,
                        rate_limit_per_chat_per_s=20.0, inbound_limit_per_user_per_min=LIMIT)


def slow_downs(user: SandboxUser) -> int:
    return sum(m.text == texts.SLOW_DOWN for m in user.bot_messages)


@pytest.mark.usefixtures("ready_at_once")
async def test_a_rides_moves_never_turn_away_the_riders_delivered(
    bot: object, customer: SandboxUser, partner: SandboxUser, uows: Uows,
) -> None:
    await online_partner(uows, partner)
    await order_pizza(customer)
    offer = await offer_for(partner)
    card = await press(partner, texts.ACCEPT_OFFER_BUTTON, "Pick up", message_id=offer.message_id)
    await press(partner, texts.PICKED_UP_BUTTON, "On the way", message_id=card.message_id)

    live = await partner.share_live_location(*ROUTE[0], live_period=3600)
    for spot in ROUTE[1:]:  # more moves than the whole limit: a phone on a ride
        await partner.move_live_location(live.message_id, *spot)
    await press(partner, texts.DELIVERED_BUTTON, "delivered. Thank you",
                message_id=card.message_id)

    assert slow_downs(partner) == 0 and slow_downs(customer) == 0
