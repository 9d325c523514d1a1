"""The chaos run's customers, delivery partners and admin, each doing what the e2e journeys do
(tests/e2e/journey.py): customers order through the buttons, the admin approves partners who
asked with /partner, partners go online and accept, pick up and deliver from their chat.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from bench.chaos_people import Done, Person, has, order_id_in, shows
from bench.chaos_world import KITCHEN
from bot import texts
from domain.errors import NotReady, StaleSummary
from domain.orders import OrderStatus
from sandbox import CallbackAnswer, ChatMessage

DISH = "➕ Pizza · ₹250.00"
HOME = "12 Residency Road, Bengaluru"
RESTARTS = 3  # a customer starts an order over this many times before giving it up
OVER = tuple(texts.status(s) for s in (
    OrderStatus.DELIVERED, OrderStatus.CANCELLED, OrderStatus.FAILED))
NOT_READY = texts.refusal(NotReady("not yet"))
OUT_OF_DATE = texts.refusal(StaleSummary())
CARD = "Delivery: order #"
OFFER_CHECK_S = 1.0  # how often a waiting partner looks up from their phone


@dataclass
class Checkout:
    """One press (and its repeats) of Place order on one summary."""

    customer: int
    summary_id: int  # the summary message: it becomes the order's tracking message
    order_ids: set[int] = field(default_factory=set)  # the orders the customer was shown
    ended: str | None = None  # the final status the tracking message showed


def on_card(message_id: int, text: str = "", button: str = "") -> Done:
    """The partner's card `message_id` now showing `text` and [button]."""
    return lambda m: (m.message_id == message_id and text in m.content
                      and (not button or m.has_button(button)))


class Customer(Person):
    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.checkouts: list[Checkout] = []
        self.restarts = self.abandoned = self.waited_out = 0

    async def run(self, orders: int) -> None:
        for _ in range(orders):
            for _ in range(RESTARTS):
                checkout = await self._journey()
                if checkout is not None:
                    break
                self.restarts += 1
            else:
                self.abandoned += 1
                continue
            if checkout.order_ids:
                await self._until_over(checkout)

    async def _journey(self) -> Checkout | None:
        """From /restaurants to a placed order; None when a step failed (start over)."""
        shown = await self.say("/restaurants", has(KITCHEN), "Restaurants")
        steps = ((KITCHEN, has(texts.BACK_TO_RESTAURANTS)), (DISH, shows("In your cart")),
                 (texts.CART_BUTTON, has(texts.CHECKOUT_BUTTON)),
                 (texts.CHECKOUT_BUTTON, shows("Where should we deliver")))
        for label, done in steps:
            if shown is None:
                return None
            result = await self.tap(label, done, shown.message_id)
            shown = result if isinstance(result, ChatMessage) else None
        if await self.say(HOME, has(texts.PLACE_BUTTON), "Check your order") is None:
            return None
        checkout = Checkout(self.id, 0)
        for _ in range(RESTARTS):  # "out of date": the newest summary, as the alert says
            summary = self._newest(texts.PLACE_BUTTON)
            if summary is None:
                return None
            checkout.summary_id = summary.message_id
            placed = await self.tap(texts.PLACE_BUTTON, shows("Order #", summary.message_id),
                                    summary.message_id)
            if isinstance(placed, CallbackAnswer) and placed.text == OUT_OF_DATE:
                continue  # refused: nothing was placed
            self.checkouts.append(checkout)
            if isinstance(placed, ChatMessage) and (order_id := order_id_in(placed)):
                checkout.order_ids.add(order_id)
            return checkout  # with no order shown: the customer never learnt if it was placed
        return None

    def _newest(self, button: str) -> ChatMessage | None:
        return next((m for m in reversed(self.user.bot_messages) if m.has_button(button)), None)

    async def _until_over(self, checkout: Checkout) -> None:
        def ended() -> str | None:
            tracking = self.user.message(checkout.summary_id)
            content = tracking.content if tracking is not None else ""
            return next((label for label in OVER if label in content), None)

        try:
            await self.user.wait_until(lambda: ended() is not None,
                                       timeout=self.config.order_wait_s)
        except TimeoutError:
            self.waited_out += 1
        checkout.ended = ended()


