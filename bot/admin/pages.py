"""◀ Previous and Next ▶ through the admins' long lists (/allorders, /deadletters, /audit)
and /partners: keyset pages by id (domain.paging), each read straight from an index however
long the list."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler

from bot import texts as chat_texts
from bot.admin import texts
from bot.callbacks import Action, pack, pattern
from bot.context import AppContext, AppType
from bot.handlers.common import Screen, press, user_id
from domain.audit import AuditEntry
from domain.orders import OrderStatus
from domain.paging import Keyset
from domain.partners import Partner
from domain.services.admin.orders import OrderLine
from domain.services.admin.ports import DeadTask

STATUSES: tuple[OrderStatus | None, ...] = (None, *OrderStatus)  # a status's place: 0 for all
OLDER, NEWER = 0, 1  # which way a button pages


def orders_screen(page: Keyset[OrderLine, int], status: OrderStatus | None) -> Screen:
    return Screen(texts.orders(page.items, status),
                  _pager(page, Action.ADMIN_ORDERS, STATUSES.index(status)))


def partners_screen(page: Keyset[Partner, int]) -> Screen:
    return Screen(texts.partners(page.items), _pager(page, Action.ADMIN_PARTNERS))


def dead_letters_screen(page: Keyset[DeadTask, int]) -> Screen:
    return Screen(texts.dead_letters(page.items), _pager(page, Action.ADMIN_DEAD))


def audit_screen(page: Keyset[AuditEntry, int], limit: int) -> Screen:
    return Screen(texts.audit(page.items), _pager(page, Action.ADMIN_AUDIT, limit))


def _pager(page: Keyset[Any, int], action: Action, *ids: int) -> InlineKeyboardMarkup | None:
    row = []
    if page.newer is not None:
        row.append(InlineKeyboardButton(chat_texts.PREVIOUS_BUTTON,
                                        callback_data=pack(action, *ids, NEWER, page.newer)))
    if page.older is not None:
        row.append(InlineKeyboardButton(chat_texts.NEXT_BUTTON,
                                        callback_data=pack(action, *ids, OLDER, page.older)))
    return InlineKeyboardMarkup([row]) if row else None


def _way(direction: int, key: int) -> dict[str, int]:
    return {"after": key} if direction == NEWER else {"before": key}


def _not_admin(update: Update, context: AppContext) -> Screen | None:
    """A page button pressed by someone who is not (or no longer) an admin: refused."""
    if user_id(update) in context.services.settings.admin_ids:
        return None
    return Screen(toast=texts.NOT_ADMIN, alert=True)


@press
async def orders_page(update: Update, context: AppContext, place: int, direction: int,
                      key: int) -> Screen:
    status = STATUSES[place]
    refused = _not_admin(update, context)
    return refused or orders_screen(await context.services.admin.orders.orders(
        status, **_way(direction, key)), status)


@press
async def dead_letters_page(update: Update, context: AppContext, direction: int,
                            key: int) -> Screen:
    refused = _not_admin(update, context)
    return refused or dead_letters_screen(
        await context.services.admin.orders.dead_letters(**_way(direction, key)))


@press
async def partners_page(update: Update, context: AppContext, direction: int, key: int
                        ) -> Screen:
    refused = _not_admin(update, context)
    return refused or partners_screen(
        await context.services.admin.partners.partners(**_way(direction, key)))


@press
async def audit_page(update: Update, context: AppContext, limit: int, direction: int,
                     key: int) -> Screen:
    refused = _not_admin(update, context)
    return refused or audit_screen(
        await context.services.admin.catalogue.audit(limit, **_way(direction, key)), limit)


def register(app: AppType) -> None:
    for action, handler in ((Action.ADMIN_ORDERS, orders_page),
                            (Action.ADMIN_DEAD, dead_letters_page),
                            (Action.ADMIN_PARTNERS, partners_page),
                            (Action.ADMIN_AUDIT, audit_page)):
        app.add_handler(CallbackQueryHandler(handler, pattern=pattern(action)))
