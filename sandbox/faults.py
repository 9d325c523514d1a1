"""Fault injection: random 500s / delays, and precisely scheduled failures (of one method,
optionally only towards one chat: a 429 for one user while everyone else is served)."""

from __future__ import annotations

import random
from collections.abc import Collection
from dataclasses import dataclass, field

from sandbox.errors import INTERNAL, ApiError, too_many_requests

_DESCRIPTIONS = {
    400: "Bad Request", 403: "Forbidden", 404: "Not Found", 409: "Conflict",
    500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
}


@dataclass(frozen=True)
class Faults:
    """A share of calls (all methods, or only ``methods``; never the ``exempt`` ones) fails
    with 500 or is delayed.

    Failed calls have no side effect. Delays happen before the call is handled, so a client
    that gives up (read timeout) still gets the call performed - like the real Bot API.
    """

    error_rate: float = 0.0
    delay_rate: float = 0.0
    delay_s: float = 0.0
    seed: int | None = None
    methods: Collection[str] | None = None
    exempt: Collection[str] = ()


@dataclass(frozen=True, slots=True)
class FaultDecision:
    error: ApiError | None = None
    delay_s: float = 0.0


@dataclass
class _Scheduled:
    method: str
    remaining: int
    error: ApiError = field(default_factory=lambda: INTERNAL)
    chat_id: int | None = None  # None: calls towards any chat (or none)

    def matches(self, method: str, chat_id: int | None) -> bool:
        return (self.remaining > 0 and self.method in (method, "*")
                and self.chat_id in (None, chat_id))


@dataclass(frozen=True, slots=True)
class InjectedFault:
    """A call the injector failed or delayed: method (lower-case), chat (if any), the HTTP
    status it was answered with (None: only delayed), and the delay."""

    method: str
    chat_id: int | None
    code: int | None
    delay_s: float = 0.0


class FaultInjector:
    def __init__(self, faults: Faults | None = None) -> None:
        self._scheduled: list[_Scheduled] = []
        self.injected: list[InjectedFault] = []  # every fault so far, oldest first
        self.configure(faults)

    def configure(self, faults: Faults | None) -> None:
        self.faults = faults
        self._rng = random.Random(faults.seed if faults else None)
        self._methods = None
        if faults and faults.methods is not None:
            self._methods = {m.lower() for m in faults.methods}
        self._exempt = {m.lower() for m in faults.exempt} if faults else set()

    def fail_next(self, method: str, n: int = 1, code: int = 500, retry_after: int | None = None,
                  description: str | None = None, chat_id: int | None = None) -> None:
        """Fail the next ``n`` calls of ``method`` ("*" = any method) with ``code``; with
        ``chat_id``, only calls whose ``chat_id`` parameter is that chat."""
        if code == 429:
            error = too_many_requests(retry_after or 1)
        else:
            text = description or _DESCRIPTIONS.get(code, "Error")
            error = ApiError(code, text, retry_after=retry_after)
        self._scheduled.append(_Scheduled(method.lower(), n, error, chat_id))

    def decide(self, method: str, chat_id: int | None = None) -> FaultDecision:
        """What to do with a call of ``method`` (lower-case) towards ``chat_id``."""
        for item in self._scheduled:
            if item.matches(method, chat_id):
                item.remaining -= 1
                if item.remaining == 0:
                    self._scheduled.remove(item)
                return self._failed(method, chat_id, item.error)
        f = self.faults
        if (f is None or (self._methods is not None and method not in self._methods)
                or method in self._exempt):
            return FaultDecision()
        error = INTERNAL if f.error_rate > 0 and self._rng.random() < f.error_rate else None
        delay = f.delay_s if f.delay_rate > 0 and self._rng.random() < f.delay_rate else 0.0
        if error is None and delay == 0:
            return FaultDecision()
        return self._failed(method, chat_id, error, delay)

    def _failed(self, method: str, chat_id: int | None, error: ApiError | None,
                delay_s: float = 0.0) -> FaultDecision:
        code = error.code if error is not None else None
        self.injected.append(InjectedFault(method, chat_id, code, delay_s))
        return FaultDecision(error=error, delay_s=delay_s)
