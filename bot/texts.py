"""Every user-facing string, rendered as Telegram HTML. User-given text is escaped here."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from domain.bill import Bill
from domain.card import DishCard
from domain.errors import (
    BelowMinimum,
    DomainError,
    InvalidInput,
    InvalidQuantity,
    ItemUnavailable,
    NotFound,
    OutOfStock,
    RestaurantClosed,
    SlotUnavailable,
)
from domain.estimates import Estimate, distance_km, minutes_for
from domain.hours import Opening
from domain.lines import LineClosed, Side
from domain.messages import (
    AdminAlert,
    AlertReason,
    Delivered,
    ErrorAlert,
    FindingPartner,
    Offer,
    OfferExpired,
    OrderCancelled,
    OrderFailed,
    OrderReady,
    OutForDelivery,
    PartnerApproved,
    PartnerAssigned,
    PartnerRequest,
    PartnerRevoked,
    RefundDone,
    RefundDue,
    RefundPromised,
    RestaurantTicket,
)
from domain.money import Money
from domain.options import ChoiceRefused, Option, OptionGroup, label, line_name, lowest_extra
from domain.orders import OrderStatus
from domain.partners import Partner
from domain.payments import Refund
from domain.promos import PromoProblem
from domain.restaurants import MenuItem, Restaurant
from domain.services.partners import Job
from domain.services.payments import NotPayable
from domain.services.scheduling import NoSlots, SlotPage
from domain.views import (
    CartLineView,
    CartView,
    Listed,
    MenuPage,
    OrderView,
    Page,
    PromoNote,
    Summary,
)

HELP = (
    "<b>Foodbot</b> brings food from local restaurants to your door.\n\n"
    "/start – main menu\n"
    "/restaurants – browse restaurants and their menus\n"
    "/cart – your cart and checkout\n"
    "/orders – your recent orders: track, cancel, reorder, rate\n"
    "/mytimezone – your own time zone, to see times in it too\n"
    "/help – this help\n"
    "/partner – deliver for us (partners also have /online, /offline and /job)\n\n"
    "Pick a restaurant, tap ➕ on dishes, open the cart and check out. "
    "Pay on delivery, or in chat where 💳 Pay now is offered."
)
SORRY = "Sorry, something went wrong on our side. Please try again in a moment."
PRESS_FAILED = "Sorry, that did not work. Please try again in a moment."  # a press alert
# an update that reached the bot too late to act on (the bot was down, or busy restarting)
TRY_AGAIN = "Sorry, that reached me too late to act on safely. Please try again."
TRY_AGAIN_ALERT = "That reached me too late. Please try again."  # the press's alert
# the inbound limit (bot/inbound.py): plain text, it is also a press alert (200 characters)
SLOW_DOWN = ("You're sending messages faster than I can answer them. "
             "Please slow down and try again in a minute.")
MAIN_MENU = "What would you like to do?"
NOT_UNDERSTOOD = "Sorry, I didn't get that. Here is the main menu (or send /help)."
CLOSED_NOW = "🔒 <b>Closed now</b>: you can look, but not order."
CLOSED_ORDER_LATER = "🔒 <b>Closed now</b>: order for later, delivery from {first}."
NO_RESTAURANTS = "No restaurants are listed yet. Please come back later."
EMPTY_CART = "🛒 Your cart is empty. Pick a restaurant to start."
NO_ORDERS = "📦 You have no orders yet."
CHANGED = "Something changed since this summary. Please check it and confirm again."
CHECKOUT_CANCELLED = "Checkout cancelled. Your cart is kept: /cart"
ADDRESS_PROMPT = (
    "📍 <b>Where should we deliver?</b>\n"
    "Type the address (house or flat, street, area) or tap <b>📍 Share location</b> below.\n"
    "Tap <b>📞 Share phone number</b> too if the rider may call you (optional)."
)
NEW_CART_QUESTION = (
    "🛒 Your cart has dishes from <b>{current}</b>.\n"
    "Start a new cart with dishes from <b>{wanted}</b>? The old cart will be emptied."
)

RESTAURANTS_BUTTON = "🍽 Restaurants"
CART_BUTTON = "🛒 Cart"
ORDERS_BUTTON = "📦 My orders"
HELP_BUTTON = "❓ Help"
HOME_BUTTON = "🏠 Main menu"
PREVIOUS_BUTTON = "◀ Previous"
NEXT_BUTTON = "Next ▶"
BACK_TO_RESTAURANTS = "⬅ Restaurants"
BACK_TO_ORDERS = "⬅ My orders"
BACK_TO_MENU = "⬅ {name} menu"
CLEAR_BUTTON = "🗑 Clear cart"
CHECKOUT_BUTTON = "✅ Checkout"
PLACE_BUTTON = "✅ Place order"
PLACE_CASH_BUTTON = "✅ Place order, pay on delivery"
PAY_NOW_BUTTON = "💳 Pay now"
PAYMENT_PLACED = "💳 Payment received: order #{order_id} is placed. Follow it above."
INVOICE_SENT = "💳 Your invoice is below: pay it there, with a tip if you like."
PROMO_BUTTON = "🏷 Promo code"
REMOVE_PROMO_BUTTON = "✖ Remove promo code"
PROMO_PROMPT = "🏷 Type your promo code (for example SAVE10)."
CHANGE_ADDRESS_BUTTON = "📍 Change address"
EDIT_CART_BUTTON = "🛒 Edit cart"
SHARE_LOCATION_BUTTON = "📍 Share location"
SHARE_PHONE_BUTTON = "📞 Share phone number"
CANCEL_CHECKOUT_BUTTON = "✖ Cancel checkout"
NEW_CART_BUTTON = "Yes, start a new cart"
KEEP_CART_BUTTON = "No, keep my cart"
CANCEL_ORDER_BUTTON = "✖ Cancel order"
CANCEL_YES_BUTTON = "Yes, cancel it"
CANCEL_NO_BUTTON = "No, keep it"
REORDER_BUTTON = "🔁 Reorder"
ADD_FROM_PHOTO_BUTTON = "➕ Add to cart"
CHOOSE_OPTIONS_BUTTON = "➕ Choose and add"
LATER_BUTTON = "🗓 Deliver later"
CHANGE_TIME_BUTTON = "🗓 Change time"
SOON_BUTTON = "⚡ As soon as possible"
BACK_TO_SUMMARY = "◀ Back to the summary"
DAY_BUTTONS = {0: "◀ Today", 1: "Tomorrow ▶"}
DAY_NAMES = {0: "Today", 1: "Tomorrow"}
ADD_CHOSEN_BUTTON = "✅ Add · {price}"
BACK_TO_DISHES = "◀ Back to the menu"
PHOTO_BUTTON = "📷 {name}"
MINUS_BUTTON = "➖ {name}"
PLUS_BUTTON = "➕ {name}"
REMOVE_BUTTON = "✖ {name}"
STAR_BUTTON = "{stars}⭐"
TICKET_ACCEPT_BUTTON = "✅ Accept order"
TICKET_REJECT_BUTTON = "✖ Reject"
TICKET_READY_BUTTON = "🍱 Ready for pickup"
SOLD_OUT_BUTTON = "🚫 {name}: sold out"
ACCEPT_OFFER_BUTTON = "✅ Accept"
DECLINE_OFFER_BUTTON = "✖ Decline"
PICKED_UP_BUTTON = "🥡 Picked up"
DELIVERED_BUTTON = "✅ Delivered"
GO_ONLINE_BUTTON = "🟢 Go online"
GO_OFFLINE_BUTTON = "⚪ Go offline"
JOB_BUTTON = "📦 Current delivery"

PLACED = "✅ Order #{order_id} placed!"
ALREADY_PLACED = "Order #{order_id} is placed already."
CANCELLED = "Order #{order_id} cancelled."
RATED = "Thank you for rating {stars}⭐!"

SHORT_DESCRIPTION = 100  # characters of a dish's description on a menu page
FEW_LEFT = 5  # a menu says how many portions are left from this many down
CLOSING_SOON = 60  # minutes: the restaurant list says "closes in N min" from this many

STATUS = {
    OrderStatus.CREATED: "🕐 Placed, waiting for the restaurant",
    OrderStatus.CONFIRMED: "✅ Confirmed by the restaurant",
    OrderStatus.PREPARING: "👨‍🍳 Being prepared",
    OrderStatus.OUT_FOR_DELIVERY: "🛵 On the way",
    OrderStatus.DELIVERED: "🎉 Delivered",
    OrderStatus.CANCELLED: "✖ Cancelled",
    OrderStatus.FAILED: "⚠️ Could not be completed",
}
SHORT_STATUS = {
    OrderStatus.CREATED: "Placed", OrderStatus.CONFIRMED: "Confirmed",
    OrderStatus.PREPARING: "Preparing", OrderStatus.OUT_FOR_DELIVERY: "On the way",
    OrderStatus.DELIVERED: "Delivered", OrderStatus.CANCELLED: "Cancelled",
    OrderStatus.FAILED: "Failed",
}


def greeting(first_name: str) -> str:
    return (
        f"Hi {escape(first_name)}! 👋 I'm <b>Foodbot</b>.\n"
        "Pick a restaurant, fill your cart and I'll bring your order to your door."
    )


def _clock(moment: datetime, zone: str, mine: str | None = None) -> str:
    """The time of day in a restaurant's zone: '11:32 IST'; and in the customer's own zone
    (`mine`), when it shows another time: '11:32 IST (07:02 GMT your time)'."""
    return moment.astimezone(ZoneInfo(zone)).strftime("%H:%M %Z") + _yours(moment, zone, mine)


def _yours(moment: datetime, zone: str, mine: str | None, how: str = "%H:%M %Z") -> str:
    if mine is None:
        return ""
    theirs, yours = moment.astimezone(ZoneInfo(zone)), moment.astimezone(ZoneInfo(mine))
    if theirs.replace(tzinfo=None) == yours.replace(tzinfo=None):
        return ""
    return f" ({yours.strftime(how)} your time)"


def _when(moment: datetime, zone: str = "UTC") -> str:
    """A moment in a restaurant's local time: '30 Nov 10:47 IST'."""
    return moment.astimezone(ZoneInfo(zone)).strftime("%d %b %H:%M %Z")


