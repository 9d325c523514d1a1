"""The catalogue cache's storage side: browse reads through the cache (`CachedCatalogue`), and
repositories that note which cache entries a write made stale (`Noting*`), for the unit of
work to announce once its transaction committed (storage/uow.py).

Every write to restaurants or dishes goes through those repositories (the admin console, the
CSV import, `foodbot seed`), so none of them can forget to invalidate.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.catalogue import (
    RESTAURANTS,
    CatalogueCache,
    Key,
    T,
    dish_key,
    dish_written,
    menu_key,
    restaurant_written,
)
from domain.ids import MenuItemId, OrderId, RestaurantId
from domain.ports import MenuRepository, RestaurantRepository
from domain.restaurants import MenuItem, Restaurant
from storage.repositories import SqlMenuRepository, SqlRestaurantRepository

Announce = Callable[[frozenset[str]], Awaitable[None]]  # stale entry names, after a commit

logger = logging.getLogger(__name__)


async def announce_committed(announce: Announce | None, stale: Iterable[str]) -> None:
    """Names the cache entries a committed transaction made stale (none: nothing to say). A
    failure is logged, not raised: what is committed stays committed, and the cache's time to
    live bounds how long the entries stay stale."""
    names = frozenset(stale)
    if not names or announce is None:
        return
    try:
        await announce(names)
    except Exception:
        logger.exception("catalogue cache: could not announce a change of %s",
                         ", ".join(sorted(names)))


class CachedCatalogue:
    """Implements `domain.ports.Catalogue`: from `cache` when it has the entry, else from
    the database in a short read of its own (then kept, see `CatalogueCache.store`)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], cache: CatalogueCache,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._sessions = sessions
        self.cache = cache
        self._clock = clock

    async def restaurants(self) -> Sequence[Restaurant]:
        async def load(session: AsyncSession) -> tuple[Restaurant, ...]:
            return tuple(await SqlRestaurantRepository(session).list())

        return await self._cached(RESTAURANTS, load)

    async def restaurant(self, restaurant_id: RestaurantId) -> Restaurant | None:
        return next((r for r in await self.restaurants() if r.id == restaurant_id), None)

    async def menu(self, restaurant_id: RestaurantId) -> Sequence[MenuItem]:
        async def load(session: AsyncSession) -> tuple[MenuItem, ...]:
            return tuple(await SqlMenuRepository(session).for_restaurant(restaurant_id))

        return await self._cached(menu_key(restaurant_id), load)

    async def dish(self, item_id: MenuItemId) -> MenuItem | None:
        key = dish_key(item_id)
        found = self.cache.lookup(key, self._clock())
        if found is not None:
            return found
        read_in = self.cache.generation
        async with self._sessions() as session:
            found = await SqlMenuRepository(session).get(item_id)
        if found is not None:  # an unknown id is not remembered: it may be added next
            self.cache.store(key, found, read_in, self._clock())
        return found

    async def _cached(self, key: Key[T], load: Callable[[AsyncSession], Awaitable[T]]) -> T:
        found = self.cache.lookup(key, self._clock())
        if found is not None:
            return found
        read_in = self.cache.generation
        async with self._sessions() as session:
            value = await load(session)
        self.cache.store(key, value, read_in, self._clock())
        return value


class NotingRestaurants:
    """A `RestaurantRepository` that notes in `stale` the cache entries its writes change."""

    def __init__(self, inner: RestaurantRepository, stale: set[str]) -> None:
        self._inner, self._stale = inner, stale

    async def add(self, restaurant: Restaurant) -> Restaurant:
        added = await self._inner.add(restaurant)
        self._stale |= restaurant_written(added)
        return added

    async def save(self, restaurant: Restaurant) -> None:
        await self._inner.save(restaurant)
        self._stale |= restaurant_written(restaurant)

    async def get(self, restaurant_id: RestaurantId) -> Restaurant | None:
        return await self._inner.get(restaurant_id)

    async def get_many(
        self, restaurant_ids: Iterable[RestaurantId]
    ) -> dict[RestaurantId, Restaurant]:
        return await self._inner.get_many(restaurant_ids)

    async def get_by_name(self, name: str) -> Restaurant | None:
        return await self._inner.get_by_name(name)

    async def list(self) -> Sequence[Restaurant]:
        return await self._inner.list()


class NotingMenu:
    """A `MenuRepository` that notes in `stale` the cache entries its writes change."""

    def __init__(self, inner: MenuRepository, stale: set[str]) -> None:
        self._inner, self._stale = inner, stale

    async def add(self, item: MenuItem) -> MenuItem:
        added = await self._inner.add(item)
        self._stale |= dish_written(added)
        return added

    async def save(self, item: MenuItem) -> None:
        await self._inner.save(item)
        self._stale |= dish_written(item)

    async def back_in_stock(self, now: datetime) -> list[MenuItem]:
        back = await self._inner.back_in_stock(now)
        for item in back:
            self._stale |= dish_written(item)
        return back

    async def next_back(self) -> datetime | None:
        return await self._inner.next_back()

    async def take_stock(self, order_id: OrderId, items: Sequence[tuple[MenuItem, int]]
                         ) -> dict[str, int]:
        short = await self._inner.take_stock(order_id, items)
        for item, _ in items:
            self._stale |= dish_written(item)
        return short

    async def get(self, item_id: MenuItemId) -> MenuItem | None:
        return await self._inner.get(item_id)

    async def get_many(self, item_ids: Iterable[MenuItemId]) -> dict[MenuItemId, MenuItem]:
        return await self._inner.get_many(item_ids)

    async def for_restaurant(self, restaurant_id: RestaurantId) -> Sequence[MenuItem]:
        return await self._inner.for_restaurant(restaurant_id)
