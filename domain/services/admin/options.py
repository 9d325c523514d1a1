"""The admin console's dish options (/options, /setgroup, /dropgroup, /option) and the menu
file export (/exportmenu).

Every change is saved through the menu repository, so the catalogue cache drops the dish on
commit as for any dish edit, and records an audit entry in the same unit of work. Options
written again keep their ids and availability (domain/option_specs.py), so the carts holding
them stay valid.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from domain.errors import InvalidInput
from domain.ids import MenuItemId, RestaurantId, UserId
from domain.option_specs import format_groups, format_options, with_group
from domain.options import OptionGroup, check_groups
from domain.ports import Clock
from domain.restaurants import MenuItem, Restaurant
from domain.services.admin.common import found, record
from domain.services.admin.ports import AdminUowFactory, item_target


@dataclass(frozen=True, slots=True)
class MenuExport:
    restaurant: Restaurant
    items: tuple[MenuItem, ...]


class OptionAdmin:
    """Dishes' option groups as admins change them; `actor` is the admin's user id (checked
    by the caller)."""

    def __init__(self, uows: AdminUowFactory, clock: Clock, currency: str) -> None:
        self._uows = uows
        self._clock = clock
        self._currency = currency

    async def dish(self, item_id: MenuItemId) -> MenuItem:
        """The dish with its option groups, as /options shows them."""
        async with self._uows() as uow:
            return found(await uow.menu.get(item_id), "item", item_id)

    async def set_group(self, actor: UserId, item_id: MenuItemId, group: OptionGroup
                        ) -> MenuItem:
        """Adds `group` after the dish's groups, or puts it in place of the one of its name."""
        return await self._change(
            actor, item_id, "set_group",
            lambda item: with_group(item.groups, group, above=item.last_option_id),
            lambda groups: format_groups(_named(groups, group.name), self._currency))

    async def drop_group(self, actor: UserId, item_id: MenuItemId, name: str) -> MenuItem:
        def drop(item: MenuItem) -> tuple[OptionGroup, ...]:
            dropped = _named(item.groups, name)[0]
            return check_groups([group for group in item.groups if group is not dropped])

        return await self._change(actor, item_id, "drop_group", drop, lambda _: name)

    async def set_option_available(self, actor: UserId, item_id: MenuItemId, group: str,
                                   option: str, available: bool) -> MenuItem:
        """Makes one option available (customers can pick it) or not (shown, not picked)."""
        def switch(item: MenuItem) -> tuple[OptionGroup, ...]:
            groups = item.groups
            [chosen] = _named(groups, group)
            key = option.casefold()
            if all(o.name.casefold() != key for o in chosen.options):
                raise InvalidInput("{group} has no option '{option}'; its options: {options}",
                                   group=chosen.name, option=option,
                                   options=format_options(chosen, self._currency))
            options = tuple(replace(o, available=available) if o.name.casefold() == key else o
                            for o in chosen.options)
            return check_groups([replace(g, options=options) if g is chosen else g
                                 for g in groups])

        return await self._change(
            actor, item_id, "option_on" if available else "option_off", switch,
            lambda _: f"{group} | {option}")

    async def menu(self, restaurant_id: RestaurantId) -> MenuExport:
        """The restaurant's dishes in menu order, for /exportmenu (a read: not audited)."""
        async with self._uows() as uow:
            restaurant = found(await uow.restaurants.get(restaurant_id), "restaurant",
                               restaurant_id)
            return MenuExport(restaurant, tuple(await uow.menu.for_restaurant(restaurant_id)))

    async def _change(
        self, actor: UserId, item_id: MenuItemId, action: str,
        change: Callable[[MenuItem], tuple[OptionGroup, ...]],
        detail: Callable[[tuple[OptionGroup, ...]], str],
    ) -> MenuItem:
        async with self._uows() as uow:
            item = found(await uow.menu.get(item_id), "item", item_id)
            changed = replace(item, groups=change(item))
            await uow.menu.save(changed)
            await record(uow, self._clock, actor, action, item_target(item_id),
                         detail(changed.groups))
            await uow.commit()
            return changed


def _named(groups: Sequence[OptionGroup], name: str) -> list[OptionGroup]:
    """The group called `name` (ignoring case), as a one-element list; InvalidInput naming
    the dish's groups when it has none of that name."""
    key = name.strip().casefold()
    matching = [group for group in groups if group.name.casefold() == key]
    if not matching:
        if not groups:
            raise InvalidInput("this dish has no option group '{name}'; it has no options",
                               name=name.strip())
        raise InvalidInput("this dish has no option group '{name}'; its groups: {groups}",
                           name=name.strip(), groups=", ".join(group.name for group in groups))
    return matching
