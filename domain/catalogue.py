"""The catalogue cache's rules (DESIGN.md §7): what customers browse, kept in memory.

Browse screens (the restaurant list, a menu, a dish) read the catalogue far more often than
admins change it, so each instance keeps a copy of what it read, entry by entry:

- `RESTAURANTS`: every restaurant (the list screen; a restaurant by id is found in it);
- `menu_key(r)`: restaurant r's dishes; `dish_key(i)`: dish i on its own (photos, cart lines).

A write names the entries it made stale (`restaurant_written`, `dish_written`); whoever
commits it drops them here and tells the other instances to do the same. Three rules keep a
copy from outliving a change:

- an entry is stored only if nothing was dropped while it was being read (`generation`): a
  read that started before a change and finished after it would otherwise put the old data
  back after the change's drop;
- while the cache is `suspended` (no way to hear of other instances' changes, e.g. Redis is
  unreachable) nothing is served or stored: every read goes to the database;
- an entry older than `ttl_s` is read again: the bound for changes no instance announced
  (someone edited the database by hand, or an announcement was lost).

Pure: time comes in as `now`, seconds on a clock that never goes back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar, cast

from domain.ids import MenuItemId, RestaurantId
from domain.restaurants import MenuItem, Restaurant

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Key(Generic[T]):
    """Names one cache entry; `T` is what the entry holds."""

    name: str


RESTAURANTS: Key[tuple[Restaurant, ...]] = Key("restaurants")


def menu_key(restaurant_id: RestaurantId) -> Key[tuple[MenuItem, ...]]:
    return Key(f"menu:{restaurant_id}")


def dish_key(item_id: MenuItemId) -> Key[MenuItem]:
    return Key(f"dish:{item_id}")


def restaurant_written(restaurant: Restaurant) -> set[str]:
    """The entries a restaurant's insert or update makes stale (its name, address, open)."""
    return {RESTAURANTS.name}


def dish_written(item: MenuItem) -> set[str]:
    """The entries a dish's insert or update makes stale: its menu and its own entry."""
    return dish_changed(item.id, item.restaurant_id)


def dish_changed(item_id: MenuItemId, restaurant_id: RestaurantId) -> set[str]:
    """`dish_written` for a write that knows only the dish's id and its restaurant's."""
    return {menu_key(restaurant_id).name, dish_key(item_id).name}


@dataclass(slots=True)
class _Entry:
    value: object
    stored_at: float


@dataclass
class CatalogueCache:
    """One instance's copy of the catalogue; `ttl_s` 0 turns the cache off."""

    ttl_s: float
    suspended: bool = False
    generation: int = 0  # bumped by every drop: see `store`
    hits: int = 0
    misses: int = 0
    _entries: dict[str, _Entry] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.ttl_s < 0:
            raise ValueError("the cache's time to live cannot be negative")

    @property
    def serving(self) -> bool:
        return self.ttl_s > 0 and not self.suspended

    def lookup(self, key: Key[T], now: float) -> T | None:
        """The entry's value if it is cached and fresh, else None (read the database)."""
        entry = self._entries.get(key.name) if self.serving else None
        if entry is None or now - entry.stored_at >= self.ttl_s:
            self.misses += 1
            return None
        self.hits += 1
        return cast(T, entry.value)

    def store(self, key: Key[T], value: T, read_in: int, now: float) -> None:
        """Keeps `value`, read from the database while `generation` was `read_in`, unless
        something was dropped since (then it may predate a change) or the cache is off."""
        if self.serving and read_in == self.generation:
            self._entries[key.name] = _Entry(value, now)

    def drop(self, names: Iterable[str]) -> None:
        """Forgets the named entries: a change to them was committed."""
        self.generation += 1
        for name in names:
            self._entries.pop(name, None)

    def drop_all(self) -> None:
        self.generation += 1
        self._entries.clear()

    def suspend(self) -> None:
        """Changes may go unheard: forget everything and serve nothing until `resume`."""
        self.suspended = True
        self.drop_all()

    def resume(self) -> None:
        """Changes are heard again; whatever was missed meanwhile is not cached anyway."""
        self.drop_all()
        self.suspended = False

    def __len__(self) -> int:
        return len(self._entries)