def time_zone_is(zone: str | None, now: datetime, *, changed: bool = False) -> str:
    """What /mytimezone answers."""
    if zone is None:
        head = "🕒 Done: times are shown in each restaurant's time zone only." if changed else (
            "🕒 Times are shown in each restaurant's time zone.")
        return head + ("\nTo see them in yours too, send /mytimezone and its name, e.g. "
                       "/mytimezone Europe/London.")
    head = "🕒 Done: times" if changed else "🕒 Times"
    return (f"{head} are shown in the restaurant's time zone and in yours, {escape(zone)} "
            f"(now {now.astimezone(ZoneInfo(zone)):%H:%M %Z}).\n"
            "Send /mytimezone - to see the restaurant's only.")


def _day_time(moment: datetime, zone: str, mine: str | None = None) -> str:
    """A delivery slot in a restaurant's zone: 'Mon 30 Nov 19:30 IST'; and in the customer's
    own zone, when it shows another time."""
    how = "%a %d %b %H:%M %Z"
    return moment.astimezone(ZoneInfo(zone)).strftime(how) + _yours(moment, zone, mine, how)


def slot_page(page: SlotPage) -> str:
    """One day's delivery times for a summary."""
    zone = page.restaurant.time_zone
    day = page.slots[0].astimezone(ZoneInfo(zone)).strftime("%a %d %b") if page.slots else ""
    chosen = (f"\nChosen now: {_day_time(page.chosen, zone)}" if page.chosen is not None
              else "\nChosen now: as soon as possible" if page.open_now else "")
    return (f"🗓 <b>When should it arrive?</b>\n{DAY_NAMES[page.day]}, {day} "
            f"(times in {page.slots[0].astimezone(ZoneInfo(zone)):%Z})\n"
            f"{escape(page.restaurant.name)} starts on it about {page.lead_minutes} min before "
            f"the time you choose.{chosen}")


