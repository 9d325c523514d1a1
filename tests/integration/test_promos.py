"""Promo codes at checkout on the real database: the summary shows the discount or why it does
not apply, "Place order" counts the use exactly once, and two customers racing for the last
use get one discount and one clear refusal."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select

from domain.bill import Bill
from domain.customers import Customer
from domain.errors import InvalidInput, NotFound
from domain.ids import UserId
from domain.promos import Promo, PromoProblem
from domain.services.admin.promos import PromoAdmin
from domain.services.checkout import CheckoutService
from domain.services.shopping import ShoppingService
from domain.views import Placed, PromoNote, Summary, TrackingMessage
from storage.admin_repositories import SqlAdminUnitOfWork
from storage.rows import OrderRow, PromoUseRow
from storage.uow import SqlUnitOfWork
from tests.integration.builders import (
    CUSTOMER,
    OTHER_CUSTOMER,
    Catalog,
    FixedClock,
    SeqTokens,
    new_order,
    store_order,
)
from tests.integration.test_place_order import HERE, count

Uows = Callable[[], SqlUnitOfWork]
ADMIN = UserId(9001)
PIZZA = 25000


@pytest.fixture
def promo_admin(admin_uows: Callable[[], SqlAdminUnitOfWork], clock: FixedClock) -> PromoAdmin:
    return PromoAdmin(admin_uows, clock, "INR")


async def add_code(promo_admin: PromoAdmin, clock: FixedClock, **fields: object) -> Promo:
    promo = Promo(**{"code": "SAVE10", "percent": 10, "amount": None,  # type: ignore[arg-type]
                     "valid_until": clock.now() + timedelta(days=1), **fields})
    return await promo_admin.add(ADMIN, promo)


async def at_summary(uows: Uows, catalog: Catalog, clock: FixedClock, customer: UserId,
                     pizzas: int = 2) -> Summary:
    shopping = ShoppingService(uows, "INR", clock=clock)
    for _ in range(pizzas):
        await shopping.add(Customer(customer, "Asha"), catalog.pizza.id)
    checkout = CheckoutService(uows, clock, "INR", SeqTokens())
    await checkout.start(customer)
    summary = await checkout.receive_text(customer, "12 Residency Road")
    assert summary is not None
    return summary


async def with_code(uows: Uows, clock: FixedClock, customer: UserId, code: str) -> Summary:
    checkout = CheckoutService(uows, clock, "INR", SeqTokens())
    await checkout.ask_promo(customer)
    summary = await checkout.receive_text(customer, code)
    assert summary is not None
    return summary


async def test_an_applied_code_takes_its_discount_off_and_its_use_is_counted_once(
    uow_factory: Uows, catalog: Catalog, clock: FixedClock, promo_admin: PromoAdmin
) -> None:
    await add_code(promo_admin, clock)
    await at_summary(uow_factory, catalog, clock, CUSTOMER)
    shown = await with_code(uow_factory, clock, CUSTOMER, " save10 ")
    checkout = CheckoutService(uow_factory, clock, "INR", SeqTokens())

    placed = await checkout.place(CUSTOMER, shown.token, HERE)
    again = await checkout.place(CUSTOMER, shown.token, HERE)  # a double tap

    assert shown.bill == Bill("INR", 2 * PIZZA, 0, 5000)
    assert shown.promo == PromoNote("SAVE10", 5000, None)
    assert isinstance(placed, Placed) and isinstance(again, Placed) and not again.created
    order = placed.view.order
    assert (order.bill, order.promo_code) == (shown.bill, "SAVE10")
    async with uow_factory() as uow:
        stored = await uow.orders.get(order.id)
        promo = await uow.promos.get("SAVE10")
        uses = (await uow.session.execute(select(PromoUseRow.order_id))).scalars().all()
    assert stored is not None and (stored.bill, stored.promo_code) == (shown.bill, "SAVE10")
    assert promo is not None and promo.used == 1 and uses == [order.id]


async def test_a_code_that_does_not_apply_is_kept_and_says_why_until_it_does(
    uow_factory: Uows, catalog: Catalog, clock: FixedClock, promo_admin: PromoAdmin
) -> None:
    await add_code(promo_admin, clock, min_order=3 * PIZZA)
    await at_summary(uow_factory, catalog, clock, CUSTOMER)

    short = await with_code(uow_factory, clock, CUSTOMER, "SAVE10")
    shopping = ShoppingService(uow_factory, "INR", clock=clock)
    await shopping.add(Customer(CUSTOMER, "Asha"), catalog.pizza.id)
    checkout = CheckoutService(uow_factory, clock, "INR", SeqTokens())
    await checkout.start(CUSTOMER)  # back through checkout: the code stays
    enough = await checkout.receive_text(CUSTOMER, "12 Residency Road")

    assert short.promo == PromoNote("SAVE10", 0, PromoProblem.BELOW_MINIMUM, 3 * PIZZA)
    assert short.bill.discount == 0 and short.checkout.promo_code == "SAVE10"
    assert enough is not None and enough.promo == PromoNote("SAVE10", 7500, None, 3 * PIZZA)
    removed = await checkout.remove_promo(CUSTOMER)
    assert (removed.promo, removed.bill.discount, removed.checkout.promo_code) == (None, 0, None)


@pytest.mark.parametrize("typed", ["NOPE42", "not a code!"])
async def test_an_unknown_code_is_not_kept(
    uow_factory: Uows, catalog: Catalog, clock: FixedClock, typed: str
) -> None:
    await at_summary(uow_factory, catalog, clock, CUSTOMER)

    shown = await with_code(uow_factory, clock, CUSTOMER, typed)

    assert shown.promo is not None and shown.promo.problem == PromoProblem.UNKNOWN
    assert shown.checkout.promo_code is None and shown.checkout.note == ""


async def test_a_code_ended_after_the_summary_shows_a_new_summary_without_it(
    uow_factory: Uows, catalog: Catalog, clock: FixedClock, promo_admin: PromoAdmin
) -> None:
    await add_code(promo_admin, clock)
    await at_summary(uow_factory, catalog, clock, CUSTOMER)
    shown = await with_code(uow_factory, clock, CUSTOMER, "SAVE10")
    await promo_admin.end(ADMIN, "SAVE10")
    checkout = CheckoutService(uow_factory, clock, "INR", SeqTokens())

    again = await checkout.place(CUSTOMER, shown.token, HERE)

    assert isinstance(again, Summary) and again.changed
    assert (again.promo, again.bill.discount) == (PromoNote("SAVE10", 0, PromoProblem.ENDED), 0)
    assert await count(uow_factory, OrderRow) == 0
    placed = await checkout.place(CUSTOMER, again.token, HERE)
    assert isinstance(placed, Placed) and placed.view.order.bill.discount == 0
    assert placed.view.order.promo_code is None


async def test_two_customers_racing_for_the_last_use_get_one_discount_and_one_refusal(
    uow_factory: Uows, catalog: Catalog, clock: FixedClock, promo_admin: PromoAdmin
) -> None:
    await add_code(promo_admin, clock, total_uses=1)
    tokens = {}
    for customer in (CUSTOMER, OTHER_CUSTOMER):
        await at_summary(uow_factory, catalog, clock, customer)
        tokens[customer] = (await with_code(uow_factory, clock, customer, "SAVE10")).token
    checkouts = [CheckoutService(uow_factory, clock, "INR", SeqTokens()) for _ in range(2)]

    answers = await asyncio.gather(*(
        service.place(customer, tokens[customer], TrackingMessage(customer, 70))
        for service, customer in zip(checkouts, (CUSTOMER, OTHER_CUSTOMER), strict=True)))

    placed = [a for a in answers if isinstance(a, Placed)]
    refused = [a for a in answers if isinstance(a, Summary)]
    assert len(placed) == len(refused) == 1
    assert placed[0].view.order.bill.discount == 5000
    assert refused[0].changed and refused[0].promo == PromoNote(
        "SAVE10", 0, PromoProblem.USED_UP)
    assert await count(uow_factory, OrderRow) == await count(uow_factory, PromoUseRow) == 1
    async with uow_factory() as uow:
        promo = await uow.promos.get("SAVE10")
    assert promo is not None and promo.used == 1


async def test_a_customer_uses_a_code_only_as_often_as_it_allows(
    uow_factory: Uows, catalog: Catalog, clock: FixedClock, promo_admin: PromoAdmin
) -> None:
    await add_code(promo_admin, clock, uses_per_customer=1)
    await at_summary(uow_factory, catalog, clock, CUSTOMER)
    first = await with_code(uow_factory, clock, CUSTOMER, "SAVE10")
    checkout = CheckoutService(uow_factory, clock, "INR", SeqTokens())
    assert isinstance(await checkout.place(CUSTOMER, first.token, HERE), Placed)

    await at_summary(uow_factory, catalog, clock, CUSTOMER)
    second = await with_code(uow_factory, clock, CUSTOMER, "SAVE10")

    assert second.promo == PromoNote("SAVE10", 0, PromoProblem.USED_BY_YOU)


async def test_admins_add_list_and_end_codes_and_every_change_is_audited(
    promo_admin: PromoAdmin, clock: FixedClock, admin_uows: Callable[[], SqlAdminUnitOfWork]
) -> None:
    await add_code(promo_admin, clock)
    with pytest.raises(InvalidInput, match="exists already"):
        await add_code(promo_admin, clock, percent=20)
    with pytest.raises(InvalidInput, match="last day is over"):
        await add_code(promo_admin, clock, code="OLD", valid_until=clock.now())
    ended = await promo_admin.end(ADMIN, "SAVE10")
    with pytest.raises(InvalidInput, match="ended already"):
        await promo_admin.end(ADMIN, "SAVE10")
    with pytest.raises(NotFound):
        await promo_admin.end(ADMIN, "NOPE42")

    assert ended.code == "SAVE10"
    [listed] = await promo_admin.latest()
    assert (listed.code, listed.percent, listed.ended_at) == ("SAVE10", 10, clock.now())
    async with admin_uows() as uow:
        actions = [(e.action, e.target) for e in await uow.audit.latest(10)]
    assert actions == [("end_promo", "promo SAVE10"), ("add_promo", "promo SAVE10")]


async def test_a_use_is_taken_only_while_the_code_has_one_left_in_all_and_for_the_customer(
    uow_factory: Uows, catalog: Catalog, clock: FixedClock, promo_admin: PromoAdmin
) -> None:
    promo = await add_code(promo_admin, clock, total_uses=2, uses_per_customer=1)
    orders = [await store_order(uow_factory, new_order(catalog, clock.now(), customer=c))
              for c in (CUSTOMER, CUSTOMER, OTHER_CUSTOMER, OTHER_CUSTOMER)]
    now = clock.now()

    taken = []
    for customer, order in zip((CUSTOMER, CUSTOMER, OTHER_CUSTOMER, OTHER_CUSTOMER), orders,
                               strict=True):
        async with uow_factory() as uow:
            taken.append(await uow.promos.take_use(promo, customer, order.id, now))
            await uow.commit()

    assert taken == [True, False, True, False]  # the customer's one use; then none left
    async with uow_factory() as uow:
        assert (await uow.promos.uses_by("SAVE10", CUSTOMER),
                await uow.promos.uses_by("SAVE10", OTHER_CUSTOMER)) == (1, 1)
        stored = await uow.promos.get("SAVE10")
    assert stored is not None and stored.used == 2
    unlimited = await add_code(promo_admin, clock, code="LATE")
    async with uow_factory() as uow:  # at the moment it expires
        assert not await uow.promos.take_use(unlimited, CUSTOMER, orders[1].id,
                                             unlimited.valid_until or now)