class Partner(Person):
    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.deliveries = 0

    async def join(self) -> bool:
        """/partner, the admins' approval, /online: True once offers may come."""
        joined = await self.say("/partner", lambda m: "with our admins" in m.content
                                or "Partner panel" in m.content, "with our admins",
                                "Partner panel")
        if joined is None:
            return False
        if "Partner panel" not in joined.content:
            await self.user.wait_for_text("Welcome aboard", timeout=self.config.order_wait_s)
        return await self.say("/online", shows("delivery offers come here"),
                              "Partner panel") is not None

    async def work(self, stop: asyncio.Event) -> None:
        """Takes offers and delivers them, one at a time, until `stop`."""
        seen: set[int] = set()
        card: ChatMessage | None = None
        while not stop.is_set():
            if card is None:
                offer = await self._offer(seen, stop)
                if offer is not None:
                    seen.add(offer.message_id)
                    card = await self._press(texts.ACCEPT_OFFER_BUTTON, offer,
                                             on_card(offer.message_id, CARD))
            elif card.has_button(texts.PICKED_UP_BUTTON):
                card = await self._press(texts.PICKED_UP_BUTTON, card, on_card(
                    card.message_id, button=texts.DELIVERED_BUTTON))
            elif card.has_button(texts.DELIVERED_BUTTON):
                done = await self._press(texts.DELIVERED_BUTTON, card, on_card(
                    card.message_id, "delivered. Thank you"))
                self.deliveries += done is not None
                card = None
            else:  # a card with no button to press: look again in a moment
                await asyncio.sleep(self.patience())  # the person's pause, not a sync
                card = await self._job()

    async def _press(self, label: str, on: ChatMessage, done: Done) -> ChatMessage | None:
        """The card after pressing [label] on `on`; a refused Accept means no card; any other
        trouble is settled by asking /job, as a partner who is unsure would."""
        result = await self.tap(label, done, on.message_id)
        if isinstance(result, ChatMessage):
            return result
        if isinstance(result, CallbackAnswer) and result.text == NOT_READY:
            self.diary.not_ready += 1
            await asyncio.sleep(0.2)  # the person waits a moment for the kitchen
            return on
        if isinstance(result, CallbackAnswer) and label == texts.ACCEPT_OFFER_BUTTON:
            return None  # taken by someone else, or expired
        return await self._job()

    async def _job(self) -> ChatMessage | None:
        shown = await self.say("/job", lambda m: texts.NO_JOB in m.content or CARD in m.content,
                               texts.NO_JOB, CARD)
        return shown if shown is not None and CARD in shown.content else None

    async def _offer(self, seen: set[int], stop: asyncio.Event) -> ChatMessage | None:
        def fresh() -> ChatMessage | None:
            return next((m for m in reversed(self.user.bot_messages)
                         if m.has_button(texts.ACCEPT_OFFER_BUTTON)
                         and m.message_id not in seen), None)

        try:
            await self.user.wait_until(lambda: stop.is_set() or fresh() is not None,
                                       timeout=OFFER_CHECK_S)
        except TimeoutError:
            return None
        return fresh()


class Admin(Person):
    async def open_chat(self) -> bool:
        return await self.say("/start", lambda m: True, "Foodbot") is not None

    async def approve(self, partner_ids: set[int]) -> set[int]:
        """Approves each partner once their request arrives; returns those still pending when
        no request came for a while, or after a long time."""
        pending = set(partner_ids)
        deadline = time.monotonic() + 3 * self.config.order_wait_s

        def asked() -> set[int]:
            return {p for p in pending for m in self.user.bot_messages
                    if f"(user id {p})" in m.content}

        while pending and time.monotonic() < deadline:
            try:
                await self.user.wait_until(lambda: bool(asked()),
                                           timeout=self.config.order_wait_s)
            except TimeoutError:
                return pending
            for partner in sorted(asked()):
                answered = await self.say(
                    f"/approve {partner}", lambda m, p=partner: (
                        f"Approved partner {p}" in m.content or "approved already" in m.content),
                    "Approved partner", "approved already")
                if answered is not None:
                    pending.discard(partner)
        return pending
