"""The admin console's wording (issue #6): replies to the admin commands, as HTML."""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape, unescape
from typing import Final

from bot.admin.specs import COMMANDS
from bot.texts import bill, terms
from domain.errors import DomainError, InvalidInput, NotFound
from domain.invites import InviteCode
from domain.lines import LineMessage, Said
from domain.menu_export import menu_file_name
from domain.money import Money
from domain.options import OptionGroup, line_name
from domain.orders import Order, OrderEvent, OrderStatus
from domain.partners import Partner, PartnerStatus
from domain.payments import Refund
from domain.promos import Promo
from domain.restaurants import MenuItem, Restaurant, Unanswered
from domain.services.admin.catalogue import ImportResult
from domain.services.admin.options import MenuExport
from domain.services.admin.orders import OrderDetail, OrderLine
from domain.services.admin.ports import AuditEntry, DeadTask
from domain.services.admin.promos import describe
from domain.stats import Stats as PeriodStats
from domain.stats import StatsReport

MAX_REPLY: Final = 4000  # under Telegram's 4096 characters a message
NOT_ADMIN: Final = "Sorry, that command is only for the bot's admins."
PHOTO_AS_CAPTION: Final = "Send a photo with the caption <code>/photo ITEM_ID</code>."
FILE_AS_CAPTION: Final = (
    "Send a CSV file with the caption <code>/importmenu RESTAURANT_ID</code>."
)
FILE_TOO_BIG: Final = "That file is too big to be a menu; at most 500 dishes per file."
NO_AUDIT: Final = "No admin actions recorded yet."
NO_ORDERS: Final = "No orders yet."
NO_DEAD_LETTERS: Final = "No dead-lettered tasks: the queue has given up on nothing."
NO_PARTNERS: Final = "No delivery partners yet. Make an invite code with /invite."


HELP_NOTE: Final = ("Separate fields with |. A malformed command replies with its syntax "
                    "and an example.")


def admin_help() -> str:
    """Every admin command with its syntax, by group: the /admin reply's pages together."""
    return "\n\n".join(admin_help_pages())


def admin_help_pages() -> list[str]:
    """The /admin reply: every admin command with its syntax, by group, in the table's order,
    in as few messages as Telegram's length limit allows (a group is never split)."""
    groups: dict[str, list[str]] = {}
    for spec in COMMANDS.values():
        groups.setdefault(spec.group, [f"<b>{escape(spec.group)}</b>"]).append(
            f"<code>{escape(spec.syntax)}</code> — {escape(spec.summary)}")
    pages = ["<b>Admin commands</b>"]
    for lines in [*groups.values(), [HELP_NOTE]]:
        block = "\n".join(lines)
        if _shown_length(f"{pages[-1]}\n\n{block}") > MAX_REPLY:
            pages.append(block)
        else:
            pages[-1] = f"{pages[-1]}\n\n{block}"
    return pages


def _shown_length(html: str) -> int:
    """How many characters a chat shows (what Telegram's limit counts): without the tags."""
    return len(unescape(re.sub(r"<[^>]+>", "", html)))


def argument_error(text: str) -> str:
    return escape(text)


def refusal(error: DomainError) -> str:
    if isinstance(error, NotFound):
        what = "dish" if "item" in error.what else error.what
        mark = "" if isinstance(error.ident, str) else "#"  # ids are numbers, codes words
        return f"There is no {escape(what)} {mark}{escape(str(error.ident))}."
    if isinstance(error, InvalidInput):
        text = str(error)
        return escape(f"{text[:1].upper()}{text[1:]}.")
    return escape(str(error) or "That can't be done.")


def restaurant_line(restaurant: Restaurant) -> str:
    state = "open" if restaurant.is_open else "closed"
    return (f"#{restaurant.id} <b>{escape(restaurant.name)}</b>, {escape(restaurant.address)}"
            f" · {restaurant.prep_minutes} min to prepare, {restaurant.travel_minutes} min to "
            f"deliver{_place(restaurant)} · {state}")


def _place(restaurant: Restaurant) -> str:
    if restaurant.latitude is None or restaurant.longitude is None:
        return ""
    return f" (from {restaurant.latitude:.5f}, {restaurant.longitude:.5f})"


def restaurant_added(restaurant: Restaurant) -> str:
    return f"Added restaurant {restaurant_line(restaurant)}"


def restaurant_changed(restaurant: Restaurant) -> str:
    return f"Changed restaurant {restaurant_line(restaurant)}"


