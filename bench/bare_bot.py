"""The chat benchmark's reference: a bare python-telegram-bot 22 Application making, for each
step of the journeys in bench/chat.py, the same Bot API calls as foodbot (same methods, texts
and keyboards of about the same size, taken from the sandbox's record of foodbot's calls), with
no database and no logic beyond a dict of orders and a list of idle partners.

    TELEGRAM_BOT_TOKEN=... TELEGRAM_BASE_URL=http://127.0.0.1:8081/bot python bench/bare_bot.py

Long polling with PTB's defaults (one update at a time); `BARE_RATE_LIMITER=1` adds PTB's stock
AIORateLimiter (Telegram's ~30 messages/s and ~1/s per chat), as a bare bot facing Telegram's
flood limits would. `BARE_LIBRARIES=1` also imports, and leaves unused, the libraries foodbot
runs with beside PTB (`LIBRARIES`): the memory any bot on this stack starts from. Not a
product: nothing here is imported by the bot.
"""

from __future__ import annotations

import importlib
import itertools
import logging
import os
import sys
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot import texts  # the button labels the simulated users look for; nothing else

DISHES = [("Pizza", 25000), ("Farmhouse Pizza", 39900), ("Pepper Barbecue Chicken", 44900),
          ("Garlic Breadsticks", 12900), ("Cheesy Dip", 3500), ("Choco Lava Cake", 10900),
          ("Coke 500 ml", 6000)]
# what a running foodbot has loaded beside PTB and the standard library (its pyproject's
# dependencies; Redis is loaded only with REDIS_URL)
LIBRARIES = ("aiohttp", "sqlalchemy.ext.asyncio", "aiosqlite", "pydantic_settings",
             "prometheus_client", "babel.numbers", "babel.dates")
RESTAURANTS = ["Dominos", "Spice Route", "Udupi Tiffins", "Green Bowl · closed"]
LINE = "• {} — ₹{:.2f}\n   Cheese, tomato, onion, capsicum\n"


def rows(*labels: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(text, callback_data=data)]
                                 for text, data in labels])


def menu(in_cart: int) -> tuple[str, InlineKeyboardMarkup]:
    body = "".join(LINE.format(name, price / 100) for name, price in DISHES)
    tail = f"\n🛒 In your cart: {in_cart} · ₹250.00" if in_cart else "\nTap ➕ to add a dish."
    buttons = [[InlineKeyboardButton(f"➕ {name} · ₹{price / 100:.2f}", callback_data=f"add:{n}")]
               for n, (name, price) in enumerate(DISHES)]
    buttons.append([InlineKeyboardButton(texts.BACK_TO_RESTAURANTS, callback_data="rs"),
                    InlineKeyboardButton(texts.CART_BUTTON, callback_data="cart")])
    return f"🍽 Dominos\nMG Road, Bengaluru · ~0 min\n\nPizzas\n{body}{tail}", \
        InlineKeyboardMarkup(buttons)


@dataclass
class World:
    """Everything the bare bot remembers: carts, orders and who delivers them."""

    carts: dict[int, int] = field(default_factory=dict)
    tracking: dict[int, tuple[int, int]] = field(default_factory=dict)  # order: chat, message
    idle: deque[int] = field(default_factory=deque)  # partners waiting for an offer
    waiting: deque[int] = field(default_factory=deque)  # orders waiting for a partner
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))


def world(context: ContextTypes.DEFAULT_TYPE) -> World:
    found: World = context.bot_data.setdefault("world", World())
    return found


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None and update.effective_user is not None
    keyboard = InlineKeyboardMarkup([
        [InlineKeyboardButton("🍽 Restaurants", callback_data="rs"),
         InlineKeyboardButton(texts.CART_BUTTON, callback_data="cart")],
        [InlineKeyboardButton("📦 My orders", callback_data="orders"),
         InlineKeyboardButton("❓ Help", callback_data="help")]])
    await update.effective_message.reply_text(
        f"Hi {update.effective_user.first_name}! 👋 I'm Foodbot.\nPick a restaurant, fill your "
        "cart and I'll bring your order to your door.", reply_markup=keyboard)


