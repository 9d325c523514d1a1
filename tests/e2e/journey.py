"""Steps of the customer's journey shared by the end-to-end tests.

They drive the real bot through the sandbox like a person would (send, press, wait for the
screen) and read the database through units of work to check what did (not) change.
"""


from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import func, select, update

from bot import texts
from domain.cart import Cart
from domain.checkout import Checkout
from domain.customers import Customer
from domain.ids import OrderId, UserId
from domain.orders import DeliveryDetails, Order, OrderStatus
from domain.partners import Partner, PartnerStatus
from domain.restaurants import MenuItem, Restaurant
from domain.services.placing import place_cart
from sandbox import CallbackAnswer, ChatMessage, SandboxUser
from storage.rows import OrderRow, TaskRow
from storage.uow import SqlUnitOfWork
from tests.scenes import move_order

Uows = Callable[[], SqlUnitOfWork]
T = TypeVar("T")
TIMEOUT = 5.0
HOME = "12 Residency Road, Bengaluru"


async def press(user: SandboxUser, label: str, expect: str, *,
                message_id: int | None = None) -> ChatMessage:
    """Presses [label] and waits for a bot message (new or edited) showing `expect`."""
    await user.press(label, message_id=message_id)
    return await user.wait_for_new(lambda m: expect in m.content, timeout=TIMEOUT)


async def refused(user: SandboxUser, label: str | None = None, *, data: str | None = None,
                  message_id: int | None = None) -> CallbackAnswer:
    """Presses a button (or sends raw callback data) and returns the bot's alert."""
    if data is not None:
        assert message_id is not None
        pressed = await user.press_data(message_id, data)
    else:
        assert label is not None
        pressed = await user.press(label, message_id=message_id)
    answer = await user.wait_for_answer(pressed, timeout=TIMEOUT)
    assert answer.show_alert, answer
    return answer


async def say(user: SandboxUser, text: str, expect: str) -> ChatMessage:
    await user.send(text)
    return await user.wait_for_new(lambda m: expect in m.content, timeout=TIMEOUT)


async def open_menu(user: SandboxUser, restaurant: str = "Dominos") -> ChatMessage:
    """/restaurants, then the restaurant's menu."""
    await say(user, "/restaurants", "Restaurants")
    await user.press(restaurant)
    return await user.wait_for_new(lambda m: m.has_button(texts.BACK_TO_RESTAURANTS),
                                   timeout=TIMEOUT)


async def add_dishes(user: SandboxUser, *labels: str) -> ChatMessage:
    screen = None
    for label in labels:
        screen = await press(user, label, "In your cart")
    assert screen is not None
    return screen


async def checkout_to_summary(user: SandboxUser, address: str = HOME) -> ChatMessage:
    """From a screen with the cart button: cart, checkout, typed address -> the summary."""
    await press(user, texts.CART_BUTTON, "Your cart")
    await press(user, texts.CHECKOUT_BUTTON, "Where should we deliver")
    return await say(user, address, "Check your order")


async def at_address_step(uows: Uows, customer_id: int, *dishes: str) -> None:
    """Sets the scene without the chat: the dishes in the cart, checkout asking for the address
    (as after pressing Checkout), so a test starts by typing the address."""
    async with uows() as uow:
        await uow.customers.ensure(Customer(UserId(customer_id), f"Customer {customer_id}"))
        cart = Cart(UserId(customer_id))
        for name in dishes or ("Pizza",):
            cart.add(await item(uows, name))
        await uow.carts.save(cart)
        await uow.checkouts.save(Checkout(UserId(customer_id)))
        await uow.commit()


async def order_pizza(user: SandboxUser) -> ChatMessage:
    """The shortest path from nothing to a placed order; returns its tracking message."""
    await open_menu(user)
    await add_dishes(user, "➕ Pizza · ₹250.00")
    await checkout_to_summary(user)
    return await press(user, texts.PLACE_BUTTON, "Order #")


