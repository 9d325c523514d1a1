"""Flood benchmark (issue #10, item 1): one user floods the bot; how long do the others wait?

    python bench/flood.py [--flood 2000] [--flood-rate 0] [--users 10] [--limit 60] [--no-limits]

Starts the project's local Bot API server (sandbox/) in this process and the real bot as
`python -m bot run` (long polling, exactly as `foodbot run`) in a child process, on a fresh
migrated and seeded SQLite file. Then:

1. reference, measured in the same run: the other users each send /help and wait for the
   answer, one after another with a second between (Telegram's pace for one chat), for
   `--reference-s` seconds with nobody flooding;
2. the flood: one user sends /start `--flood` times, all at once (or `--flood-rate` a
   second), while the other users go on as before, until the bot has taken in every flooded
   update and the flooder's chat has been quiet for two seconds (or `--max-s` passed).

A reply's latency is the time from the user's message to the bot's answer in that chat, both
as the sandbox records them. It prints the other users' p50/p99/max latency without and
during the flood (one not answered by the end counts as the time it waited), the flood's
updates handled and not (dropped, or not reached by the end), the slow-down replies sent, and
a JSON line. `--limit` is the bot's INBOUND_LIMIT_PER_USER_PER_MIN (a huge one, e.g. 1000000,
shows the bot without a limit); `--no-limits` turns off the sandbox's Telegram-like flood
limits (429 past about one message a second per chat). Not a test: nothing here is timed by
pytest.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from report import machine, print_rows

from bot import texts
from sandbox import BotApiServer, RateLimits, SandboxUser, TranscriptEvent

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:BENCH-flood-token-value"
FLOODER, FIRST_USER, ADMIN = 5000, 6001, 9001
QUIET_S = 2.0  # the flood is over when the flooder's chat has been quiet this long


class Replies:
    """When the bot last wrote to each chat, from the sandbox's transcript as it happens."""

    def __init__(self) -> None:
        self.last: dict[int, float] = {}
        self.events: dict[int, asyncio.Event] = {}

    def __call__(self, event: TranscriptEvent) -> None:
        if event.kind in ("bot_message", "bot_photo"):
            self.last[event.chat_id] = event.time
            if event.chat_id in self.events:
                self.events[event.chat_id].set()


class Probes:
    """The other users' /help latencies; one not answered by the deadline counts as the time it
    waited (a lower bound) and as unanswered."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.latencies: list[float] = []
        self.unanswered = 0


async def ask_help(user: SandboxUser, replies: Replies, probes: Probes) -> None:
    """Sends /help and records how long the bot's answer took to arrive."""
    arrived = replies.events.setdefault(user.id, asyncio.Event())
    arrived.clear()
    sent = time.monotonic()
    await user.send("/help")
    try:
        await asyncio.wait_for(arrived.wait(), max(0.0, probes.deadline - sent))
    except TimeoutError:
        probes.latencies.append(time.monotonic() - sent)
        probes.unanswered += 1
        return
    probes.latencies.append(replies.last[user.id] - sent)


async def keep_asking(user: SandboxUser, replies: Replies, until: asyncio.Event,
                      probes: Probes) -> None:
    """One other user: /help, the answer, a second's pause (Telegram's pace for one chat)."""
    while not until.is_set() and time.monotonic() < probes.deadline:
        await ask_help(user, replies, probes)
        with contextlib.suppress(TimeoutError):  # think time, cut short at the end
            await asyncio.wait_for(until.wait(), 1.0)


async def probe(users: list[SandboxUser], replies: Replies, until: asyncio.Event,
                deadline: float) -> Probes:
    probes = Probes(deadline)
    await asyncio.gather(*(keep_asking(u, replies, until, probes) for u in users))
    return probes


async def flood_over(server: BotApiServer, flooder: SandboxUser, replies: Replies,
                     sending: asyncio.Task[None], started: float,
                     max_s: float) -> tuple[float, float]:
    """Waits until the bot has taken in every flooded update and the flooder's chat is quiet;
    returns the seconds from the flood's start to the intake of its last update and to its
    last answer (`max_s` for what did not happen by then)."""
    taken_at = None
    while (now := time.monotonic()) - started < max_s:
        if taken_at is None and sending.done() and not any(
                u.get("message", {}).get("chat", {}).get("id") == flooder.id
                for u in server.pending_updates):
            taken_at = now
        last = replies.last.get(flooder.id, started)
        if taken_at is not None and now - last >= QUIET_S:
            return taken_at - started, last - started
        await asyncio.sleep(0.05)  # a benchmark's poll of the sandbox, bounded by max_s
    return (max_s if taken_at is None else taken_at - started), max_s


async def send_flood(flooder: SandboxUser, count: int, rate: float) -> None:
    """`count` /start from the flooder: all at once, or `rate` a second."""
    started = time.monotonic()
    for i in range(count):
        if rate > 0 and (wait := started + i / rate - time.monotonic()) > 0:
            await asyncio.sleep(wait)  # the flooder's pace
        await flooder.send("/start")


async def start_bot(server: BotApiServer, folder: Path, limit: int,
                    log: IO[bytes]) -> asyncio.subprocess.Process:
    """Migrates and seeds a fresh database, then starts `foodbot run` on it, logging to `log`."""
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": server.base_url,
           "TELEGRAM_BASE_FILE_URL": server.base_file_url, "ADMIN_IDS": str(ADMIN),
           "DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'flood.db'}",
           "INBOUND_LIMIT_PER_USER_PER_MIN": str(limit), "LOG_LEVEL": "WARNING",
           "WEBHOOK_URL": "", "PYTHONPATH": str(ROOT)}  # this checkout's code
    for command in ("migrate", "seed"):
        step = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", command, env=env, cwd=folder,
            stdout=asyncio.subprocess.DEVNULL)
        if await step.wait() != 0:
            raise SystemExit(f"foodbot {command} failed")
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, cwd=folder, stdout=log, stderr=log)


