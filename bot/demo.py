"""`foodbot demo`: the real bot against the local Bot API server, no token, no network.

Starts the sandbox server on loopback and the real Application on a temporary seeded
SQLite database and plays a whole order: partner Ravi asks to join with /partner, admin
Meera is told and approves him with /approve, Ravi is told and goes online; customer Asha
browses, fills the cart (a large Farmhouse Pizza picked on its options card among the
dishes), checks out and places an order at Dominos (whose kitchen is made
instant in the demo's database, so the order is ready at once); Ravi accepts the offer,
picks the order up and delivers it, and Asha watches her tracking message reach Delivered.
Then Asha orders again and pays in chat with a tip (💳 Pay now, through the local server's test
payment provider unless PAYMENT_PROVIDER_TOKEN is set), and Ravi delivers it collecting nothing.
Last, Asha switches the bot to Hindi with /language and reads her orders in it.
Prints the chat transcript as it happens and exits 0 when the story ran to its end.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path

from pydantic import SecretStr

from bot import texts
from bot.i18n import speaking
from bot.settings import Settings, load_settings
from bot.wiring import polling, seed_database, set_prep_minutes
from domain.orders import OrderStatus
from sandbox import TEST_PROVIDER_TOKEN, BotApiServer, ButtonNotFound, ChatMessage, SandboxUser

logger = logging.getLogger(__name__)

DEMO_TOKEN = "123456:DEMO-local-sandbox-token"
CUSTOMER, PARTNER, ADMIN = 1001, 2001, 9001
NAMES = {CUSTOMER: "Customer Asha", PARTNER: "Partner Ravi", ADMIN: "Admin Meera"}
STEP_TIMEOUT_S = 10.0


class DemoFailed(Exception):
    """The story stopped short; the message says where."""


def demo_settings(server: BotApiServer, folder: Path) -> Settings:
    settings = load_settings(
        telegram_bot_token=DEMO_TOKEN,
        telegram_base_url=server.base_url,
        telegram_base_file_url=server.base_file_url,
        database_url=f"sqlite+aiosqlite:///{folder / 'demo.db'}",
        admin_ids=frozenset({ADMIN}),
        webhook_url=None,
        metrics_port=0,  # the demo serves no /metrics, whatever .env says for the live bot
        queue_interval_s=0.1,  # brisk ticks: the story waits on them
        outbox_interval_s=0.1,
    )
    if settings.payment_provider_token is None:  # the local server's test provider
        settings = settings.model_copy(
            update={"payment_provider_token": SecretStr(TEST_PROVIDER_TOKEN)})
    return settings


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


async def seen(user: SandboxUser, expect: str) -> ChatMessage:
    """Waits until the bot has shown `expect` to `user`, whoever caused it; that message."""
    try:
        return await user.wait_for(lambda m: expect in m.content, timeout=STEP_TIMEOUT_S)
    except TimeoutError as exc:
        raise DemoFailed(f"{user.name} never saw {expect!r}") from exc


async def story(server: BotApiServer, settings: Settings) -> None:
    """What the demo plays; it grows with the product."""
    asha = server.user(CUSTOMER, first_name="Asha")
    ravi = server.user(PARTNER, first_name="Ravi")
    meera = server.user(ADMIN, first_name="Meera")
    await say(meera, "/start", "Foodbot")
    # the partner: asks to join, is approved, goes online
    await say(ravi, "/partner", "with our admins")
    await seen(meera, "wants to deliver")
    await say(meera, f"/approve {PARTNER}", "Approved partner")
    await seen(ravi, "Welcome aboard")
    await say(ravi, "/online", "Online")
    # the customer: browse, fill the cart, check out, place, and find the order again
    await say(asha, "/start", "Foodbot")
    await tap(asha, texts.RESTAURANTS_BUTTON, "Restaurants")
    await tap(asha, "Dominos", "Pizzas")
    await tap(asha, "➕ Pizza · ₹250.00", "In your cart")
    await tap(asha, "➕ Coke 500 ml · ₹60.00", "In your cart: 2 items")
    await tap(asha, "➕ Farmhouse Pizza · from ₹399.00", "Size (choose 1): Regular")
    await tap(asha, "○ Large +₹200.00", "Price: ₹599.00")
    await tap(asha, "✅ Add · ₹599.00", "In your cart: 3 items")
    await tap(asha, texts.CART_BUTTON, "Your cart")
    await tap(asha, "➕ Pizza", "2 × Pizza")
    await tap(asha, texts.CHECKOUT_BUTTON, "Where should we deliver")
    await say(asha, "12 Residency Road, Bengaluru", "Check your order")
    await say(asha, "Flat 4B, please ring twice", "Note: Flat 4B")
    await tap(asha, texts.PLACE_CASH_BUTTON, "Order #")
    # the delivery: Ravi gets the offer, accepts, picks up, delivers
    await seen(ravi, "New delivery")
    await tap(ravi, texts.ACCEPT_OFFER_BUTTON, "Pick up")
    await seen(asha, "Delivery partner: Ravi")  # the tracking message names the partner
    await tap(ravi, texts.PICKED_UP_BUTTON, "On the way")
    await seen(asha, "on its way")
    await tap(ravi, texts.DELIVERED_BUTTON, "delivered. Thank you")
    await seen(asha, "has been delivered")
    await seen(asha, texts.status(OrderStatus.DELIVERED))
    await say(asha, "/orders", "Delivered")
    await paid_order(asha, ravi)
    await in_hindi(asha)


async def paid_order(asha: SandboxUser, ravi: SandboxUser) -> None:
    """Asha orders again and pays in chat with a ₹20 tip; Ravi collects nothing."""
    await tap(asha, texts.REORDER_BUTTON, "Your cart")
    await tap(asha, texts.CHECKOUT_BUTTON, "Where should we deliver")
    await say(asha, "12 Residency Road, Bengaluru", "Check your order")
    await asha.press(texts.PAY_NOW_BUTTON)
    try:
        invoice = await asha.wait_for(lambda m: m.invoice is not None, timeout=STEP_TIMEOUT_S)
    except TimeoutError as exc:
        raise DemoFailed("Asha never got the invoice") from exc
    payment = await asha.pay(invoice, tip=2000)
    if not payment.ok:
        raise DemoFailed(f"the payment was refused: {payment.error_message}")
    placed = await seen(asha, "Payment received")
    order = placed.content.split("#", 1)[1].split()[0]
    await seen(ravi, "collect nothing")
    await tap(ravi, texts.ACCEPT_OFFER_BUTTON, "Pick up")
    await tap(ravi, texts.PICKED_UP_BUTTON, "On the way")
    await tap(ravi, texts.DELIVERED_BUTTON, "delivered. Thank you")
    delivered = await seen(asha, f"Order #{order} has been delivered")
    if "💳 paid online" not in delivered.content:
        raise DemoFailed(f"order #{order} was delivered, but not shown as paid online")


async def in_hindi(asha: SandboxUser) -> None:
    """Asha asks for Hindi with /language, and reads her orders in it."""
    await say(asha, "/language", "Which language")
    with speaking("hi"):
        done, delivered = texts.language_chosen("hi"), texts.short_status(OrderStatus.DELIVERED)
    await tap(asha, "हिन्दी", done.split(":")[0])
    await say(asha, "/orders", delivered)


async def play(write: Callable[[str], object] = print) -> int:
    """Runs the whole demo, printing the transcript live; 0 when it ran to the end."""
    with tempfile.TemporaryDirectory(prefix="foodbot-demo-") as tmp:
        async with BotApiServer(token=DEMO_TOKEN) as server:
            settings = demo_settings(server, Path(tmp))
            write(f"Local Bot API server on {server.url}; seeding a fresh database…")
            write(f"Sample data: {await seed_database(settings)}")
            await set_prep_minutes(settings, "Dominos", 0)  # an instant kitchen for the demo
            stop_echo = server.echo_transcript(NAMES, write)
            try:
                async with polling(settings):
                    await story(server, settings)
            except DemoFailed as exc:
                write(f"\nDemo stopped: {exc}")
                return 1
            finally:
                stop_echo()
    write("\nDemo finished: every step ran.")
    return 0
