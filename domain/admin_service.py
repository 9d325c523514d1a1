"""The admin console's use cases (issue #6): restaurants, dishes, photos, menu imports.

Every change records an audit entry (who, when, what) in the same unit of work, so the
log never shows an action that did not happen nor misses one that did.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from domain.errors import InvalidInput, NotAllowed, NotFound
from domain.ids import MenuItemId, OrderId, RestaurantId, TaskId, UserId
from domain.invites import (
    PARTNER_APPROVED,
    PARTNER_REVOKED,
    VALID_FOR,
    InviteCode,
    InviteCodes,
    code_from_token,
)
from domain.menu_import import MenuImport, Rejection, plan_import
from domain.money import Money
from domain.orders import Actor, ActorKind, Order, OrderEvent, OrderStatus
from domain.partners import Partner, PartnerStatus
from domain.pipeline.ports import PipelineActions
from domain.ports import (
    Clock,
    CustomerRepository,
    MenuRepository,
    OrderRepository,
    Outbox,
    PartnerRepository,
    RestaurantRepository,
    TokenSource,
    Transaction,
)
from domain.restaurants import MenuItem, Restaurant
from domain.stats import DAY, OrderFact, StatsReport, today_and_last_7_days
from domain.tasks import Notification


@dataclass(frozen=True, slots=True)
class AuditEntry:
    actor: UserId
    at: datetime
    action: str  # "add_restaurant", "set_price", ...
    target: str  # "restaurant #3", "item #12"
    detail: str = ""


class AuditLog(Protocol):
    async def add(self, entry: AuditEntry) -> None: ...
    async def latest(self, limit: int) -> Sequence[AuditEntry]: ...
    async def count(self) -> int: ...


class AdminOrders(OrderRepository, Protocol):
    async def latest(self, limit: int, status: OrderStatus | None) -> Sequence[Order]:
        """The newest orders (of `status`, if given), newest first."""
        ...


@dataclass(frozen=True, slots=True)
class DeadTask:
    """A task the queue gave up on."""

    id: TaskId
    kind: str
    order_id: OrderId | None
    attempts: int
    last_error: str | None
    finished_at: datetime | None


class DeadLetters(Protocol):
    async def latest(self, limit: int) -> Sequence[DeadTask]:
        """The newest dead tasks, newest first."""
        ...

    async def get(self, task_id: TaskId) -> DeadTask | None:
        """The task if it exists and is dead."""
        ...

    async def exists(self, task_id: TaskId) -> bool: ...

    async def revive(self, task_id: TaskId, now: datetime) -> bool:
        """Back in the queue, due now, with a fresh attempt count; False unless it was dead."""
        ...


class StatsSource(Protocol):
    async def order_facts(self, since: datetime) -> Sequence[OrderFact]:
        """The orders placed at or after `since`."""
        ...

    async def partners_online(self) -> int:
        """Approved partners who are online now."""
        ...


class AdminUnitOfWork(Transaction, Protocol):
    restaurants: RestaurantRepository
    orders: AdminOrders
    customers: CustomerRepository
    menu: MenuRepository
    partners: PartnerRepository
    outbox: Outbox
    invites: InviteCodes
    audit: AuditLog
    dead_letters: DeadLetters
    stats: StatsSource


AdminUowFactory = Callable[[], AdminUnitOfWork]


@dataclass(frozen=True, slots=True)
class ImportResult:
    added: tuple[MenuItem, ...]
    updated: tuple[MenuItem, ...]
    unchanged: tuple[MenuItem, ...]
    rejected: tuple[Rejection, ...]


@dataclass(frozen=True, slots=True)
class OrderLine:
    """An order as /allorders lists it."""

    order: Order
    restaurant: str


@dataclass(frozen=True, slots=True)
class OrderDetail:
    """An order as /showorder shows it: who, where, and every recorded move."""

    order: Order
    restaurant: str
    customer_name: str | None
    partner_name: str | None
    history: tuple[OrderEvent, ...]


LATEST_ORDERS = 20
LATEST_DEAD = 20


def order_target(order_id: int) -> str:
    return f"order #{order_id}"


def restaurant_target(restaurant_id: int) -> str:
    return f"restaurant #{restaurant_id}"


def item_target(item_id: int) -> str:
    return f"item #{item_id}"


def partner_target(partner_id: int) -> str:
    return f"partner #{partner_id}"


class AdminService:
    """Admin use cases; `actor` is the admin's Telegram user id (checked by the caller)."""

    def __init__(self, uows: AdminUowFactory, clock: Clock, currency: str,
                 tokens: TokenSource, pipeline: PipelineActions | None = None) -> None:
        self._uows = uows
        self._pipeline = pipeline
        self._clock = clock
        self._currency = currency
        self._tokens = tokens

    def _price(self, minor: int) -> str:
        return str(Money(minor, self._currency))

    async def add_restaurant(
        self, actor: UserId, name: str, address: str, prep_minutes: int
    ) -> Restaurant:
        async with self._uows() as uow:
            await _name_free(uow, name)
            added = await uow.restaurants.add(
                Restaurant(RestaurantId(0), name, address, prep_minutes=prep_minutes)
            )
            await self._record(uow, actor, "add_restaurant", restaurant_target(added.id),
                               f"{added.name} | {added.address} | {added.prep_minutes} min")
            await uow.commit()
            return added

    async def edit_restaurant(
        self, actor: UserId, restaurant_id: RestaurantId, *, name: str | None = None,
        address: str | None = None, prep_minutes: int | None = None,
    ) -> Restaurant:
        async with self._uows() as uow:
            current = await _restaurant(uow, restaurant_id)
            if name is not None and name.strip() != current.name:
                await _name_free(uow, name)
            changed = replace(
                current, name=current.name if name is None else name,
                address=current.address if address is None else address,
                prep_minutes=current.prep_minutes if prep_minutes is None else prep_minutes,
            )
            await uow.restaurants.save(changed)
            await self._record(uow, actor, "edit_restaurant", restaurant_target(restaurant_id),
                               f"{changed.name} | {changed.address} | {changed.prep_minutes} min")
            await uow.commit()
            return changed

    async def set_open(
        self, actor: UserId, restaurant_id: RestaurantId, is_open: bool
    ) -> Restaurant:
        return await self._change_restaurant(
            actor, restaurant_id, "open_restaurant" if is_open else "close_restaurant",
            lambda r: replace(r, is_open=is_open), "",
        )

    async def link_manager(
        self, actor: UserId, restaurant_id: RestaurantId, chat_id: int | None
    ) -> Restaurant:
        detail = "unlinked" if chat_id is None else f"chat {chat_id}"
        return await self._change_restaurant(
            actor, restaurant_id, "link_manager",
            lambda r: replace(r, manager_chat_id=chat_id), detail,
        )

    async def add_food(
        self, actor: UserId, restaurant_id: RestaurantId, name: str, price: int,
        category: str, description: str,
    ) -> MenuItem:
        async with self._uows() as uow:
            await _restaurant(uow, restaurant_id)
            item = MenuItem(MenuItemId(0), restaurant_id, name, price,
                            description=description, category=category)
            added = await uow.menu.add(item)
            await self._record(uow, actor, "add_food", item_target(added.id),
                               f"{added.name} | {self._price(added.price)} | {added.category} "
                               f"in {restaurant_target(restaurant_id)}")
            await uow.commit()
            return added

    async def edit_food(
        self, actor: UserId, item_id: MenuItemId, *, name: str | None = None,
        price: int | None = None, category: str | None = None, description: str | None = None,
    ) -> MenuItem:
        def change(item: MenuItem) -> MenuItem:
            return replace(
                item, name=item.name if name is None else name,
                price=item.price if price is None else price,
                category=item.category if category is None else category,
                description=item.description if description is None else description,
            )

        return await self._change_item(actor, item_id, "edit_food", change,
                                       lambda i: f"{i.name} | {self._price(i.price)} | "
                                                 f"{i.category}")

    async def set_price(self, actor: UserId, item_id: MenuItemId, price: int) -> MenuItem:
        return await self._change_item(actor, item_id, "set_price",
                                       lambda i: replace(i, price=price),
                                       lambda i: self._price(i.price))

    async def set_available(self, actor: UserId, item_id: MenuItemId, available: bool) -> MenuItem:
        return await self._change_item(
            actor, item_id, "show_food" if available else "hide_food",
            lambda i: replace(i, available=available), lambda i: "",
        )

    async def set_photo(self, actor: UserId, item_id: MenuItemId, file_id: str) -> MenuItem:
        return await self._change_item(actor, item_id, "set_photo",
                                       lambda i: replace(i, photo_file_id=file_id), lambda i: "")

    async def import_menu(self, actor: UserId, parsed: MenuImport) -> ImportResult:
        """Adds and updates the file's dishes; the rejected rows change nothing."""
        async with self._uows() as uow:
            await _restaurant(uow, parsed.restaurant_id)
            plan = plan_import(parsed.drafts, await uow.menu.for_restaurant(parsed.restaurant_id))
            added = [await uow.menu.add(draft.to_item(MenuItemId(0), parsed.restaurant_id))
                     for draft in plan.to_add]
            for item in plan.to_update:
                await uow.menu.save(item)
            await self._record(
                uow, actor, "import_menu", restaurant_target(parsed.restaurant_id),
                f"{len(added)} added, {len(plan.to_update)} updated, "
                f"{len(plan.unchanged)} unchanged, {len(parsed.rejected)} rejected",
            )
            await uow.commit()
            return ImportResult(tuple(added), plan.to_update, plan.unchanged, parsed.rejected)

    async def audit(self, limit: int) -> Sequence[AuditEntry]:
        """The latest admin actions, newest first."""
        async with self._uows() as uow:
            return await uow.audit.latest(limit)

    async def partners(self) -> Sequence[Partner]:
        """Every partner who ever asked to deliver, by user id."""
        async with self._uows() as uow:
            return await uow.partners.list()

    async def approve_partner(self, actor: UserId, partner_id: UserId) -> Partner:
        """A pending (or revoked) partner may deliver; they are told in the same transaction."""
        async with self._uows() as uow:
            partner = await _partner(uow, partner_id)
            if partner.status == PartnerStatus.APPROVED:
                raise InvalidInput(f"{partner.name} (#{partner.id}) is approved already")
            approved = replace(partner, status=PartnerStatus.APPROVED)
            await uow.partners.save(approved)
            await uow.outbox.add(Notification(partner.id, PARTNER_APPROVED,
                                              {"name": partner.name}), self._clock.now())
            await self._record(uow, actor, "approve_partner", partner_target(partner_id),
                               partner.name)
            await uow.commit()
            return approved

    async def revoke_partner(self, actor: UserId, partner_id: UserId) -> Partner:
        """The partner goes offline and gets no more offers; refused while on a delivery."""
        async with self._uows() as uow:
            partner = await _partner(uow, partner_id)
            if partner.status == PartnerStatus.REVOKED:
                raise InvalidInput(f"{partner.name} (#{partner.id}) is revoked already")
            if not await uow.partners.revoke(partner_id):  # conditional: no active delivery
                busy = await _partner(uow, partner_id)
                raise NotAllowed(
                    f"{busy.name} (#{busy.id}) is on delivery #{busy.active_order_id}; "
                    "please revoke them after it ends")
            await uow.outbox.add(Notification(partner.id, PARTNER_REVOKED,
                                              {"name": partner.name}), self._clock.now())
            await self._record(uow, actor, "revoke_partner", partner_target(partner_id),
                               partner.name)
            await uow.commit()
            return replace(partner, status=PartnerStatus.REVOKED, online=False)

    async def make_invite(self, actor: UserId) -> InviteCode:
        """A fresh single-use partner invite code, valid for VALID_FOR."""
        now = self._clock.now()
        invite = InviteCode(code_from_token(self._tokens.new_token()), actor, now,
                            now + VALID_FOR)
        async with self._uows() as uow:
            await uow.invites.add(invite)
            await self._record(uow, actor, "make_invite", "invite code",
                               f"valid until {invite.expires_at:%Y-%m-%d %H:%M} UTC")
            await uow.commit()
        return invite

    async def orders(self, status: OrderStatus | None = None,
                     limit: int = LATEST_ORDERS) -> list[OrderLine]:
        """The latest orders, newest first, with their restaurants' names."""
        async with self._uows() as uow:
            found = await uow.orders.latest(limit, status)
            names: dict[RestaurantId, str] = {}
            for order in found:
                if order.restaurant_id not in names:
                    place = await uow.restaurants.get(order.restaurant_id)
                    names[order.restaurant_id] = place.name if place else "?"
        return [OrderLine(order, names[order.restaurant_id]) for order in found]

    async def order_detail(self, order_id: OrderId) -> OrderDetail:
        """The order with its customer, partner, restaurant and full history."""
        async with self._uows() as uow:
            order = await uow.orders.get(order_id)
            if order is None:
                raise NotFound("order", order_id)
            place = await uow.restaurants.get(order.restaurant_id)
            customer = await uow.customers.get(order.customer_id)
            partner = (await uow.partners.get(order.partner_id)
                       if order.partner_id is not None else None)
            history = tuple(await uow.orders.history(order_id))
        return OrderDetail(order, place.name if place else "?",
                           customer.name if customer else None,
                           partner.name if partner else None, history)

    async def cancel_order(self, actor: UserId, order_id: OrderId, reason: str) -> Order:
        """Cancels an unfinished order as an admin; the customer, the partner (if any) and
        the restaurant are told by the pipeline. A finished order is refused."""
        if self._pipeline is None:
            raise NotAllowed("cancelling orders is not available here")
        async with self._uows() as uow:
            order = await uow.orders.get(order_id)
        if order is None:
            raise NotFound("order", order_id)
        if order.status.is_terminal:
            raise NotAllowed(f"order #{order_id} is {order.status.lower()} already, "
                             "so it cannot be cancelled")
        await self._pipeline.cancel_order(order_id, Actor(ActorKind.ADMIN, actor), reason)
        async with self._uows() as uow:
            await self._record(uow, actor, "cancel_order", order_target(order_id), reason)
            await uow.commit()
            cancelled = await uow.orders.get(order_id)
        assert cancelled is not None
        return cancelled

    async def stats(self) -> StatsReport:
        """Today (UTC) and the last 7 days: orders by status, revenue, delivery times."""
        now = self._clock.now()
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        async with self._uows() as uow:
            facts = await uow.stats.order_facts(midnight - 6 * DAY)
            online = await uow.stats.partners_online()
        return today_and_last_7_days(now, facts, online)

    async def dead_letters(self, limit: int = LATEST_DEAD) -> Sequence[DeadTask]:
        """The tasks the queue gave up on, newest first."""
        async with self._uows() as uow:
            return await uow.dead_letters.latest(limit)

    async def retry_task(self, actor: UserId, task_id: TaskId) -> DeadTask:
        """Puts a dead task back in the queue, due now, audited.

        Refused unless the task is dead, and when its order has finished (delivered,
        cancelled or failed): no order moves out of those, so running it again is pointless.
        """
        async with self._uows() as uow:
            task = await uow.dead_letters.get(task_id)
            if task is None:
                if not await uow.dead_letters.exists(task_id):
                    raise NotFound("task", task_id)
                raise NotAllowed(f"task #{task_id} is not dead-lettered, so there is "
                                 "nothing to retry")
            if task.order_id is not None:
                order = await uow.orders.get(task.order_id)
                if order is not None and order.status.is_terminal:
                    raise NotAllowed(
                        f"order #{order.id} of task #{task_id} is {order.status.lower()} "
                        "already and cannot move again, so the task is not retried")
            if not await uow.dead_letters.revive(task_id, self._clock.now()):
                raise NotAllowed(f"task #{task_id} is not dead-lettered any more")
            await self._record(uow, actor, "retry_task", f"task #{task_id}",
                               f"{task.kind}" + (f" of {order_target(task.order_id)}"
                                                 if task.order_id is not None else ""))
            await uow.commit()
            return task

    async def _change_restaurant(
        self, actor: UserId, restaurant_id: RestaurantId, action: str,
        change: Callable[[Restaurant], Restaurant], detail: str,
    ) -> Restaurant:
        async with self._uows() as uow:
            changed = change(await _restaurant(uow, restaurant_id))
            await uow.restaurants.save(changed)
            await self._record(uow, actor, action, restaurant_target(restaurant_id), detail)
            await uow.commit()
            return changed

    async def _change_item(
        self, actor: UserId, item_id: MenuItemId, action: str,
        change: Callable[[MenuItem], MenuItem], detail: Callable[[MenuItem], str],
    ) -> MenuItem:
        async with self._uows() as uow:
            item = await uow.menu.get(item_id)
            if item is None:
                raise NotFound("item", item_id)
            changed = change(item)
            await uow.menu.save(changed)
            await self._record(uow, actor, action, item_target(item_id), detail(changed))
            await uow.commit()
            return changed

    async def _record(
        self, uow: AdminUnitOfWork, actor: UserId, action: str, target: str, detail: str
    ) -> None:
        await uow.audit.add(AuditEntry(actor, self._clock.now(), action, target, detail))


async def _restaurant(uow: AdminUnitOfWork, restaurant_id: RestaurantId) -> Restaurant:
    found = await uow.restaurants.get(restaurant_id)
    if found is None:
        raise NotFound("restaurant", restaurant_id)
    return found


async def _partner(uow: AdminUnitOfWork, partner_id: UserId) -> Partner:
    found = await uow.partners.get(partner_id)
    if found is None:
        raise NotFound("partner", partner_id)
    return found


async def _name_free(uow: AdminUnitOfWork, name: str) -> None:
    taken = await uow.restaurants.get_by_name(name)
    if taken is not None:
        raise InvalidInput(f"a restaurant named '{taken.name}' exists already (#{taken.id})")