def figures(probes: Probes) -> dict[str, Any]:
    ordered = sorted(probes.latencies)
    if not ordered:
        return {"n": 0, "p50_ms": None, "p99_ms": None, "max_ms": None, "unanswered": 0}
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"n": len(ordered), "p50_ms": round(statistics.median(ordered) * 1000, 1),
            "p99_ms": round(p99 * 1000, 1), "max_ms": round(ordered[-1] * 1000, 1),
            "unanswered": probes.unanswered}


async def measure(server: BotApiServer, args: argparse.Namespace) -> dict[str, Any]:
    replies = Replies()
    server.add_listener(replies)
    users = [server.user(FIRST_USER + i, first_name=f"User{i}") for i in range(args.users)]
    flooder = server.user(FLOODER, first_name="Flo")
    warm_up = Probes(time.monotonic() + 60.0)
    for user in users:  # the bot is up, and every code path warm
        await ask_help(user, replies, warm_up)
    if warm_up.unanswered:
        raise SystemExit("the bot did not answer within 60 s; see its log")
    calm = asyncio.Event()
    asyncio.get_running_loop().call_later(args.reference_s, calm.set)
    reference = await probe(users, replies, calm, time.monotonic() + args.max_s)

    done = asyncio.Event()
    started = time.monotonic()
    others = asyncio.create_task(probe(users, replies, done, started + args.max_s))
    sending = asyncio.create_task(send_flood(flooder, args.flood, args.flood_rate))
    intake_s, flood_s = await flood_over(server, flooder, replies, sending, started, args.max_s)
    await sending
    done.set()
    during = await others
    told = sum(m.text == texts.SLOW_DOWN for m in flooder.bot_messages)
    handled = sum("Foodbot" in m.text for m in flooder.bot_messages)
    return {"reference": figures(reference), "during": figures(during),
            "flood": args.flood, "flood_handled": handled, "flood_dropped": args.flood - handled,
            "slow_down_replies": told, "flood_rate": args.flood_rate,
            "intake_s": round(intake_s, 2), "flood_s": round(flood_s, 2),
            "flood_cleared": flood_s < args.max_s}


async def stop(bot: asyncio.subprocess.Process) -> None:
    """SIGTERM, as a service manager stops the bot; SIGKILL if it is not gone in 15 s."""
    bot.terminate()
    try:
        await asyncio.wait_for(bot.wait(), 15.0)
    except TimeoutError:
        bot.kill()
        await bot.wait()


async def run(args: argparse.Namespace) -> dict[str, Any]:
    limits = None if args.no_limits else RateLimits()
    with tempfile.TemporaryDirectory(prefix="foodbot-flood-") as tmp:
        log_file = Path(tmp) / "bot.log"
        with log_file.open("wb") as log:
            async with BotApiServer(token=TOKEN, limits=limits) as server:
                bot = await start_bot(server, Path(tmp), args.limit, log)
                try:
                    result = await measure(server, args)
                finally:
                    await stop(bot)
    return {"limit_per_min": args.limit, "sandbox_limits": not args.no_limits,
            "users": args.users, **result, "machine": machine()}


def print_table(r: dict[str, Any]) -> None:
    def row(f: dict[str, Any]) -> str:
        late = f", {f['unanswered']} unanswered by the end" if f["unanswered"] else ""
        return (f"p50 {f['p50_ms']} ms, p99 {f['p99_ms']} ms, max {f['max_ms']} ms "
                f"(n={f['n']}{late})")

    rows = [
        ("inbound limit (a minute)", str(r["limit_per_min"])),
        ("Telegram-like 429s in sandbox", "on" if r["sandbox_limits"] else "off"),
        ("other users' /help, no flood", row(r["reference"])),
        ("other users' /help, during flood", row(r["during"])),
        ("flood: sent / handled / not handled",
         f"{r['flood']} / {r['flood_handled']} / {r['flood_dropped']}"),
        ("slow-down replies to the flooder", str(r["slow_down_replies"])),
        ("flood sent", "all at once" if not r["flood_rate"] else f"{r['flood_rate']:g} a second"),
        ("flood start -> bot took in all of it", f"{r['intake_s']} s"),
        ("flood start -> last reply to it", f"{r['flood_s']} s"
         + ("" if r["flood_cleared"] else " (not cleared: --max-s reached)")),
        ("machine", "{cores} cores, Python {python}; 3e6-square sum in {cpu_check_s} s"
         .format(**r["machine"])),
    ]
    print_rows(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flood", type=int, default=2000, help="updates the flooder sends")
    parser.add_argument("--flood-rate", type=float, default=0.0,
                        help="updates a second the flooder sends (0: all at once)")
    parser.add_argument("--users", type=int, default=10, help="other users asking /help")
    parser.add_argument("--limit", type=int, default=60, help="INBOUND_LIMIT_PER_USER_PER_MIN")
    parser.add_argument("--reference-s", type=float, default=5.0,
                        help="seconds of /help without a flood, for reference")
    parser.add_argument("--max-s", type=float, default=180.0, help="give up on the flood after")
    parser.add_argument("--no-limits", action="store_true",
                        help="no Telegram-like 429s from the sandbox")
    args = parser.parse_args()
    result = asyncio.run(run(args))
    print_table(result)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
