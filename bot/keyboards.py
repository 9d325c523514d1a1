"""Domain views -> keyboards (pure). Every callback button is packed by bot/callbacks.py."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot import texts
from bot.callbacks import Action, pack
from bot.i18n import LANGUAGES
from domain.card import DishCard
from domain.lines import OPEN_WHILE
from domain.messages import TicketLine
from domain.orders import OrderStatus
from domain.paging import Keyset
from domain.partners import Partner
from domain.restaurants import MenuItem
from domain.services.partners import Job
from domain.services.scheduling import SOON, SlotPage, minute_of
from domain.views import CartView, Listed, MenuPage, OrderKey, OrderView, Page, Summary

Row = list[InlineKeyboardButton]
NO_REPLY_KEYBOARD = ReplyKeyboardRemove()


def _button(text: str, action: Action, *ids: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=pack(action, *ids))


def _markup(rows: Sequence[Row]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([row for row in rows if row])


def _home() -> InlineKeyboardButton:
    return _button(texts.HOME_BUTTON, Action.HOME)


def main_menu() -> InlineKeyboardMarkup:
    return _markup([
        [_button(texts.RESTAURANTS_BUTTON, Action.RESTAURANTS, 0),
         _button(texts.CART_BUTTON, Action.CART)],
        [_button(texts.ORDERS_BUTTON, Action.ORDERS), _button(texts.HELP_BUTTON, Action.HELP)],
    ])


def languages(current: str) -> InlineKeyboardMarkup:
    """One button per language, by its own name; the one spoken now ticked."""
    return _markup([[_button(("✓ " if code == current else "") + name, Action.LANGUAGE, place)]
                    for place, (code, name) in enumerate(LANGUAGES.items())])


def forget() -> InlineKeyboardMarkup:
    """/forgetme's question: erase, or keep (back to the main menu)."""
    return _markup([[_button(texts.FORGET_YES_BUTTON, Action.FORGET)],
                    [_button(texts.FORGET_NO_BUTTON, Action.HOME)]])


def home_only() -> InlineKeyboardMarkup:
    return _markup([[_home()]])


def _pager(page: Page[Any], action: Action, *ids: int) -> Row:
    row = []
    if page.has_previous:
        row.append(_button(texts.PREVIOUS_BUTTON, action, *ids, page.number - 1))
    if page.has_next:
        row.append(_button(texts.NEXT_BUTTON, action, *ids, page.number + 1))
    return row


def restaurants(page: Page[Listed]) -> InlineKeyboardMarkup:
    rows = [[_button(texts.restaurant_button(listed), Action.MENU, listed.restaurant.id, 0)]
            for listed in page.entries]
    return _markup([*rows, _pager(page, Action.RESTAURANTS), [_home()]])


def menu(view: MenuPage) -> InlineKeyboardMarkup:
    page, currency = view.items, view.cart.currency
    rows: list[Row] = []
    for item in page.entries:
        row = []
        if item.orderable and view.takes_orders:
            adding = Action.OPTIONS if item.groups else Action.ADD
            row.append(_button(texts.dish_button(item, currency), adding, item.id, page.number))
        if item.photo_file_id:
            row.append(_button(texts.PHOTO_BUTTON.format(name=item.name), Action.PHOTO, item.id))
        rows.append(row)
    rows.append(_pager(page, Action.MENU, view.restaurant.id))
    rows.append([_button(texts.BACK_TO_RESTAURANTS, Action.RESTAURANTS, 0),
                 _button(texts.CART_BUTTON, Action.CART)])
    return _markup(rows)


def dish_photo(item: MenuItem) -> InlineKeyboardMarkup:
    """Under a dish's photo: add it, or open its card when it has options to pick."""
    if item.groups:
        return _markup([[_button(texts.CHOOSE_OPTIONS_BUTTON, Action.OPTIONS, item.id, 0)]])
    return _markup([[_button(texts.ADD_FROM_PHOTO_BUTTON, Action.ADD_FROM_PHOTO, item.id)]])


def options_card(card: DishCard) -> InlineKeyboardMarkup:
    """A dish's options, each pressed to pick or unpick it (two to a row, group by group),
    then ✅ Add with the price so far, and the way back to its menu page."""
    item, chosen, drawn = card.item, card.chosen, (card.fingerprint, card.mask)
    rows: list[Row] = []
    place = 0
    for group in item.groups:
        buttons = []
        for option in group.options:
            text = texts.option_button(option, group, option.id in chosen, card.currency)
            buttons.append(_button(text, Action.CHOOSE, item.id, card.page, *drawn, place))
            place += 1
        rows += [buttons[n:n + 2] for n in range(0, len(buttons), 2)]
    add = texts.ADD_CHOSEN_BUTTON.format(price=card.price)
    rows.append([_button(add, Action.ADD_CHOSEN, item.id, card.page, *drawn)])
    rows.append([_button(texts.BACK_TO_DISHES, Action.MENU, item.restaurant_id, card.page)])
    return _markup(rows)


