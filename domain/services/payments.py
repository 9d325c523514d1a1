"""💳 Pay now (issue 13): a checkout's summary becomes an invoice; Telegram asks before it takes
the money (`pre_check`); the payment then places the order exactly once (`paid`), or, when the
order can no longer be placed, records a refund due at once. See domain/payments.py."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.checkout import Checkout, order_key, token_of
from domain.errors import DomainError, StaleSummary
from domain.ids import OrderId, UserId
from domain.messages import Notification, RefundDue
from domain.payments import Invoice, Payment, Refund, Tips, invoice_for
from domain.ports import Clock, UnitOfWork, UnitOfWorkFactory
from domain.services.orders import order_view
from domain.services.placing import PromoTaken, just_placed, place_cart
from domain.services.summaries import Standing, Summaries
from domain.views import Placed, Summary, TrackingMessage


class NotPayable(StrEnum):
    """Why Telegram must not take the money for an invoice now; the bot words each."""

    STALE = "stale"  # not the summary the customer is on any more (or not theirs)
    CHANGED = "changed"  # prices or availability changed: a new summary is shown
    AMOUNT = "amount"  # the amount is not the bill plus an allowed tip


@dataclass(frozen=True)
class Paid:
    """What a payment came to: its order placed, or a refund due; `first` is False when the
    same payment was reported before (nothing new happened: say nothing new)."""

    outcome: Placed | Refund
    first: bool = True


@dataclass(frozen=True)
class PreCheck:
    """Telegram's question before it takes the money: None `problem` means go ahead (a
    domain error: the restaurant closed, the minimum, ...)."""

    problem: NotPayable | DomainError | None = None
    summary: Summary | None = None  # the customer's new summary, when the order changed


class PaymentService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, summaries: Summaries,
                 tips: Tips, admin_ids: frozenset[int]) -> None:
        self._uow = uow_factory
        self._clock = clock
        self._summaries = summaries
        self.tips = tips
        self._admins = admin_ids

    async def invoice(self, customer_id: UserId, token: int, shown_in: int) -> Invoice | Summary:
        """The invoice for the summary with `token` (shown in message `shown_in`, which becomes
        the order's tracking message once paid); a new summary when anything changed."""
        async with self._uow() as uow:
            checkout = await _checkout(uow, customer_id, token)
            standing = await self._summaries.still_stands(uow, checkout)
            if standing is None:
                return await self._summaries.summarize(uow, checkout, changed=True)
            standing.restaurant.check_minimum(standing.priced.total.amount,
                                              self._summaries.currency)
            checkout.paying_in = shown_in
            await uow.checkouts.save(checkout)
            await uow.commit()
        return invoice_for(standing.restaurant.name, standing.priced, standing.billed.bill,
                           order_key(customer_id, token), self.tips)

    async def pre_check(self, customer_id: UserId, payload: str, currency: str,
                        total: int) -> PreCheck:
        """Whether Telegram may take `total` for the invoice with `payload` now: the summary
        still stands (prices, availability, the restaurant open, its minimum, the promo code)
        and the amount is the bill plus a tip within the limit."""
        async with self._uow() as uow:
            try:
                checkout = await _checkout(uow, customer_id, _token(payload, customer_id))
            except StaleSummary:
                return PreCheck(NotPayable.STALE)
            try:
                standing = await self._summaries.still_stands(uow, checkout)
                if standing is None:
                    return PreCheck(NotPayable.CHANGED, await self._summaries.summarize(
                        uow, checkout, changed=True))
                standing.restaurant.check_minimum(standing.priced.total.amount, currency)
            except DomainError as refused:
                return PreCheck(refused)
            if self._tip(standing, currency, total) is None:
                return PreCheck(NotPayable.AMOUNT)
        return PreCheck()

    async def paid(self, payment: Payment, chat_id: int) -> Paid:
        """Places the order the payment is for, once; the same payment reported again gives
        the same answer. When it cannot be placed now, a refund of all of it is due."""
        async with self._uow() as uow:
            known = await uow.payments.order_of(payment.telegram_charge_id)
            if known is not False:
                return Paid(await _outcome(uow, payment, known), first=False)
        try:
            return Paid(await self._place(payment, chat_id))
        except (DomainError, PromoTaken, _Unplaceable) as why:
            return Paid(await self._refund(payment, _why(why)))

    async def _place(self, payment: Payment, chat_id: int) -> Placed:
        now = self._clock.now()
        async with self._uow() as uow:
            if await uow.orders.get_by_idempotency_key(payment.payload) is not None:
                raise _Unplaceable("this order was paid for already")
            checkout = await _checkout(
                uow, payment.customer_id, _token(payment.payload, payment.customer_id))
            standing = await self._summaries.still_stands(uow, checkout)
            if standing is None:
                raise _Unplaceable("the order changed after it was paid for")
            tip = self._tip(standing, payment.currency, payment.total)
            if tip is None:
                raise _Unplaceable("the amount paid does not match the order")
            order, restaurant = await place_cart(
                uow, standing.cart, checkout.delivery(), currency=self._summaries.currency,
                at=now, idempotency_key=payment.payload, menu=standing.menu,
                restaurant=standing.restaurant, discount=standing.billed.bill.discount,
                promo=standing.billed.promo, tip=tip, paid_online=True,
                deliver_at=checkout.deliver_at, riders=self._summaries.riders)
            await uow.payments.add(payment, order.id, tip, now)
            tracking = TrackingMessage(chat_id, checkout.paying_in or 0)
            if checkout.paying_in is not None:
                await uow.tracking.save(order.id, tracking)
            await uow.checkouts.delete(payment.customer_id)
            await uow.commit()
        return just_placed(order, restaurant, tracking, checkout.customer_zone)

    async def _refund(self, payment: Payment, reason: str) -> Refund:
        now = self._clock.now()
        async with self._uow() as uow:
            await uow.payments.add(payment, None, 0, now)
            refund = await uow.payments.add_refund(payment, None, payment.total, reason, now)
            due = RefundDue(refund.amount, refund.currency, reason)
            for admin in sorted(self._admins):
                await uow.outbox.add(Notification(admin, due), now)
            await uow.commit()
        return refund

    def _tip(self, standing: Standing, currency: str, total: int) -> int | None:
        """The tip in `total` beyond the bill; None when the amount cannot be this order's."""
        tip = total - standing.billed.bill.total.amount
        ok = currency == standing.billed.bill.currency and 0 <= tip <= self.tips.most
        return tip if ok else None


class _Unplaceable(Exception):
    """A payment that cannot become its order; str() is the reason the customer is told."""


def _why(error: Exception) -> str:
    return str(error) or type(error).__name__


def _token(payload: str, customer_id: UserId) -> int:
    """The summary token in an invoice payload (the summary's order key) of this customer."""
    token = token_of(payload, customer_id)
    if token is None:
        raise StaleSummary()
    return token


async def _checkout(uow: UnitOfWork, customer_id: UserId, token: int) -> Checkout:
    checkout = await uow.checkouts.get(customer_id)
    if checkout is None or checkout.token != token:
        raise StaleSummary()
    return checkout


async def _outcome(
    uow: UnitOfWork, payment: Payment, order_id: OrderId | bool | None
) -> Placed | Refund:
    """What the first report of this payment came to."""
    if isinstance(order_id, int) and not isinstance(order_id, bool):
        order = await uow.orders.get(OrderId(order_id))
        if order is not None:
            return Placed(await order_view(uow, order), created=False)
    refund = await uow.payments.refund_of(payment.telegram_charge_id)
    assert refund is not None, "a payment without an order has a refund"
    return refund