async def check_out_within(user: SandboxUser, within: float) -> float:
    """The shortest path from nothing to a placed order, as a customer under a clock: each
    screen is awaited as long as `within` seconds from the start last. Returns the seconds it
    took (also used by bench/reply_faults.py)."""
    loop = asyncio.get_running_loop()
    started = loop.time()

    async def then(shows: Callable[[ChatMessage], bool]) -> None:
        await user.wait_for_new(shows, timeout=max(0.0, started + within - loop.time()))

    def showing(text: str) -> Callable[[ChatMessage], bool]:
        return lambda m: text in m.content

    await user.send("/restaurants")
    await then(showing("Restaurants"))
    for label, screen in (
        ("Dominos", lambda m: m.has_button(texts.BACK_TO_RESTAURANTS)),
        ("➕ Pizza · ₹250.00", showing("In your cart")),
        (texts.CART_BUTTON, showing("Your cart")),
        (texts.CHECKOUT_BUTTON, showing("Where should we deliver")),
    ):
        await user.press(label)
        await then(screen)
    await user.send(HOME)
    await then(showing("Check your order"))
    await user.press(texts.PLACE_BUTTON)
    await then(showing("Order #"))
    return loop.time() - started


async def item(uows: Uows, name: str) -> MenuItem:
    async with uows() as uow:
        for restaurant in await uow.restaurants.list():
            for dish in await uow.menu.for_restaurant(restaurant.id):
                if dish.name == name:
                    return dish
    raise LookupError(name)


async def restaurant(uows: Uows, name: str) -> Restaurant:
    async with uows() as uow:
        found = await uow.restaurants.get_by_name(name)
    assert found is not None
    return found


async def change_dish(uows: Uows, name: str, **changes: object) -> MenuItem:
    """Edits a dish as an admin would (price, availability, photo...)."""
    changed = replace(await item(uows, name), **changes)  # type: ignore[arg-type]
    async with uows() as uow:
        await uow.menu.save(changed)
        await uow.commit()
    return changed


async def cart_of(uows: Uows, customer_id: int) -> dict[str, int]:
    """The stored cart as {dish name: quantity}."""
    async with uows() as uow:
        cart = await uow.carts.get(UserId(customer_id))
        menu = await uow.menu.get_many(cart.quantities)
    return {menu[item_id].name: qty for item_id, qty in cart.quantities.items()}


async def order_count(uows: Uows) -> int:
    async with uows() as uow:
        return (await uow.session.execute(select(func.count()).select_from(OrderRow))).scalar_one()


async def stored_order(uows: Uows, order_id: int) -> Order:
    async with uows() as uow:
        order = await uow.orders.get(OrderId(order_id))
    assert order is not None
    return order


async def place_directly(uows: Uows, customer_id: int, *dishes: str) -> Order:
    """An order placed as if through checkout, without the chat (to set the scene).

    Its queue task is settled at once: the running bot's worker would otherwise confirm the
    order while the test moves it by hand, and one of the two writes would lose the race.
    """
    async with uows() as uow:
        await uow.customers.ensure(Customer(UserId(customer_id), f"Customer {customer_id}"))
        cart = Cart(UserId(customer_id))
        for name in dishes or ("Pizza",):
            cart.add(await item(uows, name))
        order, _ = await place_cart(uow, cart, DeliveryDetails(HOME), currency="INR",
                                 at=datetime.now(UTC))
        await uow.session.execute(
            update(TaskRow).where(TaskRow.order_id == order.id).values(state="done"))
        await uow.commit()
    return order


async def advance(uows: Uows, order_id: int, *moves: OrderStatus,
                  partner: tuple[int, str] | None = None) -> Order:
    """Moves an order as the pipeline or an admin would; `partner` (id, name) takes it on the
    way to PREPARING."""
    later = moves.index(OrderStatus.PREPARING) if OrderStatus.PREPARING in moves else len(moves)
    async with uows() as uow:
        await move_order(uow.session, order_id, *moves[:later])
        if partner is not None and later < len(moves):
            await uow.partners.save(Partner(UserId(partner[0]), partner[1],
                                            PartnerStatus.APPROVED, online=True))
        taker = UserId(partner[0]) if partner is not None and later < len(moves) else None
        await move_order(uow.session, order_id, *moves[later:], partner=taker)
        await uow.commit()
    return await stored_order(uows, order_id)


async def eventually(probe: Callable[[], Awaitable[T | None]], within: float = TIMEOUT) -> T:
    """Re-checks `probe` (a database read) until it returns something, or fails at the deadline."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        found = await probe()
        if found is not None:
            return found
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"{probe.__name__} still None after {within}s")
        await asyncio.sleep(0.02)  # a poll of the database, bounded by the deadline above
