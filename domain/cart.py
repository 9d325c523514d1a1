"""The cart: one restaurant at a time, whole quantities, priced from the live menu."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from domain.errors import (
    DomainError,
    EmptyCart,
    InvalidQuantity,
    ItemUnavailable,
    NotFound,
    OtherRestaurantInCart,
    OutOfStock,
)
from domain.ids import MenuItemId, RestaurantId, UserId
from domain.money import Money
from domain.options import Picked, line_ref
from domain.orders import OrderItem
from domain.restaurants import MenuItem

MAX_QUANTITY = 20
MAX_LINES = 30


@dataclass(frozen=True, slots=True, order=True)
class LineKey:
    """What makes a cart line: a dish and the ids of the options picked for it (ascending).
    The same dish with other options is another line."""

    item_id: MenuItemId
    options: tuple[int, ...] = ()

    @classmethod
    def of(cls, item_id: MenuItemId, options: Iterable[int] = ()) -> LineKey:
        return cls(item_id, tuple(sorted(set(options))))

    @property
    def ref(self) -> int:
        """The options as one number for the line's buttons (0: none; domain.options)."""
        return line_ref(self.options)


@dataclass(frozen=True)
class PricedLine:
    item_id: MenuItemId
    name: str
    unit_price: int  # the dish's price with its options'
    quantity: int
    options: tuple[Picked, ...] = ()

    @property
    def subtotal(self) -> int:
        return self.unit_price * self.quantity

    @property
    def key(self) -> LineKey:
        return LineKey(self.item_id, tuple(sorted(option.id for option in self.options)))


@dataclass(frozen=True)
class PricedCart:
    restaurant_id: RestaurantId
    lines: tuple[PricedLine, ...]
    currency: str

    @property
    def total(self) -> Money:
        return Money(sum(line.subtotal for line in self.lines), self.currency)

    def order_items(self) -> tuple[OrderItem, ...]:
        """The lines as an order keeps them, at these prices."""
        return tuple(OrderItem(line.item_id, line.name, line.unit_price, line.quantity,
                               line.options) for line in self.lines)


@dataclass
class Cart:
    customer_id: UserId
    restaurant_id: RestaurantId | None = None
    lines: dict[LineKey, int] = field(default_factory=dict)  # in the order they were added

    @property
    def is_empty(self) -> bool:
        return not self.lines

    @property
    def item_count(self) -> int:
        return sum(self.lines.values())

    @property
    def quantities(self) -> dict[MenuItemId, int]:
        """Portions of each dish, all its lines together (what stock counts)."""
        counted: dict[MenuItemId, int] = {}
        for key, quantity in self.lines.items():
            counted[key.item_id] = counted.get(key.item_id, 0) + quantity
        return counted

    def add(self, item: MenuItem, quantity: int = 1, *, options: Iterable[int] = (),
            replace_other: bool = False) -> LineKey:
        """Adds dishes with the options picked (checked against the dish); a dish from another
        restaurant needs `replace_other`. Returns the line it went to."""
        if quantity < 1:
            raise InvalidQuantity("quantity must be at least 1")
        if not item.orderable:
            raise ItemUnavailable(item.name)
        key = LineKey.of(item.id, options)
        item.pick(key.options)
        if self.restaurant_id not in (None, item.restaurant_id) and not self.is_empty:
            if not replace_other:
                raise OtherRestaurantInCart(self.restaurant_id or 0, item.restaurant_id)
            self.clear()
        if not item.allows(self.quantities.get(item.id, 0) + quantity):
            raise OutOfStock({item.name: item.stock or 0})
        self.set_quantity(key, self.lines.get(key, 0) + quantity, item.restaurant_id)
        return key

    def set_quantity(
        self, key: LineKey, quantity: int, restaurant_id: RestaurantId | None = None
    ) -> None:
        """Sets a line's quantity; zero removes the line."""
        if quantity < 0:
            raise InvalidQuantity("quantity cannot be negative")
        if quantity > MAX_QUANTITY:
            raise InvalidQuantity("at most {count} of one dish", count=MAX_QUANTITY)
        if quantity == 0:
            self.lines.pop(key, None)
        else:
            if key not in self.lines and len(self.lines) >= MAX_LINES:
                raise InvalidQuantity("at most {count} different dishes", count=MAX_LINES)
            self.lines[key] = quantity
            if restaurant_id is not None:
                self.restaurant_id = restaurant_id
        if self.is_empty:
            self.restaurant_id = None

    def limit(self, item_id: MenuItemId, portions: int) -> None:
        """Keeps at most `portions` of a dish, taking from its lines added last."""
        excess = self.quantities.get(item_id, 0) - portions
        for key in reversed([key for key in self.lines if key.item_id == item_id]):
            if excess <= 0:
                break
            taken = min(excess, self.lines[key])
            self.set_quantity(key, self.lines[key] - taken)
            excess -= taken

    def find(self, item_id: MenuItemId, ref: int) -> LineKey | None:
        """The line a button names by its dish and `LineKey.ref`."""
        return next((key for key in self.lines if key.item_id == item_id and key.ref == ref),
                    None)

    def remove(self, key: LineKey) -> None:
        self.set_quantity(key, 0)

    def clear(self) -> None:
        self.lines.clear()
        self.restaurant_id = None

    def unavailable(self, menu: Mapping[MenuItemId, MenuItem]) -> list[LineKey]:
        """Lines whose dish is gone from `menu` or not available now (sold out too), or whose
        options the dish no longer offers as picked."""
        return [key for key in self.lines if not orderable_line(menu.get(key.item_id), key)]

    def over_stock(self, menu: Mapping[MenuItemId, MenuItem]) -> dict[MenuItemId, int]:
        """Dishes in the cart with fewer portions left than it holds: what is left of each."""
        return {item_id: item.stock for item_id, quantity in self.quantities.items()
                if (item := menu.get(item_id)) is not None and item.stock is not None
                and 0 < item.stock < quantity}

    def price(self, menu: Mapping[MenuItemId, MenuItem], currency: str) -> PricedCart:
        """Prices every line from the current menu, options included; refuses missing or
        unavailable dishes and options no longer offered."""
        if self.is_empty or self.restaurant_id is None:
            raise EmptyCart()
        lines = []
        for key, quantity in self.lines.items():
            item = menu.get(key.item_id)
            if item is None or item.restaurant_id != self.restaurant_id:
                raise NotFound("menu item", key.item_id)
            if not item.orderable:
                raise ItemUnavailable(item.name)
            picked = item.pick(key.options)
            lines.append(PricedLine(item.id, item.name, item.price_with(picked), quantity, picked))
        for item_id, quantity in self.quantities.items():
            if not menu[item_id].allows(quantity):
                raise OutOfStock({menu[item_id].name: menu[item_id].stock or 0})
        return PricedCart(self.restaurant_id, tuple(lines), currency)


def orderable_line(item: MenuItem | None, key: LineKey) -> bool:
    """Whether `item` (None: gone) can be ordered now with the options of `key`."""
    if item is None or not item.orderable:
        return False
    try:
        item.pick(key.options)
    except DomainError:
        return False
    return True