def restaurant_opened(restaurant: Restaurant) -> str:
    verb = "Opened" if restaurant.is_open else "Closed"
    return f"{verb} restaurant #{restaurant.id} <b>{escape(restaurant.name)}</b>."


def terms_set(restaurant: Restaurant, currency: str) -> str:
    """The restaurant's terms as customers now see them on its menu."""
    return (f"Restaurant #{restaurant.id} <b>{escape(restaurant.name)}</b>: "
            f"{terms(restaurant, currency)}.")


def hours_set(restaurant: Restaurant) -> str:
    """The restaurant's hours and closed days, as customers' screens now follow them."""
    hours = str(restaurant.hours) if restaurant.hours is not None else "whenever it is open"
    closed = ", ".join(day.isoformat() for day in sorted(restaurant.closed_on)) or "none"
    return (f"Restaurant #{restaurant.id} <b>{escape(restaurant.name)}</b> takes orders "
            f"{escape(hours)} ({escape(restaurant.time_zone)}). Closed days: {closed}.")


def slots_cancelled(order_ids: Sequence[int]) -> str:
    """What a change of hours did to the orders for a slot it now closes."""
    if not order_ids:
        return ""
    listed = ", ".join(f"#{order_id}" for order_id in order_ids)
    return (f"\nCancelled {len(order_ids)} scheduled order{'s' if len(order_ids) > 1 else ''}"
            f" for a time it is now closed ({listed}); the customers were told.")


def time_zone_set(restaurant: Restaurant) -> str:
    return (f"Restaurant #{restaurant.id} <b>{escape(restaurant.name)}</b>: its orders' times "
            f"are shown in {escape(restaurant.time_zone)}.")


def kitchen_answer_set(restaurant: Restaurant) -> str:
    then = ("accepted for it and prepared in its usual time"
            if restaurant.unanswered == Unanswered.ACCEPT else "cancelled, the customer told")
    return (f"Restaurant #{restaurant.id} <b>{escape(restaurant.name)}</b>: its kitchen answers "
            f"each ticket within {restaurant.answer_within_s // 60} min; an order it leaves "
            f"unanswered is {then}, and the admins are told.")


def manager_linked(restaurant: Restaurant) -> str:
    name = f"restaurant #{restaurant.id} <b>{escape(restaurant.name)}</b>"
    if restaurant.manager_chat_id is None:
        return f"Unlinked the manager chat of {name}."
    return f"Order tickets of {name} now go to chat {restaurant.manager_chat_id}."


def item_line(item: MenuItem, currency: str) -> str:
    state = "" if item.available else " · hidden"
    if item.stock is not None:
        state += " · sold out" if item.stock == 0 else f" · {item.stock} left"
    photo = " · 📷" if item.photo_file_id else ""
    return (f"#{item.id} <b>{escape(item.name)}</b> — {Money(item.price, currency)}"
            f" · {escape(item.category)}{state}{photo}")


def food_added(item: MenuItem, currency: str) -> str:
    return f"Added dish {item_line(item, currency)} to restaurant #{item.restaurant_id}."


def food_changed(item: MenuItem, currency: str) -> str:
    return f"Changed dish {item_line(item, currency)}"


def food_shown(item: MenuItem, currency: str) -> str:
    verb = "Customers can order" if item.available else "Hid"
    return f"{verb} dish {item_line(item, currency)}"


def photo_set(item: MenuItem) -> str:
    return f"Photo set for dish #{item.id} <b>{escape(item.name)}</b>."


def menu_imported(result: ImportResult, restaurant_id: int, currency: str) -> str:
    """The counts, the new dishes and each rejected row with its line and reason; short."""
    lines = [
        f"Menu of restaurant #{restaurant_id} imported: {len(result.added)} added, "
        f"{len(result.updated)} updated, {len(result.unchanged)} unchanged, "
        f"{len(result.rejected)} rejected."
    ]
    if result.added:
        lines += ["", "<b>Added</b>", *(item_line(i, currency) for i in result.added)]
    if result.updated:
        lines += ["", "<b>Updated</b>", *(item_line(i, currency) for i in result.updated)]
    if result.rejected:
        lines += ["", "<b>Rejected</b>",
                  *(f"line {r.line}: {escape(r.reason)}" for r in result.rejected)]
    return capped(lines)


def menu_exported(export: MenuExport) -> str:
    place = export.restaurant
    return (f"Menu of restaurant #{place.id} <b>{escape(place.name)}</b>: {len(export.items)} "
            f"dishes in {menu_file_name(place.id)}. Edit it in a spreadsheet and send it back "
            f"with the caption <code>/importmenu {place.id}</code>; rows left as they are "
            "change nothing.")


