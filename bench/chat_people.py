"""The chat benchmark's simulated people: customers doing whole journeys (browse, cart,
checkout, place) again and again, partners accepting, picking up and delivering what they are
offered, and one user flooding the bot with /start.

They watch their chats through one transcript listener (`Screens`) that hands each bot message
or edit to the one thing its chat waits for: with hundreds of users, re-checking every chat on
every change of the sandbox (`SandboxUser.wait_for`) would cost the simulator more CPU than the
bot it measures. A step's answer time is from the user's action to the bot's message or edit
that shows its result, both as the sandbox clocked them.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot import texts
from sandbox import ButtonNotFound, SandboxUser, TranscriptEvent

Shows = Callable[[TranscriptEvent], bool]
BOT_EVENTS = frozenset({"bot_message", "bot_edit", "bot_photo"})
KITCHEN = "Dominos"
DISH = "➕ Pizza · ₹250.00"
HOME = "12 Residency Road, Bengaluru"


def labels(event: TranscriptEvent) -> set[str]:
    return {label for row in event.buttons for label in row}


def button(label: str, message_id: int | None = None) -> Shows:
    return lambda e: label in labels(e) and message_id in (None, e.message_id)


def text(part: str, message_id: int | None = None) -> Shows:
    return lambda e: part in e.text and message_id in (None, e.message_id)


class Screens:
    """A transcript listener: each chat's awaited screen, and partners' offers as they come."""

    def __init__(self) -> None:
        self.waiting: dict[int, tuple[Shows, asyncio.Future[TranscriptEvent]]] = {}
        self.offers: dict[int, asyncio.Queue[int]] = {}
        self.to_chat: dict[int, int] = {}  # bot messages and edits per chat

    def __call__(self, event: TranscriptEvent) -> None:
        if event.kind not in BOT_EVENTS:
            return
        self.to_chat[event.chat_id] = self.to_chat.get(event.chat_id, 0) + 1
        waiter = self.waiting.get(event.chat_id)
        if waiter is not None and not waiter[1].done() and waiter[0](event):
            waiter[1].set_result(event)
        offers = self.offers.get(event.chat_id)
        if offers is not None and event.kind == "bot_message" and button(
                texts.ACCEPT_OFFER_BUTTON)(event) and event.message_id is not None:
            offers.put_nowait(event.message_id)


@dataclass
class Tally:
    """Every action: when it was made and how long its answer took (None: none came)."""

    actions: list[tuple[float, float | None]] = field(default_factory=list)
    unanswered: Counter[str] = field(default_factory=Counter)  # by the step's message or button
    journeys: int = 0  # orders placed
    deliveries: int = 0


class Person:
    def __init__(self, user: SandboxUser, screens: Screens, tally: Tally, patience_s: float,
                 think_s: float) -> None:
        self.user, self.screens, self.tally = user, screens, tally
        self.patience_s, self.think_s = patience_s, think_s

    async def _step(self, what: str, act: Callable[[], Awaitable[object]],
                    shows: Shows) -> TranscriptEvent | None:
        """Does `act` and waits for the screen that `shows` its result (None: not in time)."""
        future: asyncio.Future[TranscriptEvent] = asyncio.get_running_loop().create_future()
        self.screens.waiting[self.user.id] = (shows, future)
        sent = time.monotonic()  # the sandbox's clock
        try:
            await act()
            answer = await asyncio.wait_for(future, self.patience_s)
        except (TimeoutError, ButtonNotFound):
            self.tally.actions.append((sent, None))
            self.tally.unanswered[what] += 1
            return None
        finally:
            del self.screens.waiting[self.user.id]
        self.tally.actions.append((sent, answer.time - sent))
        if self.think_s:
            await asyncio.sleep(self.think_s)  # the person reads the screen before the next tap
        return answer

    async def say(self, words: str, shows: Shows) -> TranscriptEvent | None:
        return await self._step(words, lambda: self.user.send(words), shows)

    async def tap(self, label: str, on: int, shows: Shows) -> TranscriptEvent | None:
        return await self._step(label, lambda: self.user.press(label, message_id=on), shows)


class Customer(Person):
    async def open_chat(self) -> bool:
        return await self.say("/start", text("Foodbot")) is not None

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.journey()

    async def journey(self) -> None:
        """/restaurants, Dominos, ➕ Pizza, Cart, Checkout, the address, Place order; it ends
        at the first step without an answer (the next journey starts over)."""
        screen = await self.say("/restaurants", button(KITCHEN))
        for label, shows in ((KITCHEN, texts.BACK_TO_RESTAURANTS), (DISH, "In your cart"),
                             (texts.CART_BUTTON, texts.CHECKOUT_BUTTON)):
            if screen is None or screen.message_id is None:
                return
            done = button if shows.startswith(("⬅", "✅")) else text
            screen = await self.tap(label, screen.message_id, done(shows, screen.message_id))
        if screen is None or screen.message_id is None:
            return
        if await self.tap(texts.CHECKOUT_BUTTON, screen.message_id,
                          text("Where should we deliver")) is None:
            return
        summary = await self.say(HOME, button(texts.PLACE_BUTTON))
        if summary is None or summary.message_id is None:
            return
        placed = await self.tap(texts.PLACE_BUTTON, summary.message_id,
                                text("Order #", summary.message_id))
        self.tally.journeys += placed is not None


class Partner(Person):
    async def go_online(self) -> bool:
        self.screens.offers[self.user.id] = asyncio.Queue()
        return await self.say("/online", text("offers come here")) is not None

    async def work(self, stop: asyncio.Event) -> None:
        """Accepts each offer, picks the order up and delivers it, until `stop`."""
        offers = self.screens.offers[self.user.id]
        while not stop.is_set():
            try:
                card = await asyncio.wait_for(offers.get(), 0.5)  # looks up now and then
            except TimeoutError:
                continue
            for label, shows in ((texts.ACCEPT_OFFER_BUTTON, button(texts.PICKED_UP_BUTTON, card)),
                                 (texts.PICKED_UP_BUTTON, button(texts.DELIVERED_BUTTON, card)),
                                 (texts.DELIVERED_BUTTON, text("delivered", card))):
                if await self.tap(label, card, shows) is None:
                    break
            else:
                self.tally.deliveries += 1


class Flooder:
    """One user sending /start `rate` times a second, answered or not."""

    def __init__(self, user: SandboxUser, rate: float) -> None:
        self.user, self.rate, self.sent = user, rate, 0

    async def run(self, stop: asyncio.Event) -> None:
        started = time.monotonic()
        while not stop.is_set():
            await self.user.send("/start")
            self.sent += 1
            with contextlib.suppress(TimeoutError):  # the flooder's pace
                await asyncio.wait_for(stop.wait(),
                                       max(0.0, started + self.sent / self.rate - time.monotonic()))
