"""Every user-facing string, rendered as Telegram HTML. User-given text is escaped here.

Each is worded in the language spoken now (bot/i18n.py): the fixed texts are read as
`texts.NAME` and looked up when read, the others are functions.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from html import escape
from typing import Any, Final
from zoneinfo import ZoneInfo

from bot import i18n
from bot.i18n import LANGUAGES, N_, _, date, fixed, money, ngettext
from domain.bill import Bill
from domain.card import DishCard
from domain.errors import (
    BelowMinimum,
    DomainError,
    Explained,
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
from domain.payments import TITLE_LIMIT, Invoice, Refund
from domain.people import Forgotten, StillActive
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

_TEXTS: Final = {  # the fixed texts, read as texts.NAME (see __getattr__)
    "HELP": N_(
        "<b>Foodbot</b> brings food from local restaurants to your door.\n\n"
        "/start – main menu\n"
        "/restaurants – browse restaurants and their menus\n"
        "/cart – your cart and checkout\n"
        "/orders – your recent orders: track, cancel, reorder, rate\n"
        "/mytimezone – your own time zone, to see times in it too\n"
        "/language – the language I speak with you\n"
        "/mydata – everything stored about you, as a file; /forgetme – erase it\n"
        "/help – this help\n"
        "/partner – deliver for us (partners also have /online, /offline and /job)\n\n"
        "Pick a restaurant, tap ➕ on dishes, open the cart and check out. "
        "Pay on delivery, or in chat where 💳 Pay now is offered."
    ),
    "SORRY": N_("Sorry, something went wrong on our side. Please try again in a moment."),
    "PRESS_FAILED": N_("Sorry, that did not work. Please try again in a moment."),  # a press alert
    # an update that reached the bot too late to act on (the bot was down, or busy restarting)
    "TRY_AGAIN": N_("Sorry, that reached me too late to act on safely. Please try again."),
    "TRY_AGAIN_ALERT": N_("That reached me too late. Please try again."),  # the press's alert
    # the inbound limit (bot/inbound.py): plain text, it is also a press alert (200 characters)
    "SLOW_DOWN": N_(
        "You're sending messages faster than I can answer them. "
        "Please slow down and try again in a minute."
    ),
    "MAIN_MENU": N_("What would you like to do?"),
    "NOT_UNDERSTOOD": N_("Sorry, I didn't get that. Here is the main menu (or send /help)."),
    "CLOSED_NOW": N_("🔒 <b>Closed now</b>: you can look, but not order."),
    "CLOSED_ORDER_LATER": N_("🔒 <b>Closed now</b>: order for later, delivery from {first}."),
    "NO_RESTAURANTS": N_("No restaurants are listed yet. Please come back later."),
    "EMPTY_CART": N_("🛒 Your cart is empty. Pick a restaurant to start."),
    "NO_ORDERS": N_("📦 You have no orders yet."),
    "CHANGED": N_("Something changed since this summary. Please check it and confirm again."),
    "CHECKOUT_CANCELLED": N_("Checkout cancelled. Your cart is kept: /cart"),
    "ADDRESS_PROMPT": N_(
        "📍 <b>Where should we deliver?</b>\n"
        "Type the address (house or flat, street, area) or tap <b>📍 Share location</b> below.\n"
        "Tap <b>📞 Share phone number</b> too if the rider may call you (optional)."
    ),
    "NEW_CART_QUESTION": N_(
        "🛒 Your cart has dishes from <b>{current}</b>.\n"
        "Start a new cart with dishes from <b>{wanted}</b>? The old cart will be emptied."
    ),
    "RESTAURANTS_BUTTON": N_("🍽 Restaurants"),
    "CART_BUTTON": N_("🛒 Cart"),
    "ORDERS_BUTTON": N_("📦 My orders"),
    "HELP_BUTTON": N_("❓ Help"),
    "HOME_BUTTON": N_("🏠 Main menu"),
    "PREVIOUS_BUTTON": N_("◀ Previous"),
    "NEXT_BUTTON": N_("Next ▶"),
    "BACK_TO_RESTAURANTS": N_("⬅ Restaurants"),
    "BACK_TO_ORDERS": N_("⬅ My orders"),
    "BACK_TO_MENU": N_("⬅ {name} menu"),
    "CLEAR_BUTTON": N_("🗑 Clear cart"),
    "CHECKOUT_BUTTON": N_("✅ Checkout"),
    "PLACE_BUTTON": N_("✅ Place order"),
    "PLACE_CASH_BUTTON": N_("✅ Place order, pay on delivery"),
    "PAY_NOW_BUTTON": N_("💳 Pay now"),
    "PAYMENT_PLACED": N_("💳 Payment received: order #{order_id} is placed. Follow it above."),
    "PAYMENT_SHOWN": N_("💳 Payment received: order #{order_id} is placed."),
    "INVOICE_SENT": N_("💳 Your invoice is below: pay it there, with a tip if you like."),
    "PROMO_BUTTON": N_("🏷 Promo code"),
    "REMOVE_PROMO_BUTTON": N_("✖ Remove promo code"),
    "PROMO_PROMPT": N_("🏷 Type your promo code (for example SAVE10)."),
    "CHANGE_ADDRESS_BUTTON": N_("📍 Change address"),
    "EDIT_CART_BUTTON": N_("🛒 Edit cart"),
    "SHARE_LOCATION_BUTTON": N_("📍 Share location"),
    "SHARE_PHONE_BUTTON": N_("📞 Share phone number"),
    "CANCEL_CHECKOUT_BUTTON": N_("✖ Cancel checkout"),
    "NEW_CART_BUTTON": N_("Yes, start a new cart"),
    "NO_SUCH_LANGUAGE": N_("Sorry, I don't speak that language. Please choose one below."),
    "MYDATA_CAPTION": N_("📄 Everything Foodbot stores about you, as of now. /forgetme erases "
                         "it."),
    "FORGET_QUESTION": N_(
        "⚠️ <b>Erase your data?</b>\n"
        "Your name, phone numbers, addresses, shared locations, cart, language and your "
        "messages to riders are deleted. Your past orders stay in the restaurants' accounts "
        "without your name, contact or address, no longer linked to you: /orders will show "
        "none. This cannot be undone."
    ),
    "FORGET_YES_BUTTON": N_("🗑 Yes, erase my data"),
    "FORGET_NO_BUTTON": N_("No, keep it"),
    "KEEP_CART_BUTTON": N_("No, keep my cart"),
    "CANCEL_ORDER_BUTTON": N_("✖ Cancel order"),
    "CANCEL_YES_BUTTON": N_("Yes, cancel it"),
    "CANCEL_NO_BUTTON": N_("No, keep it"),
    "REORDER_BUTTON": N_("🔁 Reorder"),
    "ADD_FROM_PHOTO_BUTTON": N_("➕ Add to cart"),
    "CHOOSE_OPTIONS_BUTTON": N_("➕ Choose and add"),
    "LATER_BUTTON": N_("🗓 Deliver later"),
    "CHANGE_TIME_BUTTON": N_("🗓 Change time"),
    "SOON_BUTTON": N_("⚡ As soon as possible"),
    "BACK_TO_SUMMARY": N_("◀ Back to the summary"),
    "ADD_CHOSEN_BUTTON": N_("✅ Add · {price}"),
    "BACK_TO_DISHES": N_("◀ Back to the menu"),
    "PHOTO_BUTTON": N_("📷 {name}"),
    "MINUS_BUTTON": N_("➖ {name}"),
    "PLUS_BUTTON": N_("➕ {name}"),
    "REMOVE_BUTTON": N_("✖ {name}"),
    "STAR_BUTTON": N_("{stars}⭐"),
    "TICKET_ACCEPT_BUTTON": N_("✅ Accept order"),
    "TICKET_REJECT_BUTTON": N_("✖ Reject"),
    "TICKET_READY_BUTTON": N_("🍱 Ready for pickup"),
    "SOLD_OUT_BUTTON": N_("🚫 {name}: sold out"),
    "ACCEPT_OFFER_BUTTON": N_("✅ Accept"),
    "DECLINE_OFFER_BUTTON": N_("✖ Decline"),
    "PICKED_UP_BUTTON": N_("🥡 Picked up"),
    "DELIVERED_BUTTON": N_("✅ Delivered"),
    "GO_ONLINE_BUTTON": N_("🟢 Go online"),
    "GO_OFFLINE_BUTTON": N_("⚪ Go offline"),
    "JOB_BUTTON": N_("📦 Current delivery"),
    "PLACED": N_("✅ Order #{order_id} placed!"),
    "ALREADY_PLACED": N_("Order #{order_id} is placed already."),
    "CANCELLED": N_("Order #{order_id} cancelled."),
    "RATED": N_("Thank you for rating {stars}⭐!"),
    "MAP": N_("🗺 map"),
    "NO_JOB": N_("📭 You have no active delivery right now."),
    "OFFER_ACCEPTED": N_("The order is yours!"),
    "LINE_TO_RIDER_BUTTON": N_("💬 Message the rider"),
    "LINE_TO_CUSTOMER_BUTTON": N_("💬 Message the customer"),
    "LINE_SENT": N_("✓ Sent."),
    "LINE_NOT_DELIVERED": N_("Sorry, that could not be delivered just now. Please try again."),
    "LINE_WHAT": N_("Please reply with a text, a photo or a location."),
    "NOT_ON_THE_WAY": N_(
        "📍 Thanks! While you deliver an order, after 🥡 Picked up, your live "
        "location is shown to its customer, and to nobody else."
    ),
    "PARTNER_HELP": N_(
        "/online – get delivery offers\n/offline – stop getting offers\n"
        "/job – your current delivery\n"
        "📍 On the way, share your live location: your customer follows you on a map."
    ),
}


def __getattr__(name: str) -> str:
    """`texts.NAME` is the text NAME in the language spoken when it is read."""
    return fixed(_TEXTS, name, __name__)


_text = __getattr__  # the same inside this module (only a message id goes inside `_()`)


SHORT_DESCRIPTION = 100  # characters of a dish's description on a menu page
FEW_LEFT = 5  # a menu says how many portions are left from this many down
CLOSING_SOON = 60  # minutes: the restaurant list says "closes in N min" from this many

_STATUS = {
    OrderStatus.CREATED: N_("🕐 Placed, waiting for the restaurant"),
    OrderStatus.CONFIRMED: N_("✅ Confirmed by the restaurant"),
    OrderStatus.PREPARING: N_("👨‍🍳 Being prepared"),
    OrderStatus.OUT_FOR_DELIVERY: N_("🛵 On the way"),
    OrderStatus.DELIVERED: N_("🎉 Delivered"),
    OrderStatus.CANCELLED: N_("✖ Cancelled"),
    OrderStatus.FAILED: N_("⚠️ Could not be completed"),
}
_SHORT_STATUS = {
    OrderStatus.CREATED: N_("Placed"), OrderStatus.CONFIRMED: N_("Confirmed"),
    OrderStatus.PREPARING: N_("Preparing"), OrderStatus.OUT_FOR_DELIVERY: N_("On the way"),
    OrderStatus.DELIVERED: N_("Delivered"), OrderStatus.CANCELLED: N_("Cancelled"),
    OrderStatus.FAILED: N_("Failed"),
}
_DAY_BUTTONS = {0: N_("◀ Today"), 1: N_("Tomorrow ▶")}
_DAY_NAMES = {0: N_("Today"), 1: N_("Tomorrow")}


def in_every_language(name: str) -> list[str]:
    """The fixed text NAME (see `__getattr__`) as each language words it."""
    return i18n.in_every_language(_TEXTS[name])


def language_question(current: str) -> str:
    """What /language asks, in the language spoken now."""
    return _("🌐 Which language shall I speak with you? Now: {language}").format(
        language=LANGUAGES[current])


def language_chosen(code: str) -> str:
    """The answer to a language chosen, in that language (spoken from now on)."""
    return _("🌐 Done: I speak {language} with you now. /help lists what I can do.").format(
        language=LANGUAGES[code])


def forgotten(done: Forgotten) -> str:
    """The answer to an erasure: what was kept, anonymised."""
    kept = ngettext("{count} past order is kept without your name, contact or address.",
                    "{count} past orders are kept without your name, contact or address.",
                    done.orders).format(count=done.orders) if done.orders else ""
    return " ".join(part for part in (
        _("✅ Done: your data is erased."), kept,
        _("Send /start if you ever want to order again.")) if part)


def status(of: OrderStatus) -> str:
    """An order's status as its tracking message heads it: '🛵 On the way'."""
    return _(_STATUS[of])