# dish options -----------------------------------------------------------------------------

def option_group(group: OptionGroup, currency: str) -> list[str]:
    """The group's name, how many to pick, and each option with its extra and state."""
    lines = [f"<b>{escape(group.name)}</b> · {group.rule} ({group.chooses})"]
    lines += [f"  • {escape(o.name)} +{Money(o.price, currency)} · "
              f"{'available' if o.available else 'not available'}" for o in group.options]
    return lines


def options(item: MenuItem, currency: str, done: str = "") -> str:
    """/options: the dish's groups and the commands that change them; `done` first."""
    head = [done, ""] if done else []
    dish = f"dish #{item.id} <b>{escape(item.name)}</b> ({Money(item.price, currency)})"
    if not item.groups:
        body = [f"The {dish} has no options: customers add it to their cart at once."]
    else:
        body = [f"Options of {dish}:"]
        for group in item.groups:
            body += ["", *option_group(group, currency)]
    how = [f"<code>/setgroup {item.id} GROUP | CHOOSE | OPTION [+PRICE], ...</code> adds or "
           "replaces a group (CHOOSE: 1, 0-1, 0-3, ...)"]
    if item.groups:
        how += [f"<code>/dropgroup {item.id} GROUP</code> removes one",
                f"<code>/option {item.id} GROUP | OPTION | on or off</code> makes an option "
                "available or not"]
    return capped([*head, *body, "", *how])


def group_set(item: MenuItem, name: str, currency: str) -> str:
    return options(item, currency, f"Saved option group <b>{escape(name)}</b>.")


def group_dropped(item: MenuItem, name: str, currency: str) -> str:
    return options(item, currency, f"Removed option group <b>{escape(name)}</b>.")


def option_switched(item: MenuItem, option: str, available: bool, currency: str) -> str:
    state = "can be picked again" if available else "is not available now"
    return options(item, currency, f"Option <b>{escape(option)}</b> {state}.")


def partner_state(partner: Partner) -> str:
    """online, offline, on a job #N, pending approval or revoked."""
    if partner.status == PartnerStatus.PENDING:
        return "pending approval"
    if partner.status == PartnerStatus.REVOKED:
        return "revoked"
    if partner.active_order_id is not None:
        return f"on a job #{partner.active_order_id}"
    return "online" if partner.online else "offline"


def partner_line(partner: Partner) -> str:
    return f"{partner.id} <b>{escape(partner.name)}</b> · {partner_state(partner)}"


def partners(found: Sequence[Partner]) -> str:
    if not found:
        return NO_PARTNERS
    lines = [f"<b>{len(found)} delivery partners</b> (user id · name · status)"]
    lines += [partner_line(p) for p in found]
    lines.append("\n/approve USER_ID or /revoke USER_ID to change one.")
    return capped(lines)


def partner_approved(partner: Partner) -> str:
    return (f"Approved partner {partner.id} <b>{escape(partner.name)}</b>; "
            "they have been told and can go /online.")


def partner_revoked(partner: Partner) -> str:
    return (f"Revoked partner {partner.id} <b>{escape(partner.name)}</b>; "
            "they are offline, get no more offers and have been told.")


def invite_made(invite: InviteCode) -> str:
    return (f"Invite code: <code>{invite.code}</code>\n"
            f"Valid once, until {invite.expires_at:%Y-%m-%d %H:%M} UTC.\n"
            f"The new partner sends <code>/partner {invite.code}</code> to the bot and is "
            "approved at once.")


def audit(entries: Sequence[AuditEntry]) -> str:
    if not entries:
        return NO_AUDIT
    lines = [f"<b>Latest {len(entries)} admin actions</b> (newest first)"]
    lines += [
        f"{e.at:%Y-%m-%d %H:%M} UTC · by {e.actor} · {escape(e.action)} {escape(e.target)}"
        + (f" · {escape(e.detail)}" if e.detail else "")
        for e in entries
    ]
    return capped(lines)


def _when(order: Order) -> str:
    return f"{order.created_at:%Y-%m-%d %H:%M} UTC"


def order_line(line: OrderLine) -> str:
    order = line.order
    return (f"#{order.id} · {escape(line.restaurant)} · customer {order.customer_id} · "
            f"{order.status.lower()} · {order.total} · {_when(order)}")


