"""The schema: SQLAlchemy 2 declarative rows, portable between SQLite and PostgreSQL.

One module per area, each importing only `storage.rows.base`. Importing this package, or any
module in it (Python runs this file first), imports every table module, so `Base.metadata`
is complete for Alembic, the migration test and `storage.sql`'s Core tables.

Every schema change here needs an Alembic revision in `storage/migrations/versions/`.
"""

from storage.rows.admin import AuditRow
from storage.rows.base import Base
from storage.rows.catalogue import MenuItemRow, RestaurantRow
from storage.rows.customers import CartLineRow, CartRow, CheckoutRow, CustomerRow
from storage.rows.inbox import InboxRow, LeaseRow
from storage.rows.invites import InviteRow
from storage.rows.languages import ChatLanguageRow
from storage.rows.lines import LineMessageRow
from storage.rows.orders import (
    OrderEventRow,
    OrderItemRow,
    OrderRatingRow,
    OrderRow,
    TrackingMessageRow,
)
from storage.rows.outbox import OutboxRow
from storage.rows.partners import PartnerRow
from storage.rows.payments import PaymentRow, RefundRow
from storage.rows.pipeline import OfferRow, OrderProgressRow
from storage.rows.promos import PromoRow, PromoUseRow
from storage.rows.rider_maps import RiderSpotRow
from storage.rows.stats import StatsHourRow, StatsMinuteRow
from storage.rows.tasks import TaskRow

__all__ = [
    "AuditRow",
    "Base",
    "CartLineRow",
    "CartRow",
    "ChatLanguageRow",
    "CheckoutRow",
    "CustomerRow",
    "InboxRow",
    "InviteRow",
    "LeaseRow",
    "LineMessageRow",
    "MenuItemRow",
    "OfferRow",
    "OrderEventRow",
    "OrderItemRow",
    "OrderProgressRow",
    "OrderRatingRow",
    "OrderRow",
    "OutboxRow",
    "PartnerRow",
    "PaymentRow",
    "PromoRow",
    "PromoUseRow",
    "RefundRow",
    "RestaurantRow",
    "RiderSpotRow",
    "StatsHourRow",
    "StatsMinuteRow",
    "TaskRow",
    "TrackingMessageRow",
]
