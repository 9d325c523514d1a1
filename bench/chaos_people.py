"""How the chaos run's simulated people behave: like real ones, through the chat only.

Each step is an action (a message or a press) and what the person waits to see. When nothing
comes within their patience (a few seconds, different each time) they do it again, as people
do; every repeat is counted. After `tries` attempts they give up on the step. Every action is
recorded, so the checks can tell afterwards which ones the bot never answered.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bench.chaos_world import ChaosConfig
from bot import texts
from sandbox import BotApiServer, ButtonNotFound, CallbackAnswer, CallbackPress, ChatMessage
from sandbox import SandboxUser as User

Done = Callable[[ChatMessage], bool]


@dataclass(frozen=True, slots=True)
class Action:
    """One message or press; a step's repeats share its `step` number."""

    user: int
    step: int
    kind: str  # "text" or "press"
    label: str
    seq: int  # the transcript's sequence number of the user's event
    press: CallbackPress | None = None
    markers: tuple[str, ...] = ()  # a reply to a text shows one of these


@dataclass
class Diary:
    """What all the people did, for the report and the checks."""

    actions: list[Action] = field(default_factory=list)
    retries: int = 0  # actions repeated because no reply came within the person's patience
    apologies: int = 0  # presses answered "that did not work, please try again" (and repeated)
    gave_up: int = 0  # steps abandoned after `tries` attempts
    refused: Counter[str] = field(default_factory=Counter)  # alerts, by text
    not_ready: int = 0  # pickups refused because the kitchen was not done
    missing: Counter[str] = field(default_factory=Counter)  # buttons no longer on screen
    steps: itertools.count[int] = field(default_factory=itertools.count)


Outcome = ChatMessage | CallbackAnswer | None


class Person:
    def __init__(self, server: BotApiServer, user: User, diary: Diary, config: ChaosConfig,
                 rng: random.Random) -> None:
        self.server, self.user, self.diary = server, user, diary
        self.config, self.rng = config, rng

    @property
    def id(self) -> int:
        return self.user.id

    def patience(self) -> float:
        return self.config.patience_s * self.rng.uniform(0.75, 1.5)

    async def say(self, text: str, done: Done, *markers: str) -> ChatMessage | None:
        """Sends `text` until a bot message satisfying `done` comes (None: gave up)."""
        async def act() -> CallbackPress | None:
            await self.user.send(text)
            return None

        found = await self._ask(act, done, "text", text, markers or (text,))
        return found if isinstance(found, ChatMessage) else None

    async def tap(self, label: str, done: Done, message_id: int | None = None) -> Outcome:
        """Presses [label] until `done` shows, or the bot refuses with an alert."""
        async def act() -> CallbackPress | None:
            return await self.user.press(label, message_id=message_id)

        return await self._ask(act, done, "press", label, ())

    async def _ask(self, act: Callable[[], Awaitable[CallbackPress | None]], done: Done,
                   kind: str, label: str, markers: tuple[str, ...]) -> Outcome:
        step, since, presses = next(self.diary.steps), self.user.mark(), []
        for attempt in range(self.config.tries):
            # a repeat (after an apology alert the presses were cleared: not for lack of reply)
            self.diary.retries += attempt > 0 and bool(presses or kind == "text")
            try:
                pressed = await act()
            except ButtonNotFound:
                self.diary.missing[label] += 1
                return None
            events = self.server.state.transcript.events
            self.diary.actions.append(Action(self.id, step, kind, label, events[-1].seq,
                                             pressed, markers))
            if pressed is not None:
                presses.append(pressed)
            found = await self._reply(since.seq, done, presses, self.patience())
            if isinstance(found, CallbackAnswer) and found.text == texts.PRESS_FAILED:
                self.diary.apologies += 1
                presses.clear()  # "please try again": the person does
                continue
            if found is not None:
                if isinstance(found, CallbackAnswer):
                    self.diary.refused[found.text or ""] += 1
                return found
        self.diary.gave_up += 1
        return None

    async def _reply(self, since: int, done: Done, presses: list[CallbackPress],
                     patience: float) -> Outcome:
        """The earliest bot message since `since` that `done` accepts, or an alert answering
        one of `presses`; None when nothing came within `patience`."""
        def alert() -> CallbackAnswer | None:
            answers = (self.user.answer_of(p) for p in presses)
            return next((a for a in answers if a is not None and a.show_alert), None)

        def shown() -> ChatMessage | None:
            fits = [m for m in self.user.bot_messages if m.seq > since and done(m)]
            return min(fits, key=lambda m: m.seq) if fits else None

        try:
            await self.user.wait_until(lambda: alert() is not None or shown() is not None,
                                       timeout=patience)
        except TimeoutError:
            return None
        return shown() or alert()


def has(*buttons: str) -> Done:
    return lambda m: all(m.has_button(b) for b in buttons)


def shows(text: str, message_id: int | None = None) -> Done:
    return lambda m: text in m.content and message_id in (None, m.message_id)


def order_id_in(message: ChatMessage) -> int | None:
    _, sep, tail = message.content.partition("Order #")
    digits = "".join(itertools.takewhile(str.isdigit, tail)) if sep else ""
    return int(digits) if digits else None