def orders(lines: Sequence[OrderLine], status: OrderStatus | None) -> str:
    of = f" {status.lower()}" if status is not None else ""
    if not lines:
        return f"No{of} orders yet." if of else NO_ORDERS
    head = [f"<b>Latest {len(lines)}{escape(of)} orders</b> (newest first; "
            "id · restaurant · customer · status · total · placed)"]
    return capped([*head, *(order_line(line) for line in lines),
                   "\n/showorder ORDER_ID for one order's details."])


def event_line(event: OrderEvent) -> str:
    moved = (f"{event.from_status.lower()} → " if event.from_status else "") + \
        event.to_status.lower()
    reason = f" · {escape(event.reason)}" if event.reason else ""
    return f"{event.at:%Y-%m-%d %H:%M:%S} UTC · {moved} · by {escape(str(event.actor))}{reason}"


def order_detail(detail: OrderDetail) -> str:
    order, delivery = detail.order, detail.order.delivery
    customer = f"{order.customer_id}" + (
        f" <b>{escape(detail.customer_name)}</b>" if detail.customer_name else "")
    partner = "none" if order.partner_id is None else f"{order.partner_id}" + (
        f" <b>{escape(detail.partner_name)}</b>" if detail.partner_name else "")
    lines = [f"<b>Order #{order.id}</b> · {order.status.lower()} · {escape(detail.restaurant)}",
             f"Placed {_when(order)}", ""]
    lines += [f"{i.quantity} × {escape(line_name(i.name, i.choices))} — "
              f"{Money(i.subtotal, order.currency)}" for i in order.items]
    lines += [*bill(order.bill, how="", code=order.promo_code), "", f"Customer: {customer}",
              f"Address: {escape(delivery.address)}",
              f"Phone: {escape(delivery.phone or '-')}",
              f"Note: {escape(delivery.note or '-')}", f"Partner: {partner}",
              *_payment_lines(detail), "",
              "<b>History</b>", *(event_line(e) for e in detail.history)]
    if detail.line:
        lines += ["", "<b>Line</b> (customer and rider)", *map(line_entry, detail.line)]
    return capped(lines)


def line_closed(order: Order) -> str:
    return (f"Closed the line of order #{order.id}: its customer and rider can no longer "
            "write to each other through the bot.")


def line_entry(message: LineMessage) -> str:
    """One message of a private line, as /showorder lists it."""
    when = message.at.strftime("%H:%M")
    match message.said:
        case Said.CLOSED:
            return f"{when} closed by an admin"
        case Said.PHOTO:
            what = f"[photo] {message.text}".rstrip()
        case Said.LOCATION:
            what = f"[location {message.latitude:.5f}, {message.longitude:.5f}]"
        case _:
            what = message.text
    return f"{when} {message.side.value}: {escape(what)}"


def _payment_lines(detail: OrderDetail) -> list[str]:
    """How the order was paid, and its refund: charge ids to find it at the provider."""
    payment, refund = detail.payment, detail.refund
    if payment is None:
        return ["Payment: cash on delivery"]
    lines = [f"Payment: online, {Money(payment.total, payment.currency)} · charge "
             f"<code>{escape(payment.telegram_charge_id)}</code>, provider "
             f"<code>{escape(payment.provider_charge_id)}</code>"]
    if refund is not None:
        state = (f"made {refund.refunded_at:%Y-%m-%d %H:%M} UTC ({escape(refund.note)})"
                 if refund.refunded_at is not None else "due")
        lines.append(f"Refund #{refund.id}: {Money(refund.amount, refund.currency)} {state} · "
                     f"{escape(refund.reason)}")
    return lines


def order_cancelled(order: Order, reason: str) -> str:
    return (f"Cancelled order #{order.id}: {escape(reason)}\n"
            "The customer, the partner (if one was assigned) and the restaurant are told.")


def dead_task_line(task: DeadTask) -> str:
    order = f"order #{task.order_id}" if task.order_id is not None else "no order"
    when = f"{task.finished_at:%Y-%m-%d %H:%M} UTC" if task.finished_at else "?"
    error = escape((task.last_error or "-")[:200])
    return (f"#{task.id} · {escape(task.kind)} · {order} · {task.attempts} attempts · "
            f"{when}\n    {error}")


def dead_letters(tasks: Sequence[DeadTask]) -> str:
    if not tasks:
        return NO_DEAD_LETTERS
    lines = [f"<b>{len(tasks)} dead-lettered tasks</b> (newest first; "
             "id · kind · order · attempts · when, then the last error)"]
    lines += [dead_task_line(task) for task in tasks]
    lines.append("\n/retry TASK_ID to run one again.")
    return capped(lines)