async def restaurants(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    listing = "\n".join(f"{name} — 80 Feet Road, Koramangala, Bengaluru · ~30 min"
                        for name in RESTAURANTS)
    await update.effective_message.reply_text(
        f"🍽 Restaurants\n\n{listing}",
        reply_markup=rows(*((name, f"mn:{n}") for n, name in enumerate(RESTAURANTS)),
                          ("🏠 Main menu", "home")))


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every button of the journeys: answerCallbackQuery, then the edit (or message) foodbot
    makes for it."""
    query = update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    chat, w = query.message.chat.id, world(context)
    head, _, tail = query.data.partition(":")
    if head == "mn":
        await query.answer()
        shown, keyboard = menu(w.carts.get(chat, 0))
        await query.edit_message_text(shown, reply_markup=keyboard)
    elif head == "add":
        w.carts[chat] = w.carts.get(chat, 0) + 1
        await query.answer(f"Added. Your cart: {w.carts[chat]} item · ₹250.00")
        shown, keyboard = menu(w.carts[chat])
        await query.edit_message_text(shown, reply_markup=keyboard)
    elif head == "cart":
        await query.answer()
        await query.edit_message_text(
            f"🛒 Your cart · Dominos\n\n{w.carts.get(chat, 0)} × Pizza — ₹250.00\n\n"
            "Total: ₹250.00", reply_markup=InlineKeyboardMarkup([
                [InlineKeyboardButton(t, callback_data="x") for t in ("➖", "➕", "✖")],
                [InlineKeyboardButton("🗑 Clear cart", callback_data="x")],
                [InlineKeyboardButton(texts.CHECKOUT_BUTTON, callback_data="co")],
                [InlineKeyboardButton("⬅ Dominos menu", callback_data="mn:0"),
                 InlineKeyboardButton("🏠 Main menu", callback_data="home")]]))
    elif head == "co":
        await query.answer()
        await context.bot.send_message(chat, texts.ADDRESS_PROMPT, reply_markup=ReplyKeyboardMarkup(
            [[KeyboardButton(texts.SHARE_LOCATION_BUTTON, request_location=True)],
             [KeyboardButton("📞 Share phone number", request_contact=True)]],
            resize_keyboard=True))
    else:
        await delivery_step(update, context, head, int(tail or 0))


async def address(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The typed address: foodbot confirms it (removing the keyboard), then shows the summary."""
    message = update.effective_message
    assert message is not None and message.text is not None
    await message.reply_text(f"📍 Delivering to: {message.text}",
                             reply_markup=ReplyKeyboardRemove())
    await message.reply_text(
        "🧾 Check your order · Dominos\n\n1 × Pizza — ₹250.00\n\nTotal: ₹250.00 · pay on "
        f"delivery\n📍 Deliver to: {message.text}\n📝 To add a note (flat number, landmark, "
        "cooking request), type it now.", reply_markup=InlineKeyboardMarkup([
            [InlineKeyboardButton(texts.PLACE_BUTTON, callback_data="place")],
            [InlineKeyboardButton("📍 Change address", callback_data="x"),
             InlineKeyboardButton(texts.EDIT_CART_BUTTON, callback_data="cart")]]))


def tracking(order: int, status: str) -> str:
    return (f"🧾 Order #{order} · Dominos\n{status}\n\n1 × Pizza — ₹250.00\nTotal: ₹250.00 · "
            "pay on delivery\n📍 12 Residency Road, Bengaluru\n\n29 Nov 14:29 UTC · Placed")


async def delivery_step(update: Update, context: ContextTypes.DEFAULT_TYPE, head: str,
                        order: int) -> None:
    """Place order, and the partner's Accept, Picked up and Delivered."""
    query, w, bot = update.callback_query, world(context), context.bot
    assert query is not None and query.message is not None
    chat = query.message.chat.id
    if head == "place":
        order = next(w.ids)
        w.carts.pop(chat, None)
        w.tracking[order] = (chat, query.message.message_id)
        await query.answer(f"✅ Order #{order} placed!")
        await query.edit_message_text(tracking(order, "🕐 Placed, waiting for the restaurant"),
                                      reply_markup=rows(("✖ Cancel order", "x")))
        w.waiting.append(order)
        await offer(context)
        return
    customer, message_id = w.tracking[order]
    card = f"📦 Delivery: order #{order} · {{}}\n🍽 Pick up: Dominos, MG Road, Bengaluru\n" \
        "📍 Drop off: 12 Residency Road, Bengaluru\n\n1 × Pizza\n\n💰 Collect ₹250.00 on delivery"
    if head == "oacc":
        await bot.edit_message_text(tracking(order, "👨‍🍳 Being prepared"), customer, message_id)
        await query.answer("The order is yours!")
        await query.edit_message_text(card.format("Preparing"),
                                      reply_markup=rows((texts.PICKED_UP_BUTTON, f"pick:{order}")))
    elif head == "pick":
        await query.answer()
        await query.edit_message_text(card.format("On the way"),
                                      reply_markup=rows((texts.DELIVERED_BUTTON, f"dlvd:{order}")))
        sent = await bot.send_message(customer, f"🛵 Order #{order} is on its way to you!\n\n"
                                      + tracking(order, "🛵 On the way"))
        w.tracking[order] = (customer, sent.message_id)  # the tracking message, sent anew
    elif head == "dlvd":
        await query.answer()
        await query.edit_message_text(
            f"✅ Order #{order} delivered. Thank you! You're free for the next order.")
        await bot.send_message(customer, f"🎉 Order #{order} has been delivered. Enjoy your "
                                         "meal!\n\n" + tracking(order, "🎉 Delivered"),
                               reply_markup=rows(("⭐⭐⭐⭐⭐", "x"), ("🔁 Reorder", "x")))
        w.idle.append(chat)
        await offer(context)
    else:
        await query.answer()


async def offer(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The next waiting order to the partner idle longest, as foodbot's dispatcher does."""
    w = world(context)
    while w.waiting and w.idle:
        order, partner = w.waiting.popleft(), w.idle.popleft()
        await context.bot.send_message(
            partner, f"🛵 New delivery: order #{order}\n🍽 Pick up at Dominos, MG Road, "
            "Bengaluru\n📍 Deliver to 12 Residency Road, Bengaluru\n💰 Collect ₹250.00 on "
            "delivery\n\nWill you take it?", reply_markup=InlineKeyboardMarkup([[
                InlineKeyboardButton(texts.ACCEPT_OFFER_BUTTON, callback_data=f"oacc:{order}"),
                InlineKeyboardButton(texts.DECLINE_OFFER_BUTTON, callback_data="x")]]))


async def online(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None and update.effective_user is not None
    world(context).idle.append(update.effective_user.id)
    await update.effective_message.reply_text(
        f"🛵 Partner panel · {update.effective_user.first_name}\n🟢 Online: delivery offers "
        "come here.\n\n/online – get delivery offers\n/offline – stop getting offers\n/job – "
        "your current delivery", reply_markup=rows(("⚪ Go offline", "x"), ("📦 Current delivery",
                                                                          "x")))
    await offer(context)


def build() -> Application:  # type: ignore[type-arg]
    builder = (ApplicationBuilder().token(os.environ["TELEGRAM_BOT_TOKEN"])
               .base_url(os.environ["TELEGRAM_BASE_URL"])
               .defaults(Defaults(parse_mode=ParseMode.HTML)))
    if os.environ.get("BARE_RATE_LIMITER") == "1":
        # PTB's stubs type the builder for no rate limiter; AIORateLimiter is its own
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))  # type: ignore[arg-type]
    app = builder.build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("restaurants", restaurants))
    app.add_handler(CommandHandler("online", online))
    app.add_handler(CallbackQueryHandler(pressed))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, address))
    return app


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: "
                                                   "%(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # request URLs carry the token
    if os.environ.get("BARE_LIBRARIES") == "1":
        for name in LIBRARIES:
            importlib.import_module(name)
    build().run_polling()


if __name__ == "__main__":
    main()
