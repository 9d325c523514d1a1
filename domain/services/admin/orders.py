"""The admin console's orders and queue: the latest orders, one order's detail, cancelling,
the dead-lettered tasks and retrying one."""

from __future__ import annotations

from dataclasses import dataclass

from domain.audit import AuditEntry
from domain.errors import IllegalTransition, NotAllowed, NotFound
from domain.ids import OrderId, RestaurantId, TaskId, UserId
from domain.lines import LineMessage, Said, Side
from domain.orders import Actor, ActorKind, Order, OrderEvent, OrderStatus
from domain.paging import Keyset, keyset
from domain.payments import Payment, Refund
from domain.pipeline.ports import PipelineActions
from domain.ports import Clock
from domain.services.admin.common import found, record
from domain.services.admin.ports import AdminUowFactory, DeadTask, order_target, task_target
from domain.slots import kitchen_open_for

LATEST_ORDERS = 20
LATEST_DEAD = 20


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
    payment: Payment | None = None  # when paid online
    refund: Refund | None = None
    line: tuple[LineMessage, ...] = ()  # between customer and rider (domain.lines)


class OrderAdmin:
    """Orders and the durable queue as admins inspect and steer them; `actor` is the admin's
    user id (checked by the caller). Without `pipeline`, cancelling is refused."""

    def __init__(self, uows: AdminUowFactory, clock: Clock,
                 pipeline: PipelineActions | None = None) -> None:
        self._uows = uows
        self._clock = clock
        self._pipeline = pipeline

    async def orders(self, status: OrderStatus | None = None, *, before: int | None = None,
                     after: int | None = None) -> Keyset[OrderLine, int]:
        """A page of orders (of `status`, if given), newest first, with their restaurants'
        names: the latest, or those below `before` or above `after` (domain.paging)."""
        async with self._uows() as uow:
            latest = await uow.orders.latest(LATEST_ORDERS + 1, status, before=before,
                                             after=after)
            places = await uow.restaurants.get_many({o.restaurant_id for o in latest})
        names = {rid: place.name for rid, place in places.items()}
        return keyset([OrderLine(order, names.get(order.restaurant_id, "?")) for order in latest],
                      LATEST_ORDERS, lambda line: line.order.id, before=before, after=after)

    async def order_detail(self, order_id: OrderId, actor: UserId | None = None) -> OrderDetail:
        """The order with its customer, partner, restaurant and full history, and the private
        line between customer and rider: reading one is audited (`actor`)."""
        async with self._uows() as uow:
            order = found(await uow.orders.get(order_id), "order", order_id)
            place = await uow.restaurants.get(order.restaurant_id)
            customer = await uow.customers.get(order.customer_id)
            partner = (await uow.partners.get(order.partner_id)
                       if order.partner_id is not None else None)
            history = tuple(await uow.orders.history(order_id))
            payment, refund = await uow.payments.of_order(order_id)
            line = tuple(await uow.lines.of(order_id))
            if line and actor is not None:
                await record(uow, self._clock, actor, "read_line", order_target(order_id),
                             f"{len(line)} messages")
                await uow.commit()
        return OrderDetail(order, place.name if place else "?",
                           customer.name if customer else None,
                           partner.name if partner else None, history, payment, refund, line)

    async def cancel_order(self, actor: UserId, order_id: OrderId, reason: str) -> Order:
        """Cancels an unfinished order as an admin; the customer, the partner (if any) and
        the restaurant are told by the pipeline. The audit entry is written in the cancel's
        own transaction, so it exists exactly when the cancel happened. A finished order is
        refused, also one that finished (or was cancelled by someone else) a moment ago."""
        if self._pipeline is None:
            raise NotAllowed("cancelling orders is not available here")
        entry = AuditEntry(actor, self._clock.now(), "cancel_order", order_target(order_id),
                           reason)
        try:
            moved = await self._pipeline.cancel_order(
                order_id, Actor(ActorKind.ADMIN, actor), reason, audit=entry)
        except IllegalTransition:
            moved = False
        async with self._uows() as uow:
            order = found(await uow.orders.get(order_id), "order", order_id)
        if not moved:
            raise NotAllowed(f"order #{order_id} is {order.status.lower()} already, "
                             "so it cannot be cancelled")
        return order

    async def cancel_closed_slots(self, actor: UserId, restaurant_id: RestaurantId
                                  ) -> tuple[OrderId, ...]:
        """After the restaurant's hours, closed days or switch changed: cancels its orders for a
        slot it no longer takes orders for (domain.slots), each as `cancel_order` does, so
        their customers hear now rather than when the queue would have started them."""
        async with self._uows() as uow:
            restaurant = await uow.restaurants.get(restaurant_id)
            waiting = await uow.orders.waiting_for_slot(restaurant_id)
        if restaurant is None or self._pipeline is None:
            return ()
        reason = f"{restaurant.name} is closed at the time this order was scheduled for"
        cancelled = []
        for order in waiting:
            if order.scheduled_for is None or kitchen_open_for(restaurant, order.scheduled_for):
                continue
            entry = AuditEntry(actor, self._clock.now(), "cancel_order",
                               order_target(order.id), reason)
            try:
                if await self._pipeline.cancel_order(order.id, Actor(ActorKind.ADMIN, actor),
                                                     reason, audit=entry):
                    cancelled.append(order.id)
            except IllegalTransition:  # started or cancelled a moment ago: as it is
                continue
        return tuple(cancelled)

    async def close_line(self, actor: UserId, order_id: OrderId) -> Order:
        """Closes the private line of an order (domain.lines): later messages on it are
        refused politely. Audited."""
        async with self._uows() as uow:
            order = found(await uow.orders.get(order_id), "order", order_id)
            await uow.lines.add(LineMessage(order.id, Side.CUSTOMER, Said.CLOSED,
                                            self._clock.now()))
            await record(uow, self._clock, actor, "close_line", order_target(order_id), "")
            await uow.commit()
        return order

    async def dead_letters(self, *, before: int | None = None, after: int | None = None
                           ) -> Keyset[DeadTask, int]:
        """A page of the tasks the queue gave up on, newest first (domain.paging)."""
        async with self._uows() as uow:
            found = await uow.dead_letters.latest(LATEST_DEAD + 1, before=before, after=after)
        return keyset(found, LATEST_DEAD, lambda task: task.id, before=before, after=after)

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
            await record(uow, self._clock, actor, "retry_task", task_target(task_id),
                         f"{task.kind}" + (f" of {order_target(task.order_id)}"
                                           if task.order_id is not None else ""))
            await uow.commit()
            return task
