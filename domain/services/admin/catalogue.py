"""The admin console's catalogue: restaurants, dishes, photos, CSV menu imports, the audit.

Every change records an audit entry (who, when, what) in the same unit of work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from domain.errors import InvalidInput
from domain.hours import WeeklyHours
from domain.ids import MenuItemId, RestaurantId, UserId
from domain.menu_import import MenuImport, Rejection, plan_import
from domain.money import Money
from domain.paging import Keyset, keyset
from domain.ports import Clock
from domain.restaurants import MenuItem, Restaurant, Unanswered
from domain.services.admin.common import found, record
from domain.services.admin.ports import (
    AdminUnitOfWork,
    AdminUowFactory,
    AuditEntry,
    item_target,
    restaurant_target,
)


@dataclass(frozen=True, slots=True)
class ImportResult:
    added: tuple[MenuItem, ...]
    updated: tuple[MenuItem, ...]
    unchanged: tuple[MenuItem, ...]
    rejected: tuple[Rejection, ...]


class CatalogueAdmin:
    """Restaurants and menus as admins change them; `actor` is the admin's user id (checked
    by the caller)."""

    def __init__(self, uows: AdminUowFactory, clock: Clock, currency: str,
                 time_zone: str = "UTC") -> None:
        self._uows = uows
        self._clock = clock
        self._currency = currency
        self._time_zone = time_zone  # a new restaurant's, until /timezone changes it

    async def add_restaurant(
        self, actor: UserId, name: str, address: str, prep_minutes: int
    ) -> Restaurant:
        async with self._uows() as uow:
            await _name_free(uow, name)
            added = await uow.restaurants.add(
                Restaurant(RestaurantId(0), name, address, prep_minutes=prep_minutes,
                           time_zone=self._time_zone)
            )
            await record(uow, self._clock, actor, "add_restaurant", restaurant_target(added.id),
                         f"{added.name} | {added.address} | {added.prep_minutes} min")
            await uow.commit()
            return added

    async def edit_restaurant(
        self, actor: UserId, restaurant_id: RestaurantId, *, name: str | None = None,
        address: str | None = None, prep_minutes: int | None = None,
    ) -> Restaurant:
        async with self._uows() as uow:
            current = await _restaurant(uow, restaurant_id)
            if name is not None and name.strip() != current.name:
                await _name_free(uow, name)
            changed = replace(
                current, name=current.name if name is None else name,
                address=current.address if address is None else address,
                prep_minutes=current.prep_minutes if prep_minutes is None else prep_minutes,
            )
            await uow.restaurants.save(changed)
            await record(uow, self._clock, actor, "edit_restaurant",
                         restaurant_target(restaurant_id),
                         f"{changed.name} | {changed.address} | {changed.prep_minutes} min")
            await uow.commit()
            return changed

    async def set_open(
        self, actor: UserId, restaurant_id: RestaurantId, is_open: bool
    ) -> Restaurant:
        return await self._change_restaurant(
            actor, restaurant_id, "open_restaurant" if is_open else "close_restaurant",
            lambda r: replace(r, is_open=is_open), "",
        )

    async def link_manager(
        self, actor: UserId, restaurant_id: RestaurantId, chat_id: int | None
    ) -> Restaurant:
        detail = "unlinked" if chat_id is None else f"chat {chat_id}"
        return await self._change_restaurant(
            actor, restaurant_id, "link_manager",
            lambda r: replace(r, manager_chat_id=chat_id), detail,
        )

    async def set_terms(
        self, actor: UserId, restaurant_id: RestaurantId, *, delivery_fee: int | None = None,
        free_delivery_from: int | None = None, min_order: int | None = None,
    ) -> Restaurant:
        """A restaurant's delivery fee, free-delivery amount (0: never free) and minimum
        order (0: none), in minor units; None keeps a value. Summaries shown before are
        checked again when "Place order" is pressed."""
        def change(r: Restaurant) -> Restaurant:
            free_from = r.free_delivery_from if free_delivery_from is None else (
                free_delivery_from or None)
            return replace(
                r, delivery_fee=r.delivery_fee if delivery_fee is None else delivery_fee,
                free_delivery_from=free_from,
                min_order=r.min_order if min_order is None else min_order)

        async with self._uows() as uow:
            changed = change(await _restaurant(uow, restaurant_id))
            await uow.restaurants.save(changed)
            free_from = changed.free_delivery_from
            await record(uow, self._clock, actor, "set_terms", restaurant_target(restaurant_id),
                         f"delivery {self._price(changed.delivery_fee)} | free from "
                         f"{self._price(free_from) if free_from else 'never'} | minimum "
                         f"{self._price(changed.min_order)}")
            await uow.commit()
            return changed

    async def set_hours(
        self, actor: UserId, restaurant_id: RestaurantId, hours: WeeklyHours | None
    ) -> Restaurant:
        """Weekly opening hours (None: open whenever switched on); orders are taken only
        within them, from the moment this is committed."""
        return await self._change_restaurant(
            actor, restaurant_id, "hours", lambda r: replace(r, hours=hours),
            str(hours) if hours is not None else "always")

    async def set_closed_day(
        self, actor: UserId, restaurant_id: RestaurantId, day: date, closed: bool
    ) -> Restaurant:
        """Closes the restaurant for a whole local day, or takes the day back."""
        def change(r: Restaurant) -> Restaurant:
            days = r.closed_on | {day} if closed else r.closed_on - {day}
            return replace(r, closed_on=frozenset(days))

        return await self._change_restaurant(
            actor, restaurant_id, "closed_day", change,
            f"{day.isoformat()} {'closed' if closed else 'open'}")

    async def set_travel(self, actor: UserId, restaurant_id: RestaurantId, minutes: int,
                         place: tuple[float, float] | None = None, *, new_place: bool = False
                         ) -> Restaurant:
        """The usual ride and, with `new_place`, where riders pick up (None: unknown)."""
        def change(r: Restaurant) -> Restaurant:
            lat, lon = (place or (None, None)) if new_place else (r.latitude, r.longitude)
            return replace(r, travel_minutes=minutes, latitude=lat, longitude=lon)

        where = f" | {place or '-'}" if new_place else ""
        return await self._change_restaurant(actor, restaurant_id, "travel", change,
                                             f"{minutes} min{where}")

    async def set_time_zone(
        self, actor: UserId, restaurant_id: RestaurantId, zone: str
    ) -> Restaurant:
        """The restaurant's local time zone: its orders' times are shown in it."""
        return await self._change_restaurant(
            actor, restaurant_id, "time_zone", lambda r: replace(r, time_zone=zone), zone)

    async def set_kitchen_answer(
        self, actor: UserId, restaurant_id: RestaurantId, within_s: int,
        unanswered: Unanswered | None = None,
    ) -> Restaurant:
        """How long the restaurant's kitchen has to answer a ticket, and what then (None:
        as it is); tickets sent before keep the time they were given."""
        def change(r: Restaurant) -> Restaurant:
            return replace(r, answer_within_s=within_s,
                           unanswered=r.unanswered if unanswered is None else unanswered)

        return await self._change_restaurant(
            actor, restaurant_id, "kitchen_answer", change,
            f"within {within_s} s, then {unanswered or 'as before'}")

    async def add_food(
        self, actor: UserId, restaurant_id: RestaurantId, name: str, price: int,
        category: str, description: str,
    ) -> MenuItem:
        async with self._uows() as uow:
            await _restaurant(uow, restaurant_id)
            item = MenuItem(MenuItemId(0), restaurant_id, name, price,
                            description=description, category=category)
            added = await uow.menu.add(item)
            await record(uow, self._clock, actor, "add_food", item_target(added.id),
                         f"{added.name} | {self._price(added.price)} | {added.category} "
                         f"in {restaurant_target(restaurant_id)}")
            await uow.commit()
            return added

    async def edit_food(
        self, actor: UserId, item_id: MenuItemId, *, name: str | None = None,
        price: int | None = None, category: str | None = None, description: str | None = None,
    ) -> MenuItem:
        def change(item: MenuItem) -> MenuItem:
            return replace(
                item, name=item.name if name is None else name,
                price=item.price if price is None else price,
                category=item.category if category is None else category,
                description=item.description if description is None else description,
            )

        return await self._change_item(actor, item_id, "edit_food", change,
                                       lambda i: f"{i.name} | {self._price(i.price)} | "
                                                 f"{i.category}")

    async def set_price(self, actor: UserId, item_id: MenuItemId, price: int) -> MenuItem:
        return await self._change_item(actor, item_id, "set_price",
                                       lambda i: replace(i, price=price),
                                       lambda i: self._price(i.price))

    async def set_available(self, actor: UserId, item_id: MenuItemId, available: bool) -> MenuItem:
        return await self._change_item(
            actor, item_id, "show_food" if available else "hide_food",
            lambda i: replace(i, available=available), lambda i: "",
        )

    async def set_photo(self, actor: UserId, item_id: MenuItemId, file_id: str) -> MenuItem:
        return await self._change_item(actor, item_id, "set_photo",
                                       lambda i: replace(i, photo_file_id=file_id), lambda i: "")

    async def import_menu(self, actor: UserId, parsed: MenuImport) -> ImportResult:
        """Adds and updates the file's dishes; the rejected rows change nothing."""
        async with self._uows() as uow:
            await _restaurant(uow, parsed.restaurant_id)
            plan = plan_import(parsed.drafts, await uow.menu.for_restaurant(parsed.restaurant_id))
            added = [await uow.menu.add(draft.to_item(MenuItemId(0), parsed.restaurant_id))
                     for draft in plan.to_add]
            for item in plan.to_update:
                await uow.menu.save(item)
            await record(
                uow, self._clock, actor, "import_menu", restaurant_target(parsed.restaurant_id),
                f"{len(added)} added, {len(plan.to_update)} updated, "
                f"{len(plan.unchanged)} unchanged, {len(parsed.rejected)} rejected",
            )
            await uow.commit()
            return ImportResult(tuple(added), plan.to_update, plan.unchanged, parsed.rejected)

    async def audit(self, limit: int, *, before: int | None = None, after: int | None = None
                    ) -> Keyset[AuditEntry, int]:
        """A page of `limit` admin actions of every area, newest first (domain.paging)."""
        async with self._uows() as uow:
            found = await uow.audit.latest(limit + 1, before=before, after=after)
        return keyset(found, limit, lambda entry: entry.id, before=before, after=after)

    def _price(self, minor: int) -> str:
        return str(Money(minor, self._currency))

    async def _change_restaurant(
        self, actor: UserId, restaurant_id: RestaurantId, action: str,
        change: Callable[[Restaurant], Restaurant], detail: str,
    ) -> Restaurant:
        async with self._uows() as uow:
            changed = change(await _restaurant(uow, restaurant_id))
            await uow.restaurants.save(changed)
            await record(uow, self._clock, actor, action, restaurant_target(restaurant_id),
                         detail)
            await uow.commit()
            return changed

    async def _change_item(
        self, actor: UserId, item_id: MenuItemId, action: str,
        change: Callable[[MenuItem], MenuItem], detail: Callable[[MenuItem], str],
    ) -> MenuItem:
        async with self._uows() as uow:
            changed = change(found(await uow.menu.get(item_id), "item", item_id))
            await uow.menu.save(changed)
            await record(uow, self._clock, actor, action, item_target(item_id), detail(changed))
            await uow.commit()
            return changed


async def _restaurant(uow: AdminUnitOfWork, restaurant_id: RestaurantId) -> Restaurant:
    return found(await uow.restaurants.get(restaurant_id), "restaurant", restaurant_id)


async def _name_free(uow: AdminUnitOfWork, name: str) -> None:
    taken = await uow.restaurants.get_by_name(name)
    if taken is not None:
        raise InvalidInput("a restaurant named '{name}' exists already (#{restaurant_id})",
                           name=taken.name, restaurant_id=taken.id)
