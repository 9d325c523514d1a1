"""Browsing restaurants and menus, and filling the cart (DESIGN.md §1, customer)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime

from domain.card import DishCard
from domain.cart import Cart
from domain.customers import Customer
from domain.errors import (
    ItemUnavailable,
    NotFound,
    OtherRestaurantInCart,
    OutOfStock,
    RestaurantClosed,
)
from domain.ids import MenuItemId, RestaurantId, UserId
from domain.listing import RestaurantOrder
from domain.options import all_options, defaults, fingerprint, from_mask, toggle
from domain.ports import Catalogue, Clock, UnitOfWork, UnitOfWorkFactory
from domain.restaurants import MenuItem, Restaurant
from domain.services.openings import taking_orders
from domain.slots import first_slot
from domain.views import CartView, Listed, MenuPage, Page, cart_view, paginate

RESTAURANTS_PER_PAGE = 8
DISHES_PER_PAGE = 8


def menu_order(items: Iterable[MenuItem]) -> list[MenuItem]:
    """Categories in the order their first dish was added, dishes in the order they were added."""
    by_id = sorted(items, key=lambda item: item.id)
    rank: dict[str, int] = {}
    for item in by_id:
        rank.setdefault(item.category, len(rank))
    return sorted(by_id, key=lambda item: rank[item.category])


async def read_cart(uow: UnitOfWork, cart: Cart, currency: str) -> CartView:
    """The cart with today's names, prices and availability."""
    menu = await uow.menu.get_many(cart.quantities)
    restaurant = await uow.restaurants.get(cart.restaurant_id) if cart.restaurant_id else None
    return cart_view(cart, menu, restaurant, currency)


async def read_cart_beside(
    uow: UnitOfWork, cart: Cart, restaurant: Restaurant, menu: Iterable[MenuItem], currency: str
) -> CartView:
    """`read_cart` for a screen that has just read `restaurant` and its whole `menu`: a cart of
    that restaurant's dishes (the usual case) is priced from them, with no query of its own."""
    dishes = {item.id: item for item in menu}
    if cart.restaurant_id != restaurant.id or not dishes.keys() >= cart.quantities.keys():
        return await read_cart(uow, cart, currency)
    return cart_view(cart, dishes, restaurant, currency)


async def orderable(
    uow: UnitOfWork, item_id: MenuItemId, now: datetime
) -> tuple[MenuItem, Restaurant]:
    """A dish that can go into a cart now, with its restaurant (open, or taking orders for
    later); refuses anything else."""
    item = await uow.menu.get(item_id)
    if item is None:
        raise NotFound("menu item", item_id)
    restaurant = await taking_orders(uow, item.restaurant_id, now)
    if not item.orderable:
        raise ItemUnavailable(item.name)
    return item, restaurant


async def make_room(
    uow: UnitOfWork, cart: Cart, restaurant: Restaurant, *, replace_other: bool
) -> None:
    """Readies the cart for `restaurant`'s dishes: one holding another restaurant's is emptied
    when `replace_other`, else refused with OtherRestaurantInCart naming both."""
    if cart.restaurant_id in (None, restaurant.id):
        return
    if not replace_other:
        current = await uow.restaurants.get(cart.restaurant_id)
        raise OtherRestaurantInCart(
            cart.restaurant_id, restaurant.id,
            current_name=current.name if current else "", wanted_name=restaurant.name,
        )
    cart.clear()


class DirectCatalogue:
    """The catalogue read straight from the database, one unit of work a read: the
    `Catalogue` when no cache is wanted."""

    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow = uow_factory

    async def restaurants(self) -> Sequence[Restaurant]:
        async with self._uow() as uow:
            return await uow.restaurants.list()

    async def restaurant(self, restaurant_id: RestaurantId) -> Restaurant | None:
        async with self._uow() as uow:
            return await uow.restaurants.get(restaurant_id)

    async def menu(self, restaurant_id: RestaurantId) -> Sequence[MenuItem]:
        async with self._uow() as uow:
            return await uow.menu.for_restaurant(restaurant_id)

    async def dish(self, item_id: MenuItemId) -> MenuItem | None:
        async with self._uow() as uow:
            return await uow.menu.get(item_id)


