"""Lease names say which machine and process took them; only a dead process of this machine
has its leases ended early (bot.holders)."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Collection
from datetime import datetime

import pytest

from bot import holders
from bot.holders import Reaper, dead_on_this_machine, worker_id
from bot.wakeup import Wakeup
from storage.reaping import Ended
from tests.integration.builders import T0

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def like(name: str, *, pid: int | None = None, tag: str | None = None,
         machine: str | None = None) -> str:
    """`name` (a worker_id) with its process id, process tag or machine replaced."""
    host, this_machine, this_pid, tags = name.rsplit("-", 3)
    return (f"{host}-{machine or this_machine}-{pid or this_pid}-"
            f"{tag or tags[:4]}{tags[4:]}")


def test_names_are_unique_short_and_name_this_process() -> None:
    names = {worker_id() for _ in range(50)}
    assert len(names) == 50
    assert all(len(name) <= 42 and f"-{os.getpid()}-" in name for name in names)
    assert dead_on_this_machine(names | {f"{name}#out7" for name in names}) == set()


def test_a_long_host_name_is_shortened(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(holders.socket, "gethostname", lambda: "h" * 200)
    holders._this_process.cache_clear()
    try:
        assert len(worker_id()) <= 42
    finally:
        holders._this_process.cache_clear()


def test_only_processes_of_this_machine_that_no_longer_run_are_dead() -> None:
    mine = worker_id()
    gone_pid, running_pid = 4_000_001, 4_000_002
    gone = like(mine, pid=gone_pid)
    running = like(mine, pid=running_pid)
    elsewhere = like(mine, pid=gone_pid, machine="0badf00d")
    earlier = like(mine, tag="zzzz")  # this process id, an earlier process
    names = {mine, gone, f"{gone}#out3", running, elsewhere, earlier, "sender", "a-b-c-d"}

    dead = dead_on_this_machine(names, gone=lambda pid: pid == gone_pid)

    assert dead == {gone, f"{gone}#out3", earlier}


def test_a_killed_process_is_dead_even_before_its_parent_collects_it() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    name = like(worker_id(), pid=child.pid)
    try:
        assert dead_on_this_machine({name}) == set()
        os.kill(child.pid, signal.SIGKILL)  # a zombie until waited for
        deadline = time.monotonic() + 30
        while not dead_on_this_machine({name}) and time.monotonic() < deadline:
            time.sleep(0.01)  # polls the kernel's view of the child, with a deadline
        assert dead_on_this_machine({name}) == {name}
    finally:
        child.kill()
        child.wait()
    assert dead_on_this_machine({name}) == {name}


class FakeHolders:
    def __init__(self, names: set[str]) -> None:
        self.names, self.ended = names, set[str]()

    async def running(self, now: datetime) -> set[str]:
        return self.names - self.ended

    async def end(self, names: Collection[str], now: datetime) -> Ended:
        self.ended |= set(names)
        return Ended(len(names), 0)


async def test_the_reaper_ends_the_dead_ones_leases_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    mine, earlier = worker_id(), like(worker_id(), tag="zzzz")
    fake = FakeHolders({mine, earlier, f"{earlier}#out9"})
    reaper = Reaper(fake)

    with caplog.at_level(logging.WARNING, logger="bot.holders"):
        assert await reaper.reap(T0) == 2
        assert await reaper.reap(T0) == 0

    assert fake.ended == {earlier, f"{earlier}#out9"}
    [line] = [r.getMessage() for r in caplog.records]
    assert "took over 2 leases" in line and earlier[:-4] in line


async def test_what_the_reaper_frees_wakes_this_processs_jobs() -> None:
    wakeup = Wakeup()
    reaper = Reaper(FakeHolders({worker_id()}), wakeup)
    assert await reaper.reap(T0) == 0
    assert not wakeup.queue.is_set and not wakeup.outbox.is_set  # nothing freed: no one woken

    reaper = Reaper(FakeHolders({like(worker_id(), tag="zzzz")}), wakeup)
    assert await reaper.reap(T0) == 1
    assert wakeup.queue.is_set and wakeup.outbox.is_set
