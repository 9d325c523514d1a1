"""The chaos run's world: its settings, a fresh database, and the bot as separate `foodbot run`
processes that are killed with SIGKILL at random moments and started again.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.bench_database import database
from bot.settings import Settings, load_settings
from bot.wiring import seed_database, set_prep_minutes
from sandbox import BotApiServer, Faults

TOKEN = "123456:CHAOS-local-sandbox-token"
ADMIN = 9001
KITCHEN = "Dominos"  # made instant, so a partner may pick up as soon as they accept
STARTED = "Application started"  # PTB's log line once the bot polls
LOG_LINE_LIMIT = 1 << 24  # a DEBUG line can hold a whole batch of SQL parameters


@dataclass(frozen=True)
class ChaosConfig:
    orders: int = 60
    customers: int = 10
    partners: int = 10
    kills: int = 5
    kill_after: tuple[float, float] = (1.0, 4.0)  # seconds after an instance is up
    seed: int = 1
    faults: Faults | None = None
    database: str | None = None  # None: a temporary SQLite file
    instances: int = 1
    flood_limits: bool = True  # Telegram's ~1 message/s per chat and ~30/s per bot
    patience_s: float = 4.0  # a person repeats a press or message after about this long
    tries: int = 6  # ... this many times in all, then gives up on the step
    order_wait_s: float = 90.0  # a customer waits this long for a placed order to end
    settle_s: float = 20.0  # after the customers, the orders get this long to end
    timeout_s: float = 900.0  # the whole run
    logs: Path | None = None  # where the bot processes' logs go (a temporary folder if None)
    press_ttl_s: float = 15.0  # how long a press can be answered (Telegram: a short while)


def bot_environment(config: ChaosConfig, server: BotApiServer, url: str) -> dict[str, str]:
    """What `foodbot run` is configured with: the sandbox, the database, brisk ticks, short
    leases (a killed worker's tasks come back soon), no inbound limit in the way. Settings of
    the environment this runs in are left out, other variables passed on."""
    names = {name.upper() for name in Settings.model_fields}
    env = {k: v for k, v in os.environ.items() if k.upper() not in names}
    env.update({
        "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": server.base_url,
        "TELEGRAM_BASE_FILE_URL": server.base_file_url, "DATABASE_URL": url,
        "ADMIN_IDS": str(ADMIN), "QUEUE_INTERVAL_S": "0.1", "OUTBOX_INTERVAL_S": "0.1",
        "QUEUE_LEASE_S": "5", "OFFER_TIMEOUT_S": "20", "RETRY_BASE_DELAY_S": "0.5",
        "RETRY_MAX_DELAY_S": "5", "NO_PARTNER_ALERT_AFTER_S": "120",
        "RATE_LIMIT_PER_CHAT_PER_S": "1" if config.flood_limits else "20",
        "INBOUND_LIMIT_PER_USER_PER_MIN": "100000", "LOG_LEVEL": "INFO",
        # the durable inbox's leases (issue #10, item 4; ignored by a bot without it): a
        # killed instance's updates and its polling come back after 4 s, not 10
        "INBOX_LEASE_S": "4",
    })
    return env


@asynccontextmanager
async def prepared_database(config: ChaosConfig, server: BotApiServer) -> AsyncIterator[str]:
    """A fresh migrated and seeded database (SQLite file, or a throwaway PostgreSQL database
    dropped afterwards) whose kitchen cooks instantly."""
    async with database(config.database) as url:
        settings = load_settings(_env_file=None, telegram_bot_token=TOKEN,
                                 telegram_base_url=server.base_url, database_url=url)
        await seed_database(settings)
        await set_prep_minutes(settings, KITCHEN, 0)
        yield url


def foodbot_command() -> list[str]:
    """`foodbot run` of the virtual environment this script runs in."""
    script = Path(sys.executable).with_name("foodbot")
    return [str(script), "run"] if script.exists() else [sys.executable, "-m", "bot", "run"]


@dataclass
class Instance:
    index: int
    process: asyncio.subprocess.Process
    spawned: float
    up: asyncio.Event = field(default_factory=asyncio.Event)
    killed: bool = False


@dataclass
class Fleet:
    """`instances` bot processes, each started again whenever it ends: at once after our
    SIGKILL, after a short pause when it exited by itself (counted as a crash)."""

    env: dict[str, str]
    folder: Path
    instances: int
    command: list[str] = field(default_factory=foodbot_command)  # what one instance runs
    kills: int = 0
    killed_at: list[float] = field(default_factory=list)  # Unix times of the kills
    crashes: list[str] = field(default_factory=list)
    startups_s: list[float] = field(default_factory=list)
    conflicts: int = 0  # "Conflict" log lines: two instances polling one token
    errors: int = 0  # ERROR log lines
    _running: dict[int, Instance] = field(default_factory=dict)
    _keepers: list[asyncio.Task[None]] = field(default_factory=list)
    _readers: set[asyncio.Task[None]] = field(default_factory=set)
    _stopping: bool = False
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self, within: float = 60.0) -> None:
        self._keepers = [asyncio.create_task(self._keep(i), name=f"bot-{i}")
                         for i in range(self.instances)]
        await self.all_up(within)

    async def all_up(self, within: float) -> None:
        """Waits until every instance runs and polls (its log said so)."""
        async with asyncio.timeout(within):
            while not all((i := self._running.get(n)) is not None and i.up.is_set()
                          and not i.killed and i.process.returncode is None
                          for n in range(self.instances)):
                await self._changed.wait()

    async def chaos(self, kills: int, after: tuple[float, float], rng: random.Random) -> None:
        """Kills a random instance `kills` times, each a random time after all are up."""
        for _ in range(kills):
            await self.all_up(120.0)
            victim = self._running[rng.randrange(self.instances)]
            await asyncio.sleep(rng.uniform(*after))  # the random moment of the kill
            if victim.process.returncode is None:
                victim.killed = True
                victim.process.kill()
                self.kills += 1
                self.killed_at.append(time.time())

    def pids(self) -> list[int]:
        """The process ids of the instances running now."""
        return [i.process.pid for i in self._running.values() if i.process.returncode is None]

    def _notify(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def stop(self) -> None:
        """SIGTERM to every instance (a clean shutdown), SIGKILL after 15 s."""
        self._stopping = True
        for instance in self._running.values():
            if instance.process.returncode is None:
                instance.process.terminate()
        for instance in self._running.values():
            try:
                await asyncio.wait_for(instance.process.wait(), 15.0)
            except TimeoutError:
                instance.process.kill()
                await instance.process.wait()
        for task in [*self._keepers, *self._readers]:
            task.cancel()
        await asyncio.gather(*self._keepers, *self._readers, return_exceptions=True)

    async def _keep(self, index: int) -> None:
        while not self._stopping:
            instance = await self._spawn(index)
            code = await instance.process.wait()
            self._notify()
            if self._stopping:
                return
            if not instance.killed:
                self.crashes.append(f"instance {index} exited with {code}")
                await asyncio.sleep(0.5)  # a crash loop must not spin

    async def _spawn(self, index: int) -> Instance:
        process = await asyncio.create_subprocess_exec(
            *self.command, env=self.env, cwd=self.folder,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE, limit=LOG_LINE_LIMIT)
        instance = self._running[index] = Instance(index, process, time.perf_counter())
        reader = asyncio.create_task(self._read_log(instance))
        self._readers.add(reader)
        reader.add_done_callback(self._readers.discard)
        self._notify()
        return instance

    async def _read_log(self, instance: Instance) -> None:
        assert instance.process.stderr is not None
        path = self.folder / f"bot-{instance.index}.log"
        with path.open("a", encoding="utf-8") as log:
            log.write(f"--- started pid {instance.process.pid}\n")
            async for raw in instance.process.stderr:
                line = raw.decode("utf-8", "replace")
                log.write(line)
                if STARTED in line and not instance.up.is_set():
                    self.startups_s.append(time.perf_counter() - instance.spawned)
                    instance.up.set()
                    self._notify()
                self.conflicts += "Conflict" in line
                self.errors += " ERROR " in line
            log.write(f"--- ended, code {await instance.process.wait()}"
                      f"{' (SIGKILL)' if instance.killed else ''}\n")


@contextlib.contextmanager
def log_folder(config: ChaosConfig) -> Iterator[Path]:
    """Where the bot processes run and log: `config.logs`, or a temporary folder."""
    if config.logs is not None:
        config.logs.mkdir(parents=True, exist_ok=True)
        yield config.logs
        return
    with tempfile.TemporaryDirectory(prefix="foodbot-chaos-") as folder:
        yield Path(folder)
