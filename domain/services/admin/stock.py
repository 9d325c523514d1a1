"""Portions and sold-out dishes as admins and kitchens mark them (issue 14), and their coming
back at the restaurant's next opening; every change audited."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from domain.errors import NotAllowed
from domain.ids import MenuItemId, UserId
from domain.ports import Clock
from domain.restaurants import MenuItem
from domain.services.admin.common import found, record
from domain.services.admin.ports import AdminUowFactory, item_target

logger = logging.getLogger(__name__)


class StockAdmin:
    def __init__(self, uows: AdminUowFactory, clock: Clock) -> None:
        self._uows = uows
        self._clock = clock

    async def set_stock(self, actor: UserId, item_id: MenuItemId, stock: int | None, *,
                        kitchen: int | None = None, for_today: bool = False) -> MenuItem:
        """The dish's portions left (None: not counted); 0 shows it sold out, `for_today`
        until the restaurant's next opening. From a `kitchen` chat (a manager, not an admin):
        only a dish of the restaurant it manages."""
        async with self._uows() as uow:
            item = found(await uow.menu.get(item_id), "item", item_id)
            restaurant = found(await uow.restaurants.get(item.restaurant_id), "restaurant",
                               item.restaurant_id)
            if kitchen is not None and restaurant.manager_chat_id != kitchen:
                raise NotAllowed("only the dish's own kitchen or an admin")
            back = (restaurant.reopens_after(self._clock.now())
                    if for_today and stock == 0 else None)
            changed = replace(item, stock=stock, back_at=back)
            await uow.menu.save(changed)
            left = "not counted" if stock is None else f"{stock} left"
            left += f" until {back:%Y-%m-%d %H:%M} UTC" if back is not None else ""
            where = f" (kitchen chat {kitchen})" if kitchen is not None else ""
            await record(uow, self._clock, actor, "set_stock", item_target(item_id),
                         left + where)
            await uow.commit()
            return changed

    async def restock(self) -> datetime | None:
        """Dishes sold out for the day whose restaurant has opened again are no longer
        counted (safe on any number of instances); when the next one comes back."""
        async with self._uows() as uow:
            back = await uow.menu.back_in_stock(self._clock.now())
            await uow.commit()
            if back:
                logger.info("back on the menu: %s", ", ".join(item.name for item in back))
            return await uow.menu.next_back()