def short_status(of: OrderStatus) -> str:
    """An order's status in a list: 'On the way'."""
    return _(_SHORT_STATUS[of])


def day_button(day: int) -> str:
    """The button to the other day of delivery times (0 today, 1 tomorrow)."""
    return _(_DAY_BUTTONS[day])


def greeting(first_name: str) -> str:
    return _(
        "Hi {name}! 👋 I'm <b>Foodbot</b>.\n"
        "Pick a restaurant, fill your cart and I'll bring your order to your door."
    ).format(name=escape(first_name))


def _zone_name(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%Z")


def _clock(moment: datetime, zone: str, mine: str | None = None) -> str:
    """The time of day in a restaurant's zone: '11:32 IST'; and in the customer's own zone
    (`mine`), when it shows another time: '11:32 IST (07:02 GMT your time)'."""
    return moment.astimezone(ZoneInfo(zone)).strftime("%H:%M %Z") + _yours(moment, zone, mine)


def _yours(moment: datetime, zone: str, mine: str | None, *, day: bool = False) -> str:
    if mine is None:
        return ""
    theirs, yours = moment.astimezone(ZoneInfo(zone)), moment.astimezone(ZoneInfo(mine))
    if theirs.replace(tzinfo=None) == yours.replace(tzinfo=None):
        return ""
    shown = _day_time(moment, mine) if day else yours.strftime("%H:%M %Z")
    return " " + _("({time} your time)").format(time=shown)


def _when(moment: datetime, zone: str = "UTC") -> str:
    """A moment in a restaurant's local time: '30 Nov 10:47 IST'."""
    return f"{date(moment, zone, 'dd MMM HH:mm')} {_zone_name(moment, zone)}"


def time_zone_is(zone: str | None, now: datetime, *, changed: bool = False) -> str:
    """What /mytimezone answers."""
    if zone is None:
        head = (_("🕒 Done: times are shown in each restaurant's time zone only.") if changed
                else _("🕒 Times are shown in each restaurant's time zone."))
        return head + "\n" + _("To see them in yours too, send /mytimezone and its name, e.g. "
                               "/mytimezone Europe/London.")
    shown = _("🕒 Done: times are shown in the restaurant's time zone and in yours, {zone} "
              "(now {now}).") if changed else _(
        "🕒 Times are shown in the restaurant's time zone and in yours, {zone} (now {now}).")
    return (shown.format(zone=escape(zone), now=now.astimezone(ZoneInfo(zone)).strftime("%H:%M %Z"))
            + "\n" + _("Send /mytimezone - to see the restaurant's only."))


def _day_time(moment: datetime, zone: str, mine: str | None = None) -> str:
    """A delivery slot in a restaurant's zone: 'Mon 30 Nov 19:30 IST'; and in the customer's
    own zone, when it shows another time."""
    shown = f"{date(moment, zone, 'EEE dd MMM HH:mm')} {_zone_name(moment, zone)}"
    return shown + (_yours(moment, zone, mine, day=True) if mine is not None else "")


def slot_page(page: SlotPage) -> str:
    """One day's delivery times for a summary."""
    zone = page.restaurant.time_zone
    day = date(page.slots[0], zone, "EEE dd MMM") if page.slots else ""
    chosen = ("\n" + _("Chosen now: {time}").format(time=_day_time(page.chosen, zone))
              if page.chosen is not None
              else "\n" + _("Chosen now: as soon as possible") if page.open_now else "")
    head = _("🗓 <b>When should it arrive?</b>\n{day}, {date} (times in {zone})").format(
        day=_(_DAY_NAMES[page.day]), date=day,
        zone=_zone_name(page.slots[0], zone) if page.slots else zone)
    lead = _("{name} starts on it about {minutes} min before the time you choose.").format(
        name=escape(page.restaurant.name), minutes=page.lead_minutes)
    return f"{head}\n{lead}{chosen}"


def slot_button(slot: datetime, page: SlotPage) -> str:
    at = slot.astimezone(ZoneInfo(page.restaurant.time_zone)).strftime("%H:%M")
    return f"✓ {at}" if slot == page.chosen else at


def _page_of(page: Page[Any]) -> str:
    if page.count <= 1:
        return ""
    return " · " + _("page {number} of {count}").format(number=page.number + 1, count=page.count)


def restaurants(page: Page[Listed]) -> str:
    if not page.entries:
        return _text("NO_RESTAURANTS")
    rows = [
        f"<b>{escape(listed.restaurant.name)}</b> — {escape(listed.restaurant.address)}"
        + (_prep(listed.restaurant.prep_minutes) if listed.opening.open
           else " · " + _("🔒 closed now"))
        + _opening_note(listed.opening)
        for listed in page.entries
    ]
    return _("🍽 <b>Restaurants</b>") + _page_of(page) + "\n\n" + "\n".join(rows)


def _prep(minutes: int) -> str:
    """' · ~20 min', the kitchen's time to make an order; nothing for a kitchen that hands it
    over at once (a shop of drinks), where "~0 min" would read as a fault."""
    return " · " + _("~{minutes} min").format(minutes=minutes) if minutes else ""


def _opening_note(opening: Opening) -> str:
    """' · opens at 11:00' while closed by its hours, ' · closes in 20 min' near closing."""
    if not opening.open:
        return " · " + _opens(opening) if opening.opens_at is not None else ""
    left = opening.minutes_to_close
    if left is None or left > CLOSING_SOON:
        return ""
    return " · " + _("closes in {minutes} min").format(minutes=left)


def _opens(opening: Opening) -> str:
    assert opening.opens_at is not None
    at, days = opening.opens_at.strftime("%H:%M"), opening.opens_in_days
    if days == 0:
        return _("opens at {time}").format(time=at)
    if days == 1:
        return _("opens tomorrow at {time}").format(time=at)
    return _("opens {day} at {time}").format(day=date(opening.opens_at, None, "EEE"), time=at)


def restaurant_button(listed: Listed) -> str:
    name = listed.restaurant.name
    return name if listed.opening.open else _("{name} · closed").format(name=name)


def menu(view: MenuPage) -> str:
    r, cart = view.restaurant, view.cart
    head = f"🍽 <b>{escape(r.name)}</b>{_page_of(view.items)}\n{escape(r.address)}"
    head += (_prep(r.prep_minutes) + _opening_note(view.opening) if view.opening.open
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
        rows.append("\n" + _("No dishes yet."))
    if cart.item_count:
        rows.append("\n" + _("🛒 In your cart: {items} · {total}").format(
            items=_count(cart.item_count), total=money(cart.total))
            + _more_needed(cart.short_of_minimum))
    return head + "\n" + "\n".join(rows)


def _closed(view: MenuPage) -> str:
    if view.later is None:
        return _text("CLOSED_NOW")
    return _text("CLOSED_ORDER_LATER").format(
        first=_day_time(view.later, view.restaurant.time_zone))


def terms(restaurant: Restaurant, currency: str) -> str:
    """A restaurant's delivery fee, free-delivery amount and minimum order, in one line."""
    fee, free_from = restaurant.delivery_fee, restaurant.free_delivery_from
    parts = [_("🛵 Delivery {amount}").format(amount=money(Money(fee, currency))) if fee
             else _("🛵 Free delivery")]
    if fee and free_from is not None:
        parts.append(_("free from {amount}").format(amount=money(Money(free_from, currency))))
    if restaurant.min_order:
        parts.append(_("minimum order {amount}").format(
            amount=money(Money(restaurant.min_order, currency))))
    return " · ".join(parts)


def _more_needed(short: Money) -> str:
    if not short.amount:
        return ""
    return " · " + _("add {amount} more to order").format(amount=money(short))


def bill(b: Bill, *, how: str | None = None, code: str | None = None) -> list[str]:
    """An order's cost, part by part, the same on every screen; the total line says `how` it
    is paid (None: on delivery; "": not said), the discount the promo `code` behind it."""
    rows = [_("Items: {amount}").format(amount=money(b.money(b.subtotal))),
            _("Delivery: {amount}").format(amount=money(b.money(b.delivery_fee)))
            if b.delivery_fee else _("Delivery: free")]
    if b.discount:
        off = "−" + money(b.money(b.discount))
        rows.append(_("Discount ({code}): {amount}").format(code=escape(code), amount=off)
                    if code else _("Discount: {amount}").format(amount=off))
    if b.tip:
        rows.append(_("Tip: {amount}").format(amount=money(b.money(b.tip))))
    how = _("pay on delivery") if how is None else how
    rows.append(_("<b>Total: {amount}</b>").format(amount=money(b.total))
                + (f" · {how}" if how else ""))
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
        line += " · <i>" + _("not available now") + "</i>"
    elif item.stock == 0:
        line += " · <i>" + _("sold out") + "</i>"
    elif item.stock is not None and item.stock <= FEW_LEFT:
        line += " · <i>" + ngettext("only {count} left", "only {count} left", item.stock).format(
            count=item.stock) + "</i>"
    if in_cart:
        line += f" · 🛒 {in_cart}"
    if item.description:
        description = item.description if full else _short(item.description)
        line += f"\n   <i>{escape(description)}</i>"
    return line


def _from_price(item: MenuItem, currency: str) -> str:
    """The dish's price; "from" the least its options make it, when it has options."""
    if not item.groups:
        return money(Money(item.price, currency))
    least = Money(item.price + lowest_extra(item.groups), currency)
    return _("from {price}").format(price=money(least))


def dish_button(item: MenuItem, currency: str) -> str:
    return f"➕ {item.name} · {_from_price(item, currency)}"


def dish_card(card: DishCard) -> str:
    """A dish whose options are being picked: each group's rule and pick, and the price."""
    item = card.item
    rows = []
    if card.changed:
        rows.append(_("ℹ️ The choices for this dish have just changed: please choose again.")
                    + "\n")
    rows.append(f"<b>{escape(item.name)}</b> · {money(Money(item.price, card.currency))}")
    if item.description:
        rows.append(f"<i>{escape(item.description)}</i>")
    rows.append("")
    for group in item.groups:
        picked = [o.name for o in group.options if o.id in card.chosen]
        rows.append(f"<b>{escape(group.name)}</b> ({rule(group)}): "
                    + (escape(", ".join(picked)) if picked else "—"))
    rows.append("\n" + _("Price: <b>{price}</b>").format(price=money(card.price)))
    if (unpicked := card.unpicked) is not None:
        rows.append(_("Still to choose: {group}").format(
            group=f"{escape(unpicked.name)}: {rule(unpicked)}"))
    return "\n".join(rows)


def rule(group: OptionGroup) -> str:
    """How many of a group to pick: "choose 1", "up to 3", "choose 1 to 2", "optional"."""
    if group.least == group.most:
        return ngettext("choose {count}", "choose {count}", group.least).format(count=group.least)
    if group.least == 0:
        return _("optional") if group.most == 1 else _("up to {most}").format(most=group.most)
    return _("choose {least} to {most}").format(least=group.least, most=group.most)


def line_button_name(line: CartLineView) -> str:
    """A cart line on its buttons: the dish, and its options shortened to fit."""
    return _short(line_name(line.name, line.choices), 28)


def option_button(option: Option, group: OptionGroup, chosen: bool, currency: str) -> str:
    """An option on the card: picked or not (a dot for one of a kind, a box for several)."""
    mark = ("●" if chosen else "○") if group.single else ("☑" if chosen else "☐")
    extra = f" +{money(Money(option.price, currency))}" if option.price else ""
    return (f"{mark} {option.name}{extra}" if option.available
            else _("✖ {option} (not available)").format(option=option.name))


def dish_caption(item: MenuItem, currency: str) -> str:
    return dish(item, currency, full=True).removeprefix("• ")


def added(cart: CartView) -> str:
    return _("Added. Your cart: {items} · {total}").format(
        items=_count(cart.item_count), total=money(cart.total))


def _count(items: int) -> str:
    return ngettext("{count} item", "{count} items", items).format(count=items)


def new_cart_question(current: str, wanted: str) -> str:
    return _text("NEW_CART_QUESTION").format(current=escape(current), wanted=escape(wanted))


def cart(view: CartView, *, skipped: Iterable[str] = ()) -> str:
    if view.is_empty or view.restaurant is None:
        return _skipped(skipped) + _text("EMPTY_CART")
    rows = [_("🛒 <b>Your cart</b> · {restaurant}").format(
        restaurant=escape(view.restaurant.name)) + "\n"]
    for line in view.lines:
        name = escape(line_name(line.name, line.choices))
        if line.available:
            rows.append(f"{line.quantity} × {name} — {money(line.subtotal)}")
        else:
            rows.append(_("<s>{quantity} × {dish}</s> — not available now").format(
                quantity=line.quantity, dish=name))
    rows.append("")
    rows += bill(view.bill, how="") if view.bill is not None else []
    restaurant, currency = view.restaurant, view.currency
    free_from = restaurant.free_delivery_from
    if restaurant.delivery_fee and free_from is not None and view.total.amount < free_from:
        rows.append(_("🛵 Free delivery from {amount}: add {more} more").format(
            amount=money(Money(free_from, currency)),
            more=money(Money(free_from - view.total.amount, currency))))
    if view.short_of_minimum.amount:
        rows.append(_("⚠️ Minimum order {amount}: add {more} more to check out").format(
            amount=money(Money(restaurant.min_order, currency)),
            more=money(view.short_of_minimum)))
    return _skipped(skipped) + "\n".join(rows)


def _skipped(names: Iterable[str]) -> str:
    names = list(names)
    if not names:
        return ""
    return _("⚠️ Not available now, left out: {dishes}").format(
        dishes=escape(", ".join(names))) + "\n\n"


def phone_saved(phone: str) -> str:
    return _("📞 Thanks! The rider can call you on {phone}. Now, the address?").format(
        phone=escape(phone))


def address_saved(summary: Summary) -> str:
    return _("📍 Delivering to: {address}").format(address=escape(summary.checkout.address or ""))


def summary(view: Summary, *, pay_now: bool = False) -> str:
    """The checkout summary; with `pay_now` the customer chooses how to pay by button."""
    priced, checkout = view.priced, view.checkout
    rows = [_("🧾 <b>Check your order</b> · {restaurant}").format(
        restaurant=escape(view.restaurant.name)) + "\n"]
    rows += [f"{li.quantity} × {escape(line_name(li.name, label(li.options)))} — "
             f"{money(Money(li.subtotal, priced.currency))}" for li in priced.lines]
    promo = view.promo
    code = promo.code if promo and promo.problem is None else None
    rows += ["", *bill(view.bill, code=code, how="" if pay_now else None)]
    r, slot, mine = view.restaurant, checkout.deliver_at, view.customer_zone
    if slot is not None:
        at = _day_time(slot, r.time_zone, mine)
        rows.append(_("🗓 Scheduled: delivery at {time}").format(time=at) if view.open_now
                    else _("🗓 Scheduled: delivery at {time} ({restaurant} is closed now)").format(
                        time=at, restaurant=escape(r.name)))
    elif view.expected_at is not None and view.estimate is not None:
        rows.append(estimate(view.estimate, view.expected_at, r.time_zone, mine))
    rows.append(_("📍 Deliver to: {address}").format(address=escape(checkout.address or "")))
    if checkout.phone:
        rows.append(_("📞 Phone: {phone}").format(phone=escape(checkout.phone)))
    if promo is not None and promo.problem is not None:
        rows.append(promo_refused(promo, priced.currency))
    if checkout.note:
        rows.append(_("📝 Note: {note}").format(note=escape(checkout.note)))
    else:
        rows.append(_("📝 To add a note (flat number, landmark, cooking request), type it now."))
    changes = [_("{dish}: {before} → {after}").format(
        dish=escape(c.name), before=money(c.before), after=money(c.after))
        for c in view.price_changes]
    if view.fee_before is not None:
        b = view.bill
        changes.append(_("delivery: {before} → {after}").format(
            before=money(b.money(view.fee_before)), after=money(b.money(b.delivery_fee))))
    if view.slot_gone is not None:
        changes.append(_("the delivery time {time} is no longer available").format(
            time=_day_time(view.slot_gone, r.time_zone)))
    if view.removed:
        changes.append(_("no longer available, taken out: {dishes}").format(
            dishes=escape(", ".join(view.removed))))
    changes += [ngettext("only {count} left of {dish}, your cart now has {count}",
                         "only {count} left of {dish}, your cart now has {count}", left).format(
        count=left, dish=escape(name)) for name, left in view.short]
    if view.changed:
        detail = "; ".join(changes) if changes else _("your cart changed")
        rows.insert(0, _("⚠️ <b>Something changed</b> since the last summary: {detail}.\n"
                         "Please check and tap Place order again.").format(detail=detail) + "\n")
    elif changes:
        rows.insert(0, "⚠️ " + "; ".join(changes) + "\n")
    return "\n".join(rows)


_PROMO_PROBLEMS = {
    PromoProblem.UNKNOWN: N_("there is no such code"),
    PromoProblem.ENDED: N_("it has ended"),
    PromoProblem.EXPIRED: N_("it has expired"),
    PromoProblem.USED_UP: N_("it has been used up"),
    PromoProblem.BELOW_MINIMUM: N_("it is for orders of {minimum} or more"),
    PromoProblem.USED_BY_YOU: N_("you have used it already"),
}


def estimate(eta: Estimate, by: datetime, zone: str, mine: str | None = None) -> str:
    """The summary's delivery time, and what makes it longer than usual."""
    notes = []
    if eta.km is not None:
        notes.append(_("{km} km away").format(km=f"{eta.km:.1f}"))
    if eta.wait_minutes > eta.prep_minutes:
        notes.append(_("no rider is free right now"))
    why = f" · {', '.join(notes)}" if notes else ""
    return _("🕒 Delivery in about {minutes} min (by {time})").format(
        minutes=eta.minutes, time=_clock(by, zone, mine)) + why


def promo_refused(note: PromoNote, currency: str) -> str:
    """Why the promo code on a summary takes nothing off (the bill shows it when it does)."""
    assert note.problem is not None
    why = _(_PROMO_PROBLEMS[note.problem]).format(minimum=money(Money(note.min_order, currency)))
    return _("🏷 Promo code <b>{code}</b> does not apply: {why}.").format(
        code=escape(note.code), why=why)


def tracking(view: OrderView) -> str:
    """An order as its customer follows it: status, partner, items, address, timeline."""
    order, mine = view.order, view.customer_zone
    rows = [_("🧾 <b>Order #{order_id}</b> · {restaurant}").format(
                order_id=order.id, restaurant=escape(view.restaurant_name))
            + (" · " + _("💳 Paid") if order.paid_online else ""),
            f"<b>{status(order.status)}</b>"]
    if order.scheduled_for is not None and order.status == OrderStatus.CREATED:
        at = _day_time(order.scheduled_for, view.time_zone, mine)
        rows.append(_("🗓 Scheduled for {time}. You can cancel it until then.").format(time=at)
                    if view.starts_at is None else
                    _("🗓 Scheduled for {time}: the kitchen starts on it at {start}. "
                      "You can cancel it until then.").format(
                        time=at, start=_clock(view.starts_at, view.time_zone, mine)))
    expected = view.expected_by
    if expected is not None and not order.status.is_terminal:
        by = _clock(expected, view.time_zone, mine)
        rows.append(_("⏰ Running late: we expected it by {time}. Sorry, it is on its way as "
                      "soon as it can be.").format(time=by) if view.late
                    else _("🕒 Expected by {time}").format(time=by))
    if view.partner_name:
        rows.append(_("🛵 Delivery partner: {name}").format(name=escape(view.partner_name)))
    if (rider := _rider(view, mine)) is not None:
        rows.append(rider)
    rows.append("")
    rows += [f"{i.quantity} × {escape(line_name(i.name, i.choices))} — "
             f"{money(Money(i.subtotal, order.currency))}" for i in order.items]
    rows += bill(order.bill, code=order.promo_code, how=_paid(order.paid_online))
    rows.append(f"📍 {escape(order.delivery.address)}")
    if order.delivery.note:
        rows.append(f"📝 {escape(order.delivery.note)}")
    if view.history:
        rows.append("")
        # why it ended, the customer is told; how it moved on (accepted for a silent kitchen,
        # or with none to ask) is the admins' business, in their own view of the history
        rows += [f"{_when(e.at, view.time_zone)} · {short_status(e.to_status)}"
                 + (f" ({escape(e.reason)})" if e.reason and e.to_status.is_terminal else "")
                 for e in view.history]
    if view.rating is not None:
        rows.append("\n" + _("Your rating: {stars}").format(
            stars="★" * view.rating + "☆" * (5 - view.rating)))
    elif view.can_rate:
        rows.append("\n" + _("How was it? Rate your order:"))
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
    return _("📍 Your rider is {km} km away: about {minutes} min (by {time})").format(
        km=f"{km:.1f}", minutes=minutes_for(km), time=_clock(by, view.time_zone, mine))


def order_button(view: OrderView) -> str:
    return f"#{view.order.id} · {view.restaurant_name} · {short_status(view.order.status)}"


def orders(views: Iterable[OrderView]) -> str:
    rows = [
        f"#{v.order.id} · {escape(v.restaurant_name)} · {money(v.order.total)} · "
        f"{short_status(v.order.status)} · {_when(v.order.created_at, v.time_zone)}"
        for v in views
    ]
    if not rows:
        return _text("NO_ORDERS")
    return _("📦 <b>Your recent orders</b>") + "\n\n" + "\n".join(rows)


def cancel_question(view: OrderView) -> str:
    order = view.order
    return _("Cancel order #{order_id} from {restaurant} ({total})?").format(
        order_id=order.id, restaurant=escape(view.restaurant_name), total=money(order.total))


_NOT_FOUND = {
    "menu item": N_("That dish is no longer on the menu."),
    "cart line": N_("That dish is no longer in your cart."),
    "order": N_("I can't find that order."),
    "restaurant": N_("That restaurant is no longer listed."),
}
_GONE = N_("That is no longer available.")
_CANNOT = N_("Sorry, that can't be done right now.")
_REFUSALS = {
    "bad_callback": N_("This button no longer works. Send /start for the main menu."),
    "not_allowed": N_("Sorry, that is not possible for this order any more."),
    "too_late_to_cancel": N_("Sorry, this order can no longer be cancelled: "
                             "the restaurant is already on it."),
    "illegal_transition": N_("Sorry, that is not possible for this order any more."),
    "conflict": N_("This order just changed. Please open it again."),
    "empty_cart": N_("Your cart is empty. Add something from /restaurants first."),
    "other_restaurant": N_("Your cart has dishes from another restaurant. "
                           "Add from the menu to start a new cart."),
    "stale_summary": N_("This summary is out of date. Please use the newest one, "
                        "or check out again from your /cart."),
    "already_rated": N_("You have rated this order already. Thank you!"),
    "not_your_contact": N_("Please share your own number with the 📞 Share phone number "
                           "button."),
    "not_partner": N_("This is for approved delivery partners. Send /partner to ask to join."),
    "not_offered": N_("Sorry, this delivery was not offered to you."),
    "offer_expired": N_("Sorry, this offer has expired and went to another partner."),
    "already_assigned": N_("Sorry, another partner has already taken this order."),
    "partner_busy": N_("You already have an active delivery: finish it first (/job)."),
    "not_ready": N_("The order isn't ready yet. Please wait for the restaurant."),
}


def explained(error: Explained) -> str:
    """A reason the domain worded, in the language spoken now (plain text)."""
    return _(error.template).format(**error.params) if error.params else _(error.template)


def refusal(error: Exception) -> str:
    """The polite answer to a refused request (a domain error or a forged button), as plain
    text: it goes into callback alerts, which Telegram does not parse."""
    if isinstance(error, NotFound):
        return _(_NOT_FOUND.get(error.what, _GONE))
    if isinstance(error, InvalidInput | InvalidQuantity):
        text = explained(error)
        return _("{reason}. Please try again.").format(reason=f"{text[:1].upper()}{text[1:]}")
    if isinstance(error, RestaurantClosed):
        if error.opens_at is None:
            return _("Sorry, {restaurant} is closed right now.").format(restaurant=error.name)
        return _("Sorry, {restaurant} is closed right now. It opens {day} {time}.").format(
            restaurant=error.name, day=date(error.opens_at, None, "EEE"),
            time=error.opens_at.strftime("%H:%M"))
    if isinstance(error, ItemUnavailable):
        return _unavailable(error)
    if isinstance(error, LineClosed):
        return _("This line is closed: {why}. Thank you!").format(why=_(error.why))
    if isinstance(error, SlotUnavailable):
        return _("Sorry, that delivery time is no longer available. Please choose another.")
    if isinstance(error, NoSlots):
        return _("Sorry, {restaurant} takes no orders for a later time today or tomorrow: "
                 "only as soon as possible.").format(restaurant=error.name)
    if isinstance(error, ChoiceRefused):
        return explained(error)
    if isinstance(error, StillActive):
        return ngettext(
            "Sorry, your data can't be erased while order #{orders} is still going: the "
            "restaurant or the rider may need to reach you. Please try again after it ends.",
            "Sorry, your data can't be erased while orders #{orders} are still going: the "
            "restaurant or the rider may need to reach you. Please try again after they end.",
            len(error.order_ids)).format(orders=", #".join(map(str, error.order_ids)))
    if isinstance(error, OutOfStock):
        left = ", ".join(ngettext("{dish}: {count} left", "{dish}: {count} left", count).format(
            dish=name, count=count) for name, count in error.left.items())
        return _("Sorry, not that many left: {dishes}.").format(dishes=left)
    if isinstance(error, BelowMinimum):
        return _("The minimum order here is {minimum}: please add {more} more.").format(
            minimum=money(Money(error.minimum, error.currency)),
            more=money(Money(error.short_by, error.currency)))
    code = getattr(error, "code", "")
    return _(_REFUSALS.get(code, _CANNOT))


def _unavailable(error: ItemUnavailable) -> str:
    if not error.offered:
        return (_("Sorry, {dish} has an option that is no longer offered.").format(
            dish=error.name) if error.name else _("Sorry, that option is no longer offered."))
    if error.option is not None:
        return _("Sorry, {dish} ({option}) is not available now.").format(
            dish=error.name, option=error.option)
    return _("Sorry, {dish} is not available now.").format(dish=error.name)


# notifications from the outbox (DESIGN.md §4): one function per kind ---------------------

_ADMIN_ALERTS = {
    AlertReason.NO_PARTNER: N_("no delivery partner has taken order #{order_id} for "
                               "{waited_s} s"),
    AlertReason.ORDER_FAILED: N_("order #{order_id} failed: {error}"),
    AlertReason.KITCHEN_SILENT: N_("the kitchen did not answer order #{order_id} within "
                                   "{waited_s} s: {error}"),
}


def order_cancelled(m: OrderCancelled) -> str:
    if m.reason:
        return _("✖ Order #{order_id} has been cancelled ({reason}). Sorry for the trouble."
                 ).format(order_id=m.order_id, reason=escape(m.reason))
    return _("✖ Order #{order_id} has been cancelled. Sorry for the trouble.").format(
        order_id=m.order_id)


def restaurant_ticket(m: RestaurantTicket) -> str:
    lines = [f"{line.quantity} × {escape(line_name(line.name, line.options))}"
             for line in m.items]
    paid = Bill.from_total(m.total, m.currency, delivery_fee=m.delivery_fee,
                           discount=m.discount, tip=m.tip)
    return (_("🧾 <b>New order #{order_id}</b>").format(order_id=m.order_id) + "\n\n"
            + "\n".join(lines) + "\n\n" + "\n".join(bill(paid, how=_paid(m.paid_online))))


def map_link(latitude: float | None, longitude: float | None) -> str:
    """" · map" linking to the spot the customer shared, or nothing: one message carries what
    a separate pin used to (issue 12)."""
    if latitude is None or longitude is None:
        return ""
    return (f' · <a href="https://maps.google.com/?q={latitude:.6f},{longitude:.6f}">'
            f'{_text("MAP")}</a>')


def offer(m: Offer) -> str:
    return (_("🛵 <b>New delivery: order #{order_id}</b>").format(order_id=m.order_id) + "\n"
            + _("🍽 Pick up at {restaurant}, {address}").format(
                restaurant=escape(m.restaurant), address=escape(m.pickup)) + "\n"
            + _("📍 Deliver to {address}").format(address=escape(m.address))
            + map_link(m.latitude, m.longitude) + "\n"
            + _collect(Money(m.total, m.currency), m.paid_online)
            + ("" if m.paid_online else _fee_part(m.delivery_fee, m.currency))
            + "\n\n" + _("Will you take it?"))


def _paid(online: bool) -> str:
    return _("💳 paid online") if online else _("pay on delivery")


def _collect(total: Money, paid_online: bool) -> str:
    """What the partner collects at the door."""
    if paid_online:
        return _("💳 Paid online — collect nothing")
    return _("💰 Pay on delivery: collect <b>{amount}</b>").format(amount=money(total))


def _fee_part(fee: int, currency: str) -> str:
    if not fee:
        return ""
    return " " + _("(delivery {amount} included)").format(amount=money(Money(fee, currency)))


def offer_expired(m: OfferExpired) -> str:
    return _("⌛ The offer for order #{order_id} ran out and went to another partner.").format(
        order_id=m.order_id)


def finding_partner(m: FindingPartner) -> str:
    if m.taking_long:
        return _("⏳ Finding a delivery partner for order #{order_id} is taking longer than "
                 "usual. Our team has been told and is on it; we'll tell you as soon as "
                 "someone takes it.").format(order_id=m.order_id)
    return _("🔎 We're finding a delivery partner for order #{order_id}. "
             "It may take a few minutes — we'll tell you as soon as someone takes it.").format(
        order_id=m.order_id)


def partner_assigned(m: PartnerAssigned) -> str:
    return _("🛵 {name} will deliver order #{order_id}. "
             "They'll pick it up as soon as it's ready.").format(
        name=escape(m.partner_name), order_id=m.order_id)


def order_ready(m: OrderReady) -> str:
    return _("🥡 Order #{order_id} is ready for pickup.").format(order_id=m.order_id)


def out_for_delivery(m: OutForDelivery) -> str:
    return _("🛵 Order #{order_id} is on its way to you!").format(order_id=m.order_id)


def delivered(m: Delivered) -> str:
    return _("🎉 Order #{order_id} has been delivered. Enjoy your meal!").format(
        order_id=m.order_id)


def order_failed(m: OrderFailed) -> str:
    if m.reason:
        return _("⚠️ Sorry, order #{order_id} could not be completed ({reason}). "
                 "Our team has been told; nothing is to be paid.").format(
            order_id=m.order_id, reason=escape(m.reason))
    return _("⚠️ Sorry, order #{order_id} could not be completed. "
             "Our team has been told; nothing is to be paid.").format(order_id=m.order_id)


def admin_alert(m: AdminAlert) -> str:
    detail = _(_ADMIN_ALERTS[m.reason]).format(
        order_id=m.order_id, waited_s=m.waited_s,
        error=escape(m.error or _("unknown error")))
    return _("🚨 <b>Admin alert</b>: {detail}").format(detail=detail)


def error_alert(m: ErrorAlert) -> str:
    """Tells an admin what failed and where; never what the user sent (it is not in it)."""
    return _("🐞 <b>Unexpected error</b> handling {kind}:\n"
             "<code>{error}</code> in <code>{where}</code>.\n"
             "The traceback is in the logs; repeats of it are only logged for a while.").format(
        kind=escape(m.update_kind), error=escape(m.error_type), where=escape(m.where))


_NOT_PAYABLE = {
    NotPayable.STALE: N_("This invoice is out of date. Please use the newest summary."),
    NotPayable.CHANGED: N_("Your order changed since this invoice. Please check the new "
                           "summary."),
    NotPayable.AMOUNT: N_("The amount does not match this order. Please check the summary and "
                          "pay again."),
}


def not_payable(problem: NotPayable | DomainError) -> str:
    """Why Telegram will not take the money, as it shows the customer (plain text)."""
    return _(_NOT_PAYABLE[problem]) if isinstance(problem, NotPayable) else refusal(problem)


_INVOICE_LABELS = {"Delivery": N_("Delivery"), "Discount": N_("Discount")}


def invoice_title(invoice: Invoice) -> str:
    """"Order from Spice Garden", shortened to what Telegram takes."""
    title = _("Order from {restaurant}").format(restaurant=invoice.restaurant)
    return title if len(title) <= TITLE_LIMIT else title[: TITLE_LIMIT - 1] + "…"


def invoice_label(label: str) -> str:
    """A price's label on the invoice: a dish line as it is, delivery and discount worded."""
    return _(_INVOICE_LABELS[label]) if label in _INVOICE_LABELS else label


def payment_refunded(refund: Refund) -> str:
    """A payment that could not become its order: said at once, with the money's way back."""
    return _("⚠️ Sorry, we could not place your order ({reason}). Your payment of {amount} "
             "will be refunded to the card you paid with; we'll tell you when it's done.").format(
        reason=escape(refund.reason), amount=money(Money(refund.amount, refund.currency)))


def refund_due(m: RefundDue) -> str:
    amount, reason = money(Money(m.amount, m.currency)), escape(m.reason)
    if m.order_id is None:
        return _("💸 <b>Refund due</b>: {amount} for a payment that placed no order ({reason}). "
                 "Make it at the payment provider, then record it with /refunded; /refunds "
                 "lists those due.").format(amount=amount, reason=reason)
    return _("💸 <b>Refund due</b>: {amount} for order #{order_id} ({reason}). Make it at the "
             "payment provider, then record it with /refunded; /refunds lists those due.").format(
        amount=amount, order_id=m.order_id, reason=reason)


def refund_promised(m: RefundPromised) -> str:
    return _("💳 Order #{order_id} was paid online: your {amount} will be refunded to the card "
             "you paid with. We'll tell you when it's done.").format(
        order_id=m.order_id, amount=money(Money(m.amount, m.currency)))


def refund_done(m: RefundDone) -> str:
    amount = money(Money(m.amount, m.currency))
    if m.order_id is None:
        return _("💳 Your refund of {amount} has been made. It may take a few days to show on "
                 "your statement.").format(amount=amount)
    return _("💳 Your refund of {amount} for order #{order_id} has been made. It may take a few "
             "days to show on your statement.").format(amount=amount, order_id=m.order_id)


def partner_request(m: PartnerRequest) -> str:
    return _("🛵 <b>{name}</b> wants to deliver for Foodbot (user id {user_id}) and is waiting "
             "for your approval.").format(name=escape(m.name), user_id=m.partner_id)


# delivery partners (DESIGN.md §5) ---------------------------------------------------------

_LINE_PROMPTS = {
    Side.CUSTOMER: N_("💬 Write to your rider about order #{order_id}: reply to this message "
                      "with a text, a photo or a location. They see your words, not your name "
                      "or number."),
    Side.RIDER: N_("💬 Write to the customer of order #{order_id}: reply to this message with "
                   "a text, a photo or a location. They see your words and your first name."),
}


def line_prompt(side: Side, order_id: int) -> str:
    """What a 💬 press asks the customer (or the rider) to write."""
    return _(_LINE_PROMPTS[side]).format(order_id=order_id)


def line_message(side: Side, order_id: int, rider_name: str, text: str) -> str:
    """A relayed message: who it is from (the rider by first name, the customer not at all),
    how to answer, and what they wrote."""
    first = rider_name.split()[0] if rider_name.split() else ""
    if side is Side.RIDER:
        head = (_("💬 From your rider {name}, order #{order_id} (reply to this message to "
                  "answer)").format(name=escape(first), order_id=order_id) if first
                else _("💬 From your rider, order #{order_id} (reply to this message to "
                       "answer)").format(order_id=order_id))
    else:
        head = _("💬 From the customer, order #{order_id} (reply to this message to "
                 "answer)").format(order_id=order_id)
    return f"{head}\n\n{escape(text)}" if text else head


def partner_requested(name: str) -> str:
    return _("🛵 Thanks, {name}! Your request to deliver for Foodbot is with our admins. Once "
             "they approve it, send /online to start getting delivery offers.").format(
        name=escape(name))


def partner_approved(m: PartnerApproved) -> str:
    return _("✅ Welcome aboard, {name}! You are now a Foodbot delivery partner. Send /online "
             "to start getting delivery offers.").format(name=escape(m.name))


def partner_revoked(m: PartnerRevoked) -> str:
    return _("⛔ {name}, your Foodbot delivery partner access has been withdrawn by our admins, "
             "so no more delivery offers will come. Please contact an admin if you think this "
             "is a mistake.").format(name=escape(m.name))


def partner_panel(partner: Partner) -> str:
    state = (_("🟢 <b>Online</b>: delivery offers come here.") if partner.online
             else _("⚪ <b>Offline</b>: no offers until you go online."))
    busy = ("\n" + _("📦 Active delivery: order #{order_id}").format(
        order_id=partner.active_order_id) if partner.active_order_id is not None else "")
    return (_("🛵 <b>Partner panel</b> · {name}").format(name=escape(partner.name))
            + f"\n{state}{busy}\n\n{_text('PARTNER_HELP')}")


def job(card: Job) -> str:
    order, restaurant = card.order, card.restaurant
    rows = [_("📦 <b>Delivery: order #{order_id}</b> · {status}").format(
                order_id=order.id, status=short_status(order.status)),
            _("🍽 Pick up: <b>{restaurant}</b>, {address}").format(
                restaurant=escape(restaurant.name), address=escape(restaurant.address)),
            _("📍 Drop off: {address}").format(address=escape(order.delivery.address))
            + map_link(order.delivery.latitude, order.delivery.longitude)]
    if order.delivery.phone:
        rows.append(_("📞 Customer: {phone}").format(phone=escape(order.delivery.phone)))
    if order.delivery.note:
        rows.append(_("📝 Note: {note}").format(note=escape(order.delivery.note)))
    rows.append("")
    rows += [f"{i.quantity} × {escape(line_name(i.name, i.choices))}" for i in order.items]
    rows += ["", *bill(order.bill, how="", code=order.promo_code)]
    rows.append(_collect(order.total, order.paid_online))
    return "\n".join(rows)


def ticket_accepted(order_id: int) -> str:
    return _("👨‍🍳 Order #{order_id} accepted: it is being prepared. "
             "Tap Ready when it can be picked up.").format(order_id=order_id)


def ticket_rejected(order_id: int) -> str:
    return _("✖ Order #{order_id} rejected. The customer has been told.").format(
        order_id=order_id)


def sold_out_now(item: MenuItem) -> str:
    """The kitchen's toast after 🚫 on a ticket (an alert holds at most 200 characters)."""
    return _("{dish} is sold out: customers can't order it until /stock {item_id} N gives it "
             "portions again.").format(dish=item.name[:60], item_id=item.id)


def ticket_ready(order_id: int) -> str:
    return _("🍱 Order #{order_id} is ready for pickup. The delivery partner has been "
             "told.").format(order_id=order_id)


def offer_declined(order_id: int) -> str:
    return _("✖ You declined order #{order_id}. We'll offer it to another partner.").format(
        order_id=order_id)


def job_done(order_id: int) -> str:
    return _("✅ Order #{order_id} delivered. Thank you! You're free for the next order.").format(
        order_id=order_id)