def slot_button(slot: datetime, page: SlotPage) -> str:
    at = slot.astimezone(ZoneInfo(page.restaurant.time_zone)).strftime("%H:%M")
    return f"✓ {at}" if slot == page.chosen else at


def _page_of(page: Page[Any]) -> str:
    return f" · page {page.number + 1} of {page.count}" if page.count > 1 else ""


def restaurants(page: Page[Listed]) -> str:
    if not page.entries:
        return NO_RESTAURANTS
    rows = [
        f"<b>{escape(listed.restaurant.name)}</b> — {escape(listed.restaurant.address)} · "
        + (f"~{listed.restaurant.prep_minutes} min" if listed.opening.open else "🔒 closed now")
        + _opening_note(listed.opening)
        for listed in page.entries
    ]
    return "🍽 <b>Restaurants</b>" + _page_of(page) + "\n\n" + "\n".join(rows)


def _opening_note(opening: Opening) -> str:
    """' · opens at 11:00' while closed by its hours, ' · closes in 20 min' near closing."""
    if not opening.open:
        return f" · opens {_opens(opening)}" if opening.opens_at is not None else ""
    left = opening.minutes_to_close
    return f" · closes in {left} min" if left is not None and left <= CLOSING_SOON else ""


def _opens(opening: Opening) -> str:
    assert opening.opens_at is not None
    at, days = opening.opens_at.strftime("%H:%M"), opening.opens_in_days
    if days == 0:
        return f"at {at}"
    return f"tomorrow at {at}" if days == 1 else f"{opening.opens_at:%a} at {at}"


def restaurant_button(listed: Listed) -> str:
    name = listed.restaurant.name
    return name if listed.opening.open else f"{name} · closed"


def menu(view: MenuPage) -> str:
    r, cart = view.restaurant, view.cart
    head = f"🍽 <b>{escape(r.name)}</b>{_page_of(view.items)}\n{escape(r.address)}"
    head += (f" · ~{r.prep_minutes} min{_opening_note(view.opening)}" if view.opening.open
             else f"\n{_closed(view)}{_opening_note(view.opening)}")
    head += "\n" + terms(r, cart.currency)
    rows: list[str] = []
    category = None
    for item in view.items.entries:
        if item.category != category:
            category = item.category
            rows.append(f"\n<b>{escape(category)}</b>")
        rows.append(dish(item, cart.currency, cart.quantity_of(item.id)))
    if not view.items.entries:
        rows.append("\nNo dishes yet.")
    if cart.item_count:
        rows.append(f"\n🛒 In your cart: {_count(cart.item_count)} · {cart.total}"
                    + _more_needed(cart.short_of_minimum))
    return head + "\n" + "\n".join(rows)


def _closed(view: MenuPage) -> str:
    if view.later is None:
        return CLOSED_NOW
    return CLOSED_ORDER_LATER.format(first=_day_time(view.later, view.restaurant.time_zone))


def terms(restaurant: Restaurant, currency: str) -> str:
    """A restaurant's delivery fee, free-delivery amount and minimum order, in one line."""
    fee, free_from = restaurant.delivery_fee, restaurant.free_delivery_from
    parts = [f"🛵 Delivery {Money(fee, currency)}" if fee else "🛵 Free delivery"]
    if fee and free_from is not None:
        parts.append(f"free from {Money(free_from, currency)}")
    if restaurant.min_order:
        parts.append(f"minimum order {Money(restaurant.min_order, currency)}")
    return " · ".join(parts)


def _more_needed(short: Money) -> str:
    return f" · add {short} more to order" if short.amount else ""


def bill(b: Bill, *, how: str = "pay on delivery", code: str | None = None) -> list[str]:
    """An order's cost, part by part, the same on every screen; the total line says `how` it
    is paid, the discount the promo `code` behind it."""
    rows = [f"Items: {b.money(b.subtotal)}",
            f"Delivery: {b.money(b.delivery_fee) if b.delivery_fee else 'free'}"]
    if b.discount:
        rows.append(f"Discount{f' ({escape(code)})' if code else ''}: −{b.money(b.discount)}")
    if b.tip:
        rows.append(f"Tip: {b.money(b.tip)}")
    rows.append(f"<b>Total: {b.total}</b>" + (f" · {how}" if how else ""))
    return rows


