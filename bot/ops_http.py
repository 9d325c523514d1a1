"""`GET /healthz` and `GET /metrics` over HTTP (bot/ops.py says what they answer): the routes,
added to the webhook server's application, and the small server of their own that serves them
in polling mode when METRICS_PORT is set. Imported only then: aiohttp costs about 10 MB of
resident memory, which a bot that only polls does not need.
"""

from __future__ import annotations

import logging

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot.listening import Listening
from bot.ops import Ops
from bot.settings import ConfigError

logger = logging.getLogger(__name__)


def add_routes(router: web.UrlDispatcher, ops: Ops) -> None:
    """GET /healthz and GET /metrics of `ops` on `router`."""

    async def healthz(request: web.Request) -> web.Response:
        healthy, body = await ops.health()
        return web.json_response(body, status=200 if healthy else 503)

    async def metrics(request: web.Request) -> web.Response:
        response = web.Response(body=await ops.metrics.scrape())
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response

    router.add_get("/healthz", healthz)
    router.add_get("/metrics", metrics)


class OpsServer(Listening):
    """`/healthz` and `/metrics` on a port of their own (polling mode)."""

    def __init__(self, ops: Ops, *, listen: str, port: int) -> None:
        super().__init__(listen=listen, port=port)
        self._ops = ops

    async def start(self) -> None:
        app = web.Application()
        add_routes(app.router, self._ops)
        try:
            await self.serve(app)
        except OSError as exc:  # in use, or not an address of this machine
            raise ConfigError(f"METRICS_LISTEN/METRICS_PORT: cannot listen on "
                              f"{self._listen}:{self._port} ({exc.strerror or exc})") from None
        logger.info("health and metrics on http://%s:%d/healthz and /metrics",
                    self._listen, self.port)
