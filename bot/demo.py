"""`foodbot demo`: the real bot against the local Bot API server, no token, no network.

Starts the sandbox server on loopback and the real Application on a temporary seeded
SQLite database, plays a customer from /start through browsing, the cart and checkout to a
placed order and /orders (a delivery partner and an admin only say hello so far), and
prints the chat transcript as it happens. Exits 0 when the story ran to its end.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path

from bot import texts
from bot.sandbox import BotApiServer, ButtonNotFound, SandboxUser
from bot.settings import Settings, load_settings
from bot.wiring import polling, seed_database

logger = logging.getLogger(__name__)

DEMO_TOKEN = "123456:DEMO-local-sandbox-token"
CUSTOMER, PARTNER, ADMIN = 1001, 2001, 9001
NAMES = {CUSTOMER: "Customer Asha", PARTNER: "Partner Ravi", ADMIN: "Admin Meera"}
STEP_TIMEOUT_S = 10.0


class DemoFailed(Exception):
    """The story stopped short; the message says where."""


def demo_settings(server: BotApiServer, folder: Path) -> Settings:
    return load_settings(
        telegram_bot_token=DEMO_TOKEN,
        telegram_base_url=server.base_url,
        telegram_base_file_url=server.base_file_url,
        database_url=f"sqlite+aiosqlite:///{folder / 'demo.db'}",
        admin_ids=frozenset({ADMIN}),
        webhook_url=None,
    )


async def say(user: SandboxUser, text: str, expect: str) -> None:
    """`user` sends `text`; waits for the bot to show `expect`, or fails the demo saying so."""
    await user.send(text)
    await _shown(user, expect)


async def tap(user: SandboxUser, button: str, expect: str) -> None:
    """`user` presses [button]; waits for the bot to show `expect`."""
    try:
        await user.press(button)
    except ButtonNotFound as exc:
        raise DemoFailed(f"{user.name} found no button [{button}]") from exc
    await _shown(user, expect)


async def _shown(user: SandboxUser, expect: str) -> None:
    try:
        await user.wait_for_new(lambda m: expect in m.content, timeout=STEP_TIMEOUT_S)
    except TimeoutError as exc:
        raise DemoFailed(f"{user.name} never saw {expect!r}") from exc


async def story(server: BotApiServer) -> None:
    """What the demo plays; it grows with the product."""
    asha = server.user(CUSTOMER, first_name="Asha")
    ravi = server.user(PARTNER, first_name="Ravi")
    meera = server.user(ADMIN, first_name="Meera")
    for user in (ravi, meera):
        await say(user, "/start", "Foodbot")
    # the customer: browse, fill the cart, check out, place, and find the order again
    await say(asha, "/start", "Foodbot")
    await tap(asha, texts.RESTAURANTS_BUTTON, "Restaurants")
    await tap(asha, "Dominos", "Pizzas")
    await tap(asha, "➕ Pizza · ₹250.00", "In your cart")
    await tap(asha, "➕ Coke 500 ml · ₹60.00", "In your cart: 2 items")
    await tap(asha, texts.CART_BUTTON, "Your cart")
    await tap(asha, "➕ Pizza", "2 × Pizza")
    await tap(asha, texts.CHECKOUT_BUTTON, "Where should we deliver")
    await say(asha, "12 Residency Road, Bengaluru", "Check your order")
    await say(asha, "Flat 4B, please ring twice", "Note: Flat 4B")
    await tap(asha, texts.PLACE_BUTTON, "Order #")
    await say(asha, "/orders", "Your recent orders")


async def play(write: Callable[[str], object] = print) -> int:
    """Runs the whole demo, printing the transcript live; 0 when it ran to the end."""
    with tempfile.TemporaryDirectory(prefix="foodbot-demo-") as tmp:
        async with BotApiServer(token=DEMO_TOKEN) as server:
            settings = demo_settings(server, Path(tmp))
            write(f"Local Bot API server on {server.url}; seeding a fresh database…")
            write(f"Sample data: {await seed_database(settings)}")
            stop_echo = server.echo_transcript(NAMES, write)
            try:
                async with polling(settings):
                    await story(server)
            except DemoFailed as exc:
                write(f"\nDemo stopped: {exc}")
                return 1
            finally:
                stop_echo()
    write("\nDemo finished: every step ran.")
    return 0