def _short(text: str, limit: int = SHORT_DESCRIPTION) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def dish(item: MenuItem, currency: str, in_cart: int = 0, *, full: bool = False) -> str:
    """A dish as a menu line (description shortened, so a page stays within Telegram's limit)
    or, `full`, as a photo caption."""
    line = f"• {escape(item.name)} — {_from_price(item, currency)}"
    if item.groups:
        line += " · " + escape(", ".join(group.name.lower() for group in item.groups))
    if item.photo_file_id:
        line += " 📷"
    if not item.available:
        line += " · <i>not available now</i>"
    elif item.stock == 0:
        line += " · <i>sold out</i>"
    elif item.stock is not None and item.stock <= FEW_LEFT:
        line += f" · <i>only {item.stock} left</i>"
    if in_cart:
        line += f" · 🛒 {in_cart}"
    if item.description:
        description = item.description if full else _short(item.description)
        line += f"\n   <i>{escape(description)}</i>"
    return line


def _from_price(item: MenuItem, currency: str) -> str:
    """The dish's price; "from" the least its options make it, when it has options."""
    if not item.groups:
        return str(Money(item.price, currency))
    return f"from {Money(item.price + lowest_extra(item.groups), currency)}"


def dish_button(item: MenuItem, currency: str) -> str:
    return f"➕ {item.name} · {_from_price(item, currency)}"


def dish_card(card: DishCard) -> str:
    """A dish whose options are being picked: each group's rule and pick, and the price."""
    item = card.item
    rows = []
    if card.changed:
        rows.append("ℹ️ The choices for this dish have just changed: please choose again.\n")
    rows.append(f"<b>{escape(item.name)}</b> · {Money(item.price, card.currency)}")
    if item.description:
        rows.append(f"<i>{escape(item.description)}</i>")
    rows.append("")
    for group in item.groups:
        picked = [o.name for o in group.options if o.id in card.chosen]
        rows.append(f"<b>{escape(group.name)}</b> ({group.rule}): "
                    + (escape(", ".join(picked)) if picked else "—"))
    rows.append(f"\nPrice: <b>{card.price}</b>")
    if card.missing is not None:
        rows.append(f"Still to choose: {escape(card.missing)}")
    return "\n".join(rows)


def line_button_name(line: CartLineView) -> str:
    """A cart line on its buttons: the dish, and its options shortened to fit."""
    return _short(line_name(line.name, line.choices), 28)


def option_button(option: Option, group: OptionGroup, chosen: bool, currency: str) -> str:
    """An option on the card: picked or not (a dot for one of a kind, a box for several)."""
    mark = ("●" if chosen else "○") if group.single else ("☑" if chosen else "☐")
    extra = f" +{Money(option.price, currency)}" if option.price else ""
    return (f"{mark} {option.name}{extra}" if option.available
            else f"✖ {option.name} (not available)")


def dish_caption(item: MenuItem, currency: str) -> str:
    return dish(item, currency, full=True).removeprefix("• ")


def added(cart: CartView) -> str:
    return f"Added. Your cart: {_count(cart.item_count)} · {cart.total}"


def _count(items: int) -> str:
    return f"{items} item" if items == 1 else f"{items} items"


def new_cart_question(current: str, wanted: str) -> str:
    return NEW_CART_QUESTION.format(current=escape(current), wanted=escape(wanted))


def cart(view: CartView, *, skipped: Iterable[str] = ()) -> str:
    if view.is_empty or view.restaurant is None:
        return _skipped(skipped) + EMPTY_CART
    rows = [f"🛒 <b>Your cart</b> · {escape(view.restaurant.name)}\n"]
    for line in view.lines:
        name = escape(line_name(line.name, line.choices))
        if line.available:
            rows.append(f"{line.quantity} × {name} — {line.subtotal}")
        else:
            rows.append(f"<s>{line.quantity} × {name}</s> — not available now")
    rows.append("")
    rows += bill(view.bill, how="") if view.bill is not None else []
    restaurant, currency = view.restaurant, view.currency
    free_from = restaurant.free_delivery_from
    if restaurant.delivery_fee and free_from is not None and view.total.amount < free_from:
        rows.append(f"🛵 Free delivery from {Money(free_from, currency)}: "
                    f"add {Money(free_from - view.total.amount, currency)} more")
    if view.short_of_minimum.amount:
        rows.append(f"⚠️ Minimum order {Money(restaurant.min_order, currency)}: "
                    f"add {view.short_of_minimum} more to check out")
    return _skipped(skipped) + "\n".join(rows)


def _skipped(names: Iterable[str]) -> str:
    names = list(names)
    return f"⚠️ Not available now, left out: {escape(', '.join(names))}\n\n" if names else ""


def phone_saved(phone: str) -> str:
    return f"📞 Thanks! The rider can call you on {escape(phone)}. Now, the address?"


def address_saved(summary: Summary) -> str:
    return f"📍 Delivering to: {escape(summary.checkout.address or '')}"