def task_retried(task: DeadTask) -> str:
    order = f" of order #{task.order_id}" if task.order_id is not None else ""
    return f"Task #{task.id} ({escape(task.kind)}{order}) is queued again, due now."


def _minutes(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} min"


def period_stats(title: str, stats: PeriodStats, currency: str) -> list[str]:
    counts = ", ".join(f"{status.lower()} {count}" for status, count in stats.by_status.items())
    return [f"<b>{escape(title)}</b>: {stats.total_orders} orders",
            f"By status: {counts}",
            f"Revenue: {Money(stats.revenue_minor, currency)} (cash "
            f"{Money(stats.cash_minor, currency)}, online {Money(stats.money.online, currency)})",
            f"Delivery fees {Money(stats.money.fees, currency)} · discounts "
            f"{Money(stats.money.discounts, currency)} · tips {Money(stats.money.tips, currency)}"
            f" · refunds due {stats.money.refunds}: {Money(stats.money.refunded, currency)}",
            f"Placed → delivered: average {_minutes(stats.average_minutes)}, "
            f"p90 {_minutes(stats.p90_minutes)} ({stats.deliveries} deliveries)",
            f"Against the estimate: p50 {_signed(stats.past_estimate_p50)}, p90 "
            f"{_signed(stats.past_estimate_p90)} ({stats.late} late)"]


def _signed(minutes: float | None) -> str:
    return "-" if minutes is None else f"{minutes:+.0f} min"


def stats(report: StatsReport, currency: str) -> str:
    return "\n".join([
        *period_stats("Today (UTC)", report.today, currency), "",
        *period_stats("Last 7 days", report.last_7_days, currency), "",
        f"Partners online now: {report.today.partners_online}",
    ])


STATS_CHART_TITLE: Final = "Orders per hour, last 7 days (UTC)"


def capped(lines: list[str]) -> str:
    """The lines joined, cut at a line with a count of the rest to stay under MAX_REPLY."""
    kept: list[str] = []
    size = 0
    for index, line in enumerate(lines):
        if size + len(line) + 1 > MAX_REPLY - 40:
            kept.append(f"… and {len(lines) - index} more lines")
            break
        kept.append(line)
        size += len(line) + 1
    return "\n".join(kept)


# promo codes ------------------------------------------------------------------------------

NO_PROMOS = "No promo codes yet. /addpromo makes one."


def promo_line(promo: Promo, currency: str) -> str:
    state = "ended" if promo.ended_at is not None else "active"
    used = f"{promo.used}/{promo.total_uses}" if promo.total_uses is not None else (
        f"{promo.used}")
    return (f"<b>{escape(promo.code)}</b> · {escape(describe(promo, currency))} · "
            f"used {used} · {state}")


def promo_added(promo: Promo, currency: str) -> str:
    return f"Added promo code {promo_line(promo, currency)}"


def promos(codes: Sequence[Promo], currency: str) -> str:
    if not codes:
        return NO_PROMOS
    lines = [f"<b>Latest {len(codes)} promo codes</b> (newest first)"]
    lines += [promo_line(promo, currency) for promo in codes]
    return capped(lines)


def promo_ended(promo: Promo) -> str:
    return (f"Ended promo code <b>{escape(promo.code)}</b>: summaries showing it lose the "
            "discount before an order is placed.")


# refunds ----------------------------------------------------------------------------------

NO_REFUNDS = "No refunds are due."


def refund_line(refund: Refund) -> str:
    of = f"order #{refund.order_id}" if refund.order_id is not None else "no order"
    return (f"#{refund.id} · {Money(refund.amount, refund.currency)} · {of} · customer "
            f"{refund.customer_id} · {refund.created_at:%Y-%m-%d %H:%M} UTC · "
            f"{escape(refund.reason)}\n    charge <code>{escape(refund.telegram_charge_id)}"
            f"</code>, provider <code>{escape(refund.provider_charge_id)}</code>")


def refunds(due: Sequence[Refund]) -> str:
    if not due:
        return NO_REFUNDS
    lines = [f"<b>{len(due)} refunds due</b> (oldest first): make each at the payment "
             "provider, then /refunded REFUND_ID NOTE"]
    lines += [refund_line(refund) for refund in due]
    return capped(lines)


def refund_recorded(refund: Refund) -> str:
    return (f"Recorded refund #{refund.id} of {Money(refund.amount, refund.currency)} as made "
            f"({escape(refund.note)}). The customer has been told.")
