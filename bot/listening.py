"""A small aiohttp server's life: listen, say on which port, stop. The webhook server and the
health-and-metrics server of polling mode are both one."""

from __future__ import annotations

from aiohttp import web


class Listening:
    """Serves an aiohttp application on `listen`:`port` (0: any free port) between `serve`
    and `stop`."""

    def __init__(self, *, listen: str, port: int) -> None:
        self._listen, self._port = listen, port
        self._runner: web.AppRunner | None = None

    @property
    def port(self) -> int:
        """The port listened on (known once started)."""
        assert self._runner is not None, "not started"
        return int(self._runner.addresses[0][1])

    async def serve(self, app: web.Application) -> None:
        """Listens; raises (OSError when the address is taken) with nothing left open."""
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        try:
            await web.TCPSite(runner, self._listen, self._port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