def summary(view: Summary, *, pay_now: bool = False) -> str:
    """The checkout summary; with `pay_now` the customer chooses how to pay by button."""
    priced, checkout = view.priced, view.checkout
    rows = [f"🧾 <b>Check your order</b> · {escape(view.restaurant.name)}\n"]
    rows += [f"{li.quantity} × {escape(line_name(li.name, label(li.options)))} — "
             f"{Money(li.subtotal, priced.currency)}" for li in priced.lines]
    promo = view.promo
    code = promo.code if promo and promo.problem is None else None
    rows += ["", *bill(view.bill, code=code, how="" if pay_now else "pay on delivery")]
    r, slot, mine = view.restaurant, checkout.deliver_at, view.customer_zone
    if slot is not None:
        rows.append(f"🗓 Scheduled: delivery at {_day_time(slot, r.time_zone, mine)}"
                    + ("" if view.open_now else f" ({escape(r.name)} is closed now)"))
    elif view.expected_at is not None and view.estimate is not None:
        rows.append(estimate(view.estimate, view.expected_at, r.time_zone, mine))
    rows.append(f"📍 Deliver to: {escape(checkout.address or '')}")
    if checkout.phone:
        rows.append(f"📞 Phone: {escape(checkout.phone)}")
    if promo is not None and promo.problem is not None:
        rows.append(promo_refused(promo, priced.currency))
    if checkout.note:
        rows.append(f"📝 Note: {escape(checkout.note)}")
    else:
        rows.append("📝 To add a note (flat number, landmark, cooking request), type it now.")
    changes = [f"{escape(c.name)}: {c.before} → {c.after}" for c in view.price_changes]
    if view.fee_before is not None:
        b = view.bill
        changes.append(f"delivery: {b.money(view.fee_before)} → {b.money(b.delivery_fee)}")
    if view.slot_gone is not None:
        changes.append(f"the delivery time {_day_time(view.slot_gone, r.time_zone)} is no "
                       "longer available")
    if view.removed:
        changes.append(f"no longer available, taken out: {escape(', '.join(view.removed))}")
    changes += [f"only {left} left of {escape(name)}, your cart now has {left}"
                for name, left in view.short]
    if view.changed:
        detail = "; ".join(changes) if changes else "your cart changed"
        rows.insert(0, f"⚠️ <b>Something changed</b> since the last summary: {detail}.\n"
                       "Please check and tap Place order again.\n")
    elif changes:
        rows.insert(0, "⚠️ " + "; ".join(changes) + "\n")
    return "\n".join(rows)


PROMO_PROBLEMS = {
    PromoProblem.UNKNOWN: "there is no such code",
    PromoProblem.ENDED: "it has ended",
    PromoProblem.EXPIRED: "it has expired",
    PromoProblem.USED_UP: "it has been used up",
    PromoProblem.BELOW_MINIMUM: "it is for orders of {minimum} or more",
    PromoProblem.USED_BY_YOU: "you have used it already",
}


def estimate(eta: Estimate, by: datetime, zone: str, mine: str | None = None) -> str:
    """The summary's delivery time, and what makes it longer than usual."""
    notes = []
    if eta.km is not None:
        notes.append(f"{eta.km:.1f} km away")
    if eta.wait_minutes > eta.prep_minutes:
        notes.append("no rider is free right now")
    why = f" · {', '.join(notes)}" if notes else ""
    return f"🕒 Delivery in about {eta.minutes} min (by {_clock(by, zone, mine)}){why}"


def promo_refused(note: PromoNote, currency: str) -> str:
    """Why the promo code on a summary takes nothing off (the bill shows it when it does)."""
    assert note.problem is not None
    why = PROMO_PROBLEMS[note.problem].format(minimum=Money(note.min_order, currency))
    return f"🏷 Promo code <b>{escape(note.code)}</b> does not apply: {why}."


def tracking(view: OrderView) -> str:
    """An order as its customer follows it: status, partner, items, address, timeline."""
    order, mine = view.order, view.customer_zone
    rows = [f"🧾 <b>Order #{order.id}</b> · {escape(view.restaurant_name)}"
            + (" · 💳 Paid" if order.paid_online else ""),
            f"<b>{STATUS[order.status]}</b>"]
    if order.scheduled_for is not None and order.status == OrderStatus.CREATED:
        starts = (f": the kitchen starts on it at {_clock(view.starts_at, view.time_zone, mine)}"
                  if view.starts_at is not None else "")
        rows.append(f"🗓 Scheduled for {_day_time(order.scheduled_for, view.time_zone, mine)}"
                    f"{starts}. You can cancel it until then.")
    expected = view.expected_by
    if expected is not None and not order.status.is_terminal:
        by = _clock(expected, view.time_zone, mine)
        rows.append(f"⏰ Running late: we expected it by {by}. Sorry, it is on its way as soon "
                    "as it can be." if view.late else f"🕒 Expected by {by}")
    if view.partner_name:
        rows.append(f"🛵 Delivery partner: {escape(view.partner_name)}")
    if (rider := _rider(view, mine)) is not None:
        rows.append(rider)
    rows.append("")
    rows += [f"{i.quantity} × {escape(line_name(i.name, i.choices))} — "
             f"{Money(i.subtotal, order.currency)}" for i in order.items]
    rows += bill(order.bill, code=order.promo_code, how=_paid(order.paid_online))
    rows.append(f"📍 {escape(order.delivery.address)}")
    if order.delivery.note:
        rows.append(f"📝 {escape(order.delivery.note)}")
    if view.history:
        rows.append("")
        rows += [f"{_when(e.at, view.time_zone)} · {SHORT_STATUS[e.to_status]}"
                 + (f" ({escape(e.reason)})" if e.reason else "") for e in view.history]
    if view.rating is not None:
        rows.append(f"\nYour rating: {'★' * view.rating}{'☆' * (5 - view.rating)}")
    elif view.can_rate:
        rows.append("\nHow was it? Rate your order:")
    return "\n".join(rows)


