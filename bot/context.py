"""A typed CallbackContext: handlers reach the services through it, never globals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.settings import Settings
from domain.services import OrderingService


@dataclass(frozen=True)
class Services:
    """Everything the handlers and jobs call, built once in the composition root."""

    settings: Settings
    ordering: OrderingService


Data = dict[Any, Any]


class AppContext(CallbackContext[ExtBot[None], Data, Data, Data]):
    @property
    def services(self) -> Services:
        services = self.bot_data["services"]
        assert isinstance(services, Services)
        return services

    @property
    def service(self) -> OrderingService:
        return self.services.ordering


PlainContext = CallbackContext[ExtBot[None], Data, Data, Data]
AppType = Application[ExtBot[None], AppContext, Data, Data, Data, JobQueue[PlainContext]]
