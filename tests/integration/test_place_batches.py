""""Place order" pressed by many customers at the same moment: placed together in one unit
of work (domain.services.placing), each customer still getting their own order, and every
press that is not plain sailing answered exactly as when placed alone."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from domain.customers import Customer
from domain.errors import StaleSummary
from domain.ids import UserId
from domain.services.checkout import CheckoutService
from domain.services.shopping import ShoppingService
from domain.views import Placed, Summary, TrackingMessage
from storage.rows import CheckoutRow, OrderRow, TaskRow
from storage.uow import SqlUnitOfWork
from tests.integration.builders import Catalog, FixedClock, SeqTokens
from tests.integration.test_place_order import count

Uows = Callable[[], SqlUnitOfWork]
CUSTOMERS = [UserId(3000 + n) for n in range(5)]


async def at_summary(uows: Uows, catalog: Catalog, clock: FixedClock) -> dict[UserId, int]:
    """Each customer with a pizza in the cart, looking at the summary: its token."""
    checkout = CheckoutService(uows, clock, "INR", SeqTokens())
    tokens = {}
    for customer in CUSTOMERS:
        shopping = ShoppingService(uows, "INR", clock=clock)
        await shopping.add(Customer(customer, "Asha"), catalog.pizza.id)
        await checkout.start(customer)
        summary = await checkout.receive_text(customer, f"{customer} Residency Road")
        assert isinstance(summary, Summary)
        tokens[customer] = summary.token
    return tokens


async def test_customers_pressing_place_at_once_each_get_their_own_order(
    uow_factory: Uows, catalog: Catalog, clock: FixedClock
) -> None:
    tokens = await at_summary(uow_factory, catalog, clock)
    opened = 0

    def counting() -> SqlUnitOfWork:
        nonlocal opened
        opened += 1
        return uow_factory()

    checkout = CheckoutService(counting, clock, "INR", SeqTokens())
    first, second, third, stale, twice = CUSTOMERS
    presses = [(c, tokens[c]) for c in (first, second, third, twice)]
    presses += [(stale, tokens[stale] + 1000), (twice, tokens[twice])]  # an old summary; a tap

    answers = await asyncio.gather(
        *(checkout.place(c, t, TrackingMessage(c, 70 + n)) for n, (c, t) in enumerate(presses)),
        return_exceptions=True)

    placed = answers[:4]
    assert all(isinstance(p, Placed) and p.created for p in placed)
    assert [p.view.order.customer_id for p in placed] == [first, second, third, twice]  # type: ignore[union-attr]
    assert [p.view.tracking for p in placed] == [  # type: ignore[union-attr]
        TrackingMessage(c, 70 + n) for n, (c, _) in enumerate(presses[:4])]
    assert len({p.view.order.id for p in placed}) == 4  # type: ignore[union-attr]
    assert isinstance(answers[4], StaleSummary)
    again = answers[5]
    assert isinstance(again, Placed) and not again.created
    assert again.view.order.id == placed[3].view.order.id  # type: ignore[union-attr]
    assert await count(uow_factory, OrderRow) == await count(uow_factory, TaskRow) == 4
    assert await count(uow_factory, CheckoutRow) == 1  # only the stale press's draft is left
    async with uow_factory() as uow:
        carts = await uow.carts.get_many(CUSTOMERS)
    assert [c for c in CUSTOMERS if not carts[c].is_empty] == [stale]
    assert opened < len(presses)  # they shared units of work
