"""The admin console's handlers (issue #6): every command of bot/admin/specs.py, answered.

One handler takes them all, as a text or, for the commands that come with a photo or a
file, as its caption: it refuses anyone not in ADMIN_IDS with one polite line (nothing
changes), parses the command (a malformed one gets its syntax and an example back),
hands it to the service of its area and replies with what was done.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Final

from telegram import Message, Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.admin import pages, texts
from bot.admin.commands import (
    AddFood,
    AddPromo,
    AdminCommand,
    AdminHelp,
    ApprovePartner,
    CancelOrder,
    CloseLine,
    EditFood,
    EndPromo,
    ImportMenu,
    ListDeadLetters,
    ListOrders,
    ListPartners,
    ListPromos,
    ListRefunds,
    MakeInvite,
    MarkRefunded,
    OptionCommand,
    RetryTask,
    RevokePartner,
    SetAvailable,
    SetPhoto,
    SetPrice,
    SetStock,
    ShowOrder,
    Stats,
)
from bot.admin.option_handlers import answer_options
from bot.admin.restaurant_handlers import restaurants
from bot.admin.specs import COMMANDS, ArgumentError, Attachment, parse_admin_command
from bot.context import AdminServices, AppContext, AppType
from bot.handlers.common import Screen, reply, send, user_id
from domain.errors import DomainError, NotAllowed
from domain.ids import MenuItemId, UserId
from domain.menu_import import MAX_FILE_CHARS, decode_menu_file, parse_menu_csv
from domain.promos import Promo
from domain.services.admin.catalogue import CatalogueAdmin
from domain.services.admin.orders import OrderAdmin
from domain.services.admin.partners import PartnerAdmin
from domain.services.admin.promos import PromoAdmin, valid_through
from domain.services.admin.stats import StatsAdmin

logger = logging.getLogger(__name__)
ATTACHED: Final = {Attachment.PHOTO: filters.PHOTO, Attachment.DOCUMENT: filters.Document.ALL}


async def admin_command(update: Update, context: AppContext) -> None:
    """The command done and said in one reply; its problem, or a refusal for non-admins."""
    message = update.effective_message
    if message is None or update.effective_user is None:
        return
    actor = user_id(update)
    if actor not in context.services.settings.admin_ids:
        await reply(update, Screen(await _from_kitchen(message, context, actor)))
        return
    answer = await _answer(message, context, actor)
    await reply(update, answer if isinstance(answer, Screen) else Screen(answer))


async def _from_kitchen(message: Message, context: AppContext, actor: UserId) -> str:
    """A restaurant's kitchen chat may count its own dishes' portions (/stock, /soldout);
    anything else from a non-admin gets one polite line and changes nothing."""
    currency = context.services.settings.currency
    try:
        command = parse_admin_command(message.text or message.caption or "", currency)
        if not isinstance(command, SetStock):
            raise NotAllowed("not an admin")
        done = await context.services.admin.stock.set_stock(
            actor, command.item_id, command.stock, kitchen=message.chat.id,
            for_today=command.for_today)
    except (ArgumentError, DomainError):
        logger.info("refused admin command from non-admin %s", actor)
        return texts.NOT_ADMIN
    return texts.food_changed(done, currency)


async def _answer(message: Message, context: AppContext, actor: UserId) -> str | Screen:
    currency = context.services.settings.currency
    try:
        command = parse_admin_command(message.text or message.caption or "", currency)
        return await _run(message, context.services.admin, actor, command, currency)
    except ArgumentError as error:
        return texts.argument_error(str(error))
    except DomainError as error:
        logger.info("admin %s refused: %r", actor, error)
        return texts.refusal(error)


async def _run(message: Message, admin: AdminServices, actor: UserId, command: AdminCommand,
               currency: str) -> str | Screen:
    """Hands the command to the service of its area."""
    if isinstance(command, OptionCommand):
        return await answer_options(message, admin.options, actor, command, currency)
    match command:
        case AdminHelp():
            *pages, last = texts.admin_help_pages()
            for page in pages:
                await send(message, Screen(page))
            return last
        case ListPartners() | ApprovePartner() | RevokePartner() | MakeInvite():
            return await _partners(admin.partners, actor, command)
        case (ListOrders() | ShowOrder() | CancelOrder() | CloseLine() | ListDeadLetters()
              | RetryTask()):
            return await _orders(admin.orders, actor, command)
        case Stats():
            return await _stats(message, admin.stats, currency)
        case AddPromo() | ListPromos() | EndPromo():
            return await _promos(admin.promos, actor, command, currency)
        case ListRefunds():
            return texts.refunds(await admin.refunds.due())
        case MarkRefunded(refund_id, note):
            return texts.refund_recorded(await admin.refunds.refunded(actor, refund_id, note))
        case SetStock(item_id, stock, for_today):
            changed = await admin.stock.set_stock(actor, item_id, stock, for_today=for_today)
            return texts.food_changed(changed, currency)
        case AddFood() | EditFood() | SetPrice() | SetAvailable() | SetPhoto() | ImportMenu():
            return await _menu(message, admin.catalogue, actor, command, currency)
    return await restaurants(admin, actor, command, currency)


async def _menu(message: Message, service: CatalogueAdmin, actor: UserId,
                command: AdminCommand, currency: str) -> str:
    match command:
        case AddFood(rid, name, price, category, description):
            added = await service.add_food(actor, rid, name, price, category, description)
            return texts.food_added(added, currency)
        case EditFood(item_id, name, price, category, description):
            return texts.food_changed(await service.edit_food(
                actor, item_id, name=name, price=price, category=category,
                description=description), currency)
        case SetPrice(item_id, price):
            return texts.food_changed(await service.set_price(actor, item_id, price), currency)
        case SetAvailable(item_id, available):
            changed = await service.set_available(actor, item_id, available)
            return texts.food_shown(changed, currency)
        case SetPhoto(item_id):
            return await _set_photo(message, service, actor, item_id)
        case ImportMenu():
            return await _import_menu(message, service, actor, command, currency)
    raise AssertionError(f"not a menu command: {command!r}")


async def _set_photo(message: Message, service: CatalogueAdmin, actor: UserId,
                     item_id: MenuItemId) -> str:
    """The largest size of the photo becomes the dish's photo."""
    if not message.photo:
        return texts.PHOTO_AS_CAPTION
    largest = max(message.photo, key=lambda size: size.width * size.height)
    return texts.photo_set(await service.set_photo(actor, item_id, largest.file_id))


