"""Webhook mode into the inbox (DESIGN.md §4): an update is stored before the webhook answers
200, so Telegram delivers again whatever was not stored (it retries any other answer).

A small aiohttp server in place of PTB's, whose handler answers 200 as soon as the update is
in the in-memory queue. It answers 403 to a request without the secret token (when one is
set), 400 to a body that is not an update, 500 when storing failed (Telegram retries).
"""

from __future__ import annotations

import hmac
import logging
from urllib.parse import urlsplit

from aiohttp import web

from bot.intake import Intake, arrival
from bot.listening import Listening
from bot.ops import Ops
from bot.ops_http import add_routes

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookServer(Listening):
    """Listens on `listen`:`port` (0: any free port), at `/` and at the webhook URL's path."""

    def __init__(
        self, intake: Intake, *, listen: str, port: int, url: str,
        secret: str | None, ops: Ops | None = None,
    ) -> None:
        """`ops`: also serves GET /healthz and /metrics (bot/ops_http.py)."""
        super().__init__(listen=listen, port=port)
        self._intake, self._ops = intake, ops
        self._secret = secret
        self._paths = sorted({"/", urlsplit(url).path or "/"})

    async def start(self) -> None:
        app = web.Application()
        for path in self._paths:
            app.router.add_post(path, self._receive)
        if self._ops is not None:
            add_routes(app.router, self._ops)
        await self.serve(app)

    async def _receive(self, request: web.Request) -> web.Response:
        if self._secret is not None:
            given = request.headers.get(SECRET_HEADER, "")
            if not hmac.compare_digest(given.encode(), self._secret.encode()):
                return web.Response(status=403)
        try:
            update = arrival(await request.json())
        except ValueError:  # not JSON, or not an update (MalformedUpdate)
            return web.Response(status=400)
        try:
            await self._intake.take([update])
        except Exception:
            logger.exception("could not store update %s: Telegram will send it again",
                             update.update_id)
            return web.Response(status=500)
        return web.Response(status=200)