def new_cart(item_id: int, page: int, restaurant_id: int, *,
             chosen: DishCard | None = None) -> InlineKeyboardMarkup:
    """Another restaurant's cart: empty it for this dish (with the options `chosen`) or not."""
    yes = (_button(texts.NEW_CART_BUTTON, Action.ADD_NEW_CART, item_id, page) if chosen is None
           else _button(texts.NEW_CART_BUTTON, Action.ADD_CHOSEN_NEW_CART, item_id, page,
                        chosen.fingerprint, chosen.mask))
    return _markup([[yes], [_button(texts.KEEP_CART_BUTTON, Action.MENU, restaurant_id, page)]])


def cart(view: CartView) -> InlineKeyboardMarkup:
    if view.is_empty or view.restaurant is None:
        return _markup([[_button(texts.RESTAURANTS_BUTTON, Action.RESTAURANTS, 0), _home()]])
    rows: list[Row] = []
    for line in view.lines:
        label = {"name": texts.line_button_name(line)}
        which = (line.item_id, line.ref)
        row = [_button(texts.REMOVE_BUTTON.format(**label), Action.REMOVE, *which)]
        if line.available:
            row[:0] = [_button(texts.MINUS_BUTTON.format(**label), Action.LESS, *which),
                       _button(texts.PLUS_BUTTON.format(**label), Action.MORE, *which)]
        rows.append(row)
    rows.append([_button(texts.CLEAR_BUTTON, Action.CLEAR)])
    if view.item_count:
        rows.append([_button(texts.CHECKOUT_BUTTON, Action.CHECKOUT)])
    back = texts.BACK_TO_MENU.format(name=view.restaurant.name)
    rows.append([_button(back, Action.MENU, view.restaurant.id, 0), _home()])
    return _markup(rows)


def reorder_new_cart(order_id: int) -> InlineKeyboardMarkup:
    return _markup([
        [_button(texts.NEW_CART_BUTTON, Action.REORDER_NEW_CART, order_id)],
        [_button(texts.KEEP_CART_BUTTON, Action.CART)],
    ])


def address_request() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[KeyboardButton(texts.SHARE_LOCATION_BUTTON, request_location=True)],
         [KeyboardButton(texts.SHARE_PHONE_BUTTON, request_contact=True)],
         [KeyboardButton(texts.CANCEL_CHECKOUT_BUTTON)]],
        resize_keyboard=True, input_field_placeholder="House, street, area",
    )


def summary(view: Summary, *, pay_now: bool = False) -> InlineKeyboardMarkup:
    """The summary's buttons; with `pay_now`, 💳 Pay now beside placing it to pay on delivery."""
    place = _button(texts.PLACE_CASH_BUTTON if pay_now else texts.PLACE_BUTTON, Action.PLACE,
                    view.token)
    when = [_button(texts.LATER_BUTTON if view.checkout.deliver_at is None
                    else texts.CHANGE_TIME_BUTTON, Action.SLOTS, view.token, 0)]
    if view.checkout.deliver_at is not None and view.open_now:
        when.append(_button(texts.SOON_BUTTON, Action.SLOT, view.token, SOON))
    return _markup([
        [place, _button(texts.PAY_NOW_BUTTON, Action.PAY, view.token)] if pay_now else [place],
        when,
        [_button(texts.REMOVE_PROMO_BUTTON, Action.PROMO_REMOVE) if view.checkout.promo_code
         else _button(texts.PROMO_BUTTON, Action.PROMO)],
        [_button(texts.CHANGE_ADDRESS_BUTTON, Action.CHANGE_ADDRESS),
         _button(texts.EDIT_CART_BUTTON, Action.CART)],
    ])


def slot_page(page: SlotPage) -> InlineKeyboardMarkup:
    """One day's delivery times, four to a row, the other day, and back to the summary."""
    times = [_button(texts.slot_button(slot, page), Action.SLOT, page.token, minute_of(slot))
             for slot in page.slots]
    rows = [times[n:n + 4] for n in range(0, len(times), 4)]
    other = [day for day in page.days if day != page.day]
    if other:
        rows.append([_button(texts.day_button(other[0]), Action.SLOTS, page.token, other[0])])
    back = minute_of(page.chosen) if page.chosen is not None else SOON
    rows.append([_button(texts.BACK_TO_SUMMARY, Action.SLOT, page.token, back)])
    return _markup(rows)