def _rider(view: OrderView, mine: str | None) -> str | None:
    """Where the rider is, while on the way to a spot the customer shared (domain.rider_map)."""
    order, spot = view.order, view.rider
    there = (order.delivery.latitude, order.delivery.longitude)
    if (spot is None or order.status != OrderStatus.OUT_FOR_DELIVERY or there[0] is None
            or there[1] is None or view.shown_at is None):
        return None
    km = distance_km(*spot, there[0], there[1])
    by = view.shown_at + timedelta(minutes=minutes_for(km))
    return (f"📍 Your rider is {km:.1f} km away: about {minutes_for(km)} min "
            f"(by {_clock(by, view.time_zone, mine)})")


def order_button(view: OrderView) -> str:
    return f"#{view.order.id} · {view.restaurant_name} · {SHORT_STATUS[view.order.status]}"


def orders(views: Iterable[OrderView]) -> str:
    rows = [
        f"#{v.order.id} · {escape(v.restaurant_name)} · {v.order.total} · "
        f"{SHORT_STATUS[v.order.status]} · {_when(v.order.created_at, v.time_zone)}"
        for v in views
    ]
    return "📦 <b>Your recent orders</b>\n\n" + "\n".join(rows) if rows else NO_ORDERS


def cancel_question(view: OrderView) -> str:
    order = view.order
    return (f"Cancel order #{order.id} from {escape(view.restaurant_name)} "
            f"({order.total})?")


_NOT_FOUND = {
    "menu item": "That dish is no longer on the menu.",
    "cart line": "That dish is no longer in your cart.",
    "order": "I can't find that order.",
    "restaurant": "That restaurant is no longer listed.",
}
_REFUSALS = {
    "bad_callback": "This button no longer works. Send /start for the main menu.",
    "not_allowed": "Sorry, that is not possible for this order any more.",
    "too_late_to_cancel": "Sorry, this order can no longer be cancelled: "
                          "the restaurant is already on it.",
    "illegal_transition": "Sorry, that is not possible for this order any more.",
    "conflict": "This order just changed. Please open it again.",
    "empty_cart": "Your cart is empty. Add something from /restaurants first.",
    "other_restaurant": "Your cart has dishes from another restaurant. "
                        "Add from the menu to start a new cart.",
    "stale_summary": "This summary is out of date. Please use the newest one, "
                     "or check out again from your /cart.",
    "already_rated": "You have rated this order already. Thank you!",
    "not_your_contact": "Please share your own number with the 📞 Share phone number button.",
    "not_partner": "This is for approved delivery partners. Send /partner to ask to join.",
    "not_offered": "Sorry, this delivery was not offered to you.",
    "offer_expired": "Sorry, this offer has expired and went to another partner.",
    "already_assigned": "Sorry, another partner has already taken this order.",
    "partner_busy": "You already have an active delivery: finish it first (/job).",
    "not_ready": "The order isn't ready yet. Please wait for the restaurant.",
}


def refusal(error: Exception) -> str:
    """The polite answer to a refused request (a domain error or a forged button), as plain
    text: it goes into callback alerts, which Telegram does not parse."""
    if isinstance(error, NotFound):
        return _NOT_FOUND.get(error.what, "That is no longer available.")
    if isinstance(error, InvalidInput | InvalidQuantity):
        text = str(error)
        return f"{text[:1].upper()}{text[1:]}. Please try again."
    if isinstance(error, RestaurantClosed):
        opens = f" It opens {error.opens_at:%a %H:%M}." if error.opens_at is not None else ""
        return f"Sorry, {error.name} is closed right now.{opens}"
    if isinstance(error, ItemUnavailable):
        return f"Sorry, {error.name} is not available now."
    if isinstance(error, LineClosed):
        return f"This line is closed: {error.why}. Thank you!"
    if isinstance(error, SlotUnavailable):
        return "Sorry, that delivery time is no longer available. Please choose another."
    if isinstance(error, NoSlots):
        return (f"Sorry, {error.name} takes no orders for a later time today or tomorrow: "
                "only as soon as possible.")
    if isinstance(error, ChoiceRefused):
        return error.reason
    if isinstance(error, OutOfStock):
        return "Sorry, not that many left: " + ", ".join(
            f"{name}: {left} left" for name, left in error.left.items()) + "."
    if isinstance(error, BelowMinimum):
        return (f"The minimum order here is {Money(error.minimum, error.currency)}: "
                f"please add {Money(error.short_by, error.currency)} more.")
    return _REFUSALS.get(getattr(error, "code", ""), "Sorry, that can't be done right now.")


# notifications from the outbox (DESIGN.md §4): one function per kind ---------------------

ADMIN_ALERTS = {
    AlertReason.NO_PARTNER: "no delivery partner has taken order #{order_id} for {waited_s} s",
    AlertReason.ORDER_FAILED: "order #{order_id} failed: {error}",
    AlertReason.KITCHEN_SILENT: "the kitchen did not answer order #{order_id} within "
                                "{waited_s} s: {error}",
}


