"""A typed CallbackContext: handlers reach the services through it, never globals."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.languages import ChatLanguages
from bot.ops import Ops
from bot.settings import Settings
from bot.wakeup import Wakeup
from domain.outbound_budget import SharedTokens
from domain.people import PersonalData
from domain.pipeline.ports import MessageOutbox, PipelineActions, QueueWorker
from domain.ports import Clock
from domain.retention import Retention
from domain.retry import RetryPolicy
from domain.services.admin.catalogue import CatalogueAdmin
from domain.services.admin.options import OptionAdmin
from domain.services.admin.orders import OrderAdmin
from domain.services.admin.partners import PartnerAdmin
from domain.services.admin.promos import PromoAdmin
from domain.services.admin.refunds import RefundAdmin
from domain.services.admin.stats import StatsAdmin
from domain.services.admin.stock import StockAdmin
from domain.services.checkout import CheckoutService
from domain.services.customers import CustomerService
from domain.services.error_alerts import ErrorAlerts
from domain.services.lines import LineService
from domain.services.orders import CustomerOrders
from domain.services.partners import PartnerService
from domain.services.payments import PaymentService
from domain.services.rider_maps import RiderMaps
from domain.services.scheduling import Scheduling
from domain.services.shopping import ShoppingService


@dataclass(frozen=True)
class AdminServices:
    """The admin console's use cases, one per area (bot/admin/handlers.py)."""

    catalogue: CatalogueAdmin
    partners: PartnerAdmin
    orders: OrderAdmin
    stats: StatsAdmin
    promos: PromoAdmin
    refunds: RefundAdmin
    stock: StockAdmin
    options: OptionAdmin  # dishes' option groups and the menu file export


@dataclass(frozen=True)
class Services:
    """Everything the handlers and jobs call, built once in the composition root."""

    settings: Settings
    customers: CustomerService
    shopping: ShoppingService
    checkout: CheckoutService
    scheduling: Scheduling  # a delivery slot instead of as soon as possible
    payments: PaymentService  # 💳 Pay now (offered with PAYMENT_PROVIDER_TOKEN)
    orders: CustomerOrders
    partners: PartnerService
    rider_maps: RiderMaps  # the rider on the map (bot/rider_map.py)
    lines: LineService  # the private line between customer and rider
    languages: ChatLanguages  # the language each chat is spoken to in (bot/languages.py)
    clock: Clock
    retry: RetryPolicy  # backoff for the queue's tasks and the outbox's messages
    pipeline: PipelineActions  # the partners' and restaurants' presses
    worker: QueueWorker  # the durable queue's worker (bot/jobs.py)
    outbox: MessageOutbox  # what the sender job sends (bot/sender.py)
    admin: AdminServices  # the admin console (bot/admin/)
    error_alerts: ErrorAlerts  # the admins hear of unexpected errors (bot/handlers/errors.py)
    ops: Ops  # /healthz and /metrics, and the metrics the bot counts with (bot/ops.py)
    retention: Retention  # what is kept and how long: the retention job's sweeps
    people: PersonalData  # /mydata and /forgetme
    outbound: SharedTokens | None = None  # with REDIS_URL: the budget all instances share
    wakeup: Wakeup = field(default_factory=Wakeup)  # the storage ports' commits wake the jobs


Data = dict[Any, Any]


class AppContext(CallbackContext[ExtBot[Any], Data, Data, Data]):
    @property
    def services(self) -> Services:
        services = self.bot_data["services"]
        assert isinstance(services, Services)
        return services


PlainContext = CallbackContext[ExtBot[Any], Data, Data, Data]
AppType = Application[ExtBot[Any], AppContext, Data, Data, Data, JobQueue[PlainContext]]
