"""The admin console's restaurant commands (bot/admin/handlers.py dispatches them here)."""

from __future__ import annotations

from bot.admin import pages, texts
from bot.admin.commands import (
    AddRestaurant,
    AdminCommand,
    Audit,
    EditRestaurant,
    LinkManager,
    SetClosedDay,
    SetHours,
    SetKitchenAnswer,
    SetOpen,
    SetTerms,
    SetTimeZone,
    SetTravel,
)
from bot.context import AdminServices
from bot.handlers.common import Screen
from domain.ids import UserId
from domain.services.admin.catalogue import CatalogueAdmin


async def restaurants(
    admin: AdminServices, actor: UserId, command: AdminCommand, currency: str
) -> str | Screen:
    """Restaurant commands; a change of hours, closed days or the switch also cancels the
    orders for a slot the restaurant no longer takes, and the reply says how many."""
    if isinstance(command, Audit):
        return pages.audit_screen(await admin.catalogue.audit(command.limit), command.limit)
    reply = await _change(admin.catalogue, actor, command, currency)
    if isinstance(command, SetHours | SetClosedDay | SetOpen):
        cancelled = await admin.orders.cancel_closed_slots(actor, command.restaurant_id)
        reply += texts.slots_cancelled(cancelled)
    return reply


async def _change(
    service: CatalogueAdmin, actor: UserId, command: AdminCommand, currency: str
) -> str:
    match command:
        case AddRestaurant(name, address, prep):
            return texts.restaurant_added(
                await service.add_restaurant(actor, name, address, prep))
        case EditRestaurant(rid, name, address, prep):
            return texts.restaurant_changed(await service.edit_restaurant(
                actor, rid, name=name, address=address, prep_minutes=prep))
        case SetOpen(rid, is_open):
            return texts.restaurant_opened(await service.set_open(actor, rid, is_open))
        case LinkManager(rid, chat_id):
            return texts.manager_linked(await service.link_manager(actor, rid, chat_id))
        case SetHours(rid, weekly):
            return texts.hours_set(await service.set_hours(actor, rid, weekly))
        case SetClosedDay(rid, day, closed):
            return texts.hours_set(await service.set_closed_day(actor, rid, day, closed))
        case SetTravel(rid, minutes, place, new_place):
            return texts.restaurant_changed(await service.set_travel(
                actor, rid, minutes, place, new_place=new_place))
        case SetTimeZone(rid, zone):
            return texts.time_zone_set(await service.set_time_zone(actor, rid, zone))
        case SetKitchenAnswer(rid, minutes, then):
            kitchen = await service.set_kitchen_answer(actor, rid, minutes * 60, then)
            return texts.kitchen_answer_set(kitchen)
        case SetTerms(rid, fee, free_from, minimum):
            changed = await service.set_terms(actor, rid, delivery_fee=fee,
                                              free_delivery_from=free_from, min_order=minimum)
            return texts.terms_set(changed, currency)
    raise AssertionError(f"not a restaurant command: {command!r}")
