"""The admin console's wording (issue #6): replies to the admin commands, as HTML, in the
language spoken now (bot/i18n.py). The fixed texts are read as `texts.NAME` (`__getattr__`)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import timedelta
from html import escape, unescape
from typing import Final

from bot.admin.specs import COMMANDS
from bot.i18n import N_, _, fixed, money, ngettext
from bot.texts import bill, rule, terms
from domain.errors import DomainError, Explained, InvalidInput, NotFound
from domain.invites import InviteCode
from domain.lines import LineMessage, Said, Side
from domain.menu_export import menu_file_name
from domain.menu_import import Rejection
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
from domain.stats import Stats as PeriodStats
from domain.stats import StatsReport

MAX_REPLY: Final = 4000  # under Telegram's 4096 characters a message
_TEXTS: Final = {  # the fixed texts, read as texts.NAME (see __getattr__)
    "NOT_ADMIN": N_("Sorry, that command is only for the bot's admins."),
    "PHOTO_AS_CAPTION": N_("Send a photo with the caption <code>/photo ITEM_ID</code>."),
    "FILE_AS_CAPTION": N_(
        "Send a CSV file with the caption <code>/importmenu RESTAURANT_ID</code>."),
    "FILE_TOO_BIG": N_("That file is too big to be a menu; at most 500 dishes per file."),
    "NO_AUDIT": N_("No admin actions recorded yet."),
    "NO_ORDERS": N_("No orders yet."),
    "NO_DEAD_LETTERS": N_("No dead-lettered tasks: the queue has given up on nothing."),
    "NO_PARTNERS": N_("No delivery partners yet. Make an invite code with /invite."),
    "HELP_NOTE": N_("Separate fields with |. A malformed command replies with its syntax "
                    "and an example."),
    "STATS_CHART_TITLE": N_("Orders per hour, last 7 days (UTC)"),
    "NO_PROMOS": N_("No promo codes yet. /addpromo makes one."),
    "NO_REFUNDS": N_("No refunds are due."),
}


def __getattr__(name: str) -> str:
    """texts.NOT_ADMIN and the other fixed texts, in the language spoken when it is read."""
    return fixed(_TEXTS, name, __name__)


_text = __getattr__  # the same inside this module (only a message id goes inside `_()`)


def admin_help() -> str:
    """Every admin command with its syntax, by group: the /admin reply's pages together."""
    return "\n\n".join(admin_help_pages())


def admin_help_pages() -> list[str]:
    """The /admin reply: every admin command with its syntax, by group, in the table's order,
    in as few messages as Telegram's length limit allows (a group is never split)."""
    groups: dict[str, list[str]] = {}
    for spec in COMMANDS.values():
        groups.setdefault(spec.group, [f"<b>{escape(_(spec.group))}</b>"]).append(
            f"<code>{escape(spec.syntax)}</code> — {escape(_(spec.summary))}")
    pages = [_("<b>Admin commands</b>")]
    for lines in [*groups.values(), [_text("HELP_NOTE")]]:
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


# what a NotFound names, by what was looked for: ids are numbers ("#9"), promo codes words
_NOT_FOUND: Final = {
    "dish": N_("There is no dish #{ident}."),
    "restaurant": N_("There is no restaurant #{ident}."),
    "order": N_("There is no order #{ident}."),
    "partner": N_("There is no partner #{ident}."),
    "task": N_("There is no task #{ident}."),
    "refund due": N_("There is no refund due #{ident}."),
    "promo code": N_("There is no promo code {ident}."),
}


def refusal(error: DomainError) -> str:
    if isinstance(error, NotFound):
        return _not_found(error)
    if isinstance(error, Explained):
        text = escape(_(error.template))  # plain text, as the values: escaped alike
        if error.params:
            text = text.format(**{k: escape(str(v)) for k, v in error.params.items()})
        return f"{text[:1].upper()}{text[1:]}." if isinstance(error, InvalidInput) else text
    return escape(str(error) or _("That can't be done."))


def _not_found(error: NotFound) -> str:
    what = "dish" if "item" in error.what else error.what
    numbered = not isinstance(error.ident, str)
    template = _NOT_FOUND.get(what)
    if template is None or ("#{ident}" in template) != numbered:
        template = (N_("There is no {what} #{ident}.") if numbered
                    else N_("There is no {what} {ident}."))
    return _(template).format(what=escape(what), ident=escape(str(error.ident)))


