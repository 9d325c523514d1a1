"""The bill a checkout's summary shows and "Place order" charges: the restaurant's terms and
the customer's promo code, priced now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.bill import Bill
from domain.cart import PricedCart
from domain.checkout import Checkout
from domain.ports import UnitOfWork
from domain.promos import Promo, PromoProblem
from domain.restaurants import Restaurant
from domain.views import PromoNote


@dataclass(frozen=True, slots=True)
class Billed:
    bill: Bill
    note: PromoNote | None  # what the summary says of the code, if one was given
    promo: Promo | None  # the code to count a use of at placing: None unless it applies


async def bill_checkout(
    uow: UnitOfWork, checkout: Checkout, restaurant: Restaurant, priced: PricedCart,
    now: datetime,
) -> Billed:
    """The cart's bill from `restaurant`, less the checkout's promo code if it applies now."""
    subtotal, currency, code = priced.total.amount, priced.currency, checkout.promo_code
    if code is None:
        return Billed(restaurant.bill_for(subtotal, currency), None, None)
    promo = await uow.promos.get(code)
    if promo is None:
        return Billed(restaurant.bill_for(subtotal, currency),
                      PromoNote(code, 0, PromoProblem.UNKNOWN), None)
    uses = await uow.promos.uses_by(code, checkout.customer_id)
    problem = promo.problem(subtotal, uses, now)
    discount = 0 if problem is not None else promo.discount_for(subtotal)
    return Billed(restaurant.bill_for(subtotal, currency, discount),
                  PromoNote(code, discount, problem, promo.min_order),
                  promo if problem is None else None)
