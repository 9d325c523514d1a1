"""The map job (domain.rider_map): shows, moves and stops the customers' live locations of
their riders, each step one Bot API call through the bot's rate limiter as a notification
(`NO_RETRY`, as the outbox sender's): it takes what the replies leave of the overall budget,
a new map waits for room in the customer's chat, and a 429 or any passing failure leaves the
step for the next look instead of waiting in the job."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ExtBot

from bot.context import Services
from bot.i18n import speaking
from bot.ratelimit import NO_RETRY
from bot.tracking import refresh_tracking
from domain.rider_map import LIVE_PERIOD_S, MapStep, RiderSpot

logger = logging.getLogger(__name__)


async def move_maps(bot: ExtBot[Any], services: Services) -> datetime | None:
    """One look: every map that needs a step gets it; returns when to look next."""
    maps = services.rider_maps
    work, next_look = await maps.due()
    now = services.clock.now()
    for spot, step in work:
        try:
            await _step(bot, services, spot, step)
            if step is not MapStep.STOP and spot.track_due(now):
                with speaking(await services.languages.of_chat(spot.chat_id)):
                    await refresh_tracking(bot, services.orders, spot.order_id,
                                           rate_limit_args=NO_RETRY)
                await maps.tracked(spot)
        except (BadRequest, Forbidden) as error:  # never to be taken: stop trying
            logger.info("rider map of order %s stopped: %s", spot.order_id, error.message)
            await maps.stopped(spot)
        except TelegramError as error:  # a 429, the network: another look soon
            logger.info("rider map of order %s not moved now: %s", spot.order_id, error)
            await maps.failed(spot)
    return next_look


async def _step(bot: ExtBot[Any], services: Services, spot: RiderSpot, step: MapStep) -> None:
    maps = services.rider_maps
    if step is MapStep.STOP:
        assert spot.message_id is not None
        try:
            await bot.stop_message_live_location(spot.chat_id, spot.message_id,
                                                 rate_limit_args=NO_RETRY)
        except BadRequest as error:  # expired or stopped already: it is still
            logger.info("rider map of order %s: %s", spot.order_id, error.message)
        await maps.stopped(spot)
        return
    if step is MapStep.MOVE:
        assert spot.message_id is not None
        try:
            await bot.edit_message_live_location(
                chat_id=spot.chat_id, message_id=spot.message_id, latitude=spot.latitude,
                longitude=spot.longitude, rate_limit_args=NO_RETRY)
            await maps.shown(spot, spot.message_id)
            return
        except BadRequest as error:
            if "not modified" in error.message:
                await maps.shown(spot, spot.message_id)
                return
            if "can't be edited" not in error.message:
                raise
            # its live period ran out: a new one below
    sent = await bot.send_location(spot.chat_id, spot.latitude, spot.longitude,
                                   live_period=LIVE_PERIOD_S, rate_limit_args=NO_RETRY)
    await maps.shown(spot, sent.message_id)