def restaurant_line(restaurant: Restaurant) -> str:
    return _("#{restaurant_id} <b>{name}</b>, {address} · {prep} min to prepare, {travel} min "
             "to deliver{place} · {state}").format(
        restaurant_id=restaurant.id, name=escape(restaurant.name),
        address=escape(restaurant.address), prep=restaurant.prep_minutes,
        travel=restaurant.travel_minutes, place=_place(restaurant),
        state=_("open") if restaurant.is_open else _("closed"))


def _place(restaurant: Restaurant) -> str:
    if restaurant.latitude is None or restaurant.longitude is None:
        return ""
    return " " + _("(from {latitude}, {longitude})").format(
        latitude=f"{restaurant.latitude:.5f}", longitude=f"{restaurant.longitude:.5f}")


def restaurant_added(restaurant: Restaurant) -> str:
    return _("Added restaurant {restaurant}").format(restaurant=restaurant_line(restaurant))


def restaurant_changed(restaurant: Restaurant) -> str:
    return _("Changed restaurant {restaurant}").format(restaurant=restaurant_line(restaurant))


def restaurant_opened(restaurant: Restaurant) -> str:
    text = (_("Opened restaurant #{restaurant_id} <b>{name}</b>.") if restaurant.is_open
            else _("Closed restaurant #{restaurant_id} <b>{name}</b>."))
    return text.format(restaurant_id=restaurant.id, name=escape(restaurant.name))


def terms_set(restaurant: Restaurant, currency: str) -> str:
    """The restaurant's terms as customers now see them on its menu."""
    return _("Restaurant #{restaurant_id} <b>{name}</b>: {terms}.").format(
        restaurant_id=restaurant.id, name=escape(restaurant.name),
        terms=terms(restaurant, currency))


def hours_set(restaurant: Restaurant) -> str:
    """The restaurant's hours and closed days, as customers' screens now follow them."""
    closed = ", ".join(day.isoformat() for day in sorted(restaurant.closed_on)) or _("none")
    if restaurant.hours is None:
        text = _("Restaurant #{restaurant_id} <b>{name}</b> takes orders whenever it is open "
                 "({zone}). Closed days: {closed}.")
    else:
        text = _("Restaurant #{restaurant_id} <b>{name}</b> takes orders {hours} ({zone}). "
                 "Closed days: {closed}.")
    return text.format(restaurant_id=restaurant.id, name=escape(restaurant.name),
                       hours=escape(str(restaurant.hours)), zone=escape(restaurant.time_zone),
                       closed=closed)


def slots_cancelled(order_ids: Sequence[int]) -> str:
    """What a change of hours did to the orders for a slot it now closes."""
    if not order_ids:
        return ""
    listed = ", ".join(f"#{order_id}" for order_id in order_ids)
    return "\n" + ngettext(
        "Cancelled {count} scheduled order for a time it is now closed ({orders}); the "
        "customers were told.",
        "Cancelled {count} scheduled orders for a time it is now closed ({orders}); the "
        "customers were told.", len(order_ids)).format(count=len(order_ids), orders=listed)


def time_zone_set(restaurant: Restaurant) -> str:
    return _("Restaurant #{restaurant_id} <b>{name}</b>: its orders' times are shown in "
             "{zone}.").format(restaurant_id=restaurant.id, name=escape(restaurant.name),
                               zone=escape(restaurant.time_zone))


