"""`foodbot cluster`: HAProxy in front of N `foodbot run` instances in webhook mode, on one
machine (DESIGN.md §7; README "Several instances behind a balancer").

The balancer listens where Telegram posts (WEBHOOK_LISTEN:WEBHOOK_PORT) and the instances on
loopback, one port each after it; HAProxy's statistics page follows them. Every instance
calls setWebhook with the same URL and secret at start (repeating it changes nothing) and
leaves the webhook alone when it stops, so the others keep receiving. `Cluster` is also what
tests and benchmarks drive: start, kill one, restart one, stop all.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import os
import secrets
import shutil
import signal
import socket
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from bot.settings import Settings

TEMPLATE = Path(__file__).resolve().parents[1] / "deploy" / "haproxy.cfg"
BACKEND = "foodbot"  # the backend's name in the template
STOP_WITHIN_S = 30.0


class ClusterError(Exception):
    """The balancer or an instance could not be started; the message says which and where."""


@dataclass(frozen=True)
class Layout:
    """Where everything listens: the balancer, each instance (loopback), the statistics."""

    listen: str
    port: int
    instance_ports: tuple[int, ...]
    stats_port: int

    @classmethod
    def after(cls, listen: str, port: int, instances: int) -> Layout:
        """The balancer on `port`, instance k on `port + k`, statistics on the next one."""
        ports = tuple(port + k for k in range(1, instances + 1))
        return cls(listen, port, ports, port + instances + 1)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f"i{k}" for k in range(1, len(self.instance_ports) + 1))

    @property
    def stats_url(self) -> str:
        return f"http://127.0.0.1:{self.stats_port}/"


def render(layout: Layout, template: str) -> str:
    """The template with its @MARKERS@ filled in: one `server` line per instance."""
    servers = "\n".join(f"    server {name} 127.0.0.1:{port}"
                        for name, port in zip(layout.names, layout.instance_ports, strict=True))
    return (template.replace("@LISTEN@", layout.listen).replace("@PORT@", str(layout.port))
            .replace("@STATS_PORT@", str(layout.stats_port)).replace("@SERVERS@", servers))


def free_ports(count: int) -> list[int]:
    """`count` loopback ports free right now (for tests and benchmarks)."""
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [int(probe.getsockname()[1]) for probe in probes]
    finally:
        for probe in probes:
            probe.close()


def new_secret() -> str:
    """A webhook secret for one run (Telegram allows A-Z, a-z, 0-9, _ and -)."""
    return secrets.token_urlsafe(24)


class Cluster:
    """The balancer and the instances as child processes; their logs go to `folder`.

    `env` is the instances' environment (token, database, Bot API URL...); each instance also
    gets WEBHOOK_URL (`url`, the balancer's), WEBHOOK_SECRET and its own WEBHOOK_PORT.
    """

    def __init__(self, layout: Layout, *, url: str, secret: str, env: Mapping[str, str],
                 folder: Path) -> None:
        self.layout, self.url, self.folder = layout, url, folder
        self._secret, self._env = secret, dict(env)
        self._instances: list[asyncio.subprocess.Process | None] = [None] * len(layout.names)
        self._balancer: asyncio.subprocess.Process | None = None

    @classmethod
    def on_loopback(cls, instances: int, folder: Path, **settings: str) -> Cluster:
        """N instances and the balancer on free loopback ports, a new secret, and `settings`
        (TELEGRAM_BOT_TOKEN, TELEGRAM_BASE_URL, DATABASE_URL, ...) as the instances'
        environment in place of any settings in this process's: what a benchmark or a test
        starts against its own Bot API server and database."""
        ports = free_ports(instances + 2)
        layout = Layout("127.0.0.1", ports[0], tuple(ports[1:-1]), ports[-1])
        inherited = {k: v for k, v in os.environ.items()
                     if k.lower() not in Settings.model_fields}
        return cls(layout, url=f"http://127.0.0.1:{layout.port}/telegram", secret=new_secret(),
                   env=inherited | settings, folder=folder)

    def log_of(self, index: int) -> Path:
        return self.folder / f"{self.layout.names[index]}.log"

    @property
    def balancer_log(self) -> Path:
        return self.folder / "haproxy.log"

    def pid(self, index: int) -> int:
        process = self._instances[index]
        assert process is not None, "not running"
        return process.pid

    async def start(self, within_s: float = 60.0) -> None:
        """Starts the balancer and every instance; returns once the balancer sees all up."""
        haproxy = shutil.which("haproxy")
        if haproxy is None:
            raise ClusterError("haproxy is not on PATH (Debian: apt-get install haproxy, "
                               "which puts it in /usr/sbin)")
        self.folder.mkdir(parents=True, exist_ok=True)
        config = self.folder / "haproxy.cfg"
        config.write_text(render(self.layout, TEMPLATE.read_text()))
        for index in range(len(self._instances)):
            await self.restart(index, within_s=None)
        with self.balancer_log.open("ab") as log:
            self._balancer = await asyncio.create_subprocess_exec(
                haproxy, "-db", "-f", str(config), stdin=asyncio.subprocess.DEVNULL,
                stdout=log, stderr=asyncio.subprocess.STDOUT)
        try:
            await self.wait_up(len(self._instances), within_s)
        except BaseException:
            await self.stop()
            raise

    async def restart(self, index: int, within_s: float | None = 60.0) -> None:
        """Starts instance `index` (again); with `within_s`, waits until the balancer sees it."""
        if self._instances[index] is not None:
            raise ClusterError(f"instance {self.layout.names[index]} is running")
        env = self._env | {
            "WEBHOOK_URL": self.url, "WEBHOOK_SECRET": self._secret,
            "WEBHOOK_LISTEN": "127.0.0.1", "WEBHOOK_PORT": str(self.layout.instance_ports[index]),
        }
        with self.log_of(index).open("ab") as log:
            self._instances[index] = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", env=env, stdin=asyncio.subprocess.DEVNULL,
                stdout=log, stderr=asyncio.subprocess.STDOUT)
        if within_s is not None:
            await self.wait_up(sum(p is not None for p in self._instances), within_s)

    async def kill(self, index: int) -> None:
        """SIGKILL: the instance dies mid-work, as in a crash."""
        await self._end(index, signal.SIGKILL)

    async def stop_instance(self, index: int) -> None:
        """SIGTERM: the instance finishes what it holds and stops cleanly."""
        await self._end(index, signal.SIGTERM)

    async def stop(self) -> None:
        """Stops the balancer (nothing new comes in), then every instance cleanly."""
        balancer, self._balancer = self._balancer, None
        if balancer is not None:
            await _end(balancer, signal.SIGTERM)
        await asyncio.gather(*(self._end(i, signal.SIGTERM)
                               for i in range(len(self._instances))))

    async def _end(self, index: int, how: signal.Signals) -> None:
        process, self._instances[index] = self._instances[index], None
        if process is not None:
            await _end(process, how)

    async def wait_up(self, count: int, within_s: float) -> None:
        """Until the balancer counts `count` instances up (its health check passed)."""
        try:
            async with asyncio.timeout(within_s):
                while sum(row["status"] == "UP" for row in await self.servers()) != count:
                    self._check_alive()
                    await asyncio.sleep(0.1)  # polls another process's state
        except TimeoutError:
            raise ClusterError(f"{count} instances not up after {within_s:.0f} s: see the logs "
                               f"in {self.folder}") from None

    def _check_alive(self) -> None:
        if self._balancer is not None and self._balancer.returncode is not None:
            raise ClusterError(f"haproxy exited: see {self.balancer_log}")
        for index, process in enumerate(self._instances):
            if process is not None and process.returncode is not None:
                raise ClusterError(f"instance {self.layout.names[index]} exited with "
                                   f"{process.returncode}: see {self.log_of(index)}")

    async def servers(self) -> list[dict[str, str]]:
        """The balancer's statistics, one row per instance (status, hrsp_2xx, ...); none while
        the balancer is not answering yet."""
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as http, \
                    http.get(self.layout.stats_url + ";csv") as response:
                text = await response.text()
        except (aiohttp.ClientError, TimeoutError):
            return []
        rows = csv.DictReader(io.StringIO(text.removeprefix("# ")))
        return [row for row in rows
                if row["pxname"] == BACKEND and row["svname"] in self.layout.names]

    async def answered(self) -> dict[str, int]:
        """How many webhook requests each instance answered 2xx, by the balancer's count."""
        return {row["svname"]: int(row["hrsp_2xx"] or 0) for row in await self.servers()}


async def _end(process: asyncio.subprocess.Process, how: signal.Signals) -> None:
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(how)
    try:
        await asyncio.wait_for(process.wait(), STOP_WITHIN_S)
    except TimeoutError:
        process.kill()
        await process.wait()
