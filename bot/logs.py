"""One-line log records that say which update they belong to.

The inbox dispatcher (bot/inbox.py) sets `handling` for each update it hands to the handlers;
the context variable follows the handler's task and every task it starts, so each line logged
meanwhile, by our code or a library's, ends with `update_id=… user_id=… chat_id=… kind=…`.
Lines logged outside an update's handling (jobs, start-up) carry nothing extra.

A record is one line: newlines in the message and the traceback are folded into ` | `, so a
log shipper that reads line by line never splits a record.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s%(update_context)s"


@dataclass(frozen=True, slots=True)
class UpdateContext:
    update_id: int
    user_id: int | None
    chat_id: int | None
    kind: str

    def __str__(self) -> str:
        return (f"update_id={self.update_id} user_id={_or_dash(self.user_id)} "
                f"chat_id={_or_dash(self.chat_id)} kind={self.kind}")


_current: ContextVar[UpdateContext | None] = ContextVar("foodbot_update", default=None)


@contextmanager
def handling(context: UpdateContext) -> Iterator[None]:
    """Lines logged inside the block (and in tasks started there) name this update."""
    token = _current.set(context)
    try:
        yield
    finally:
        _current.reset(token)


class UpdateContextFilter(logging.Filter):
    """Puts ` update_id=… user_id=… ...` (or nothing) on each record as `update_context`."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = _current.get()
        record.update_context = f" {context}" if context is not None else ""
        return True


class OneLineFormatter(logging.Formatter):
    """`FORMAT`, with every newline (a multi-line message, a traceback) folded into ` | `."""

    def __init__(self, fmt: str = FORMAT) -> None:
        super().__init__(fmt)

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "update_context"):  # a handler without the filter
            UpdateContextFilter().filter(record)
        return super().format(record).replace("\r\n", "\n").replace("\n", " | ")


class OverrunTicks(logging.Filter):
    """APScheduler's warning that a job's tick was skipped because the last one still runs,
    as a debug line. The queue and outbox jobs run one at a time on purpose (a tick that
    finds the last still working has nothing to add), so under load it came every half
    second, a warning about nothing wrong; the queue's and outbox's lag on /metrics and
    /healthz say when they are really behind."""

    def filter(self, record: logging.LogRecord) -> bool:
        if "maximum number of running instances reached" not in record.getMessage():
            return True
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return logging.getLogger().isEnabledFor(logging.DEBUG)


def configure(level: str) -> None:
    """Root logging to stderr, one line a record, each naming its update."""
    handler = logging.StreamHandler()
    handler.addFilter(UpdateContextFilter())
    handler.setFormatter(OneLineFormatter())
    logging.basicConfig(level=level.upper(), handlers=[handler])
    logging.getLogger("apscheduler.scheduler").addFilter(OverrunTicks())


def _or_dash(value: int | None) -> str:
    return "-" if value is None else str(value)