def order(view: OrderView, *, shown_in: int | None = None, live: bool = False
          ) -> InlineKeyboardMarkup | None:
    """The order's buttons, if any; the live tracking message (`shown_in`, or `live`: the
    one being sent anew) gets no navigation."""
    oid = view.order.id
    rows: list[Row] = []
    if view.can_cancel:
        rows.append([_button(texts.CANCEL_ORDER_BUTTON, Action.CANCEL, oid)])
    if view.order.partner_id is not None and view.order.status in OPEN_WHILE:
        rows.append([_button(texts.LINE_TO_RIDER_BUTTON, Action.LINE, oid)])
    if view.can_rate:
        rows.append([_button(texts.STAR_BUTTON.format(stars=n), Action.RATE, oid, n)
                     for n in range(1, 6)])
    if view.order.status.is_terminal:
        rows.append([_button(texts.REORDER_BUTTON, Action.REORDER, oid)])
    is_tracking = live or (view.tracking is not None and view.tracking.message_id == shown_in)
    if not is_tracking:
        rows.append([_button(texts.BACK_TO_ORDERS, Action.ORDERS), _home()])
    return _markup(rows) if rows else None


def cancel_question(order_id: int) -> InlineKeyboardMarkup:
    return _markup([
        [_button(texts.CANCEL_YES_BUTTON, Action.CANCEL_CONFIRMED, order_id)],
        [_button(texts.CANCEL_NO_BUTTON, Action.ORDER, order_id)],
    ])


def orders(page: Keyset[OrderView, OrderKey]) -> InlineKeyboardMarkup:
    """A button per order of the page; ◀ ▶ to the newer and older pages, when there are."""
    rows = [[_button(texts.order_button(v), Action.ORDER, v.order.id)] for v in page.items]
    if not page.items:
        rows.append([_button(texts.RESTAURANTS_BUTTON, Action.RESTAURANTS, 0)])
    pager = ([_button(texts.PREVIOUS_BUTTON, Action.ORDERS_NEWER, *page.newer)]
             if page.newer else []) + ([_button(texts.NEXT_BUTTON, Action.ORDERS_OLDER,
                                                *page.older)] if page.older else [])
    return _markup([*rows, *([pager] if pager else []), [_home()]])


def ticket(order_id: int, lines: Iterable[TicketLine] = ()) -> InlineKeyboardMarkup:
    """A new order for the restaurant's manager: take it or not; and a dish of it that has
    just run out can be marked sold out from here."""
    sold_out = [[_button(texts.SOLD_OUT_BUTTON.format(name=line.name), Action.TICKET_SOLD_OUT,
                         line.item_id)] for line in lines if line.item_id]
    return _markup([[_button(texts.TICKET_ACCEPT_BUTTON, Action.TICKET_ACCEPT, order_id),
                     _button(texts.TICKET_REJECT_BUTTON, Action.TICKET_REJECT, order_id)],
                    *sold_out])


def ticket_ready(order_id: int) -> InlineKeyboardMarkup:
    return _markup([[_button(texts.TICKET_READY_BUTTON, Action.TICKET_READY, order_id)]])


def offer(order_id: int) -> InlineKeyboardMarkup:
    return _markup([[_button(texts.ACCEPT_OFFER_BUTTON, Action.OFFER_ACCEPT, order_id),
                     _button(texts.DECLINE_OFFER_BUTTON, Action.OFFER_DECLINE, order_id)]])


def partner_panel(partner: Partner) -> InlineKeyboardMarkup:
    toggle = (_button(texts.GO_OFFLINE_BUTTON, Action.GO_OFFLINE) if partner.online
              else _button(texts.GO_ONLINE_BUTTON, Action.GO_ONLINE))
    return _markup([[toggle], [_button(texts.JOB_BUTTON, Action.JOB)]])


def job(card: Job | None) -> InlineKeyboardMarkup | None:
    """The buttons that apply to the delivery now: Picked up, then Delivered."""
    if card is None:
        return None
    status, oid = card.order.status, card.order.id
    line = [_button(texts.LINE_TO_CUSTOMER_BUTTON, Action.LINE, oid)]
    if status in (OrderStatus.CONFIRMED, OrderStatus.PREPARING):
        return _markup([[_button(texts.PICKED_UP_BUTTON, Action.PICKED_UP, oid)], line])
    if status == OrderStatus.OUT_FOR_DELIVERY:
        return _markup([[_button(texts.DELIVERED_BUTTON, Action.DELIVERED, oid)], line])
    return None
