"""The admin console (issue #6): restaurants, dishes, photos, CSV menu imports, the audit.

Only users in ADMIN_IDS get past `admin_only`; anyone else gets one polite line and
nothing changes. A malformed command gets its syntax and an example back.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Final

from telegram import Message, Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot import charts
from bot.admin import texts
from bot.admin.commands import (
    AddFood,
    AddRestaurant,
    AdminCommand,
    AdminHelp,
    ApprovePartner,
    Audit,
    CancelOrder,
    EditFood,
    EditRestaurant,
    ImportMenu,
    LinkManager,
    ListDeadLetters,
    ListOrders,
    ListPartners,
    MakeInvite,
    RetryTask,
    RevokePartner,
    SetAvailable,
    SetOpen,
    SetPhoto,
    SetPrice,
    ShowOrder,
    Stats,
)
from bot.admin.specs import ArgumentError, parse_admin_command
from bot.context import AppContext, AppType
from bot.handlers.common import Handler, Screen, reply, user_id
from domain.errors import DomainError
from domain.ids import UserId
from domain.menu_import import MAX_FILE_CHARS, decode_menu_file, parse_menu_csv
from domain.services.admin.catalogue import CatalogueAdmin
from domain.services.admin.orders import OrderAdmin
from domain.services.admin.partners import PartnerAdmin
from domain.services.admin.stats import StatsAdmin

logger = logging.getLogger(__name__)
TEXT_COMMANDS: Final = (
    "admin", "addrestaurant", "editrestaurant", "openrestaurant", "closerestaurant",
    "linkmanager", "addfood", "editfood", "setprice", "hidefood", "showfood", "audit",
    "partners", "approve", "revoke", "invite", "allorders", "showorder", "cancelorder",
    "deadletters", "retry", "stats",
)
CAPTION_COMMANDS: Final = ("photo", "importmenu")
COMMAND_NAMES: Final = TEXT_COMMANDS + CAPTION_COMMANDS
AdminAction = Callable[[Update, AppContext, UserId, AdminCommand], Awaitable[str]]


def admin_only(action: AdminAction) -> Handler:
    """Refuses non-admins; parses the command; replies with the action's text or the problem."""

    @functools.wraps(action)
    async def run(update: Update, context: AppContext) -> None:
        message = update.effective_message
        if message is None or update.effective_user is None:
            return
        actor = user_id(update)
        if actor not in context.services.settings.admin_ids:
            logger.info("refused admin command from non-admin %s", actor)
            await reply(update, Screen(texts.NOT_ADMIN))
            return
        await reply(update, Screen(await _answer(update, context, action, actor, message)))

    return run


async def _answer(update: Update, context: AppContext, action: AdminAction, actor: UserId,
                  message: Message) -> str:
    try:
        command = parse_admin_command(message.text or message.caption or "",
                                      context.services.settings.currency)
        return await action(update, context, actor, command)
    except ArgumentError as error:
        return texts.argument_error(str(error))
    except DomainError as error:
        logger.info("admin %s refused: %r", actor, error)
        return texts.refusal(error)


@admin_only
async def run_command(update: Update, context: AppContext, actor: UserId,
                      command: AdminCommand) -> str:
    """What the admin asked for, done by the service of its area, and said in one reply."""
    admin, currency = context.services.admin, context.services.settings.currency
    match command:
        case AdminHelp():
            return texts.admin_help(COMMAND_NAMES)
        case SetPhoto():
            return texts.PHOTO_AS_CAPTION
        case ImportMenu():
            return texts.FILE_AS_CAPTION
        case ListPartners() | ApprovePartner() | RevokePartner() | MakeInvite():
            return await _partners(admin.partners, actor, command)
        case ListOrders() | ShowOrder() | CancelOrder() | ListDeadLetters() | RetryTask():
            return await _orders(admin.orders, actor, command)
        case Stats():
            return await _stats(update, admin.stats, currency)
    return await _catalogue(admin.catalogue, actor, command, currency)


