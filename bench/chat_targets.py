"""What the chat benchmark measures: foodbot as `foodbot run` processes, or the bare PTB bot
(bench/bare_bot.py), each started against a fresh local Bot API server; and how a process's CPU
time, memory and database queries are read (from /proc and the bot's own logs or database).

A target is one way of running a bot: `running(server, flood_limits, count_queries)` starts it
and yields a `Bots` that knows its process ids (and a balancer's, if any) and, after the run, its
database queries in a window. Mode (b) of issue 11, the balancer and webhook instances on
PostgreSQL, is bench/chat_cluster.py.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bench.chaos_world import ADMIN, TOKEN, ChaosConfig, Fleet, log_folder, prepared_database
from bot.settings import Settings
from domain.ids import UserId
from domain.partners import Partner, PartnerStatus
from sandbox import BotApiServer
from storage.db import make_engine, make_sessionmaker
from storage.uow import SqlUnitOfWork

HERE = Path(__file__).resolve().parent
TICKS = os.sysconf("SC_CLK_TCK")
# SQLAlchemy logs each statement it runs, then a line of its parameters starting like this
STATEMENT = re.compile(r" sqlalchemy\.engine\.Engine: \[(generated in|cached since|no key|"
                       r"raw sql|dialect|insertmanyvalues)")


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of one process so far (/proc/<pid>/stat, fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def memory_mb(pid: int, field: str = "VmRSS") -> float:
    """Resident memory now (VmRSS) or at its peak (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def log_time(at: float) -> str:
    """A wall-clock time as the bot's log lines start (logging's asctime)."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(at)) + f",{int(at % 1 * 1000):03d}"


def count_statements(logs: Iterable[Path], since: float, until: float) -> int:
    """SQL statements the bots logged between two wall-clock times (SQLAlchemy's log lines at
    LOG_LEVEL=DEBUG, one per statement). Read after the bots stopped."""
    low, high, count = log_time(since), log_time(until), 0
    for log in logs:
        with log.open(encoding="utf-8", errors="replace") as lines:
            count += sum(1 for line in lines
                         if low <= line[:23] <= high and STATEMENT.search(line))
    return count


class Bots(Protocol):
    def pids(self) -> list[int]:
        """The bot's processes running now, whose memory is its own."""
        ...

    def cpu_s(self) -> float:
        """CPU seconds the bot's processes used so far, those that ended included."""
        ...

    def balancer_pid(self) -> int | None:
        """A balancer in front of them, measured apart; None when there is none."""
        ...

    def queries(self, since: float, until: float) -> int | None:
        """Statements run between two wall-clock times; None when not counted."""
        ...


@dataclass
class FleetBots:
    fleet: Fleet
    folder: Path
    counts_queries: bool

    def pids(self) -> list[int]:
        return self.fleet.pids()

    def cpu_s(self) -> float:
        return sum(cpu_s(pid) for pid in self.pids())

    def balancer_pid(self) -> int | None:
        return None

    def queries(self, since: float, until: float) -> int | None:
        if not self.counts_queries:
            return None
        return count_statements(self.folder.glob("bot-*.log"), since, until)


class Target(Protocol):
    @property
    def name(self) -> str: ...

    def running(self, server: BotApiServer, flood_limits: bool,
                count_queries: bool) -> AbstractAsyncContextManager[Bots]: ...


def settings_free_environment() -> dict[str, str]:
    """This environment without foodbot's settings (a developer's .env must not leak in)."""
    names = {name.upper() for name in Settings.model_fields}
    return {k: v for k, v in os.environ.items() if k.upper() not in names}


def bot_settings(server: BotApiServer, database_url: str, flood_limits: bool,
                 count_queries: bool) -> dict[str, str]:
    """foodbot's settings for a run, as environment variables (every target's the same)."""
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": server.base_url,
           "TELEGRAM_BASE_FILE_URL": server.base_file_url, "DATABASE_URL": database_url,
           "ADMIN_IDS": str(ADMIN), "LOG_LEVEL": "DEBUG" if count_queries else "INFO"}
    if not flood_limits:  # the bot's own pacing must not stand in for Telegram's
        env |= {"RATE_LIMIT_GLOBAL_PER_S": "100000", "RATE_LIMIT_PER_CHAT_PER_S": "1000"}
    return env


async def approve_partners(url: str, partner_ids: list[int]) -> None:
    """The partners as an admin approved them; each goes /online in the chat."""
    engine = make_engine(url)
    try:
        async with SqlUnitOfWork(make_sessionmaker(engine)) as uow:
            for partner in partner_ids:
                await uow.partners.save(Partner(UserId(partner), f"Rider {partner}",
                                                PartnerStatus.APPROVED))
            await uow.commit()
    finally:
        await engine.dispose()


@asynccontextmanager
async def prepared_foodbot(
    server: BotApiServer, database_url: str | None, partner_ids: list[int], flood_limits: bool,
    count_queries: bool,
) -> AsyncIterator[tuple[ChaosConfig, str, dict[str, str]]]:
    """A fresh migrated and seeded database (a SQLite file, or a throwaway database on the
    PostgreSQL server `database_url`) with the partners approved, and foodbot's settings for
    it: what every foodbot target starts from."""
    config = ChaosConfig(database=database_url)
    async with prepared_database(config, server) as url:
        await approve_partners(url, partner_ids)
        yield config, url, bot_settings(server, url, flood_limits, count_queries)


@dataclass
class FoodbotPolling:
    """`foodbot run`, long polling, default settings, a fresh migrated and seeded database."""

    partner_ids: list[int]
    database_url: str | None = None  # None: a SQLite file
    name: str = "foodbot"

    @asynccontextmanager
    async def running(self, server: BotApiServer, flood_limits: bool,
                      count_queries: bool) -> AsyncIterator[FleetBots]:
        async with prepared_foodbot(server, self.database_url, self.partner_ids,
                                    flood_limits, count_queries) as (config, _url, settings):
            env = settings_free_environment() | settings
            with log_folder(config) as folder:
                fleet = Fleet(env, folder, 1)
                try:
                    await fleet.start()
                    yield FleetBots(fleet, folder, count_queries)
                finally:
                    await fleet.stop()


@dataclass
class BareBot:
    """bench/bare_bot.py: PTB with the same calls and nothing behind them; with `libraries`,
    foodbot's other libraries loaded too and left unused (the memory floor of the stack)."""

    name: str = "bare PTB bot"
    libraries: bool = False

    @asynccontextmanager
    async def running(self, server: BotApiServer, flood_limits: bool,
                      count_queries: bool) -> AsyncIterator[FleetBots]:
        env = settings_free_environment() | {
            "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": server.base_url,
            "BARE_RATE_LIMITER": "1" if flood_limits else "0",
            "BARE_LIBRARIES": "1" if self.libraries else "0"}
        with log_folder(ChaosConfig()) as folder:
            fleet = Fleet(env, folder, 1, command=[sys.executable, str(HERE / "bare_bot.py")])
            try:
                await fleet.start()
                yield FleetBots(fleet, folder, counts_queries=False)
            finally:
                await fleet.stop()
