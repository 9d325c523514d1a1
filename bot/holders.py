"""Names for this process in every lease, and ending the leases of a dead process early.

A process holds leases on inbox updates, queue tasks, outbox messages and the polling lease
(storage.reaping). When it dies, they run out on their own: `INBOX_LEASE_S` (10 s) for the
updates and polling, `QUEUE_LEASE_S` (30 s) for tasks and messages, and until then its users
wait. A dead process on the same machine can be told apart from a slow one, though: its
process id is gone (or a zombie, or is now this process). So every lease name says which
machine and process took it, and `Reaper` ends at once the running leases of processes on
this machine that no longer exist: at start-up (a restart after a crash carries on at once)
and every few seconds (an instance beside one that died takes its work over). First it
records as sent what their journals say Telegram took (storage.sent_journal), so none of
that is sent again.

"This machine" is the host name, the boot and the process-id namespace together (hashed into
the name), so two containers sharing a host name but not their process ids never judge each
other. A holder on another machine is never judged: its leases run out as before. Where
/proc is missing (not Linux) nothing is judged either.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import logging
import os
import secrets
import socket
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from bot.wakeup import Wakeup
from storage.reaping import Ended

logger = logging.getLogger(__name__)

REAP_EVERY_S = 5.0  # how often a running instance looks for a dead neighbour's leases


@dataclass(frozen=True)
class _Process:
    host: str  # the host name, shortened: for people reading a lease
    machine: str  # host name, boot and process-id namespace, hashed; "" when unknown
    pid: int
    tag: str  # random, per process: tells this process from an earlier one with its pid


@functools.cache
def _this_process(pid: int) -> _Process:
    host = socket.gethostname()
    return _Process(host[:16], _machine(host), pid, secrets.token_hex(2))


def _machine(host: str) -> str:
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        return ""
    digest = hashlib.blake2b(f"{host}\0{boot}\0{namespace}".encode(), digest_size=4)
    return digest.hexdigest()


def worker_id() -> str:
    """This process's name in a lease: host, machine, process id, two random bytes for the
    process and a count of the calls (so two Applications in one process, in tests or the
    demo, never share a name: a random part would, one pair in 65,536). At most 42
    characters: a claim's token adds `#...` (64 in all)."""
    me = _this_process(os.getpid())
    return f"{me.host}-{me.machine or 'x'}-{me.pid}-{me.tag}{next(_CALLS) % 0x10000:04x}"


_CALLS = itertools.count()


def _parse(name: str) -> _Process | None:
    parts = name.split("#", 1)[0].rsplit("-", 3)
    if len(parts) != 4 or not parts[2].isdigit() or len(parts[3]) != 8:
        return None
    return _Process(parts[0], parts[1], int(parts[2]), parts[3][:4])


def _gone(pid: int) -> bool:
    """True when no live process has `pid` in this namespace (a zombie counts as dead)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    except OSError:
        return False
    state = stat.rsplit(")", 1)[-1].split()[0]
    return state in ("Z", "X")


def dead_on_this_machine(names: Collection[str], *, gone: Callable[[int], bool] = _gone
                         ) -> set[str]:
    """Those of `names` taken by a process of this machine that no longer runs."""
    me = _this_process(os.getpid())
    if not me.machine:
        return set()
    dead = set()
    for name in names:
        holder = _parse(name)
        if holder is None or holder.machine != me.machine or holder.host != me.host:
            continue
        if holder.pid == me.pid:
            if holder.tag != me.tag:
                dead.add(name)  # an earlier process that had this process id
        elif gone(holder.pid):
            dead.add(name)
    return dead


class LeaseHolders(Protocol):
    async def running(self, now: datetime) -> set[str]: ...
    async def end(self, names: Collection[str], now: datetime) -> Ended: ...


class Reaper:
    """Ends the running leases of this machine's dead processes; what it frees wakes this
    process's jobs (`wakes`), which take the tasks and messages over at once."""

    def __init__(self, holders: LeaseHolders, wakes: Wakeup | None = None) -> None:
        self._holders = holders
        self._wakes = wakes

    async def reap(self, now: datetime) -> int:
        """Frees what dead processes held at `now`; returns how many rows."""
        dead = dead_on_this_machine(await self._holders.running(now))
        if not dead:
            return 0
        freed, recorded = await self._holders.end(dead, now)
        processes = ", ".join(sorted({name.split("#", 1)[0][:-4] for name in dead}))
        if recorded:
            logger.warning("recorded %d messages stopped processes %s had sent (their journal)",
                           recorded, processes)
        if freed:
            logger.warning("took over %d leases from stopped processes %s", freed, processes)
            if self._wakes is not None:
                self._wakes.tasks_written()
                self._wakes.messages_written()
        return freed
