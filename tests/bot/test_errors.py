"""What the error handler says about a failure: its type, its place in our code, the update's
kind; and the secrets it keeps out of the log."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from pydantic import SecretStr

from bot.callbacks import BadCallback, unpack
from bot.handlers.errors import REDACTED, alert_admins, failure_of, scrub, secrets_of
from bot.settings import load_settings

TOKEN = "123456:AAE-secret_Token-value"


def test_the_place_is_the_innermost_frame_in_our_own_code() -> None:
    try:
        unpack("no-such-action")  # raises inside bot.callbacks, called from this test
    except BadCallback as error:
        failure = failure_of(error, None, "outbox")
    assert failure.error_type == "bot.callbacks.BadCallback"
    assert failure.where == "bot.callbacks.unpack"
    assert failure.update_kind == "job outbox"


def test_a_builtin_exception_is_named_without_its_module() -> None:
    try:
        {}["missing"]
    except KeyError as error:
        failure = failure_of(error, None)
    assert failure.error_type == "KeyError"
    assert failure.where.endswith("test_a_builtin_exception_is_named_without_its_module")


def test_the_token_is_scrubbed_whole_and_url_encoded_and_so_is_the_webhook_secret() -> None:
    settings = load_settings(_env_file=None, telegram_bot_token=TOKEN,
                             webhook_secret=SecretStr("hook-secret-42"))
    text = (f"POST https://api.telegram.org/bot{TOKEN}/getMe, then /bot{quote(TOKEN)}/getMe "
            "with X-Telegram-Bot-Api-Secret-Token: hook-secret-42")
    clean = scrub(text, secrets_of(settings))
    for secret in ("AAE-secret_Token-value", "hook-secret-42"):
        assert secret not in clean
    assert clean.count(REDACTED) == 3
    assert "https://api.telegram.org/bot" in clean  # the rest of the line stays readable


def test_without_a_token_there_is_nothing_to_scrub() -> None:
    settings = load_settings(_env_file=None, telegram_bot_token=None, webhook_secret=None)
    assert secrets_of(settings) == []


class _Unreachable:
    """Error alerts whose database fails with the token in its text (a URL, say)."""

    async def report(self, failure: object) -> None:
        raise ConnectionError(f"could not reach https://example.test/bot{TOKEN}")


async def test_an_alert_that_cannot_be_written_is_a_warning_with_the_token_scrubbed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = load_settings(_env_file=None, telegram_bot_token=TOKEN)
    failure = failure_of(KeyError("x"), None, job="outbox sender")
    await alert_admins(_Unreachable(), failure, secrets_of(settings))  # type: ignore[arg-type]
    [record] = caplog.records
    assert record.levelname == "WARNING" and "could not alert the admins" in record.getMessage()
    assert "AAE-secret_Token-value" not in record.getMessage()
    assert REDACTED in record.getMessage()