async def _import_menu(message: Message, service: CatalogueAdmin, actor: UserId,
                       command: ImportMenu, currency: str) -> str:
    """The CSV file's dishes added and updated; each rejected row with its line and reason."""
    if message.document is None:
        return texts.FILE_AS_CAPTION
    if (message.document.file_size or 0) > MAX_FILE_CHARS * 4:
        return texts.FILE_TOO_BIG
    data = await (await message.document.get_file()).download_as_bytearray()
    parsed = parse_menu_csv(decode_menu_file(bytes(data)), command.restaurant_id, currency)
    result = await service.import_menu(actor, parsed)
    return texts.menu_imported(result, command.restaurant_id, currency)


async def _partners(service: PartnerAdmin, actor: UserId, command: AdminCommand
                    ) -> str | Screen:
    match command:
        case ListPartners():
            return pages.partners_screen(await service.partners())
        case ApprovePartner(partner_id):
            return texts.partner_approved(await service.approve_partner(actor, partner_id))
        case RevokePartner(partner_id):
            return texts.partner_revoked(await service.revoke_partner(actor, partner_id))
        case MakeInvite():
            return texts.invite_made(await service.make_invite(actor))
    raise AssertionError(f"not a partner command: {command!r}")


async def _orders(service: OrderAdmin, actor: UserId, command: AdminCommand) -> str | Screen:
    match command:
        case ListOrders(status):
            return pages.orders_screen(await service.orders(status), status)
        case ShowOrder(order_id):
            return texts.order_detail(await service.order_detail(order_id, actor))
        case CloseLine(order_id):
            return texts.line_closed(await service.close_line(actor, order_id))
        case CancelOrder(order_id, reason):
            cancelled = await service.cancel_order(actor, order_id, reason)
            return texts.order_cancelled(cancelled, reason)
        case ListDeadLetters():
            return pages.dead_letters_screen(await service.dead_letters())
        case RetryTask(task_id):
            return texts.task_retried(await service.retry_task(actor, task_id))
    raise AssertionError(f"not an order or queue command: {command!r}")


async def _promos(service: PromoAdmin, actor: UserId, command: AdminCommand,
                  currency: str) -> str:
    match command:
        case AddPromo(code, percent, amount, minimum, last_day, total, per_customer):
            until = valid_through(last_day) if last_day is not None else None
            added = await service.add(actor, Promo(code, percent, amount, minimum, until, total,
                                                   per_customer))
            return texts.promo_added(added, currency)
        case ListPromos():
            return texts.promos(await service.latest(), currency)
        case EndPromo(code):
            return texts.promo_ended(await service.end(actor, code))
    raise AssertionError(f"not a promo command: {command!r}")


async def _stats(message: Message, service: StatsAdmin, currency: str) -> str:
    """The orders-per-hour chart as a photo; the numbers as the reply text."""
    report = await service.stats()
    png = await asyncio.to_thread(_chart, report.last_7_days.orders_per_hour)
    await message.reply_photo(png)
    return texts.stats(report, currency)


def _chart(points: list[tuple[datetime, int]]) -> bytes:
    """Drawn in a worker thread. matplotlib is imported here, at the first chart, not at
    start-up: it takes most of a second and tens of megabytes the bot otherwise never needs."""
    from bot import charts

    return charts.orders_per_hour_png(points, texts.STATS_CHART_TITLE)


def _caption(name: str) -> filters.BaseFilter:
    return filters.CaptionRegex(rf"^\s*/{name}(@\w+)?(\s|$)")


def register(app: AppType) -> None:
    """Answers every command of the spec table as a text, and those that come with an
    attachment also as its caption."""
    app.add_handler(CommandHandler(list(COMMANDS), admin_command))
    pages.register(app)
    for spec in COMMANDS.values():
        if spec.attachment is not None:
            attached = filters.UpdateType.MESSAGE & ATTACHED[spec.attachment]
            app.add_handler(MessageHandler(attached & _caption(spec.name), admin_command))
