"""PTB's request layer on aiohttp's client: every Bot API call the bot makes goes through here.

PTB's own `HTTPXRequest` (httpx on httpcore on anyio) costs more CPU per call than the call's
work: httpcore checks every idle keep-alive connection of its pool (through anyio's attribute
lookup) twice per request, and a bot handling 32 updates at once keeps about 25 open. aiohttp's
pool hands out an idle connection without touching the others (README, Running at scale ›
Where the CPU goes, for the figures).

It behaves as `HTTPXRequest` does where the bot can tell: the same timeouts and defaults
(read, write, connect 5 s, pool 1 s, uploads 20 s to write), parameters sent form-encoded and
files as multipart, a timeout raised as `TimedOut` and any other transport failure as
`NetworkError`. aiohttp times the phases a little differently: the pool wait and the connect
together (bounded by their sum), the read from the moment the body is written, and no single
write; so each request is also bounded as a whole by the sum of its four timeouts. A proxy
comes from the environment (HTTPS_PROXY, ALL_PROXY), as with httpx.
"""

from __future__ import annotations

import re
import urllib.request
from typing import Final

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_TOKEN_IN_PATH: Final = re.compile(r"/bot[^/\s]+")  # /bot<token>/method, /file/bot<token>/path


def _hidden(text: str) -> str:
    """An error's text without the bot token, which aiohttp puts in some (the URL)."""
    return _TOKEN_IN_PATH.sub("/bot<token>", text)


def _sum(*parts: float | None) -> float | None:
    return None if any(p is None for p in parts) else sum(p for p in parts if p is not None)


class AiohttpRequest(BaseRequest):
    """One `aiohttp.ClientSession` with a pool of `connection_pool_size` connections."""

    __slots__ = ("_connect", "_media_write", "_pool", "_pool_size", "_read", "_session",
                 "_write")

    def __init__(
        self, connection_pool_size: int = 256, read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0, connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0, media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read, self._write, self._media_write = read_timeout, write_timeout, \
            media_write_timeout
        self._connect, self._pool = connect_timeout, pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        """Opens the session (in the running event loop, which it then belongs to)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
                # reading the proxy variables costs a lookup per request: only when set
                trust_env=bool(urllib.request.getproxies()),
            )

    async def shutdown(self) -> None:
        """Closes the session and its connections; safe to repeat."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data is not None and request_data.contains_files
        read = self._read if isinstance(read_timeout, DefaultValue) else read_timeout
        write = (self._media_write if files else self._write) \
            if isinstance(write_timeout, DefaultValue) else write_timeout
        connect = self._connect if isinstance(connect_timeout, DefaultValue) else connect_timeout
        pool = self._pool if isinstance(pool_timeout, DefaultValue) else pool_timeout
        timeout = aiohttp.ClientTimeout(
            total=_sum(pool, connect, write, read), connect=_sum(pool, connect),
            sock_connect=connect, sock_read=read)
        try:
            async with session.request(method, url, data=_body(request_data),
                                       timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as exc:  # aiohttp's own timeouts are TimeoutErrors too
            raise TimedOut(_hidden(f"aiohttp.{type(exc).__name__}: {exc}")) from None
        except aiohttp.ClientError as exc:
            raise NetworkError(_hidden(f"aiohttp.{type(exc).__name__}: {exc}")) from None


def _body(request_data: RequestData | None) -> aiohttp.FormData | None:
    """The parameters form-encoded, or with the files as multipart, as PTB gives them."""
    if request_data is None:
        return None
    form = aiohttp.FormData(request_data.json_parameters)
    if request_data.contains_files:
        for name, (filename, content, mime) in request_data.multipart_data.items():
            form.add_field(name, content, filename=filename, content_type=mime)
    return form