def kitchen_answer_set(restaurant: Restaurant) -> str:
    if restaurant.unanswered == Unanswered.ACCEPT:
        text = _("Restaurant #{restaurant_id} <b>{name}</b>: its kitchen answers each ticket "
                 "within {minutes} min; an order it leaves unanswered is accepted for it and "
                 "prepared in its usual time, and the admins are told.")
    else:
        text = _("Restaurant #{restaurant_id} <b>{name}</b>: its kitchen answers each ticket "
                 "within {minutes} min; an order it leaves unanswered is cancelled, the "
                 "customer told, and the admins are told.")
    return text.format(restaurant_id=restaurant.id, name=escape(restaurant.name),
                       minutes=restaurant.answer_within_s // 60)


def manager_linked(restaurant: Restaurant) -> str:
    if restaurant.manager_chat_id is None:
        text = _("Unlinked the manager chat of restaurant #{restaurant_id} <b>{name}</b>.")
    else:
        text = _("Order tickets of restaurant #{restaurant_id} <b>{name}</b> now go to chat "
                 "{chat_id}.")
    return text.format(restaurant_id=restaurant.id, name=escape(restaurant.name),
                       chat_id=restaurant.manager_chat_id)


def item_line(item: MenuItem, currency: str) -> str:
    parts = [f"#{item.id} <b>{escape(item.name)}</b> — {money(Money(item.price, currency))}",
             escape(item.category)]
    if not item.available:
        parts.append(_("hidden"))
    if item.stock is not None:
        parts.append(_("sold out") if item.stock == 0 else ngettext(
            "{count} left", "{count} left", item.stock).format(count=item.stock))
    if item.photo_file_id:
        parts.append("📷")
    return " · ".join(parts)


def food_added(item: MenuItem, currency: str) -> str:
    return _("Added dish {dish} to restaurant #{restaurant_id}.").format(
        dish=item_line(item, currency), restaurant_id=item.restaurant_id)


def food_changed(item: MenuItem, currency: str) -> str:
    return _("Changed dish {dish}").format(dish=item_line(item, currency))


def food_shown(item: MenuItem, currency: str) -> str:
    text = _("Customers can order dish {dish}") if item.available else _("Hid dish {dish}")
    return text.format(dish=item_line(item, currency))


def photo_set(item: MenuItem) -> str:
    return _("Photo set for dish #{item_id} <b>{name}</b>.").format(
        item_id=item.id, name=escape(item.name))


def menu_imported(result: ImportResult, restaurant_id: int, currency: str) -> str:
    """The counts, the new dishes and each rejected row with its line and reason; short."""
    lines = [
        _("Menu of restaurant #{restaurant_id} imported: {added} added, {updated} updated, "
          "{unchanged} unchanged, {rejected} rejected.").format(
            restaurant_id=restaurant_id, added=len(result.added), updated=len(result.updated),
            unchanged=len(result.unchanged), rejected=len(result.rejected))
    ]
    if result.added:
        lines += ["", _("<b>Added</b>"), *(item_line(i, currency) for i in result.added)]
    if result.updated:
        lines += ["", _("<b>Updated</b>"), *(item_line(i, currency) for i in result.updated)]
    if result.rejected:
        lines += ["", _("<b>Rejected</b>"),
                  *(_("line {line}: {reason}").format(line=r.line, reason=escape(_reason(r)))
                    for r in result.rejected)]
    return capped(lines)


def _reason(rejection: Rejection) -> str:
    """Why a row was rejected, worded now when the domain gave its template."""
    if not rejection.template:
        return rejection.reason
    return _worded(rejection.template, rejection.params)


def _worded(template: str, params: Mapping[str, object]) -> str:
    """A domain template (a message id) in the language spoken now, its fields filled as the
    domain fills them for its English."""
    text = _(template)
    return text.format(**params) if params else text


def menu_exported(export: MenuExport) -> str:
    place = export.restaurant
    return ngettext(
        "Menu of restaurant #{restaurant_id} <b>{name}</b>: {count} dishes in {file}. Edit it "
        "in a spreadsheet and send it back with the caption <code>/importmenu "
        "{restaurant_id}</code>; rows left as they are change nothing.",
        "Menu of restaurant #{restaurant_id} <b>{name}</b>: {count} dishes in {file}. Edit it "
        "in a spreadsheet and send it back with the caption <code>/importmenu "
        "{restaurant_id}</code>; rows left as they are change nothing.",
        len(export.items)).format(restaurant_id=place.id, name=escape(place.name),
                                  count=len(export.items), file=menu_file_name(place.id))


# dish options -----------------------------------------------------------------------------

def option_group(group: OptionGroup, currency: str) -> list[str]:
    """The group's name, how many to pick, and each option with its extra and state."""
    lines = [f"<b>{escape(group.name)}</b> · {rule(group)} ({group.chooses})"]
    lines += [f"  • {escape(o.name)} +{money(Money(o.price, currency))} · {_state(o.available)}"
              for o in group.options]
    return lines


def _state(available: bool) -> str:
    return _("available") if available else _("not available")


def options(item: MenuItem, currency: str, done: str = "") -> str:
    """/options: the dish's groups and the commands that change them; `done` first."""
    head = [done, ""] if done else []
    dish = {"item_id": item.id, "name": escape(item.name),
            "price": money(Money(item.price, currency))}
    if not item.groups:
        body = [_("The dish #{item_id} <b>{name}</b> ({price}) has no options: customers add "
                  "it to their cart at once.").format(**dish)]
    else:
        body = [_("Options of dish #{item_id} <b>{name}</b> ({price}):").format(**dish)]
        for group in item.groups:
            body += ["", *option_group(group, currency)]
    how = [_("<code>/setgroup {item_id} GROUP | CHOOSE | OPTION [+PRICE], ...</code> adds or "
             "replaces a group (CHOOSE: 1, 0-1, 0-3, ...)").format(item_id=item.id)]
    if item.groups:
        how += [_("<code>/dropgroup {item_id} GROUP</code> removes one").format(item_id=item.id),
                _("<code>/option {item_id} GROUP | OPTION | on or off</code> makes an option "
                  "available or not").format(item_id=item.id)]
    return capped([*head, *body, "", *how])


def group_set(item: MenuItem, name: str, currency: str) -> str:
    return options(item, currency,
                   _("Saved option group <b>{name}</b>.").format(name=escape(name)))


def group_dropped(item: MenuItem, name: str, currency: str) -> str:
    return options(item, currency,
                   _("Removed option group <b>{name}</b>.").format(name=escape(name)))


def option_switched(item: MenuItem, option: str, available: bool, currency: str) -> str:
    text = (_("Option <b>{name}</b> can be picked again.") if available
            else _("Option <b>{name}</b> is not available now."))
    return options(item, currency, text.format(name=escape(option)))


def partner_state(partner: Partner) -> str:
    """online, offline, on a job #N, pending approval or revoked."""
    if partner.status == PartnerStatus.PENDING:
        return _("pending approval")
    if partner.status == PartnerStatus.REVOKED:
        return _("revoked")
    if partner.active_order_id is not None:
        return _("on a job #{order_id}").format(order_id=partner.active_order_id)
    return _("online") if partner.online else _("offline")


def partner_line(partner: Partner) -> str:
    return f"{partner.id} <b>{escape(partner.name)}</b> · {partner_state(partner)}"


def partners(found: Sequence[Partner]) -> str:
    if not found:
        return _text("NO_PARTNERS")
    lines = [ngettext("<b>{count} delivery partners</b> (user id · name · status)",
                      "<b>{count} delivery partners</b> (user id · name · status)",
                      len(found)).format(count=len(found))]
    lines += [partner_line(p) for p in found]
    lines.append("\n" + _("/approve USER_ID or /revoke USER_ID to change one."))
    return capped(lines)


def partner_approved(partner: Partner) -> str:
    return _("Approved partner {user_id} <b>{name}</b>; they have been told and can go "
             "/online.").format(user_id=partner.id, name=escape(partner.name))


def partner_revoked(partner: Partner) -> str:
    return _("Revoked partner {user_id} <b>{name}</b>; they are offline, get no more offers "
             "and have been told.").format(user_id=partner.id, name=escape(partner.name))


def invite_made(invite: InviteCode) -> str:
    return _("Invite code: <code>{code}</code>\n"
             "Valid once, until {until} UTC.\n"
             "The new partner sends <code>/partner {code}</code> to the bot and is approved at "
             "once.").format(code=invite.code, until=f"{invite.expires_at:%Y-%m-%d %H:%M}")


def audit(entries: Sequence[AuditEntry]) -> str:
    if not entries:
        return _text("NO_AUDIT")
    lines = [ngettext("<b>Latest {count} admin actions</b> (newest first)",
                      "<b>Latest {count} admin actions</b> (newest first)",
                      len(entries)).format(count=len(entries))]
    lines += [
        _("{at} UTC · by {actor} · {action} {target}").format(
            at=f"{e.at:%Y-%m-%d %H:%M}", actor=e.actor, action=escape(e.action),
            target=escape(e.target))
        + (f" · {escape(e.detail)}" if e.detail else "")
        for e in entries
    ]
    return capped(lines)


def _when(order: Order) -> str:
    return f"{order.created_at:%Y-%m-%d %H:%M} UTC"


def order_line(line: OrderLine) -> str:
    order = line.order
    return _("#{order_id} · {restaurant} · customer {customer_id} · {status} · {total} · "
             "{placed}").format(order_id=order.id, restaurant=escape(line.restaurant),
                                customer_id=order.customer_id, status=order.status.lower(),
                                total=money(order.total), placed=_when(order))


def orders(lines: Sequence[OrderLine], status: OrderStatus | None) -> str:
    count = len(lines)
    if status is None:
        if not lines:
            return _text("NO_ORDERS")
        title = ngettext(
            "<b>Latest {count} orders</b> (newest first; id · restaurant · customer · status · "
            "total · placed)",
            "<b>Latest {count} orders</b> (newest first; id · restaurant · customer · status · "
            "total · placed)", count)
    elif not lines:
        title = _("No {status} orders yet.")
    else:
        title = ngettext(
            "<b>Latest {count} {status} orders</b> (newest first; id · restaurant · customer · "
            "status · total · placed)",
            "<b>Latest {count} {status} orders</b> (newest first; id · restaurant · customer · "
            "status · total · placed)", count)
    head = title.format(count=count, status=escape(status.lower()) if status else "")
    if not lines:
        return head
    return capped([head, *(order_line(line) for line in lines),
                   "\n" + _("/showorder ORDER_ID for one order's details.")])


def event_line(event: OrderEvent) -> str:
    moved = (f"{event.from_status.lower()} → " if event.from_status else "") + \
        event.to_status.lower()
    reason = f" · {escape(event.reason)}" if event.reason else ""
    return _("{at} UTC · {moved} · by {actor}").format(
        at=f"{event.at:%Y-%m-%d %H:%M:%S}", moved=moved, actor=escape(str(event.actor))) + reason


def order_detail(detail: OrderDetail) -> str:
    order, delivery = detail.order, detail.order.delivery
    customer = f"{order.customer_id}" + (
        f" <b>{escape(detail.customer_name)}</b>" if detail.customer_name else "")
    partner = _("none") if order.partner_id is None else f"{order.partner_id}" + (
        f" <b>{escape(detail.partner_name)}</b>" if detail.partner_name else "")
    lines = [_("<b>Order #{order_id}</b> · {status} · {restaurant}").format(
                 order_id=order.id, status=order.status.lower(),
                 restaurant=escape(detail.restaurant)),
             _("Placed {placed}").format(placed=_when(order)), ""]
    lines += [f"{i.quantity} × {escape(line_name(i.name, i.choices))} — "
              f"{money(Money(i.subtotal, order.currency))}" for i in order.items]
    lines += [*bill(order.bill, how="", code=order.promo_code), "",
              _("Customer: {customer}").format(customer=customer),
              _("Address: {address}").format(address=escape(delivery.address)),
              _("Phone: {phone}").format(phone=escape(delivery.phone or "-")),
              _("Note: {note}").format(note=escape(delivery.note or "-")),
              _("Partner: {partner}").format(partner=partner),
              *_payment_lines(detail), "",
              _("<b>History</b>"), *(event_line(e) for e in detail.history)]
    if detail.line:
        lines += ["", _("<b>Line</b> (customer and rider)"), *map(line_entry, detail.line)]
    return capped(lines)


def line_closed(order: Order) -> str:
    return _("Closed the line of order #{order_id}: its customer and rider can no longer "
             "write to each other through the bot.").format(order_id=order.id)


_SIDES: Final = {Side.CUSTOMER: N_("customer"), Side.RIDER: N_("rider")}  # who wrote on a line


def line_entry(message: LineMessage) -> str:
    """One message of a private line, as /showorder lists it."""
    when = message.at.strftime("%H:%M")
    match message.said:
        case Said.CLOSED:
            return _("{time} closed by an admin").format(time=when)
        case Said.PHOTO:
            what = _("[photo] {caption}").format(caption=message.text).rstrip()
        case Said.LOCATION:
            what = _("[location {latitude}, {longitude}]").format(
                latitude=f"{message.latitude:.5f}", longitude=f"{message.longitude:.5f}")
        case _:
            what = message.text
    return f"{when} {_(_SIDES[message.side])}: {escape(what)}"


def _payment_lines(detail: OrderDetail) -> list[str]:
    """How the order was paid, and its refund: charge ids to find it at the provider."""
    payment, refund = detail.payment, detail.refund
    if payment is None:
        return [_("Payment: cash on delivery")]
    lines = [_("Payment: online, {total} · charge <code>{charge}</code>, provider "
               "<code>{provider_charge}</code>").format(
        total=money(Money(payment.total, payment.currency)),
        charge=escape(payment.telegram_charge_id),
        provider_charge=escape(payment.provider_charge_id))]
    if refund is not None:
        if refund.refunded_at is not None:
            text = _("Refund #{refund_id}: {amount} made {at} UTC ({note}) · {reason}")
        else:
            text = _("Refund #{refund_id}: {amount} due · {reason}")
        lines.append(text.format(
            refund_id=refund.id, amount=money(Money(refund.amount, refund.currency)),
            at=f"{refund.refunded_at:%Y-%m-%d %H:%M}" if refund.refunded_at else "",
            note=escape(refund.note), reason=escape(refund.reason)))
    return lines


def order_cancelled(order: Order, reason: str) -> str:
    return _("Cancelled order #{order_id}: {reason}\n"
             "The customer, the partner (if one was assigned) and the restaurant are "
             "told.").format(order_id=order.id, reason=escape(reason))


def dead_task_line(task: DeadTask) -> str:
    order = (_("order #{order_id}").format(order_id=task.order_id)
             if task.order_id is not None else _("no order"))
    when = f"{task.finished_at:%Y-%m-%d %H:%M} UTC" if task.finished_at else "?"
    error = escape((task.last_error or "-")[:200])
    attempts = ngettext("{count} attempts", "{count} attempts", task.attempts).format(
        count=task.attempts)
    return f"#{task.id} · {escape(task.kind)} · {order} · {attempts} · {when}\n    {error}"


def dead_letters(tasks: Sequence[DeadTask]) -> str:
    if not tasks:
        return _text("NO_DEAD_LETTERS")
    lines = [ngettext("<b>{count} dead-lettered tasks</b> (newest first; id · kind · order · "
                      "attempts · when, then the last error)",
                      "<b>{count} dead-lettered tasks</b> (newest first; id · kind · order · "
                      "attempts · when, then the last error)", len(tasks)).format(
        count=len(tasks))]
    lines += [dead_task_line(task) for task in tasks]
    lines.append("\n" + _("/retry TASK_ID to run one again."))
    return capped(lines)


def task_retried(task: DeadTask) -> str:
    if task.order_id is None:
        text = _("Task #{task_id} ({kind}) is queued again, due now.")
    else:
        text = _("Task #{task_id} ({kind} of order #{order_id}) is queued again, due now.")
    return text.format(task_id=task.id, kind=escape(task.kind), order_id=task.order_id)


def _minutes(value: float | None) -> str:
    return "-" if value is None else _("{minutes} min").format(minutes=f"{value:.0f}")


def period_stats(title: str, stats: PeriodStats, currency: str) -> list[str]:
    """`title` is worded already (in the language spoken now)."""
    counts = ", ".join(f"{status.lower()} {count}" for status, count in stats.by_status.items())
    return [ngettext("<b>{title}</b>: {count} orders", "<b>{title}</b>: {count} orders",
                     stats.total_orders).format(title=escape(title), count=stats.total_orders),
            _("By status: {counts}").format(counts=counts),
            _("Revenue: {revenue} (cash {cash}, online {online})").format(
                revenue=money(Money(stats.revenue_minor, currency)),
                cash=money(Money(stats.cash_minor, currency)),
                online=money(Money(stats.money.online, currency))),
            _("Delivery fees {fees} · discounts {discounts} · tips {tips} · refunds due "
              "{refunds}: {refunded}").format(
                fees=money(Money(stats.money.fees, currency)),
                discounts=money(Money(stats.money.discounts, currency)),
                tips=money(Money(stats.money.tips, currency)), refunds=stats.money.refunds,
                refunded=money(Money(stats.money.refunded, currency))),
            ngettext("Placed → delivered: average {average}, p90 {p90} ({count} deliveries)",
                     "Placed → delivered: average {average}, p90 {p90} ({count} deliveries)",
                     stats.deliveries).format(average=_minutes(stats.average_minutes),
                                              p90=_minutes(stats.p90_minutes),
                                              count=stats.deliveries),
            ngettext("Against the estimate: p50 {p50}, p90 {p90} ({count} late)",
                     "Against the estimate: p50 {p50}, p90 {p90} ({count} late)",
                     stats.late).format(p50=_signed(stats.past_estimate_p50),
                                        p90=_signed(stats.past_estimate_p90), count=stats.late)]


def _signed(minutes: float | None) -> str:
    return "-" if minutes is None else _("{minutes} min").format(minutes=f"{minutes:+.0f}")


def stats(report: StatsReport, currency: str) -> str:
    return "\n".join([
        *period_stats(_("Today (UTC)"), report.today, currency), "",
        *period_stats(_("Last 7 days"), report.last_7_days, currency), "",
        _("Partners online now: {count}").format(count=report.today.partners_online),
    ])


def capped(lines: list[str]) -> str:
    """The lines joined, cut at a line with a count of the rest to stay under MAX_REPLY."""
    kept: list[str] = []
    size = 0
    for index, line in enumerate(lines):
        if size + len(line) + 1 > MAX_REPLY - 40:
            rest = len(lines) - index
            kept.append(ngettext("… and {count} more lines", "… and {count} more lines",
                                 rest).format(count=rest))
            break
        kept.append(line)
        size += len(line) + 1
    return "\n".join(kept)


# promo codes ------------------------------------------------------------------------------

def promo_line(promo: Promo, currency: str) -> str:
    used = f"{promo.used}/{promo.total_uses}" if promo.total_uses is not None else (
        f"{promo.used}")
    return _("<b>{code}</b> · {terms} · used {used} · {state}").format(
        code=escape(promo.code), terms=escape(promo_terms(promo, currency)), used=used,
        state=_("ended") if promo.ended_at is not None else _("active"))


def promo_terms(promo: Promo, currency: str) -> str:
    """'10% off | from ₹300.00 | until 2026-12-31 | 100 uses | 1 per customer'."""
    parts = [_("{percent}% off").format(percent=promo.percent) if promo.percent is not None
             else _("{amount} off").format(amount=money(Money(promo.amount or 0, currency)))]
    if promo.min_order:
        parts.append(_("from {amount}").format(amount=money(Money(promo.min_order, currency))))
    if promo.valid_until is not None:
        last = promo.valid_until - timedelta(days=1)
        parts.append(_("until {day}").format(day=f"{last:%Y-%m-%d}"))
    parts.append(ngettext("{count} use", "{count} uses", promo.total_uses).format(
        count=promo.total_uses) if promo.total_uses is not None else _("no use limit"))
    parts.append(_("{count} per customer").format(count=promo.uses_per_customer))
    return " | ".join(parts)


def promo_added(promo: Promo, currency: str) -> str:
    return _("Added promo code {promo}").format(promo=promo_line(promo, currency))


def promos(codes: Sequence[Promo], currency: str) -> str:
    if not codes:
        return _text("NO_PROMOS")
    lines = [ngettext("<b>Latest {count} promo codes</b> (newest first)",
                      "<b>Latest {count} promo codes</b> (newest first)",
                      len(codes)).format(count=len(codes))]
    lines += [promo_line(promo, currency) for promo in codes]
    return capped(lines)


def promo_ended(promo: Promo) -> str:
    return _("Ended promo code <b>{code}</b>: summaries showing it lose the discount before an "
             "order is placed.").format(code=escape(promo.code))


# refunds ----------------------------------------------------------------------------------

def refund_line(refund: Refund) -> str:
    of = (_("order #{order_id}").format(order_id=refund.order_id)
          if refund.order_id is not None else _("no order"))
    return _("#{refund_id} · {amount} · {order} · customer {customer_id} · {at} UTC · "
             "{reason}\n    charge <code>{charge}</code>, provider "
             "<code>{provider_charge}</code>").format(
        refund_id=refund.id, amount=money(Money(refund.amount, refund.currency)), order=of,
        customer_id=refund.customer_id, at=f"{refund.created_at:%Y-%m-%d %H:%M}",
        reason=escape(refund.reason), charge=escape(refund.telegram_charge_id),
        provider_charge=escape(refund.provider_charge_id))


def refunds(due: Sequence[Refund]) -> str:
    if not due:
        return _text("NO_REFUNDS")
    lines = [ngettext("<b>{count} refunds due</b> (oldest first): make each at the payment "
                      "provider, then /refunded REFUND_ID NOTE",
                      "<b>{count} refunds due</b> (oldest first): make each at the payment "
                      "provider, then /refunded REFUND_ID NOTE", len(due)).format(
        count=len(due))]
    lines += [refund_line(refund) for refund in due]
    return capped(lines)


def refund_recorded(refund: Refund) -> str:
    return _("Recorded refund #{refund_id} of {amount} as made ({note}). The customer has been "
             "told.").format(refund_id=refund.id,
                             amount=money(Money(refund.amount, refund.currency)),
                             note=escape(refund.note))
