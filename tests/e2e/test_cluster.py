"""Two `foodbot run` instances in webhook mode behind a real HAProxy (`bot.cluster`, as
`foodbot cluster` starts them) on one PostgreSQL database, fed by the local Bot API server
over parallel connections: every update is handled once and each user's in the order sent,
also when one instance is killed mid-stream; an instance that stops leaves the webhook to
the others; a request without the secret is refused and stores nothing."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bot.__main__ import main
from bot.cluster import Cluster, free_ports
from bot.settings import Settings
from bot.webhook import SECRET_HEADER
from bot.wiring import seed_database
from sandbox import BotApiServer, ChatMessage, SandboxUser
from storage.db import make_engine
from storage.sql import INBOX
from tests.e2e.conftest import TOKEN, e2e_settings
from tests.e2e.inbox_kit import inbox_rows
from tests.e2e.journey import eventually
from tests.integration.conftest import PG_ENV, PostgresServer

ROOT = Path(__file__).resolve().parents[2]
SECRET = "cluster-Secret_42"
# four users the balancer hashes to each instance (consistent hashing of the user id)
USERS = (1001, 1002, 1003, 1004, 3001, 3002, 3003, 3004)
SERIES = ("/help", "/restaurants", "/cart", "/orders")  # no command twice in a row
# two fresh interpreters on a busy machine; replies paced at one a second per chat
START_S, ANSWER_S, STOP_S = 90.0, 120.0, 60.0


def reply_to(message: ChatMessage) -> str:
    """Which command of SERIES a bot message answers."""
    text = message.text
    for command, mark in (("/help", "brings food from local restaurants"),
                          ("/restaurants", "Dominos"), ("/cart", "Your cart is empty"),
                          ("/orders", "You have no orders yet")):
        if mark in text:
            return command
    return f"unexpected: {text[:60]}"


@pytest.fixture
def settings(server: BotApiServer, tmp_path: Path) -> Iterator[Settings]:
    """The bot's settings on a fresh PostgreSQL database (several processes share it)."""
    if shutil.which("haproxy") is None:
        pytest.skip("haproxy is not on PATH (apt-get install haproxy): no balancer to test")
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"{PG_ENV} not set: several instances need a shared PostgreSQL")
    databases = PostgresServer(url)
    try:
        on_sqlite = e2e_settings(server, tmp_path)
        yield on_sqlite.model_copy(update={"database_url": databases.create_database()})
    finally:
        databases.drop_all()


@pytest.fixture
async def cluster(settings: Settings, tmp_path: Path) -> AsyncIterator[Cluster]:
    await seed_database(settings)
    running = Cluster.on_loopback(
        2, tmp_path / "cluster", PYTHONPATH=str(ROOT), TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_BASE_URL=settings.telegram_base_url, TELEGRAM_BASE_FILE_URL=settings.file_url,
        DATABASE_URL=settings.database_url,
        INBOX_LEASE_S="1")  # a dead instance's updates are taken over within a second
    await running.start(within_s=START_S)
    try:
        yield running
    finally:
        await running.stop()


class Chats:
    """The users, what each sent (in order) and waiting until the bot answered it all."""

    def __init__(self, server: BotApiServer) -> None:
        self.server = server
        self.users = [server.user(uid, first_name=f"User{uid}") for uid in USERS]
        self.sent: dict[int, list[str]] = {uid: [] for uid in USERS}

    async def send(self, each: int) -> None:
        """Every user sends the next `each` commands of the series without waiting."""
        for _ in range(each):
            for user in self.users:
                command = SERIES[len(self.sent[user.id]) % len(SERIES)]
                self.sent[user.id].append(command)
                await user.send(command)

    def replies(self, user: SandboxUser) -> list[str]:
        return [reply_to(m) for m in user.bot_messages]

    def answered(self) -> int:
        return sum(len(user.bot_messages) for user in self.users)

    async def until(self, condition: Callable[[], bool], within_s: float = ANSWER_S) -> None:
        await self.server.state.notifier.wait_for(lambda: condition() or None, within_s)

    async def until_all_answered(self) -> None:
        await self.until(lambda: all(len(collapse(self.replies(u))) >= len(self.sent[u.id])
                                     for u in self.users))


def collapse(replies: list[str]) -> list[str]:
    """The replies with a repeat of the one before dropped: an update the killed instance had
    answered but not yet marked done is answered again by the other (at least once)."""
    return [r for n, r in enumerate(replies) if n == 0 or r != replies[n - 1]]


def all_done(settings: Settings) -> Callable[[], Awaitable[list[tuple[int, int, bool]] | None]]:
    """Every stored update, once all are marked done: a handler's reply goes out before its
    instance marks the update done, in its next round."""

    async def rows() -> list[tuple[int, int, bool]] | None:
        found = await inbox_rows(settings)
        return found if all(done for _, _, done in found) else None

    return rows


