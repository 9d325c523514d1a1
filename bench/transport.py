"""Bot API call cost by request class: PTB's HTTPXRequest against bot/aiohttp_request.py, side
by side in one run (issue 11: the bot's CPU per update, about half of it in Bot API calls).

    python bench/transport.py [--calls 400] [--rounds 5] [--concurrency 1,32]

The local Bot API server (sandbox/) runs in a process of its own with its flood limits off, so
this process's CPU time (user + system, every thread) is the client's alone. Each round, for
each concurrency and each request class in turn (the order swapped every round), a fresh
`telegram.Bot` on that class makes, after a warm-up that fills its pool, `--calls` calls of each
method the bot makes most: sendMessage and editMessageText (a text and an inline keyboard of
the bot's usual size), answerCallbackQuery (of presses made just before) and getUpdates
(nothing pending, timeout 0), from `concurrency` tasks at once. Prints CPU ms per call and
calls a second, per method and over all four, the median and range over the rounds, the
ratio of the two classes, and the load average; then one JSON line. Not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.request import BaseRequest, HTTPXRequest

from bench.report import machine, print_rows
from bot.aiohttp_request import AiohttpRequest

TOKEN = "123456:TRANSPORT-local-sandbox-token"
USERS = range(700_001, 700_033)  # one chat per task at the highest concurrency
TEXT = ("🍕 <b>Dominos</b>: Margherita, Pepperoni, Four cheeses, Veggie. Your cart: 2 dishes, "
        "24.50 EUR. Delivery in about 35 minutes to 221B Baker Street. ") * 2
KEYBOARD = InlineKeyboardMarkup([
    [InlineKeyboardButton("➕ Pizza", callback_data="add:12:3"),
     InlineKeyboardButton("➖ Pizza", callback_data="rm:12:3")],
    [InlineKeyboardButton("🛒 Cart (2)", callback_data="cart"),
     InlineKeyboardButton("✅ Checkout", callback_data="co:7")],
])
CLASSES: dict[str, Callable[[], BaseRequest]] = {
    "httpx": HTTPXRequest,  # PTB's default, as ApplicationBuilder builds it
    "aiohttp": AiohttpRequest,
}
METHODS = ("sendMessage", "editMessageText", "answerCallbackQuery", "getUpdates")
Call = Callable[[int, int], Awaitable[object]]


def start_server() -> tuple[subprocess.Popen[str], str]:
    """The sandbox in its own process; its root URL."""
    server = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", "0", "--no-limits", "--quiet",
         "--token", TOKEN], stdout=subprocess.PIPE, text=True,
        cwd=Path(__file__).resolve().parent.parent)
    assert server.stdout is not None
    line = server.stdout.readline()
    base_url = line.split("base_url=", 1)[1].split()[0]
    return server, base_url.removesuffix("/bot")


class World:
    """The users' side, through the sandbox's own HTTP endpoints (not measured)."""

    def __init__(self, root: str, session: aiohttp.ClientSession) -> None:
        self.root, self.session = root, session
        self.messages: dict[int, int] = {}  # user -> a bot message with the keyboard

    async def post(self, path: str, body: dict[str, Any]) -> Any:
        async with self.session.post(f"{self.root}/sandbox/{path}", json=body) as response:
            return (await response.json())["result"]

    async def presses(self, count: int) -> list[str]:
        """`count` callback queries, made now (they expire after 15 s)."""
        users = list(self.messages)
        found = await asyncio.gather(*(
            self.post(f"users/{users[i % len(users)]}/press",
                      {"message_id": self.messages[users[i % len(users)]], "data": "cart"})
            for i in range(count)))
        return [f["press"]["query_id"] for f in found]


async def drain(bot: Bot) -> int:
    """Acknowledges every pending update; the offset that leaves none."""
    offset = 0
    while updates := await bot.get_updates(offset=offset, timeout=0, limit=100):
        offset = updates[-1].update_id + 1
    return offset


async def run_calls(call: Call, calls: int, tasks: int) -> tuple[float, float]:
    """CPU seconds and wall seconds for `calls` calls from `tasks` tasks at once."""
    async def worker(k: int) -> None:
        for i in range(k, calls, tasks):
            await call(k, i)

    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker(k) for k in range(tasks)))
    return time.process_time() - cpu, time.perf_counter() - wall


async def segment(world: World, base_url: str, name: str, tasks: int, calls: int
                  ) -> dict[str, Any]:
    """One request class at one concurrency: each method's CPU ms per call and calls/s."""
    load = os.getloadavg()[0]
    bot = Bot(TOKEN, base_url=f"{base_url}/bot", request=CLASSES[name](),
              get_updates_request=CLASSES[name]())
    async with bot:
        users = list(USERS)[:tasks]
        sent = await asyncio.gather(*(bot.send_message(u, TEXT, reply_markup=KEYBOARD)
                                      for u in users for _ in range(2)))  # fills the pool
        mine = {k: sent[2 * k].message_id for k in range(tasks)}
        queries: list[str] = []
        offset = 0
        steps: dict[str, Call] = {
            "sendMessage": lambda k, i: bot.send_message(users[k], TEXT, reply_markup=KEYBOARD),
            "editMessageText": lambda k, i: bot.edit_message_text(
                f"{TEXT}{i}", chat_id=users[k], message_id=mine[k], reply_markup=KEYBOARD),
            "answerCallbackQuery": lambda k, i: bot.answer_callback_query(queries[i]),
            "getUpdates": lambda k, i: bot.get_updates(offset=offset, timeout=0),
        }
        figures: dict[str, Any] = {"load": load}
        for method in METHODS:
            if method == "answerCallbackQuery":  # presses made just before: they expire
                queries = await world.presses(calls)
            if method == "getUpdates":  # the presses' updates acknowledged: none pending
                offset = await drain(bot)
            cpu_s, wall_s = await run_calls(steps[method], calls, tasks)
            figures[method] = {"cpu_ms": 1000 * cpu_s / calls, "per_s": calls / wall_s}
    total_cpu = sum(figures[m]["cpu_ms"] for m in METHODS) / len(METHODS)
    total_wall = sum(1 / figures[m]["per_s"] for m in METHODS) / len(METHODS)
    figures["all"] = {"cpu_ms": total_cpu, "per_s": 1 / total_wall}
    return figures


