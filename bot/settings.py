"""Settings from the environment and `.env` (DESIGN.md §6); the only reader of env vars."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy import make_url

from bot.i18n import ENGLISH, LANGUAGES
from domain.errors import InvalidInput
from domain.money import AmountError, parse_amount
from domain.payments import Tips
from domain.restaurants import check_time_zone
from domain.retention import RetentionPolicy

TELEGRAM_API = "https://api.telegram.org/bot"
_TOKEN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{10,}$")


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line naming it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
        frozen=True,
    )

    telegram_bot_token: SecretStr | None = None
    telegram_base_url: str = TELEGRAM_API
    telegram_base_file_url: str | None = None
    database_url: str = "sqlite+aiosqlite:///./foodbot.db"
    database_pool_size: int = Field(20, ge=1, le=1000)  # PostgreSQL connections kept, at most
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    currency: str = "INR"
    time_zone: str = "Asia/Kolkata"  # new restaurants' (and the samples'): times shown in it
    # what is kept and how long (domain/retention.py): rows done with, and finished orders'
    # phone numbers and shared spots
    retention_days: int = Field(30, ge=1, le=3650)
    contacts_keep_days: int = Field(7, ge=1, le=3650)
    # the language of chats that have none of ours: group chats (kitchens) until one is chosen
    # with /language, and users whose Telegram app is set to a language we do not speak
    default_language: str = ENGLISH
    payment_provider_token: SecretStr | None = None  # 💳 Pay now; without it, cash only
    payment_tips: str = "20,50,100"  # suggested tips, major units of `currency`, at most 4
    payment_max_tip: str = "500"  # the largest tip an invoice takes

    queue_interval_s: float = Field(5.0, gt=0, le=60)  # the fallback look (bot/jobs.py)
    queue_batch_size: int = Field(200, ge=1, le=5000)
    queue_lease_s: float = Field(30.0, gt=0)
    task_max_attempts: int = Field(6, ge=1, le=100)
    retry_base_delay_s: float = Field(1.0, gt=0)
    retry_max_delay_s: float = Field(300.0, gt=0)
    offer_timeout_s: float = Field(60.0, gt=0)
    no_partner_alert_after_s: float = Field(300.0, gt=0)

    outbox_interval_s: float = Field(5.0, gt=0, le=60)  # the fallback look (bot/jobs.py)
    rate_limit_global_per_s: float = Field(30.0, gt=0)
    rate_limit_per_chat_per_s: float = Field(1.0, gt=0)
    notify_floor_per_s: float = Field(3.0, ge=0)  # bot/floor.py; below the global rate
    # notifications as paid broadcasts: up to 1000 a second, in Stars (README "Paid broadcasts")
    paid_broadcast: bool = False
    paid_broadcast_per_s: float = Field(1000.0, gt=0, le=1000)
    inbound_limit_per_user_per_min: int = Field(60, ge=1)

    inbox_stale_after_s: float = Field(120.0, gt=0)
    inbox_lease_s: float = Field(10.0, ge=0.3, le=3600)

    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(8443, ge=1, le=65535)
    webhook_secret: SecretStr | None = None

    startup_retry_s: float = Field(60.0, gt=0, le=3600)

    log_level: str = "INFO"
    error_alert_window_s: float = Field(600.0, gt=0)

    # /healthz and /metrics (bot/ops.py): on the webhook server, or in polling mode on
    # METRICS_LISTEN:METRICS_PORT (0: not served)
    metrics_listen: str = "127.0.0.1"
    metrics_port: int = Field(0, ge=0, le=65535)
    health_queue_lag_s: float = Field(120.0, gt=0)
    health_outbox_lag_s: float = Field(120.0, gt=0)

    # shared state (README "Shared state (Redis)")
    redis_url: str | None = None
    redis_prefix: str = Field("foodbot", pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    catalogue_cache_ttl_s: float = Field(300.0, ge=0, le=86400)

    # one instance: updates of different users handled at once (one user's always in order)
    update_concurrency: int = Field(32, ge=1, le=1000)

    @field_validator("telegram_bot_token", mode="before")
    @classmethod
    def _token_shape(cls, value: object) -> object:
        if value in (None, ""):
            return None
        if not isinstance(value, str) or not _TOKEN.match(value.strip()):
            # never echo the value: it is a secret even when malformed
            raise ValueError("expected the form 123456:ABC-DEF... given by @BotFather")
        return value.strip()

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _comma_separated_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            if not all(re.fullmatch(r"-?\d+", p) for p in parts):
                raise ValueError("expected comma-separated Telegram user ids, e.g. 1001,1002")
            return frozenset(int(p) for p in parts)
        return value

    @field_validator("currency")
    @classmethod
    def _currency_code(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Z]{3}", value):
            raise ValueError("expected a three-letter ISO 4217 code such as INR")
        return value

    @field_validator("default_language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in LANGUAGES:
            raise ValueError(f"expected one of {', '.join(LANGUAGES)}")
        return value

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            return check_time_zone(value)
        except InvalidInput as problem:
            raise ValueError(str(problem)) from None

    @field_validator("payment_tips", "payment_max_tip")
    @classmethod
    def _tip_amounts(cls, value: str, info: ValidationInfo) -> str:
        data = {**info.data, info.field_name or "": value}
        if "payment_tips" in data and "payment_max_tip" in data:
            try:
                _tips(data["payment_tips"], data["payment_max_tip"], data.get("currency", "INR"))
            except (AmountError, InvalidInput) as problem:
                raise ValueError(f"tips in major units such as 20,50,100: {problem}") from None
        return value

    @property
    def tips(self) -> Tips:
        """The tips an invoice suggests, and the largest it takes (minor units)."""
        return _tips(self.payment_tips, self.payment_max_tip, self.currency)

    @field_validator("telegram_base_url", "telegram_base_file_url", "webhook_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("expected an http:// or https:// URL")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("expected redis://host:6379/0, rediss://... or unix:///path")
        return value

    @field_validator("notify_floor_per_s")
    @classmethod
    def _floor_below_budget(cls, value: float, info: ValidationInfo) -> float:
        budget = info.data.get("rate_limit_global_per_s")
        if budget is not None and value >= budget:
            raise ValueError(f"must be below RATE_LIMIT_GLOBAL_PER_S ({budget:g}), or 0 for "
                             "no floor: replies need the rest")
        return value

    @field_validator("paid_broadcast_per_s")
    @classmethod
    def _paid_above_free(cls, value: float, info: ValidationInfo) -> float:
        budget = info.data.get("rate_limit_global_per_s")
        if info.data.get("paid_broadcast") and budget is not None and value <= budget:
            raise ValueError(f"must be above RATE_LIMIT_GLOBAL_PER_S ({budget:g}) with "
                             "PAID_BROADCAST on: paying buys nothing below the free rate")
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "expected sqlite+aiosqlite:///path.db or postgresql+asyncpg://user@host/db"
            )
        return value

    @property
    def database_shown(self) -> str:
        """DATABASE_URL fit for printing: the password hidden."""
        return make_url(self.database_url).render_as_string(hide_password=True)

    @property
    def error_alert_window(self) -> timedelta:
        """The admins hear of one distinct error at most once in this long."""
        return timedelta(seconds=self.error_alert_window_s)

    @property
    def retention(self) -> RetentionPolicy:
        return RetentionPolicy(keep=timedelta(days=self.retention_days),
                               contacts=timedelta(days=self.contacts_keep_days))

    @property
    def paid_per_s(self) -> float | None:
        """The overall budget of notifications sent as paid broadcasts; None: not paid."""
        return self.paid_broadcast_per_s if self.paid_broadcast else None

    @property
    def file_url(self) -> str:
        """Where files are downloaded: given, or derived from a `.../bot` base URL."""
        if self.telegram_base_file_url:
            return self.telegram_base_file_url
        head, sep, _ = self.telegram_base_url.rpartition("/bot")
        return f"{head}/file/bot" if sep else self.telegram_base_url

    def token(self) -> str:
        """The bot token, or a ConfigError saying how to set it."""
        if self.telegram_bot_token is None:
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN is not set: put it in .env or the environment "
                "(or run `foodbot demo`, which needs none)"
            )
        return self.telegram_bot_token.get_secret_value()


def _tips(suggested: str, most: str, currency: str) -> Tips:
    amounts = tuple(parse_amount(part, currency) for part in suggested.split(",") if part.strip())
    return Tips(amounts, parse_amount(most, currency))


def load_settings(**overrides: object) -> Settings:
    """Reads the settings, turning validation errors into one clear ConfigError line."""
    try:
        # pydantic validates each value; the stub's _env_file-style parameters refuse `object`
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = str(error["loc"][0]).upper() if error["loc"] else "settings"
            message = str(error["msg"]).removeprefix("Value error, ")
            problems.append(f"{name}: {message}")
        raise ConfigError("bad setting " + "; ".join(problems)) from None
