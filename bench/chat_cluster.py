"""Mode (b) of the chat benchmark (issue 11): foodbot as `foodbot cluster` runs it, HAProxy in
front of two `foodbot run` instances in webhook mode (bot/cluster.py), on a throwaway
PostgreSQL database, with the local Bot API server posting to the balancer over its parallel
webhook connections. With a Redis URL (`--redis`, or REDIS_URL) the instances share it as
`foodbot cluster` would pass it on: the inbound limit, the catalogue cache and the outbound
budget, under a key prefix of this run's own.

The bot's CPU time and memory are the instances' together; HAProxy's own CPU time is read apart
from /proc of its process (a child of this one, started by `Cluster`) so that the table can
show it beside the instances' and in the total.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from bench.chaos_world import log_folder
from bench.chat_targets import count_statements, cpu_s, prepared_foodbot
from bot.cluster import Cluster
from sandbox import BotApiServer
from storage.db import make_engine
from storage.sql import INBOX

ROOT = Path(__file__).resolve().parents[1]


def balancer_pid(folder: Path) -> int | None:
    """The haproxy process this one started with the config in `folder` (from /proc)."""
    config = str(folder / "haproxy.cfg").encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:  # it ended while we looked
            continue
        parent = int(stat.rpartition(")")[2].split()[1])
        if parent == os.getpid() and config in command:
            return int(entry.name)
    return None


@dataclass
class ClusterBots:
    cluster: Cluster
    database_url: str
    counts_queries: bool
    ended_cpu_s: dict[int, float] = field(default_factory=dict)  # killed instance: its CPU

    def pids(self) -> list[int]:
        return [self.cluster.pid(i) for i in range(len(self.cluster.layout.names))
                if i not in self.ended_cpu_s]

    def cpu_s(self) -> float:
        return sum(cpu_s(pid) for pid in self.pids()) + sum(self.ended_cpu_s.values())

    async def kill_one(self) -> str:
        """SIGKILL the last instance (its CPU time so far is kept); returns its name."""
        index = len(self.cluster.layout.names) - 1
        used = cpu_s(self.cluster.pid(index))
        await self.cluster.kill(index)
        self.ended_cpu_s[index] = used
        return self.cluster.layout.names[index]

    async def inbox_counts(self, settle_s: float = 20.0) -> tuple[int, int]:
        """Updates taken over (an instance claimed them after another had: those the killed
        one held, handled again once its lease ended, answered twice only if it had already
        answered) and updates not done: read once the users stopped, again until none is
        left or `settle_s` has passed (an answer is seen a moment before its update is marked
        done, and a dead instance's updates wait for their leases); none should be left."""
        i = INBOX.c
        counts = select(func.count().filter(i.attempts > 1),
                        func.count().filter(i.done_at.is_(None)))
        engine = make_engine(self.database_url)
        deadline = time.monotonic() + settle_s
        try:
            while True:
                async with engine.connect() as connection:
                    taken, left = (await connection.execute(counts)).one()
                if not left or time.monotonic() >= deadline:
                    return int(taken), int(left)
                await asyncio.sleep(0.2)  # polls the instances' progress, up to the deadline
        finally:
            await engine.dispose()

    def balancer_pid(self) -> int | None:
        return balancer_pid(self.cluster.folder)

    def queries(self, since: float, until: float) -> int | None:
        """Statements both instances ran in the window (LOG_LEVEL=DEBUG); None if not counted."""
        if not self.counts_queries:
            return None
        return count_statements(self.cluster.folder.glob("i*.log"), since, until)


@dataclass
class FoodbotCluster:
    """HAProxy and `instances` webhook instances of foodbot on a fresh PostgreSQL database."""

    partner_ids: list[int]
    database_url: str  # a PostgreSQL server; a throwaway database is made on it
    instances: int = 2
    redis_url: str | None = None  # shared by the instances when given
    name: str = "foodbot cluster"

    @asynccontextmanager
    async def running(self, server: BotApiServer, flood_limits: bool,
                      count_queries: bool) -> AsyncIterator[ClusterBots]:
        async with prepared_foodbot(server, self.database_url, self.partner_ids,
                                    flood_limits, count_queries) as (config, url, settings):
            env = {"PYTHONPATH": str(ROOT)} | settings
            if self.redis_url is not None:
                env |= {"REDIS_URL": self.redis_url,
                        "REDIS_PREFIX": f"bench-{uuid.uuid4().hex[:12]}"}
            with log_folder(config) as folder:
                cluster = Cluster.on_loopback(self.instances, folder / "cluster", **env)
                try:
                    await cluster.start()
                    yield ClusterBots(cluster, url, count_queries)
                finally:
                    await cluster.stop()
