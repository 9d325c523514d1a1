"""A typed CallbackContext: handlers reach the services through it, never globals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.settings import Settings
from domain.admin_service import AdminService
from domain.checkout_service import CheckoutService
from domain.customer_orders import CustomerOrders
from domain.partner_service import PartnerService
from domain.pipeline_ports import MessageOutbox, PipelineActions, QueueWorker
from domain.ports import Clock
from domain.services.error_alerts import ErrorAlerts
from domain.services.ordering import OrderingService
from domain.shopping import ShoppingService


@dataclass(frozen=True)
class Services:
    """Everything the handlers and jobs call, built once in the composition root."""

    settings: Settings
    ordering: OrderingService
    shopping: ShoppingService
    checkout: CheckoutService
    orders: CustomerOrders
    partners: PartnerService
    clock: Clock
    pipeline: PipelineActions  # the partners' and restaurants' presses
    worker: QueueWorker  # the durable queue's worker (bot/jobs.py)
    outbox: MessageOutbox  # what the sender job sends (bot/sender.py)
    admin: AdminService  # the admin console (bot/handlers/admin.py)
    error_alerts: ErrorAlerts  # the admins hear of unexpected errors (bot/handlers/errors.py)


Data = dict[Any, Any]


class AppContext(CallbackContext[ExtBot[Any], Data, Data, Data]):
    @property
    def services(self) -> Services:
        services = self.bot_data["services"]
        assert isinstance(services, Services)
        return services

    @property
    def service(self) -> OrderingService:
        return self.services.ordering


PlainContext = CallbackContext[ExtBot[Any], Data, Data, Data]
AppType = Application[ExtBot[Any], AppContext, Data, Data, Data, JobQueue[PlainContext]]