def _reason(reason: str | None) -> str:
    return f" ({escape(reason)})" if reason else ""


def order_cancelled(m: OrderCancelled) -> str:
    return f"✖ Order #{m.order_id} has been cancelled{_reason(m.reason)}. Sorry for the trouble."


def restaurant_ticket(m: RestaurantTicket) -> str:
    lines = [f"{line.quantity} × {escape(line_name(line.name, line.options))}"
             for line in m.items]
    paid = Bill.from_total(m.total, m.currency, delivery_fee=m.delivery_fee,
                           discount=m.discount, tip=m.tip)
    return (f"🧾 <b>New order #{m.order_id}</b>\n\n" + "\n".join(lines)
            + "\n\n" + "\n".join(bill(paid, how=_paid(m.paid_online))))


def map_link(latitude: float | None, longitude: float | None) -> str:
    """" · map" linking to the spot the customer shared, or nothing: one message carries what
    a separate pin used to (issue 12)."""
    if latitude is None or longitude is None:
        return ""
    return f' · <a href="https://maps.google.com/?q={latitude:.6f},{longitude:.6f}">{MAP}</a>'


MAP = "🗺 map"


def offer(m: Offer) -> str:
    return (f"🛵 <b>New delivery: order #{m.order_id}</b>\n"
            f"🍽 Pick up at {escape(m.restaurant)}, {escape(m.pickup)}\n"
            f"📍 Deliver to {escape(m.address)}{map_link(m.latitude, m.longitude)}\n"
            + _collect(Money(m.total, m.currency), m.paid_online)
            + ("" if m.paid_online else _fee_part(m.delivery_fee, m.currency))
            + "\n\nWill you take it?")


def _paid(online: bool) -> str:
    return "💳 paid online" if online else "pay on delivery"


def _collect(total: Money, paid_online: bool) -> str:
    """What the partner collects at the door."""
    if paid_online:
        return "💳 Paid online — collect nothing"
    return f"💰 Pay on delivery: collect <b>{total}</b>"


def _fee_part(fee: int, currency: str) -> str:
    return f" (delivery {Money(fee, currency)} included)" if fee else ""


def offer_expired(m: OfferExpired) -> str:
    return f"⌛ The offer for order #{m.order_id} ran out and went to another partner."


def finding_partner(m: FindingPartner) -> str:
    if m.taking_long:
        return (f"⏳ Finding a delivery partner for order #{m.order_id} is taking longer than "
                "usual. Our team has been told and is on it; we'll tell you as soon as "
                "someone takes it.")
    return (f"🔎 We're finding a delivery partner for order #{m.order_id}. "
            "It may take a few minutes — we'll tell you as soon as someone takes it.")


def partner_assigned(m: PartnerAssigned) -> str:
    return (f"🛵 {escape(m.partner_name)} will deliver order #{m.order_id}. "
            "They'll pick it up as soon as it's ready.")


def order_ready(m: OrderReady) -> str:
    return f"🥡 Order #{m.order_id} is ready for pickup."


def out_for_delivery(m: OutForDelivery) -> str:
    return f"🛵 Order #{m.order_id} is on its way to you!"


def delivered(m: Delivered) -> str:
    return (f"🎉 Order #{m.order_id} has been delivered. Enjoy your meal! "
            "You can rate it in /orders.")


def order_failed(m: OrderFailed) -> str:
    return (f"⚠️ Sorry, order #{m.order_id} could not be completed{_reason(m.reason)}. "
            "Our team has been told; nothing is to be paid.")


def admin_alert(m: AdminAlert) -> str:
    detail = ADMIN_ALERTS[m.reason].format(
        order_id=m.order_id, waited_s=m.waited_s, error=escape(m.error or "unknown error"))
    return f"🚨 <b>Admin alert</b>: {detail}"


def error_alert(m: ErrorAlert) -> str:
    """Tells an admin what failed and where; never what the user sent (it is not in it)."""
    return (f"🐞 <b>Unexpected error</b> handling {escape(m.update_kind)}:\n"
            f"<code>{escape(m.error_type)}</code> in <code>{escape(m.where)}</code>.\n"
            "The traceback is in the logs; repeats of it are only logged for a while.")


NOT_PAYABLE = {
    NotPayable.STALE: "This invoice is out of date. Please use the newest summary.",
    NotPayable.CHANGED: "Your order changed since this invoice. Please check the new summary.",
    NotPayable.AMOUNT: "The amount does not match this order. Please check the summary and "
                       "pay again.",
}


def not_payable(problem: NotPayable | DomainError) -> str:
    """Why Telegram will not take the money, as it shows the customer (plain text)."""
    return NOT_PAYABLE[problem] if isinstance(problem, NotPayable) else refusal(problem)


def payment_refunded(refund: Refund) -> str:
    """A payment that could not become its order: said at once, with the money's way back."""
    return (f"⚠️ Sorry, we could not place your order ({escape(refund.reason)}). Your "
            f"payment of {Money(refund.amount, refund.currency)} will be refunded to the card "
            "you paid with; we'll tell you when it's done.")


def refund_due(m: RefundDue) -> str:
    of = f"order #{m.order_id}" if m.order_id is not None else "a payment that placed no order"
    return (f"💸 <b>Refund due</b>: {Money(m.amount, m.currency)} for {of} "
            f"({escape(m.reason)}). Make it at the payment provider, then record it with "
            "/refunded; /refunds lists those due.")