class ShoppingService:
    """Browse screens read the `catalogue` (a cache, when wired so); whatever goes into a
    cart is checked again in the cart's own transaction."""

    def __init__(self, uow_factory: UnitOfWorkFactory, currency: str,
                 catalogue: Catalogue | None = None, *, clock: Clock) -> None:
        self._uow = uow_factory
        self.currency = currency
        self.catalogue = catalogue or DirectCatalogue(uow_factory)
        self._clock = clock
        self._order = RestaurantOrder()

    async def restaurants(self, page: int = 0) -> Page[Listed]:
        """Restaurants open now first, then by name; each with its opening now."""
        now = self._clock.now()
        shown = paginate(self._order.of(await self.catalogue.restaurants(), now), page,
                         RESTAURANTS_PER_PAGE)
        return Page(tuple(Listed(r, r.opening(now)) for r in shown.entries), shown.number,
                    shown.count)

    async def menu(
        self, customer_id: UserId, restaurant_id: RestaurantId, page: int = 0
    ) -> MenuPage:
        """One page of a restaurant's menu, with the customer's cart for the cart button:
        the catalogue from `catalogue`, only the cart from the database."""
        restaurant = await self.catalogue.restaurant(restaurant_id)
        if restaurant is None:
            raise NotFound("restaurant", restaurant_id)
        items = menu_order(await self.catalogue.menu(restaurant_id))
        async with self._uow() as uow:
            cart = await uow.carts.get(customer_id)
        return self._page(restaurant, items, page, await self._browsed_cart(cart))

    def _page(self, restaurant: Restaurant, items: Sequence[MenuItem], page: int,
              cart: CartView) -> MenuPage:
        """A menu page, with the restaurant's opening now and, while closed, its first slot."""
        now = self._clock.now()
        opening = restaurant.opening(now)
        later = None if opening.open else first_slot(restaurant, now)
        return MenuPage(restaurant, paginate(items, page, DISHES_PER_PAGE), cart, opening, later)

    async def _browsed_cart(self, cart: Cart) -> CartView:
        """The cart with its restaurant and dishes from the catalogue (a cart holds one
        restaurant's dishes, so its menu has them all)."""
        if cart.restaurant_id is None:
            return cart_view(cart, {}, None, self.currency)
        restaurant = await self.catalogue.restaurant(cart.restaurant_id)
        dishes = {dish.id: dish for dish in await self.catalogue.menu(cart.restaurant_id)}
        return cart_view(cart, dishes, restaurant, self.currency)

    async def dish(self, item_id: MenuItemId) -> MenuItem:
        item = await self.catalogue.dish(item_id)
        if item is None:
            raise NotFound("menu item", item_id)
        return item

    async def cart(self, customer_id: UserId) -> CartView:
        async with self._uow() as uow:
            return await read_cart(uow, await uow.carts.get(customer_id), self.currency)

    async def card(self, item_id: MenuItemId, chosen: frozenset[int] | None = None, *,
                   page: int = 0, drawn_for: int | None = None) -> DishCard:
        """A dish's card for picking its options: `chosen` (None: each required single
        choice's first option), or those defaults when `drawn_for` (a fingerprint) shows the
        options changed since the card was drawn. Refuses a dish that cannot be ordered now."""
        item = await self.dish(item_id)
        restaurant = await self.catalogue.restaurant(item.restaurant_id)
        if restaurant is None:
            raise NotFound("restaurant", item.restaurant_id)
        now = self._clock.now()
        opening = restaurant.opening(now)
        if not opening.open and first_slot(restaurant, now) is None:
            raise RestaurantClosed(restaurant.name, opening.opens_at)
        if not item.orderable:
            raise ItemUnavailable(item.name)
        changed = drawn_for is not None and drawn_for != fingerprint(item.groups)
        if chosen is None or changed:
            chosen = defaults(item.groups)
        return DishCard(item, chosen, self.currency, page, changed=changed)

    async def choose(self, item_id: MenuItemId, drawn_for: int, mask: int, pressed: int, *,
                     page: int = 0) -> DishCard:
        """The card after the option at position `pressed` was pressed on one showing `mask`
        (domain.options.toggle); a card drawn for other options starts again."""
        card = await self.card(item_id, page=page, drawn_for=drawn_for)
        if card.changed:
            return card
        everything = all_options(card.item.groups)
        if pressed >= len(everything):
            raise NotFound("option", pressed)
        chosen = from_mask(card.item.groups, mask)
        return replace(card, chosen=toggle(card.item.groups, chosen, everything[pressed].id))

    async def add(
        self, customer: Customer, item_id: MenuItemId, *, page: int = 0,
        replace_other: bool = False, options: Iterable[int] = (),
    ) -> MenuPage:
        """Adds one of a dish with the `options` picked; returns the `page` of its menu with the
        cart as it is now. A dish with options needs them picked as its groups ask
        (ChoiceRefused otherwise).

        A dish from another restaurant than the cart's raises OtherRestaurantInCart (with
        both names) unless `replace_other` starts a new cart with it.
        """
        async with self._uow() as uow:
            item, restaurant = await orderable(uow, item_id, self._clock.now())
            item.pick(options)
            await uow.customers.ensure(customer)
            cart = await uow.carts.get(customer.id)
            await make_room(uow, cart, restaurant, replace_other=replace_other)
            cart.add(item, options=options)
            await uow.carts.save(cart)
            items = menu_order(await uow.menu.for_restaurant(restaurant.id))
            view = self._page(restaurant, items, page, await read_cart_beside(
                uow, cart, restaurant, items, self.currency))
            await uow.commit()
            return view

    async def change(self, customer_id: UserId, item_id: MenuItemId, ref: int, delta: int
                     ) -> CartView:
        """One more (+1) or one fewer (-1) of a cart line (a dish and `LineKey.ref` of its
        options); none left removes it."""
        async with self._uow() as uow:
            cart = await uow.carts.get(customer_id)
            key = cart.find(item_id, ref)
            if key is None:
                raise NotFound("cart line", item_id)
            quantity = cart.lines[key]
            if delta > 0:
                item, _ = await orderable(uow, item_id, self._clock.now())
                item.pick(key.options)
                if not item.allows(cart.quantities[item_id] + delta):
                    raise OutOfStock({item.name: item.stock or 0})
            cart.set_quantity(key, max(quantity + delta, 0))
            return await self._save(uow, cart)

    async def remove(self, customer_id: UserId, item_id: MenuItemId, ref: int) -> CartView:
        async with self._uow() as uow:
            cart = await uow.carts.get(customer_id)
            key = cart.find(item_id, ref)
            if key is None:
                raise NotFound("cart line", item_id)
            cart.remove(key)
            return await self._save(uow, cart)

    async def clear(self, customer_id: UserId) -> CartView:
        async with self._uow() as uow:
            cart = await uow.carts.get(customer_id)
            cart.clear()
            return await self._save(uow, cart)

    async def _save(self, uow: UnitOfWork, cart: Cart) -> CartView:
        await uow.carts.save(cart)
        view = await read_cart(uow, cart, self.currency)
        await uow.commit()
        return view
