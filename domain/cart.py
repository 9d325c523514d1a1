"""The cart: one restaurant at a time, whole quantities, priced from the live menu."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from domain.errors import (
    EmptyCart,
    InvalidQuantity,
    ItemUnavailable,
    NotFound,
    OtherRestaurantInCart,
    OutOfStock,
)
from domain.ids import MenuItemId, RestaurantId, UserId
from domain.money import Money
from domain.orders import OrderItem
from domain.restaurants import MenuItem

MAX_QUANTITY = 20
MAX_LINES = 30


@dataclass(frozen=True)
class PricedLine:
    item_id: MenuItemId
    name: str
    unit_price: int
    quantity: int

    @property
    def subtotal(self) -> int:
        return self.unit_price * self.quantity


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
        return tuple(OrderItem(line.item_id, line.name, line.unit_price, line.quantity)
                     for line in self.lines)


@dataclass
class Cart:
    customer_id: UserId
    restaurant_id: RestaurantId | None = None
    quantities: dict[MenuItemId, int] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not self.quantities

    @property
    def item_count(self) -> int:
        return sum(self.quantities.values())

    def add(self, item: MenuItem, quantity: int = 1, *, replace_other: bool = False) -> None:
        """Adds dishes; a dish from another restaurant needs `replace_other`."""
        if quantity < 1:
            raise InvalidQuantity("quantity must be at least 1")
        if not item.orderable:
            raise ItemUnavailable(item.name)
        if not item.allows(self.quantities.get(item.id, 0) + quantity):
            raise OutOfStock({item.name: item.stock or 0})
        if self.restaurant_id not in (None, item.restaurant_id) and not self.is_empty:
            if not replace_other:
                raise OtherRestaurantInCart(self.restaurant_id or 0, item.restaurant_id)
            self.clear()
        self.set_quantity(item.id, self.quantities.get(item.id, 0) + quantity, item.restaurant_id)

    def set_quantity(
        self, item_id: MenuItemId, quantity: int, restaurant_id: RestaurantId | None = None
    ) -> None:
        """Sets a line's quantity; zero removes the line."""
        if quantity < 0:
            raise InvalidQuantity("quantity cannot be negative")
        if quantity > MAX_QUANTITY:
            raise InvalidQuantity(f"at most {MAX_QUANTITY} of one dish")
        if quantity == 0:
            self.quantities.pop(item_id, None)
        else:
            if item_id not in self.quantities and len(self.quantities) >= MAX_LINES:
                raise InvalidQuantity(f"at most {MAX_LINES} different dishes")
            self.quantities[item_id] = quantity
            if restaurant_id is not None:
                self.restaurant_id = restaurant_id
        if self.is_empty:
            self.restaurant_id = None

    def remove(self, item_id: MenuItemId) -> None:
        self.set_quantity(item_id, 0)

    def clear(self) -> None:
        self.quantities.clear()
        self.restaurant_id = None

    def unavailable(self, menu: Mapping[MenuItemId, MenuItem]) -> list[MenuItemId]:
        """Dishes in the cart that are gone from `menu` or not available now (sold out too)."""
        return [item_id for item_id in self.quantities
                if (item := menu.get(item_id)) is None or not item.orderable]

    def over_stock(self, menu: Mapping[MenuItemId, MenuItem]) -> dict[MenuItemId, int]:
        """Dishes in the cart with fewer portions left than it holds: what is left of each."""
        return {item_id: item.stock for item_id, quantity in self.quantities.items()
                if (item := menu.get(item_id)) is not None and item.stock is not None
                and 0 < item.stock < quantity}

    def price(self, menu: Mapping[MenuItemId, MenuItem], currency: str) -> PricedCart:
        """Prices every line from the current menu; refuses missing or unavailable dishes."""
        if self.is_empty or self.restaurant_id is None:
            raise EmptyCart()
        lines = []
        for item_id, quantity in self.quantities.items():
            item = menu.get(item_id)
            if item is None or item.restaurant_id != self.restaurant_id:
                raise NotFound("menu item", item_id)
            if not item.orderable:
                raise ItemUnavailable(item.name)
            if not item.allows(quantity):
                raise OutOfStock({item.name: item.stock or 0})
            lines.append(PricedLine(item.id, item.name, item.price, quantity))
        return PricedCart(self.restaurant_id, tuple(lines), currency)
