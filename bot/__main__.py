"""`foodbot` — the composition root: settings -> storage -> services -> Application."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from bot import logs
from bot.ratelimit import StartupFailed
from bot.settings import ConfigError, Settings, load_settings
from bot.wiring import migrate_database, seed_database, serve, where

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
    print(f"Database {where(settings.database_url)} is up to date.")
    return 0


def cmd_seed(settings: Settings) -> int:
    report = asyncio.run(seed_database(settings))
    print(f"Seeded {where(settings.database_url)}: {report}")
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


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="foodbot", description="Food delivery in Telegram.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("run", help="run the bot (polling, or webhook when WEBHOOK_URL is set)")
    sub.add_parser("migrate", help="upgrade the database schema to the latest revision")
    sub.add_parser("seed", help="add sample restaurants and menus (safe to repeat)")
    sub.add_parser("demo", help="play a whole order offline against the local Bot API server")
    sub.add_parser("start", help="`run` when a token is configured, otherwise `demo`")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        settings = load_settings()
        _configure_logging(settings)
        return COMMANDS[args.command](settings)
    except ConfigError as exc:
        print(f"foodbot: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
