"""When something fails unexpectedly: the button stops spinning, the user gets an apology,
the admins hear of it once per distinct error, and the log says what failed without secrets.

The failures are real ones: a table missing from the database (as after a botched
migration), and Telegram failing the bot's answer to a press.
"""

from __future__ import annotations

import logging

import httpx
import pytest
from sqlalchemy import func, select, text
from telegram import Update
from telegram.error import NetworkError
from telegram.ext import MessageHandler, filters

from bot import texts
from bot.context import AppContext, AppType
from bot.settings import Settings
from domain.messages import Kind
from sandbox import BotApiServer, CallbackPress, SandboxUser
from storage.rows import OutboxRow
from tests.e2e.conftest import ADMIN, CUSTOMER, TOKEN
from tests.e2e.fast_pipeline import no_flood_limits, settings  # noqa: F401
from tests.e2e.journey import TIMEOUT, Uows, say

ALERT = "Unexpected error"


async def break_table(uows: Uows, table: str) -> None:
    """The table is gone, as if a migration had gone wrong: every query of it fails."""
    async with uows() as uow:
        await uow.session.execute(text(f"ALTER TABLE {table} RENAME TO {table}_gone"))
        await uow.commit()


async def apologised(user: SandboxUser, pressed: CallbackPress, server: BotApiServer) -> None:
    """The press got exactly one answer, the short apology as an alert, then the apology."""
    answer = await user.wait_for_answer(pressed, timeout=TIMEOUT)
    assert (answer.text, answer.show_alert) == (texts.PRESS_FAILED, True)
    await user.wait_for_new(lambda m: m.text == texts.SORRY, timeout=TIMEOUT)
    answers = [e for e in server.transcript
               if e.kind == "callback_answer" and e.detail["query_id"] == pressed.query_id]
    assert len(answers) == 1


async def error_alerts_written(uows: Uows) -> int:
    async with uows() as uow:
        query = select(func.count()).select_from(OutboxRow).where(
            OutboxRow.kind == Kind.ERROR_ALERT, OutboxRow.chat_id == ADMIN)
        return (await uow.session.execute(query)).scalar_one()


async def test_a_failing_press_stops_spinning_and_the_admins_hear_once_per_distinct_error(
    bot: AppType, server: BotApiServer, customer: SandboxUser, admin: SandboxUser, uows: Uows,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="bot")
    await say(admin, "/start", "Foodbot")  # Telegram delivers only to chats the user opened
    menu = await say(customer, "/start", "Foodbot")
    await break_table(uows, "carts")
    for _ in range(2):
        await apologised(customer, await customer.press(texts.CART_BUTTON,
                                                        message_id=menu.message_id), server)
    first = await admin.wait_for_new(lambda m: ALERT in m.text, timeout=TIMEOUT)
    assert "OperationalError" in first.text
    assert "storage.repositories.SqlCartRepository.get" in first.text
    assert "callback_query" in first.text

    server.fail_next("answerCallbackQuery", code=500)  # Telegram fails the answer: no spinner
    await apologised(customer, await customer.press(texts.HELP_BUTTON,
                                                    message_id=menu.message_id), server)
    second = await admin.wait_for_new(lambda m: ALERT in m.text and m.seq > first.seq,
                                      timeout=TIMEOUT)
    assert "NetworkError" in second.text

    # one user's updates are handled in order: both cart failures were reported by now
    assert await error_alerts_written(uows) == 2
    assert [m.text for m in admin.bot_messages if ALERT in m.text] == [first.text, second.text]
    assert "query is too old" not in caplog.text.lower()  # Telegram refused no second answer


async def fail_with_the_url_in_the_error(update: Update, context: AppContext) -> None:
    """Fails like an HTTP client that quotes the request URL, which holds the bot token."""
    url = f"{context.services.settings.telegram_base_url}{TOKEN}/sendMessage"
    try:
        raise httpx.ConnectError(f"cannot reach {url}", request=httpx.Request("POST", url))
    except httpx.ConnectError as exc:
        raise NetworkError(f"httpx.ConnectError: {exc}") from exc


async def test_the_log_names_the_update_kind_and_the_user_but_never_the_token(
    bot: AppType, settings: Settings, customer: SandboxUser, admin: SandboxUser,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    bot.add_handler(MessageHandler(filters.Text(["boom"]), fail_with_the_url_in_the_error),
                    group=-1)
    await say(admin, "/start", "Foodbot")
    await say(customer, "boom", texts.SORRY)
    alert = await admin.wait_for_new(lambda m: ALERT in m.text, timeout=TIMEOUT)
    assert "NetworkError" in alert.text and "message" in alert.text
    assert "boom" not in alert.text  # nothing the user typed

    failed = [r for r in caplog.records if r.name == "bot.handlers.errors"]
    assert len(failed) == 1 and failed[0].levelno == logging.ERROR
    line = failed[0].getMessage()
    assert f"message from user {CUSTOMER} failed" in line
    assert "telegram.error.NetworkError" in line and "httpx.ConnectError" in line
    secret = TOKEN.partition(":")[2]
    assert "<redacted>" in line
    assert not [r for r in caplog.records if secret in r.getMessage()]