def spread(values: list[float], digits: int = 3) -> str:
    return (f"{statistics.median(values):.{digits}f} "
            f"({min(values):.{digits}f}-{max(values):.{digits}f})")


def report(runs: list[dict[str, Any]], levels: list[int]) -> dict[str, Any]:
    rows: list[tuple[str, str]] = []
    summary: dict[str, Any] = {}
    for tasks in levels:
        for method in (*METHODS, "all"):
            figures = {name: [r[name][method] for r in runs if r["tasks"] == tasks]
                       for name in CLASSES}
            cpu_ratio = [a["cpu_ms"] / h["cpu_ms"]
                         for a, h in zip(figures["aiohttp"], figures["httpx"], strict=True)]
            rate_ratio = [a["per_s"] / h["per_s"]
                          for a, h in zip(figures["aiohttp"], figures["httpx"], strict=True)]
            for name in CLASSES:
                rows.append((f"c={tasks} {method} {name}: CPU ms/call; calls/s",
                             f"{spread([f['cpu_ms'] for f in figures[name]])}; "
                             f"{spread([f['per_s'] for f in figures[name]], 0)}"))
            rows.append((f"c={tasks} {method} aiohttp / httpx: CPU; calls/s",
                         f"{spread(cpu_ratio, 2)}; {spread(rate_ratio, 2)}"))
            summary[f"c{tasks}_{method}"] = {
                **{f"{n}_cpu_ms": round(statistics.median(f["cpu_ms"] for f in figures[n]), 4)
                   for n in CLASSES},
                **{f"{n}_per_s": round(statistics.median(f["per_s"] for f in figures[n]), 1)
                   for n in CLASSES},
                "cpu_ratio": round(statistics.median(cpu_ratio), 3),
                "rate_ratio": round(statistics.median(rate_ratio), 3)}
    loads = [r["load"] for r in runs]
    rows.append(("load average (1 min) at each segment", f"{min(loads):.2f}-{max(loads):.2f}"))
    print_rows(rows)
    return summary


async def main(calls: int, rounds: int, levels: list[int]) -> None:
    server, root = start_server()
    try:
        async with aiohttp.ClientSession() as session:
            world = World(root, session)
            async with Bot(TOKEN, base_url=f"{root}/bot") as setup:
                for user in USERS:
                    await world.post(f"users/{user}/send", {"text": "/start"})
                    sent = await setup.send_message(user, TEXT, reply_markup=KEYBOARD)
                    world.messages[user] = sent.message_id
            runs: list[dict[str, Any]] = []
            for round_ in range(rounds):
                order = list(CLASSES) if round_ % 2 == 0 else list(reversed(CLASSES))
                for tasks in levels:
                    for name in order:
                        figures = await segment(world, root, name, tasks, calls)
                        runs.append({"tasks": tasks, "load": figures["load"], name: figures})
                        print(f"round {round_ + 1} c={tasks} {name}: "
                              f"{figures['all']['cpu_ms']:.3f} ms/call, "
                              f"{figures['all']['per_s']:.0f} calls/s, load {figures['load']}",
                              file=sys.stderr)
    finally:
        server.terminate()
        server.wait()
    summary = report(_pairs(runs, levels), levels)
    print(json.dumps({"calls": calls, "rounds": rounds, "summary": summary,
                      "load": [r["load"] for r in runs], "machine": machine()}))


def _pairs(runs: list[dict[str, Any]], levels: list[int]) -> list[dict[str, Any]]:
    """Each round's two classes at one concurrency as one record."""
    paired: list[dict[str, Any]] = []
    for tasks in levels:
        mine = [r for r in runs if r["tasks"] == tasks]
        for first, second in zip(mine[::2], mine[1::2], strict=True):
            paired.append({"tasks": tasks, "load": max(first["load"], second["load"]),
                           **{k: v for r in (first, second) for k, v in r.items()
                              if k in CLASSES}})
    return paired


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=400, help="calls of each method a segment")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", default="1,32")
    args = parser.parse_args()
    asyncio.run(main(args.calls, args.rounds, [int(c) for c in args.concurrency.split(",")]))
