"""Live locations through PTB's Bot: the bot's (sendLocation with live_period, then
editMessageLiveLocation and stopMessageLiveLocation) and a user's (edited_message updates)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from telegram import Bot, Message, Update
from telegram.error import BadRequest, RetryAfter

from sandbox import LIVE_FOREVER, BotApiServer, Location, RateLimits, SandboxError, SandboxUser
from tests.sandbox.conftest import FakeClock

ASHA = 1001
NOT_MODIFIED = "Message is not modified: specified new message content and reply markup are"


async def _asha(server: BotApiServer) -> SandboxUser:
    asha = server.user(ASHA, first_name="Asha")
    await asha.send("/track")
    return asha


def _location_json(message: Message | bool) -> dict[str, Any]:
    """The Location object the bot got, as sent (PTB warns when live_period is read)."""
    assert isinstance(message, Message) and message.location is not None
    return message.location.to_dict()


@asynccontextmanager
async def _clocked(token: str, clock: FakeClock,
                   limits: RateLimits | None = None) -> AsyncIterator[tuple[BotApiServer, Bot]]:
    async with (BotApiServer(token, limits=limits, clock=clock) as server,
                Bot(token, base_url=server.base_url) as bot):
        yield server, bot


async def _updates(bot: Bot, after: list[Update]) -> list[Update]:
    offset = after[-1].update_id + 1 if after else 0
    return list(await bot.get_updates(offset=offset, timeout=0))


async def test_bot_moves_its_live_location_twice_and_the_user_sees_the_latest(
        server: BotApiServer, bot: Bot) -> None:
    asha = await _asha(server)
    sent = await bot.send_location(ASHA, 12.97, 77.59, live_period=3600, heading=90,
                                   horizontal_accuracy=12.2, proximity_alert_radius=200)
    assert _location_json(sent) == {
        "latitude": 12.97, "longitude": 77.59, "horizontal_accuracy": 13.0,
        "live_period": 3600, "heading": 90, "proximity_alert_radius": 200}
    mark = asha.mark()
    await bot.edit_message_live_location(ASHA, sent.message_id, latitude=12.98, longitude=77.6)
    moved = await bot.edit_message_live_location(ASHA, sent.message_id, latitude=12.99,
                                                 longitude=77.61, heading=45)
    assert isinstance(moved, Message) and moved.edit_date is not None
    assert _location_json(moved) == {"latitude": 12.99, "longitude": 77.61, "live_period": 3600,
                                     "heading": 45, "proximity_alert_radius": 200}
    seen = await asha.wait_for(lambda m: m.version == 2, since=mark, timeout=2)
    assert seen.location == Location(12.99, 77.61, None, 3600, 45, 200)
    assert asha.is_live(seen) and not seen.live_stopped
    assert "#2 bot: '[live location 12.99, 77.61, heading 45, live 3600 s]' (edited v2)" \
        in asha.describe()


async def test_an_identical_edit_is_not_modified(server: BotApiServer, bot: Bot) -> None:
    asha = await _asha(server)
    sent = await bot.send_location(ASHA, 12.97, 77.59, live_period=600)
    with pytest.raises(BadRequest, match=NOT_MODIFIED):
        await bot.edit_message_live_location(ASHA, sent.message_id, latitude=12.97,
                                             longitude=77.59)
    message = asha.message(sent.message_id)
    assert message is not None and message.version == 0


async def test_a_stopped_live_location_cannot_be_edited_or_stopped_again(
        server: BotApiServer, bot: Bot) -> None:
    asha = await _asha(server)
    sent = await bot.send_location(ASHA, 12.97, 77.59, live_period=600)
    stopped = await bot.stop_message_live_location(ASHA, sent.message_id)
    assert _location_json(stopped) == {"latitude": 12.97, "longitude": 77.59}
    await asha.wait_until(lambda: not asha.is_live(sent.message_id), timeout=2)
    message = asha.message(sent.message_id)
    assert message is not None and message.live_stopped and message.edited
    assert "[live location 12.97, 77.59, live 600 s] (stopped)" in asha.describe()
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.edit_message_live_location(ASHA, sent.message_id, latitude=1.0, longitude=2.0)
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.stop_message_live_location(ASHA, sent.message_id)


async def test_static_locations_texts_and_missing_messages_are_refused(
        server: BotApiServer, bot: Bot) -> None:
    await _asha(server)
    static = await bot.send_location(ASHA, 12.97, 77.59)
    assert _location_json(static) == {"latitude": 12.97, "longitude": 77.59}
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.edit_message_live_location(ASHA, static.message_id, latitude=1.0, longitude=2.0)
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.stop_message_live_location(ASHA, static.message_id)
    text = await bot.send_message(ASHA, "Your order is on its way")
    with pytest.raises(BadRequest, match="There is no live location in the message to edit"):
        await bot.edit_message_live_location(ASHA, text.message_id, latitude=1.0, longitude=2.0)
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.edit_message_live_location(ASHA, 1, latitude=1.0, longitude=2.0)  # the user's
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_live_location(ASHA, 999, latitude=1.0, longitude=2.0)


@pytest.mark.parametrize(("fields", "error"), [
    ({"live_period": 59}, "Wrong live location period specified"),
    ({"live_period": 86401}, "Wrong live location period specified"),
    ({"live_period": -5}, "Wrong live location period specified"),
    ({"live_period": 600, "heading": 361}, "Wrong live location heading specified"),
    ({"live_period": 600, "proximity_alert_radius": 100001},
     "Wrong live location proximity alert radius specified"),
])
async def test_wrong_live_parameters_are_refused(
        server: BotApiServer, bot: Bot, fields: dict[str, int], error: str) -> None:
    asha = await _asha(server)
    with pytest.raises(BadRequest, match=error):
        await bot.send_location(ASHA, 12.97, 77.59, **fields)  # type: ignore[arg-type]
    assert asha.bot_messages == []


async def test_a_live_location_may_last_forever(server: BotApiServer, bot: Bot) -> None:
    asha = await _asha(server)
    sent = await bot.send_location(ASHA, 12.97, 77.59, live_period=LIVE_FOREVER)
    assert _location_json(sent)["live_period"] == LIVE_FOREVER
    assert "[live location 12.97, 77.59, live indefinitely]" in asha.describe()


async def test_a_live_location_expires_on_the_sandbox_clock_unless_extended(
        token: str, clock: FakeClock) -> None:
    async with _clocked(token, clock) as (server, bot):
        asha = await _asha(server)
        sent = await bot.send_location(ASHA, 12.97, 77.59, live_period=60)
        clock.advance(30)
        with pytest.raises(BadRequest, match="Wrong live location period specified"):
            await bot.edit_message_live_location(ASHA, sent.message_id, latitude=13.0,
                                                 longitude=77.6, live_period=60 + 86401)
        extended = await bot.edit_message_live_location(ASHA, sent.message_id, latitude=13.0,
                                                        longitude=77.6, live_period=200)
        assert _location_json(extended)["live_period"] == 200
        clock.advance(169)  # 199 s after sending
        await bot.edit_message_live_location(ASHA, sent.message_id, latitude=13.1,
                                             longitude=77.7)
        clock.advance(1)
        assert not asha.is_live(sent.message_id)
        assert "[live location 13.1, 77.7, live 200 s] (expired)" in asha.describe()
        with pytest.raises(BadRequest, match="Message can't be edited"):
            await bot.edit_message_live_location(ASHA, sent.message_id, latitude=13.2,
                                                 longitude=77.8)
        with pytest.raises(BadRequest, match="Message can't be edited"):
            await bot.stop_message_live_location(ASHA, sent.message_id)


async def test_a_users_live_location_arrives_moves_and_stops(
        server: BotApiServer, bot: Bot) -> None:
    asha = server.user(ASHA, first_name="Asha")
    shared = await asha.share_live_location(12.97, 77.59, live_period=900)
    first = await _updates(bot, [])
    assert first[0].message is not None
    assert _location_json(first[0].message) == {
        "latitude": 12.97, "longitude": 77.59, "live_period": 900}
    await asha.move_live_location(shared.message_id, 12.98, 77.6)
    await asha.move_live_location(shared.message_id, 12.99, 77.61, heading=30)
    moves = await _updates(bot, first)
    edited = [u.edited_message for u in moves]
    assert [_location_json(m) for m in edited if m is not None] == [
        {"latitude": 12.98, "longitude": 77.6, "live_period": 900},
        {"latitude": 12.99, "longitude": 77.61, "live_period": 900, "heading": 30}]
    assert all(m is not None and m.edit_date is not None for m in edited)
    await asha.stop_live_location(shared.message_id)
    last = await _updates(bot, moves)
    assert last[0].edited_message is not None
    assert _location_json(last[0].edited_message) == {"latitude": 12.99, "longitude": 77.61}
    with pytest.raises(SandboxError, match="was stopped"):
        await asha.move_live_location(shared.message_id, 13.0, 77.7)
    with pytest.raises(SandboxError, match="was stopped"):
        await asha.stop_live_location(shared.message_id)
    assert server.format_transcript().splitlines() == [
        "Asha shares live location (12.97, 77.59), live 900 s",
        "Asha moves live location #1 to (12.98, 77.6)",
        "Asha moves live location #1 to (12.99, 77.61, heading 30)",
        "Asha stops sharing live location #1"]


async def test_users_cannot_share_or_move_what_telegram_clients_cannot(
        server: BotApiServer, bot: Bot) -> None:
    asha = await _asha(server)
    with pytest.raises(SandboxError, match="60 to 86400"):
        await asha.share_live_location(12.97, 77.59, live_period=30)
    static = await asha.share_location(12.97, 77.59)
    with pytest.raises(SandboxError, match="no own live location"):
        await asha.move_live_location(static.message_id, 13.0, 77.6)
    sent = await bot.send_location(ASHA, 12.97, 77.59, live_period=600)
    with pytest.raises(SandboxError, match="no own live location"):
        await asha.stop_live_location(sent.message_id)  # the bot's, not hers


async def test_the_transcript_shows_the_bots_sends_moves_and_stops(
        server: BotApiServer, bot: Bot) -> None:
    await _asha(server)
    sent = await bot.send_location(ASHA, 12.97, 77.59, live_period=3600, heading=90)
    await bot.edit_message_live_location(ASHA, sent.message_id, latitude=12.98, longitude=77.6)
    await bot.stop_message_live_location(ASHA, sent.message_id)
    await bot.send_location(ASHA, 1.5, 2.5)
    assert server.format_transcript().splitlines() == [
        "Asha: /track",
        "Foodbot: [live location 12.97, 77.59, heading 90, live 3600 s]",
        "Foodbot (moves #2): [live location 12.98, 77.6]",
        "Foodbot (stops #2): [live location stopped]",
        "Foodbot: [location 1.5, 2.5]"]


async def test_live_location_user_actions_over_http(
        server: BotApiServer, http: httpx.AsyncClient) -> None:
    base = "/sandbox/users/1002"
    shared = await http.post(f"{base}/live_location",
                             json={"latitude": 1.5, "longitude": 2.5, "live_period": 120})
    message = shared.json()["result"]
    assert message["location"]["live_period"] == 120 and message["live_since"] is not None
    moved = await http.post(f"{base}/move_live_location",
                            json={"message_id": message["message_id"], "latitude": 1.6,
                                  "longitude": 2.6})
    assert moved.json()["result"]["location"]["latitude"] == 1.6
    stopped = await http.post(f"{base}/stop_live_location",
                              json={"message_id": message["message_id"]})
    assert stopped.json()["result"]["live_stopped"] is True
    again = await http.post(f"{base}/stop_live_location",
                            json={"message_id": message["message_id"]})
    assert again.status_code == 400 and "was stopped" in again.json()["error"]


async def test_editing_a_live_location_faster_than_the_chat_limit_gets_429(
        token: str, clock: FakeClock) -> None:
    limits = RateLimits(per_chat_per_s=1.0, per_chat_burst=2, count_edits=True)
    async with _clocked(token, clock, limits) as (server, bot):
        asha = await _asha(server)
        sent = await bot.send_location(ASHA, 12.97, 77.59, live_period=600)
        await bot.edit_message_live_location(ASHA, sent.message_id, latitude=12.98,
                                             longitude=77.6)
        with pytest.raises(RetryAfter) as caught:
            await bot.edit_message_live_location(ASHA, sent.message_id, latitude=12.99,
                                                 longitude=77.61)
        assert "Retry in 1 second" in caught.value.message
        message = asha.message(sent.message_id)
        assert message is not None and message.location is not None
        assert (message.location.latitude, message.version) == (12.98, 1)  # no side effect
        with pytest.raises(RetryAfter):
            await bot.stop_message_live_location(ASHA, sent.message_id)
        clock.advance(1.0)
        await bot.edit_message_live_location(ASHA, sent.message_id, latitude=12.99,
                                             longitude=77.61)
        clock.advance(1.0)
        stopped = await bot.stop_message_live_location(ASHA, sent.message_id)
        assert "live_period" not in _location_json(stopped)