async def taken_over(settings: Settings) -> int:
    """How many updates were claimed twice: begun by the killed instance, ended by another."""
    engine = make_engine(settings.database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(select(INBOX.c.update_id).where(INBOX.c.attempts > 1))
            return len(rows.all())
    finally:
        await engine.dispose()


@pytest.mark.postgres
async def test_two_instances_behind_haproxy_answer_each_update_once_in_order_through_a_kill(
    server: BotApiServer, settings: Settings, cluster: Cluster
) -> None:
    chats = Chats(server)
    await chats.send(each=4)
    await chats.until(lambda: chats.answered() == 4 * len(USERS))
    assert {u.id: chats.replies(u) for u in chats.users} == chats.sent
    answered_by = await cluster.answered()
    assert answered_by["i1"] > 0 and answered_by["i2"] > 0, answered_by

    await chats.send(each=6)  # and kill -9 one instance while they are being answered
    await chats.until(lambda: chats.answered() >= 4 * len(USERS) + 3)
    await cluster.kill(0)
    await chats.until_all_answered()

    sent = sum(map(len, chats.sent.values()))
    rows = await eventually(all_done(settings), ANSWER_S)  # answered shows before done
    assert len(rows) == sent  # each stored once, and handled
    for user in chats.users:
        assert collapse(chats.replies(user)) == chats.sent[user.id]  # in order, none lost
    assert chats.answered() - sent <= await taken_over(settings)  # twice: only what it held

    await cluster.restart(0, within_s=START_S)
    await cluster.stop_instance(1)  # a clean stop: the webhook stays for the others
    assert server.webhook_info()["url"] == cluster.url
    before = chats.answered()
    await chats.send(each=1)
    await chats.until(lambda: chats.answered() >= before + len(USERS))
    for user in chats.users:
        assert collapse(chats.replies(user)) == chats.sent[user.id]


@pytest.mark.postgres
async def test_a_request_without_the_secret_is_refused_through_the_balancer_and_not_stored(
    settings: Settings, cluster: Cluster
) -> None:
    update = {"update_id": 424242, "message": {
        "message_id": 1, "date": 0, "text": "/help", "chat": {"id": 1001, "type": "private"},
        "from": {"id": 1001, "is_bot": False, "first_name": "Mallory"}}}
    async with httpx.AsyncClient() as client:
        forged = await client.post(cluster.url, json=update, headers={SECRET_HEADER: "guess"})
        unsigned = await client.post(cluster.url, json=update)
    assert (forged.status_code, unsigned.status_code) == (403, 403)
    assert await inbox_rows(settings) == []


def free_run(count: int) -> int:
    """The first of `count` consecutive free loopback ports (`foodbot cluster` uses a run)."""
    for _ in range(50):
        first = free_ports(1)[0]
        if first + count > 65535:
            continue
        try:
            with contextlib.ExitStack() as stack:
                for port in range(first, first + count):
                    probe = stack.enter_context(socket.socket())
                    probe.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
    raise RuntimeError("no run of free ports")


def cli_env(settings: Settings, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k.lower() not in Settings.model_fields}
    return env | {"PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": TOKEN,
                  "TELEGRAM_BASE_URL": settings.telegram_base_url,
                  "DATABASE_URL": settings.database_url, **extra}


@pytest.mark.postgres
async def test_foodbot_cluster_starts_haproxy_and_the_instances_answers_and_stops_on_ctrl_c(
    server: BotApiServer, settings: Settings, tmp_path: Path
) -> None:
    port = free_run(4)
    env = cli_env(settings, WEBHOOK_LISTEN="127.0.0.1", WEBHOOK_PORT=str(port))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "cluster", "--instances", "2", "--logs", str(tmp_path),
        env=env, cwd=tmp_path, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL)
    try:
        assert process.stdout is not None
        printed: list[str] = []
        async with asyncio.timeout(START_S):
            while not printed or "Ctrl-C stops everything" not in printed[-1]:
                line = await process.stdout.readline()
                assert line, f"ended before it was up: {printed}"
                printed.append(line.decode())
        assert f"Balancer (HAProxy) on 127.0.0.1:{port}" in printed[0]
        assert [line.split(",")[0] for line in printed[2:4]] == [
            f"Instance i1 on 127.0.0.1:{port + 1}", f"Instance i2 on 127.0.0.1:{port + 2}"]
        assert server.webhook_info()["url"] == f"http://127.0.0.1:{port}/telegram"

        customer = server.user(1001, first_name="Asha")
        await customer.send("/help")
        await customer.wait_for_new(lambda m: "/restaurants" in m.text, timeout=ANSWER_S)
        process.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(process.wait(), STOP_S) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    for name in ("i1", "i2"):  # each instance stopped cleanly, nothing left leased
        assert "stopping" in (tmp_path / f"{name}.log").read_text()
    assert TOKEN.partition(":")[2] not in "".join(printed)


async def test_foodbot_cluster_without_haproxy_says_what_to_install(
    server: BotApiServer, tmp_path: Path
) -> None:
    on_sqlite = e2e_settings(server, tmp_path)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "cluster", env=cli_env(on_sqlite, PATH=""), cwd=tmp_path,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    _, stderr = await asyncio.wait_for(process.communicate(), START_S)
    assert process.returncode == 1
    assert stderr.decode().splitlines()[-1] == (
        "foodbot: haproxy is not on PATH (Debian: apt-get install haproxy, which puts it in "
        "/usr/sbin)")


def test_foodbot_cluster_refuses_a_count_of_instances_below_one(
    capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["cluster", "--instances", "0"])
    assert exit_.value.code == 2
    assert "argument --instances: expected a whole number of at least 1, got '0'" in (
        capsys.readouterr().err)
