"""`foodbot` — the composition root: settings -> storage -> services -> Application."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot import logs
from bot.ratelimit import StartupFailed
from bot.runner import stop_signal, until_signalled
from bot.settings import ConfigError, Settings, load_settings
from bot.wiring import migrate_database, seed_database, serve

if TYPE_CHECKING:
    from bot.cluster import Cluster

logger = logging.getLogger("foodbot")


def _configure_logging(settings: Settings) -> None:
    logs.configure(settings.log_level)  # one line a record, naming the update it is about
    # request URLs carry the bot token: keep the HTTP client's logs out
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    # the queue and outbox jobs tick twice a second: no INFO line for every run
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # at DEBUG, every SQL statement too: what an operator finding out what an update costs wants
    if logging.getLogger().isEnabledFor(logging.DEBUG):
        logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)


def cmd_migrate(settings: Settings) -> int:
    asyncio.run(migrate_database(settings))
    print(f"Database {settings.database_shown} is up to date.")
    return 0


def cmd_seed(settings: Settings) -> int:
    report = asyncio.run(seed_database(settings))
    print(f"Seeded {settings.database_shown}: {report}")
    return 0


def cmd_run(settings: Settings) -> int:
    settings.token()  # refuse early, with a clear line, when no token is set
    if settings.webhook_url:
        logger.info(
            "starting in webhook mode on %s:%s", settings.webhook_listen, settings.webhook_port
        )
    else:
        logger.info("starting with long polling against %s", settings.telegram_base_url)
    try:
        asyncio.run(serve(settings))
    except StartupFailed as exc:  # retried for STARTUP_RETRY_S, each attempt logged
        print(f"foodbot: could not start against {settings.telegram_base_url}: {exc}",
              file=sys.stderr)
        return 1
    return 0


def cmd_cluster(settings: Settings, instances: int, logs: Path | None) -> int:
    """HAProxy and `instances` webhook instances on this machine, until Ctrl-C."""
    from bot.cluster import Cluster, ClusterError, Layout, new_secret

    token = settings.token()
    asyncio.run(migrate_database(settings))
    layout = Layout.after(settings.webhook_listen, settings.webhook_port, instances)
    host = "127.0.0.1" if settings.webhook_listen in ("0.0.0.0", "::") else layout.listen
    secret = settings.webhook_secret
    cluster = Cluster(
        layout, url=settings.webhook_url or f"http://{host}:{layout.port}/telegram",
        secret=secret.get_secret_value() if secret else new_secret(),
        env=dict(os.environ) | instance_env(settings, token),
        folder=logs or Path(tempfile.mkdtemp(prefix="foodbot-cluster-")))
    try:
        asyncio.run(_serve_cluster(cluster, settings.database_shown))
    except ClusterError as exc:
        print(f"foodbot: {exc}", file=sys.stderr)
        return 1
    return 0


def instance_env(settings: Settings, token: str) -> dict[str, str]:
    """What every instance of `foodbot cluster` is told, whether the operator set it in the
    environment or in `.env`: the bot, the database, and the Redis they share (if any)."""
    env = {"TELEGRAM_BOT_TOKEN": token, "TELEGRAM_BASE_URL": settings.telegram_base_url,
           "TELEGRAM_BASE_FILE_URL": settings.file_url, "DATABASE_URL": settings.database_url,
           "REDIS_PREFIX": settings.redis_prefix}
    if settings.redis_url is not None:
        env["REDIS_URL"] = settings.redis_url
    return env


async def _serve_cluster(cluster: Cluster, database: str) -> None:
    layout = cluster.layout
    stop = stop_signal()
    await cluster.start()
    try:
        print(f"Balancer (HAProxy) on {layout.listen}:{layout.port}, webhook {cluster.url}\n"
              f"  statistics {layout.stats_url}, log {cluster.balancer_log}")
        for index, name in enumerate(layout.names):
            print(f"Instance {name} on 127.0.0.1:{layout.instance_ports[index]}, "
                  f"pid {cluster.pid(index)}, log {cluster.log_of(index)}")
        print(f"Database {database}. Ctrl-C stops everything.", flush=True)
        await until_signalled(stop)
    finally:
        await cluster.stop()


def cmd_demo(settings: Settings) -> int:
    from bot.demo import play  # the sandbox server loads only for the demo

    logging.getLogger().setLevel(logging.WARNING)  # the transcript is the output
    return asyncio.run(play())


def cmd_start(settings: Settings) -> int:
    """The quick start's main job: the live bot with a token, the demo without."""
    if settings.telegram_bot_token is None:
        print("No TELEGRAM_BOT_TOKEN configured: playing the offline demo instead.\n")
        return cmd_demo(settings)
    return cmd_run(settings)


COMMANDS = {
    "migrate": cmd_migrate, "seed": cmd_seed, "run": cmd_run, "demo": cmd_demo,
    "start": cmd_start,
}


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {value!r}")
    return int(value)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="foodbot", description="Food delivery in Telegram.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("run", help="run the bot (polling, or webhook when WEBHOOK_URL is set)")
    sub.add_parser("migrate", help="upgrade the database schema to the latest revision")
    sub.add_parser("seed", help="add sample restaurants and menus (safe to repeat)")
    sub.add_parser("demo", help="play a whole order offline against the local Bot API server")
    sub.add_parser("start", help="`run` when a token is configured, otherwise `demo`")
    cluster = sub.add_parser(
        "cluster", help="HAProxy and N instances in webhook mode on this machine, until Ctrl-C")
    cluster.add_argument("--instances", type=_positive, default=2, metavar="N",
                         help="how many `foodbot run` instances (default 2)")
    cluster.add_argument("--logs", type=Path, metavar="DIR",
                         help="where the logs and haproxy.cfg go (default: a new temp folder)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        settings = load_settings()
        _configure_logging(settings)
        if args.command == "cluster":
            return cmd_cluster(settings, args.instances, args.logs)
        return COMMANDS[args.command](settings)
    except ConfigError as exc:
        print(f"foodbot: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
