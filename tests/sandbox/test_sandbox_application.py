"""End-to-end smoke: a real PTB Application polls the sandbox while a user talks to it."""

from __future__ import annotations

import time

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from sandbox import BotApiServer


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_user is not None and update.message is not None
    button = InlineKeyboardButton("Add Pizza", callback_data="add:pizza")
    keyboard = InlineKeyboardMarkup([[button]])
    await update.message.reply_text(f"Hello {update.effective_user.first_name}",
                                    reply_markup=keyboard)


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("Added Pizza")
    checkout = InlineKeyboardMarkup([[InlineKeyboardButton("Checkout", callback_data="checkout")]])
    await query.edit_message_text("Cart: 1 × Pizza", reply_markup=checkout)


async def where(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    button = KeyboardButton("📍 Share location", request_location=True)
    await update.message.reply_text("Where should we deliver?",
                                    reply_markup=ReplyKeyboardMarkup([[button]]))


async def located(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.location is not None
    loc = update.message.location
    await update.message.reply_text(f"Delivering to {loc.latitude}, {loc.longitude}",
                                    reply_markup=ReplyKeyboardRemove())


async def test_application_polling_end_to_end(server: BotApiServer, token: str) -> None:
    started = time.monotonic()
    app = (ApplicationBuilder().token(token).base_url(server.base_url)
           .base_file_url(server.base_file_url).build())
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("where", where))
    app.add_handler(CallbackQueryHandler(pressed))
    app.add_handler(MessageHandler(filters.LOCATION, located))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        asha = server.user(1001, first_name="Asha")
        await asha.send("/start")
        hello = await asha.wait_for_new(lambda m: m.text == "Hello Asha", timeout=3)
        assert hello.buttons == ["Add Pizza"]

        press = await asha.press("Add Pizza")
        answer = await asha.wait_for_answer(press, timeout=3)
        assert answer.text == "Added Pizza" and not answer.show_alert
        cart = await asha.wait_for_new(lambda m: m.edited, timeout=3)
        assert (cart.message_id, cart.text, cart.buttons) == (
            hello.message_id, "Cart: 1 × Pizza", ["Checkout"])

        await asha.send("/where")
        await asha.wait_for_new(lambda m: "deliver" in m.text, timeout=3)
        await asha.tap_reply_button("📍 Share location", location=(12.97, 77.59))
        done = await asha.wait_for_new(timeout=3)
        assert done.text == "Delivering to 12.97, 77.59"
        assert asha.reply_keyboard is None
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    assert time.monotonic() - started < 3
    transcript = server.format_transcript()
    assert "Asha presses [Add Pizza]" in transcript
    assert "Foodbot (edits #2): Cart: 1 × Pizza" in transcript
