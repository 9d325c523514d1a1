"""A partner's live location, while their order is on its way, for the customer's map
(domain.rider_map): the first message of it and each move Telegram sends as an edit."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import MessageHandler, filters

from bot import texts
from bot.context import AppContext, AppType
from bot.handlers.checkout import take_location
from bot.handlers.common import user_id
from domain.services.rider_maps import Moved


class _Live(filters.MessageFilter):
    """A live location (Telegram's "share my live location"), not a single pin."""

    def filter(self, message: Message) -> bool:
        # read from the JSON: PTB 22.2 warns on `live_period` until it becomes a timedelta
        return message.location is not None and "live_period" in message.location.to_dict()


LIVE_LOCATION = _Live(name="live location")


async def rider_moved(update: Update, context: AppContext) -> None:
    """Keeps the spot of a partner on the way and wakes the map job. Anyone else's live
    location is not kept: a partner is told when the customer would see it, a customer at
    checkout gets it taken as the delivery address, like a pin; a move is never answered."""
    message = update.effective_message
    assert message is not None and message.location is not None
    spot = message.location
    moved = await context.services.rider_maps.rider_moved(
        user_id(update), spot.latitude, spot.longitude)
    if moved is Moved.RELAYED:
        context.services.wakeup.rider_map.set()
    elif update.edited_message is not None:
        return
    elif moved is Moved.NOT_ON_THE_WAY:
        await message.reply_text(texts.NOT_ON_THE_WAY)
    else:
        await take_location(update, context)


def register(app: AppType) -> None:
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & LIVE_LOCATION, rider_moved))
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE & filters.LOCATION,
                                   rider_moved))
