"""Run the sandbox standalone: ``python -m sandbox --port 8081 --token 123456:TEST-TOKEN``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys

from sandbox.server import BotApiServer


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sandbox",
                                     description="Local Telegram Bot API sandbox server.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:TEST-TOKEN")
    parser.add_argument("--no-limits", action="store_true", help="disable flood limits (429s)")
    parser.add_argument("--quiet", action="store_true", help="do not print the live transcript")
    parser.add_argument("--log-level", default="WARNING")
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    server = BotApiServer(args.token, args.host, args.port)
    if args.no_limits:
        server.set_limits(None)
    await server.start()
    print(f"Bot API sandbox running. base_url={server.base_url} "
          f"base_file_url={server.base_file_url}", flush=True)
    print(f"User side: curl -X POST {server.url}/sandbox/users/1001/send "
          "-H 'Content-Type: application/json' -d '{\"text\": \"/start\"}'", flush=True)
    if not args.quiet:
        server.echo_transcript(write=lambda line: print(line, flush=True))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # Windows: Ctrl-C still raises
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await server.stop()
        print("Bot API sandbox stopped.", flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
