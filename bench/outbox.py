"""The outbox sender alone against the local Bot API server with Telegram's flood limits on.

    python bench/outbox.py [--chats 200] [--per-chat 3] [--paid] [--database-url postgresql+asyncpg://...]

The local server runs in this process with its flood limits on (about 30 messages a second
for the bot, bursts of 3 and then one a second per chat, 429 past them), and `--chats` users
who have opened their chat. A fresh database (a temporary SQLite file, or the one
`--database-url` names, migrated; its outbox must be empty) gets `--per-chat` notifications
for every chat in one commit, as a burst of orders' moves would write them; then the real
bot (`bot.wiring.polling`, the same Application `foodbot run` starts, with its default
settings: 30 a second overall, 1 a second per chat) starts and sends them. Measured from the
server's side: messages a second from the first arrival to the last (and in the busiest and
the quietest full second in between), the 429s the bot ran into, whether every chat got its
messages in order, and duplicates. No replies compete: nobody writes to the bot meanwhile.

On PostgreSQL the outbox is analysed once the notes are written: a table filled in one commit
has no statistics until autovacuum's next look (up to a minute), and until then the planner
scans the outbox for every chat's head (a claim of 100 among 6,000 rows took 0.37 s, not 0.04).

`--paid` runs the bot with PAID_BROADCAST on (its default PAID_BROADCAST_PER_S, 1000): every
notification goes as a paid broadcast, which the server counts against its own limit (1000 a
second) and reports (`paid`: what Telegram would charge Stars for). The per-chat limit still
holds, so give it enough chats (`--chats 2000`) to see the sender's own ceiling.

Prints a table and one JSON line. Not a test: nothing here is timed by pytest.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text

from bench.report import Refusals, machine, print_rows
from bot.settings import load_settings
from bot.wiring import migrate_database, polling
from domain.messages import Notification, OfferExpired
from sandbox import BotApiServer, RateLimits
from storage.db import make_engine, make_sessionmaker
from storage.uow import uow_factory

TOKEN = "123456:OUTBOX-local-sandbox-token"
FIRST_CHAT = 700_001


async def run(args: argparse.Namespace, url: str) -> dict[str, Any]:
    refusals = Refusals()
    sandbox_log = logging.getLogger("sandbox.server")
    sandbox_log.setLevel(logging.INFO)
    sandbox_log.addHandler(refusals)
    try:
        async with BotApiServer(token=TOKEN, limits=RateLimits()) as server:
            settings = load_settings(
                _env_file=None, telegram_bot_token=TOKEN, telegram_base_url=server.base_url,
                telegram_base_file_url=server.base_file_url, database_url=url,
                paid_broadcast=args.paid)
            await migrate_database(settings)
            chats = [FIRST_CHAT + n for n in range(args.chats)]
            for chat_id in chats:
                server.user(chat_id, first_name=f"User{chat_id}")
                server.state.open_chat(chat_id)  # as if each had written to the bot before
            total = await write_notes(url, chats, args.per_chat)
            started = time.monotonic()
            async with polling(settings):
                await server.state.notifier.wait_for(
                    lambda: arrived(server, chats) >= total or None, args.timeout)
            took = time.monotonic() - started
    finally:
        sandbox_log.removeHandler(refusals)
    return report(server, chats, args, total, took, refusals.count)


async def write_notes(url: str, chats: list[int], per_chat: int) -> int:
    """`per_chat` notes for every chat, in one commit; note n goes to chat n % len(chats)."""
    engine = make_engine(url)
    try:
        async with uow_factory(make_sessionmaker(engine))() as uow:
            now = datetime.now(UTC)
            for n in range(len(chats) * per_chat):
                await uow.outbox.add(Notification(chats[n % len(chats)], OfferExpired(n)), now)
            await uow.commit()
        if engine.dialect.name == "postgresql":  # the planner's statistics, as on a live table
            async with engine.begin() as connection:
                await connection.execute(text("ANALYZE outbox"))
    finally:
        await engine.dispose()
    return len(chats) * per_chat


def arrived(server: BotApiServer, chats: list[int]) -> int:
    return sum(len(server.user(chat_id).bot_messages) for chat_id in chats)


def report(server: BotApiServer, chats: list[int], args: argparse.Namespace, total: int,
           took: float, refused: int) -> dict[str, Any]:
    ours = set(chats)
    sent = [e for e in server.transcript if e.kind == "bot_message" and e.chat_id in ours]
    times = sorted(e.time for e in sent)  # the server's clock, as each message arrived
    numbers: dict[int, list[int]] = {}
    for event in sent:
        numbers.setdefault(event.chat_id, []).append(int(event.text.split("#")[1].split()[0]))
    in_order = all(ns == sorted(ns) for ns in numbers.values())
    copies = Counter((chat_id, n) for chat_id, ns in numbers.items() for n in ns)
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    per_second = Counter(int(t - times[0]) for t in times)
    full = [per_second[s] for s in range(int(span))]  # the whole seconds between first and last
    return {
        "bench": "outbox", "chats": len(chats), "per_chat": args.per_chat, "messages": total,
        "paid_broadcast": args.paid, "paid": server.sends.paid,
        "arrived": len(times), "duplicates": sum(n - 1 for n in copies.values()),
        "per_s": round((len(times) - 1) / span, 1) if span else None,
        "busiest_s": max(full, default=None), "quietest_s": min(full, default=None),
        "each_second": full,
        "span_s": round(span, 2), "start_to_last_s": round(took, 2), "http_429": refused,
        "chat_order_kept": in_order, "machine": machine(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--per-chat", type=int, default=3)
    parser.add_argument("--database-url", default=None,
                        help="an empty, or migrated and empty, database (default: a temporary "
                             "SQLite file)")
    parser.add_argument("--paid", action="store_true",
                        help="PAID_BROADCAST on: notifications as paid broadcasts (1000 a second)")
    parser.add_argument("--timeout", type=float, default=300.0, help="give up after, s")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(folder) / 'outbox.db'}"
        result = asyncio.run(run(args, url))
    print_rows([
        ("messages, chats", f"{result['messages']} to {result['chats']} chats "
                            f"({result['per_chat']} each), written in one commit"),
        ("arrived, duplicates", f"{result['arrived']}, {result['duplicates']}"),
        ("sent a second", f"{result['per_s']} first to last arrival over "
                          f"{result['span_s']} s (busiest second {result['busiest_s']}, "
                          f"quietest {result['quietest_s']}); Telegram allows about 30, "
                          "1000 paid"),
        ("paid broadcasts", f"{result['paid']} (PAID_BROADCAST "
                            f"{'on' if result['paid_broadcast'] else 'off'})"),
        ("429s", str(result["http_429"])),
        ("every chat in order", str(result["chat_order_kept"])),
        ("bot start to last arrival", f"{result['start_to_last_s']} s"),
        ("machine", "{cores} cores, Python {python}, SQLite {sqlite}; 3e6-square sum in "
                    "{cpu_check_s} s".format(**result["machine"])),
    ])
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