def refund_promised(m: RefundPromised) -> str:
    return (f"💳 Order #{m.order_id} was paid online: your {Money(m.amount, m.currency)} will "
            "be refunded to the card you paid with. We'll tell you when it's done.")


def refund_done(m: RefundDone) -> str:
    of = f" for order #{m.order_id}" if m.order_id is not None else ""
    return (f"💳 Your refund of {Money(m.amount, m.currency)}{of} has been made. It may take "
            "a few days to show on your statement.")


def partner_request(m: PartnerRequest) -> str:
    return (f"🛵 <b>{escape(m.name)}</b> wants to deliver for Foodbot "
            f"(user id {m.partner_id}) and is waiting for your approval.")


# delivery partners (DESIGN.md §5) ---------------------------------------------------------

NO_JOB = "📭 You have no active delivery right now."
OFFER_ACCEPTED = "The order is yours!"
LINE_TO_RIDER_BUTTON = "💬 Message the rider"
LINE_TO_CUSTOMER_BUTTON = "💬 Message the customer"
LINE_SENT = "✓ Sent."
LINE_NOT_DELIVERED = "Sorry, that could not be delivered just now. Please try again."
LINE_WHAT = "Please reply with a text, a photo or a location."
LINE_PROMPTS = {
    Side.CUSTOMER: "💬 Write to your rider about order #{order_id}: reply to this message with "
                   "a text, a photo or a location. They see your words, not your name or number.",
    Side.RIDER: "💬 Write to the customer of order #{order_id}: reply to this message with a "
                "text, a photo or a location. They see your words and your first name.",
}


def line_message(side: Side, order_id: int, rider_name: str, text: str) -> str:
    """A relayed message: who it is from (the rider by first name, the customer not at all),
    how to answer, and what they wrote."""
    first = rider_name.split()[0] if rider_name.split() else ""
    who = f"your rider {escape(first)}".rstrip() if side is Side.RIDER else "the customer"
    head = f"💬 From {who}, order #{order_id} (reply to this message to answer)"
    return f"{head}\n\n{escape(text)}" if text else head


NOT_ON_THE_WAY = ("📍 Thanks! While you deliver an order, after 🥡 Picked up, your live "
                  "location is shown to its customer, and to nobody else.")
PARTNER_HELP = ("/online – get delivery offers\n/offline – stop getting offers\n"
                "/job – your current delivery\n"
                "📍 On the way, share your live location: your customer follows you on a map.")


def partner_requested(name: str) -> str:
    return (f"🛵 Thanks, {escape(name)}! Your request to deliver for Foodbot is with our "
            "admins. Once they approve it, send /online to start getting delivery offers.")


def partner_approved(m: PartnerApproved) -> str:
    return (f"✅ Welcome aboard, {escape(m.name)}! You are now a Foodbot delivery "
            "partner. Send /online to start getting delivery offers.")


def partner_revoked(m: PartnerRevoked) -> str:
    return (f"⛔ {escape(m.name)}, your Foodbot delivery partner access has been "
            "withdrawn by our admins, so no more delivery offers will come. "
            "Please contact an admin if you think this is a mistake.")


def partner_panel(partner: Partner) -> str:
    state = ("🟢 <b>Online</b>: delivery offers come here." if partner.online
             else "⚪ <b>Offline</b>: no offers until you go online.")
    busy = f"\n📦 Active delivery: order #{partner.active_order_id}" if (
        partner.active_order_id is not None) else ""
    return f"🛵 <b>Partner panel</b> · {escape(partner.name)}\n{state}{busy}\n\n{PARTNER_HELP}"


def job(card: Job) -> str:
    order, restaurant = card.order, card.restaurant
    rows = [f"📦 <b>Delivery: order #{order.id}</b> · {SHORT_STATUS[order.status]}",
            f"🍽 Pick up: <b>{escape(restaurant.name)}</b>, {escape(restaurant.address)}",
            f"📍 Drop off: {escape(order.delivery.address)}"
            + map_link(order.delivery.latitude, order.delivery.longitude)]
    if order.delivery.phone:
        rows.append(f"📞 Customer: {escape(order.delivery.phone)}")
    if order.delivery.note:
        rows.append(f"📝 Note: {escape(order.delivery.note)}")
    rows.append("")
    rows += [f"{i.quantity} × {escape(line_name(i.name, i.choices))}" for i in order.items]
    rows += ["", *bill(order.bill, how="", code=order.promo_code)]
    rows.append(_collect(order.total, order.paid_online))
    return "\n".join(rows)


def ticket_accepted(order_id: int) -> str:
    return (f"👨‍🍳 Order #{order_id} accepted: it is being prepared. "
            "Tap Ready when it can be picked up.")


def ticket_rejected(order_id: int) -> str:
    return f"✖ Order #{order_id} rejected. The customer has been told."


def sold_out_now(item: MenuItem) -> str:
    """The kitchen's toast after 🚫 on a ticket (an alert holds at most 200 characters)."""
    return (f"{item.name[:60]} is sold out: customers can't order it until /stock "
            f"{item.id} N gives it portions again.")


def ticket_ready(order_id: int) -> str:
    return f"🍱 Order #{order_id} is ready for pickup. The delivery partner has been told."


def offer_declined(order_id: int) -> str:
    return f"✖ You declined order #{order_id}. We'll offer it to another partner."


def job_done(order_id: int) -> str:
    return f"✅ Order #{order_id} delivered. Thank you! You're free for the next order."