async def _catalogue(service: CatalogueAdmin, actor: UserId, command: AdminCommand,
                     currency: str) -> str:
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
        case AddFood(rid, name, price, category, description):
            added = await service.add_food(actor, rid, name, price, category, description)
            return texts.food_added(added, currency)
        case EditFood(item_id, name, price, category, description):
            return texts.food_changed(await service.edit_food(
                actor, item_id, name=name, price=price, category=category,
                description=description), currency)
        case SetPrice(item_id, price):
            changed = await service.set_price(actor, item_id, price)
            return texts.food_changed(changed, currency)
        case SetAvailable(item_id, available):
            changed = await service.set_available(actor, item_id, available)
            return texts.food_shown(changed, currency)
        case Audit(limit):
            return texts.audit(await service.audit(limit))
    raise AssertionError(f"not a catalogue command: {command!r}")


async def _partners(service: PartnerAdmin, actor: UserId, command: AdminCommand) -> str:
    match command:
        case ListPartners():
            return texts.partners(await service.partners())
        case ApprovePartner(partner_id):
            return texts.partner_approved(await service.approve_partner(actor, partner_id))
        case RevokePartner(partner_id):
            return texts.partner_revoked(await service.revoke_partner(actor, partner_id))
        case MakeInvite():
            return texts.invite_made(await service.make_invite(actor))
    raise AssertionError(f"not a partner command: {command!r}")


async def _orders(service: OrderAdmin, actor: UserId, command: AdminCommand) -> str:
    match command:
        case ListOrders(status):
            return texts.orders(await service.orders(status), status)
        case ShowOrder(order_id):
            return texts.order_detail(await service.order_detail(order_id))
        case CancelOrder(order_id, reason):
            cancelled = await service.cancel_order(actor, order_id, reason)
            return texts.order_cancelled(cancelled, reason)
        case ListDeadLetters():
            return texts.dead_letters(await service.dead_letters())
        case RetryTask(task_id):
            return texts.task_retried(await service.retry_task(actor, task_id))
    raise AssertionError(f"not an order or queue command: {command!r}")


async def _stats(update: Update, service: StatsAdmin, currency: str) -> str:
    """The orders-per-hour chart as a photo; the numbers as the reply text."""
    report = await service.stats()
    png = await asyncio.to_thread(charts.orders_per_hour_png,
                                  report.last_7_days.orders_per_hour,
                                  texts.STATS_CHART_TITLE)
    assert update.effective_message is not None
    await update.effective_message.reply_photo(png)
    return texts.stats(report, currency)


@admin_only
async def set_photo(update: Update, context: AppContext, actor: UserId,
                    command: AdminCommand) -> str:
    """The largest size of the photo becomes the dish's photo."""
    assert isinstance(command, SetPhoto) and update.effective_message is not None
    largest = max(update.effective_message.photo, key=lambda size: size.width * size.height)
    changed = await context.services.admin.catalogue.set_photo(actor, command.item_id,
                                                              largest.file_id)
    return texts.photo_set(changed)


@admin_only
async def import_menu(update: Update, context: AppContext, actor: UserId,
                      command: AdminCommand) -> str:
    """The CSV file's dishes added and updated; each rejected row with its line and reason."""
    message = update.effective_message
    assert isinstance(command, ImportMenu) and message is not None and message.document
    if (message.document.file_size or 0) > MAX_FILE_CHARS * 4:
        return texts.FILE_TOO_BIG
    data = await (await message.document.get_file()).download_as_bytearray()
    currency = context.services.settings.currency
    parsed = parse_menu_csv(decode_menu_file(bytes(data)), command.restaurant_id, currency)
    result = await context.services.admin.catalogue.import_menu(actor, parsed)
    return texts.menu_imported(result, command.restaurant_id, currency)


def _caption(name: str) -> filters.BaseFilter:
    return filters.CaptionRegex(rf"^\s*/{name}(@\w+)?(\s|$)")


def register(app: AppType) -> None:
    for name in COMMAND_NAMES:
        app.add_handler(CommandHandler(name, run_command))
    message = filters.UpdateType.MESSAGE
    app.add_handler(MessageHandler(message & filters.PHOTO & _caption("photo"), set_photo))
    app.add_handler(MessageHandler(
        message & filters.Document.ALL & _caption("importmenu"), import_menu))
