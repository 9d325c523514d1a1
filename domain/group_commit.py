"""Group commit (DESIGN.md §9): callers that arrive while a batch is in its transaction wait in
a line, and the next batch takes all of them at once (up to `most`), in one transaction. Each
caller still gets its own answer: the value its batch decided for it, the exception it raised
for it, or, when its guarded write lost a race (`Lost`), a fresh look in the next batch. A
lone caller is a batch of one and waits for nothing.

A batch holds each request's `keys` once (an order, a partner, a customer, an update), so a
second request on the same thing waits for the next batch and is answered on the state the
first one left. When a batch fails for any reason but a busy database, its requests are run
again one by one, so only the one that caused it hears of it.

Three lines use it: the partners' and kitchens' presses (domain.pipeline.actions), checkout's
"Place order" (domain.services.placing) and the intake's stores of webhook updates
(bot/intake.py).
"""

from __future__ import annotations

import asyncio
import collections
import logging
from collections.abc import Awaitable, Callable, Hashable, Iterable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from domain.pipeline.ports import StoreError

logger = logging.getLogger(__name__)


class Lost(Exception):
    """A guarded write matched nothing: the state changed since it was read."""


@dataclass(eq=False, kw_only=True)
class Waiting:
    """One caller's request in a line, and the future it waits on. `answer` is what its batch
    decided for it: a value, a DomainError, or Lost."""

    done: asyncio.Future[Any] = field(default_factory=lambda: asyncio.get_running_loop()
                                      .create_future())
    tries: int = 0
    alone: bool = False
    answer: Any = None

    def keys(self) -> Iterable[Hashable]:
        """What a batch may hold once (an order, a partner, a customer, an update)."""
        return ()

    def gave_up(self) -> Exception:
        """What its caller hears when it lost every try."""
        return RuntimeError("gave up")


W = TypeVar("W", bound=Waiting)
T = TypeVar("T")


class Line(Generic[T, W]):
    """The line and its one runner. `begin` opens a transaction (giving `T`); `run_batch`
    fills in each request's `answer` within it."""

    def __init__(
        self, begin: Callable[[], AbstractAsyncContextManager[T]],
        run_batch: Callable[[T, list[W]], Awaitable[None]], *, tries: int, most: int = 256,
    ) -> None:
        self._begin = begin
        self._run_batch = run_batch
        self._tries = tries
        self._most = most
        self._waiting: collections.deque[W] = collections.deque()
        self._current: list[W] = []  # the batch being written
        self._runner: asyncio.Task[None] | None = None

    async def submit(self, request: W) -> Any:
        self._waiting.append(request)
        if self._runner is None:
            self._runner = asyncio.get_running_loop().create_task(self._run())
        return await request.done

    async def _run(self) -> None:
        try:
            while self._waiting:
                self._current = self._next_batch()
                if self._current:
                    await self._one(self._current)
        finally:
            self._runner = None
            for request in (*self._current, *self._waiting):  # cancelled: nobody hangs
                if not request.done.done():
                    request.done.cancel()
            self._current = []
            self._waiting.clear()

    def _next_batch(self) -> list[W]:
        """The first waiting requests, skipping those whose keys are taken; a request that
        must run alone goes in a batch of its own."""
        batch: list[W] = []
        taken: set[Hashable] = set()
        kept: collections.deque[W] = collections.deque()
        while self._waiting:
            request = self._waiting.popleft()
            if request.done.done():  # its caller gave up
                continue
            keys = set(request.keys())
            if keys & taken or len(batch) == self._most or (
                    batch and (request.alone or batch[0].alone)):
                kept.append(request)
                continue
            batch.append(request)
            taken |= keys
        self._waiting = kept
        return batch

    async def _one(self, batch: list[W]) -> None:
        for request in batch:
            request.answer = None
        try:
            async with self._begin() as tx:
                await self._run_batch(tx, batch)
        except StoreError as exc:
            if exc.transient:
                logger.info("batch transaction retried: %s", exc)
                self._again(batch, exc)
            else:
                self._alone_or_fail(batch, exc)
            return
        except Exception as exc:
            self._alone_or_fail(batch, exc)
            return
        for request in batch:
            self._answer(request)

    def _answer(self, request: W) -> None:
        if request.done.done():
            return
        if isinstance(request.answer, Lost):
            logger.info("%s lost a race; looking again", list(request.keys()))
            self._again([request], request.gave_up())
        elif isinstance(request.answer, BaseException):
            request.done.set_exception(request.answer)
        else:
            request.done.set_result(request.answer)

    def _again(self, requests: Iterable[W], last: BaseException) -> None:
        """Back to the front of the line, unless tried `tries` times already."""
        for request in reversed(list(requests)):
            request.tries += 1
            if request.tries >= self._tries:
                if not request.done.done():
                    request.done.set_exception(
                        last if isinstance(last, StoreError) else request.gave_up())
            else:
                self._waiting.appendleft(request)

    def _alone_or_fail(self, batch: list[W], exc: Exception) -> None:
        if len(batch) == 1:
            if not batch[0].done.done():
                batch[0].done.set_exception(exc)
            return
        logger.info("a batch of %d failed (%s); running them one by one", len(batch), exc)
        for request in reversed(batch):
            request.alone = True
            self._waiting.appendleft(request)
