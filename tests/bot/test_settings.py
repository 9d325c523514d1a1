"""Settings: read from the environment, one clear line per bad setting, token never shown."""

from datetime import timedelta
from pathlib import Path

import pytest

from bot.settings import ConfigError, Settings, load_settings
from bot.wiring import engine_for
from domain.payments import Tips
from domain.retention import RetentionPolicy

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:AAE-secret_Token-value"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)


def load() -> Settings:
    return load_settings(_env_file=None)


def test_defaults_give_an_embedded_sqlite_database_and_telegram(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = load()
    assert settings.database_url.startswith("sqlite+aiosqlite:///")
    assert settings.telegram_base_url == "https://api.telegram.org/bot"
    assert settings.file_url == "https://api.telegram.org/file/bot"
    assert settings.admin_ids == frozenset()


def test_values_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_BASE_URL", "http://127.0.0.1:8081/bot")
    monkeypatch.setenv("ADMIN_IDS", "1001, 1002,")
    monkeypatch.setenv("CURRENCY", "USD")
    settings = load()
    assert settings.token() == TOKEN
    assert settings.admin_ids == {1001, 1002}
    assert settings.currency == "USD"
    assert settings.file_url == "http://127.0.0.1:8081/file/bot"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ADMIN_IDS", "12,abc"),
        ("CURRENCY", "rupees"),
        ("DATABASE_URL", "sqlite:///sync-driver.db"),
        ("TELEGRAM_BASE_URL", "not a url"),
        ("QUEUE_INTERVAL_S", "-1"),
        ("WEBHOOK_PORT", "70000"),
        ("REDIS_URL", "localhost:6379"),
        ("REDIS_PREFIX", "two words"),
        ("CATALOGUE_CACHE_TTL_S", "-5"),
        ("UPDATE_CONCURRENCY", "0"),
        ("DATABASE_POOL_SIZE", "0"),
        ("NOTIFY_FLOOR_PER_S", "30"),  # not below RATE_LIMIT_GLOBAL_PER_S's 30
        ("NOTIFY_FLOOR_PER_S", "-1"),
        ("PAID_BROADCAST", "sometimes"),
        ("PAID_BROADCAST_PER_S", "0"),
        ("PAID_BROADCAST_PER_S", "1001"),  # above Telegram's paid limit
    ],
)
def test_a_malformed_setting_is_named_in_one_line(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        load()
    message = str(caught.value)
    assert name in message
    assert "\n" not in message


def test_a_malformed_token_is_reported_without_echoing_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "oops secret-value")
    with pytest.raises(ConfigError) as caught:
        load()
    assert "TELEGRAM_BOT_TOKEN" in str(caught.value)
    assert "secret-value" not in str(caught.value)


def test_the_token_never_shows_in_the_settings_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    settings = load()
    assert TOKEN not in repr(settings)
    assert TOKEN not in str(settings.model_dump())


def test_asking_for_a_missing_token_says_how_to_set_it() -> None:
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN is not set"):
        load().token()


def test_every_setting_is_documented_in_env_example() -> None:
    example = (ROOT / ".env.example").read_text()
    documented = {
        line.split("=", 1)[0] for line in example.splitlines() if line and line[0].isupper()
    }
    assert documented == {name.upper() for name in Settings.model_fields}


def test_payments_are_off_without_a_provider_token_and_tips_read_in_major_units(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert load().payment_provider_token is None
    monkeypatch.setenv("PAYMENT_PROVIDER_TOKEN", "284685063:TEST:secret-provider")
    monkeypatch.setenv("PAYMENT_TIPS", "20, 49.50")
    monkeypatch.setenv("PAYMENT_MAX_TIP", "200")
    settings = load()
    assert settings.tips == Tips((2000, 4950), 20000)
    assert "secret-provider" not in repr(settings)


@pytest.mark.parametrize(("tips", "most"), [
    ("50,20", "500"), ("20,50,100,200,300", "500"), ("20", "10"), ("2,0", "500"),
    ("20,abc", "500"), ("20", "5 00"),
])
def test_tips_that_telegram_would_refuse_are_refused_at_start(
    monkeypatch: pytest.MonkeyPatch, tips: str, most: str
) -> None:
    monkeypatch.setenv("PAYMENT_TIPS", tips)
    monkeypatch.setenv("PAYMENT_MAX_TIP", most)
    with pytest.raises(ConfigError, match="PAYMENT_MAX_TIP"):
        load()


def test_paid_broadcast_is_off_by_default() -> None:
    settings = load()
    assert settings.paid_broadcast is False
    assert settings.paid_per_s is None  # the sender's notifications are not paid for


def test_paid_broadcast_on_gives_its_own_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAID_BROADCAST", "true")
    assert load().paid_per_s == 1000
    monkeypatch.setenv("PAID_BROADCAST_PER_S", "300")
    assert load().paid_per_s == 300


def test_a_paid_rate_not_above_the_free_one_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAID_BROADCAST", "1")
    monkeypatch.setenv("PAID_BROADCAST_PER_S", "30")
    with pytest.raises(ConfigError, match=r"PAID_BROADCAST_PER_S: must be above "
                                          r"RATE_LIMIT_GLOBAL_PER_S \(30\)"):
        load()
    monkeypatch.setenv("RATE_LIMIT_GLOBAL_PER_S", "20")
    assert load().paid_per_s == 30


def test_the_paid_rate_is_not_checked_against_the_free_one_while_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PAID_BROADCAST_PER_S", "10")
    assert load().paid_per_s is None


async def test_the_running_bot_keeps_database_pool_size_connections_to_postgresql(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://bot@127.0.0.1:5432/foodbot")
    assert load().database_pool_size == 20
    monkeypatch.setenv("DATABASE_POOL_SIZE", "7")
    engine = engine_for(load())  # nothing connects until a statement runs
    try:
        assert (engine.pool.size(), engine.pool._max_overflow) == (7, 0)  # type: ignore[attr-defined]
    finally:
        await engine.dispose()


def test_an_unknown_time_zone_is_refused_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load().time_zone == "Asia/Kolkata"
    monkeypatch.setenv("TIME_ZONE", "Mars/Olympus")
    with pytest.raises(ConfigError, match="TIME_ZONE: unknown time zone 'Mars/Olympus'"):
        load()


def test_retention_and_the_default_language_are_read_and_checked_at_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RETENTION_DAYS", "90")
    monkeypatch.setenv("CONTACTS_KEEP_DAYS", "2")
    monkeypatch.setenv("DEFAULT_LANGUAGE", "hi")
    settings = load_settings(_env_file=None)
    assert settings.retention == RetentionPolicy(keep=timedelta(days=90),
                                                 contacts=timedelta(days=2))
    assert settings.default_language == "hi"
    for name, value, says in (("CONTACTS_KEEP_DAYS", "0", "CONTACTS_KEEP_DAYS"),
                              ("DEFAULT_LANGUAGE", "klingon", "expected one of en, hi, ru")):
        monkeypatch.setenv(name, value)
        with pytest.raises(ConfigError, match=says):
            load_settings(_env_file=None)
        monkeypatch.delenv(name)
