"""Row <-> domain converters, one pair per aggregate.

`*_values` turn a domain object into column values for INSERT/UPDATE; `*_from_row` build the
domain object back from a result row's mapping (`result.mappings()`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from domain.cart import Cart, LineKey
from domain.checkout import Checkout, CheckoutStep, SnapshotLine
from domain.customers import Customer
from domain.ids import MenuItemId, OrderId, RestaurantId, UserId
from domain.messages import Notification
from domain.options import Picked
from domain.orders import Actor, DeliveryDetails, Order, OrderEvent, OrderItem, OrderStatus
from domain.partners import Partner, PartnerStatus
from domain.tasks import NewTask

Row = Mapping[Any, Any]  # a row's columns by name: SQLAlchemy's RowMapping, or a dict
Values = dict[str, Any]


def customer_values(customer: Customer) -> Values:
    """What saving a customer writes: not their time zone, which only /mytimezone sets
    (CustomerRepository.set_time_zone), so no other save can undo it."""
    return {"id": customer.id, "name": customer.name, "phone": customer.phone}


def customer_from_row(row: Row) -> Customer:
    return Customer(id=UserId(row["id"]), name=row["name"], phone=row["phone"],
                    time_zone=row["time_zone"])


def cart_line_values(cart: Cart) -> list[Values]:
    return [
        {"customer_id": cart.customer_id, "menu_item_id": key.item_id,
         "options": " ".join(map(str, key.options)), "quantity": qty, "position": n}
        for n, (key, qty) in enumerate(cart.lines.items())
    ]


def cart_from_rows(customer_id: UserId, cart_row: Row | None, lines: Iterable[Row]) -> Cart:
    """A cart from its row and its lines (already in position order); empty when absent."""
    found = {LineKey(MenuItemId(line["menu_item_id"]),
                     tuple(int(i) for i in line["options"].split())): line["quantity"]
             for line in lines}
    restaurant_id = cart_row["restaurant_id"] if cart_row is not None else None
    if not found or restaurant_id is None:
        return Cart(customer_id)
    return Cart(customer_id, RestaurantId(restaurant_id), found)


def checkout_values(checkout: Checkout) -> Values:
    return {
        "customer_id": checkout.customer_id,
        "step": checkout.step.value,
        "address": checkout.address,
        "latitude": checkout.latitude,
        "longitude": checkout.longitude,
        "note": checkout.note,
        "phone": checkout.phone,
        "token": checkout.token,
        "snapshot": [[li.item_id, li.quantity, li.unit_price, list(li.options)]
                     for li in checkout.snapshot],
        "delivery_fee": checkout.delivery_fee,
        "promo_code": checkout.promo_code,
        "discount": checkout.discount,
        "paying_in": checkout.paying_in,
        "deliver_at": checkout.deliver_at,
    }


def checkout_from_row(row: Row) -> Checkout:
    return Checkout(
        customer_id=UserId(row["customer_id"]),
        step=CheckoutStep(row["step"]),
        address=row["address"],
        latitude=row["latitude"],
        longitude=row["longitude"],
        note=row["note"],
        phone=row["phone"],
        token=row["token"],
        snapshot=tuple(SnapshotLine(MenuItemId(i), q, p, tuple(rest[0]) if rest else ())
                       for i, q, p, *rest in row["snapshot"]),
        delivery_fee=row["delivery_fee"],
        promo_code=row["promo_code"],
        discount=row["discount"],
        paying_in=row["paying_in"],
        deliver_at=row["deliver_at"],
        customer_zone=row.get("customer_zone"),
    )


def order_values(order: Order) -> Values:
    delivery, bill = order.delivery, order.bill
    return {
        "customer_id": order.customer_id,
        "restaurant_id": order.restaurant_id,
        "status": order.status.value,
        "currency": order.currency,
        "subtotal": bill.subtotal,
        "delivery_fee": bill.delivery_fee,
        "discount": bill.discount,
        "tip": bill.tip,
        "total": bill.total.amount,
        "promo_code": order.promo_code,
        "paid_online": order.paid_online,
        "expected_at": order.expected_at,
        "scheduled_for": order.scheduled_for,
        "ride_minutes": order.ride_minutes,
        "address": delivery.address,
        "latitude": delivery.latitude,
        "longitude": delivery.longitude,
        "phone": delivery.phone,
        "note": delivery.note,
        "partner_id": order.partner_id,
        "idempotency_key": order.idempotency_key,
        "created_at": order.created_at,
        "updated_at": order.updated_at or order.created_at,
    }


def order_item_values(order_id: OrderId, items: Iterable[OrderItem]) -> list[Values]:
    return [
        {
            "order_id": order_id,
            "position": position,
            "menu_item_id": item.item_id,
            "name": item.name,
            "unit_price": item.unit_price,
            "quantity": item.quantity,
            "options": [[o.id, o.name, o.price] for o in item.options] or None,
        }
        for position, item in enumerate(items)
    ]


def order_from_rows(row: Row, items: Iterable[Row]) -> Order:
    """An order from its row and its item rows (already in position order)."""
    delivery = DeliveryDetails(
        address=row["address"],
        latitude=row["latitude"],
        longitude=row["longitude"],
        phone=row["phone"],
        note=row["note"],
    )
    return Order(
        id=OrderId(row["id"]),
        customer_id=UserId(row["customer_id"]),
        restaurant_id=RestaurantId(row["restaurant_id"]),
        items=tuple(
            OrderItem(i["menu_item_id"], i["name"], i["unit_price"], i["quantity"],
                      tuple(Picked(*o) for o in i["options"] or ()))
            for i in items
        ),
        currency=row["currency"],
        delivery=delivery,
        created_at=row["created_at"],
        status=OrderStatus(row["status"]),
        partner_id=UserId(row["partner_id"]) if row["partner_id"] is not None else None,
        updated_at=row["updated_at"],
        idempotency_key=row["idempotency_key"],
        delivery_fee=row["delivery_fee"],
        discount=row["discount"],
        tip=row["tip"],
        promo_code=row["promo_code"],
        paid_online=bool(row["paid_online"]),
        expected_at=row["expected_at"],
        scheduled_for=row["scheduled_for"],
        ride_minutes=row["ride_minutes"],
    )


def event_values(event: OrderEvent) -> Values:
    return {
        "order_id": event.order_id,
        "from_status": event.from_status.value if event.from_status is not None else None,
        "to_status": event.to_status.value,
        "at": event.at,
        "actor": str(event.actor),
        "reason": event.reason,
    }


def event_from_row(row: Row) -> OrderEvent:
    from_status = row["from_status"]
    return OrderEvent(
        order_id=OrderId(row["order_id"]),
        from_status=OrderStatus(from_status) if from_status is not None else None,
        to_status=OrderStatus(row["to_status"]),
        at=row["at"],
        actor=Actor.parse(row["actor"]),
        reason=row["reason"],
    )


def partner_values(partner: Partner) -> Values:
    return {
        "id": partner.id,
        "name": partner.name,
        "status": partner.status.value,
        "online": partner.online,
        "active_order_id": partner.active_order_id,
        "idle_since": partner.idle_since,
    }


def partner_from_row(row: Row) -> Partner:
    active = row["active_order_id"]
    return Partner(
        id=UserId(row["id"]),
        name=row["name"],
        status=PartnerStatus(row["status"]),
        online=bool(row["online"]),
        active_order_id=OrderId(active) if active is not None else None,
        idle_since=row["idle_since"],
    )


def task_values(task: NewTask) -> Values:
    return {
        "kind": task.kind.value,
        "order_id": task.order_id,
        "payload": dict(task.payload),
        "state": "pending",
        "attempts": 0,
        "run_at": task.run_at,
    }


def notification_values(notification: Notification, at: datetime) -> Values:
    return {
        "chat_id": notification.chat_id,
        "kind": notification.kind.value,
        "payload": dict(notification.data),
        "created_at": at,
        "next_attempt_at": at,
        "attempts": 0,
    }
