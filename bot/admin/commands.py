"""The admin commands as typed values: what bot/admin/specs.py parses a command's text into."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.hours import WeeklyHours
from domain.ids import MenuItemId, OrderId, RestaurantId, TaskId, UserId
from domain.options import OptionGroup
from domain.orders import OrderStatus
from domain.restaurants import Unanswered


@dataclass(frozen=True, slots=True)
class AddRestaurant:
    name: str
    address: str
    prep_minutes: int


@dataclass(frozen=True, slots=True)
class EditRestaurant:
    """None: keep the current value."""

    restaurant_id: RestaurantId
    name: str | None = None
    address: str | None = None
    prep_minutes: int | None = None


@dataclass(frozen=True, slots=True)
class SetOpen:
    restaurant_id: RestaurantId
    is_open: bool


@dataclass(frozen=True, slots=True)
class LinkManager:
    """chat_id None unlinks the manager chat."""

    restaurant_id: RestaurantId
    chat_id: int | None


@dataclass(frozen=True, slots=True)
class SetTerms:
    """Minor units; None: keep the current value. free_delivery_from 0: never free."""

    restaurant_id: RestaurantId
    delivery_fee: int | None = None
    free_delivery_from: int | None = None
    min_order: int | None = None


@dataclass(frozen=True, slots=True)
class SetHours:
    """None: open whenever the restaurant is switched on."""

    restaurant_id: RestaurantId
    hours: WeeklyHours | None


@dataclass(frozen=True, slots=True)
class SetClosedDay:
    restaurant_id: RestaurantId
    day: date
    closed: bool = True


@dataclass(frozen=True, slots=True)
class SetTravel:
    restaurant_id: RestaurantId
    minutes: int
    place: tuple[float, float] | None = None  # where riders pick up (LATITUDE, LONGITUDE)
    new_place: bool = False  # `place` replaces the restaurant's (None: removes it)


@dataclass(frozen=True, slots=True)
class SetTimeZone:
    restaurant_id: RestaurantId
    zone: str


@dataclass(frozen=True, slots=True)
class SetKitchenAnswer:
    """None `unanswered`: keep what happens to an unanswered order."""

    restaurant_id: RestaurantId
    minutes: int
    unanswered: Unanswered | None = None


@dataclass(frozen=True, slots=True)
class AddFood:
    restaurant_id: RestaurantId
    name: str
    price_minor: int
    category: str
    description: str


@dataclass(frozen=True, slots=True)
class EditFood:
    """None: keep the current value; description "" clears it."""

    item_id: MenuItemId
    name: str | None = None
    price_minor: int | None = None
    category: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class SetPrice:
    item_id: MenuItemId
    price_minor: int


@dataclass(frozen=True, slots=True)
class SetStock:
    """None: stop counting the dish's portions; `for_today`: sold out until the next opening."""

    item_id: MenuItemId
    stock: int | None
    for_today: bool = False


@dataclass(frozen=True, slots=True)
class SetAvailable:
    item_id: MenuItemId
    available: bool


@dataclass(frozen=True, slots=True)
class SetPhoto:
    item_id: MenuItemId


@dataclass(frozen=True, slots=True)
class ImportMenu:
    restaurant_id: RestaurantId


@dataclass(frozen=True, slots=True)
class ExportMenu:
    restaurant_id: RestaurantId


@dataclass(frozen=True, slots=True)
class ShowOptions:
    item_id: MenuItemId


@dataclass(frozen=True, slots=True)
class SetGroup:
    """The group as written: its options numbered from 1 (the dish gives them their ids)."""

    item_id: MenuItemId
    group: OptionGroup


@dataclass(frozen=True, slots=True)
class DropGroup:
    item_id: MenuItemId
    group: str


@dataclass(frozen=True, slots=True)
class SetOptionAvailable:
    item_id: MenuItemId
    group: str
    option: str
    available: bool


@dataclass(frozen=True, slots=True)
class AddPromo:
    """A promo code: `percent` or `amount` (minor units) off; None: no limit / no last day."""

    code: str
    percent: int | None
    amount: int | None
    min_order: int = 0
    last_day: date | None = None
    total_uses: int | None = None
    uses_per_customer: int = 1


@dataclass(frozen=True, slots=True)
class ListPromos:
    pass


@dataclass(frozen=True, slots=True)
class EndPromo:
    code: str


@dataclass(frozen=True, slots=True)
class ListRefunds:
    pass


@dataclass(frozen=True, slots=True)
class MarkRefunded:
    refund_id: int
    note: str


@dataclass(frozen=True, slots=True)
class ListPartners:
    pass


@dataclass(frozen=True, slots=True)
class ApprovePartner:
    user_id: UserId


@dataclass(frozen=True, slots=True)
class RevokePartner:
    user_id: UserId


@dataclass(frozen=True, slots=True)
class MakeInvite:
    pass


@dataclass(frozen=True, slots=True)
class ListOrders:
    status: OrderStatus | None = None


@dataclass(frozen=True, slots=True)
class ShowOrder:
    order_id: OrderId


@dataclass(frozen=True, slots=True)
class CloseLine:
    order_id: OrderId


@dataclass(frozen=True, slots=True)
class CancelOrder:
    order_id: OrderId
    reason: str


@dataclass(frozen=True, slots=True)
class ListDeadLetters:
    pass


@dataclass(frozen=True, slots=True)
class RetryTask:
    task_id: TaskId


@dataclass(frozen=True, slots=True)
class Stats:
    pass


@dataclass(frozen=True, slots=True)
class Audit:
    limit: int


@dataclass(frozen=True, slots=True)
class AdminHelp:
    pass


AdminCommand = (
    AddRestaurant | EditRestaurant | SetOpen | LinkManager | SetTerms | SetKitchenAnswer
    | SetTimeZone | SetHours | SetClosedDay | SetTravel
    | AddFood | EditFood | SetPrice | SetAvailable | SetPhoto | ImportMenu | SetStock
    | ExportMenu | ShowOptions | SetGroup | DropGroup | SetOptionAvailable
    | ListPartners | ApprovePartner | RevokePartner | MakeInvite
    | ListOrders | ShowOrder | CancelOrder | CloseLine | ListDeadLetters | RetryTask
    | AddPromo | ListPromos | EndPromo | ListRefunds | MarkRefunded
    | Stats | Audit | AdminHelp
)
OptionCommand = ShowOptions | SetGroup | DropGroup | SetOptionAvailable | ExportMenu
