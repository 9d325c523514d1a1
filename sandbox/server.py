"""BotApiServer: a local, Bot API-compatible HTTP server plus the simulated users."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import logging
import time
from collections.abc import Callable
from functools import partial
from types import TracebackType
from typing import Any

from aiohttp import web

from sandbox.errors import INTERNAL, NOT_FOUND, UNAUTHORIZED, ApiError
from sandbox.faults import FaultInjector, Faults, InjectedFault
from sandbox.limits import Clock, RateLimiter, RateLimits, SendLog, admit, is_paid
from sandbox.methods_locations import LOCATION_METHODS
from sandbox.methods_messages import MESSAGE_METHODS, Method
from sandbox.methods_misc import MISC_METHODS
from sandbox.methods_payments import PAYMENT_METHODS
from sandbox.models import TranscriptEvent
from sandbox.params import Params, read_params
from sandbox.sandbox_http import add_sandbox_routes
from sandbox.state import BotIdentity, SandboxState
from sandbox.transcript import TranscriptStream, format_event, format_transcript
from sandbox.updates import WebhookDeliverer
from sandbox.users import SandboxUser

logger = logging.getLogger(__name__)

DEFAULT_LIMITS = RateLimits()
MAX_UPLOAD_BYTES = 52 * 1024 * 1024


_dumps = partial(json.dumps, ensure_ascii=False)


def _chat_id(params: Params) -> int | None:
    try:
        return int(params.get_str("chat_id") or "")
    except ValueError:
        return None


class BotApiServer:
    """A local Telegram Bot API server (private chats only) with in-process users.

    ``limits`` defaults to Telegram-like flood limits; pass ``None`` to disable them.
    ``clock`` (monotonic seconds) drives rate limits, callback-query expiry and live locations'
    live_period. ``sends``: the messages accepted, per second, and how many were paid broadcasts.
    ``pre_checkout_timeout``: how long the bot has to answer a pre-checkout query (Telegram:
    10 s), in real time since the paying user waits for it (see sandbox/precheckout.py).
    """

    def __init__(self, token: str = "123456:TEST-TOKEN", host: str = "127.0.0.1", port: int = 0,
                 limits: RateLimits | None = DEFAULT_LIMITS, faults: Faults | None = None, *,
                 clock: Clock = time.monotonic, bot_name: str = "Foodbot",
                 bot_username: str = "FoodbotSandboxBot", callback_query_ttl: float = 15.0,
                 pre_checkout_timeout: float = 10.0) -> None:
        head = token.split(":", 1)[0]
        self.token = token
        self.host = host
        self._requested_port = port
        self._clock = clock
        identity = BotIdentity(int(head) if head.isdigit() else 1, bot_name, bot_username)
        self.state = SandboxState(identity, clock, callback_query_ttl, pre_checkout_timeout)
        self._limiter: RateLimiter | None = None
        self.set_limits(limits)
        self.sends = SendLog(clock)
        self._faults = FaultInjector(faults)
        self._before_call: Callable[[str, int | None], None] | None = None
        self._methods: dict[str, Method] = {**MESSAGE_METHODS, **LOCATION_METHODS,
                                            **MISC_METHODS, **PAYMENT_METHODS}
        self._users: dict[int, SandboxUser] = {}
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._delivery: asyncio.Task[None] | None = None

    # -- lifecycle ----------------------------------------------------------------------------
    async def start(self) -> None:
        if self._runner is not None:
            raise RuntimeError("BotApiServer is already running")
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        add_sandbox_routes(app, self.state, self.user)
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown)  # keep the JSON envelope
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)  # paths hold the token
        await runner.setup()
        site = web.TCPSite(runner, self.host, self._requested_port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._port = int(runner.addresses[0][1])
        self.state.updates.closed = False
        deliverer = WebhookDeliverer(self.state.updates, self.state.notifier)
        self._delivery = asyncio.create_task(deliverer.run(), name="sandbox-webhook-delivery")
        logger.info("Bot API sandbox listening on %s", self.url)

    async def stop(self) -> None:
        """Stop serving; pending long polls return at once so clients shut down quickly."""
        if self._runner is None:
            return
        self.state.updates.close()
        self.state.transcript.close()
        if self._delivery is not None:
            self._delivery.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._delivery
            self._delivery = None
        runner, self._runner = self._runner, None
        await runner.cleanup()
        logger.info("Bot API sandbox stopped")

    async def __aenter__(self) -> BotApiServer:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.stop()

    # -- addresses ----------------------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("BotApiServer is not started")
        return self._port

    @property
    def url(self) -> str:
        """Root URL, e.g. http://127.0.0.1:8081 (the /sandbox endpoints live below it)."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For telegram.Bot(base_url=...): PTB appends the token."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    # -- configuration ------------------------------------------------------------------------
    def set_limits(self, limits: RateLimits | None) -> None:
        """Replace the flood limits (fresh buckets), or disable them with None."""
        self._limiter = RateLimiter(limits, self._clock) if limits else None

    def set_faults(self, faults: Faults | None) -> None:
        self._faults.configure(faults)

    def fail_next(self, method: str, n: int = 1, code: int = 500, retry_after: int | None = None,
                  description: str | None = None, *, chat_id: int | None = None) -> None:
        """Fail the next n calls of method ("*" = any) with code (429 gets retry_after); with
        chat_id, only the calls towards that chat."""
        self._faults.fail_next(method, n, code, retry_after, description, chat_id)

    def before_call(self, hook: Callable[[str, int | None], None] | None) -> None:
        """Calls ``hook(method, chat_id)`` (lower-case) just before each call is handled, past
        the fault injector: a test acts at an exact point of the bot's work. None: removed."""
        self._before_call = hook

    @property
    def injected_faults(self) -> list[InjectedFault]:
        """Every call failed or delayed on purpose so far, oldest first."""
        return list(self._faults.injected)

    # -- users, transcript, inspection ----------------------------------------------------------
    def user(self, user_id: int, first_name: str | None = None, last_name: str | None = None,
             username: str | None = None, *, language_code: str | None = None,
             phone_number: str | None = None) -> SandboxUser:
        """The simulated user with this id (same object every time); given fields update it."""
        fields = {"first_name": first_name, "last_name": last_name, "username": username,
                  "language_code": language_code, "phone_number": phone_number}
        given = {k: v for k, v in fields.items() if v is not None}
        profile = self.state.ensure_user(user_id, **given)
        sandbox_user = self._users.get(user_id)
        if sandbox_user is None:
            sandbox_user = self._users[user_id] = SandboxUser(self.state, profile)
        return sandbox_user

    @property
    def users(self) -> list[SandboxUser]:
        return list(self._users.values())

    @property
    def transcript(self) -> list[TranscriptEvent]:
        return list(self.state.transcript.events)

    def format_transcript(self, names: dict[int, str] | None = None, *,
                          show_actions: bool = False) -> str:
        return format_transcript(self.state.transcript.events, names, show_actions=show_actions)

    def subscribe(self, replay: bool = False) -> TranscriptStream:
        """Async iterator over transcript events from now on (ends when the server stops)."""
        return self.state.transcript.stream(replay)

    def add_listener(self, listener: Callable[[TranscriptEvent], None]) -> Callable[[], None]:
        """Call listener(event) for each new transcript event; returns an unsubscribe function."""
        return self.state.transcript.add_listener(listener)

    def echo_transcript(self, names: dict[int, str] | None = None,
                        write: Callable[[str], object] = print, *,
                        show_actions: bool = False) -> Callable[[], None]:
        """Print each event as it happens (for live demos); returns an unsubscribe function."""

        def echo(event: TranscriptEvent) -> None:
            for line in format_event(event, names, show_actions=show_actions):
                write(line)

        return self.add_listener(echo)

    @property
    def commands(self) -> dict[str, list[dict[str, str]]]:
        """Commands per scope key: "default", "chat:1001", "all_private_chats/en", ..."""
        return {k: [dict(c) for c in v] for k, v in self.state.commands.items()}

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        return list(self.state.updates.pending)

    def webhook_info(self) -> dict[str, Any]:
        return self.state.updates.webhook_info()

    def file_bytes(self, file_id: str) -> bytes:
        stored = self.state.files.get(file_id)
        if stored is None:
            raise KeyError(file_id)
        return stored.data

    # -- HTTP handlers --------------------------------------------------------------------------
    @staticmethod
    def _reply(error: ApiError | None = None, result: Any = None) -> web.Response:
        body = error.payload() if error is not None else {"ok": True, "result": result}
        return web.json_response(body, status=error.code if error else 200, dumps=_dumps)

    async def _handle_api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._reply(UNAUTHORIZED)
        name = request.match_info["method"]
        method = self._methods.get(name.lower())
        if method is None:
            logger.warning("Bot API method %s is not implemented by the sandbox (404)", name)
            return self._reply(NOT_FOUND)
        try:  # the whole request is received before any delay, like a real server
            params = await read_params(request)
        except ApiError as error:
            return self._reply(error)
        except ConnectionResetError:  # the client went away mid-request (say, it was killed)
            logger.info("a client left during its %s request", name)
            return self._reply(INTERNAL)  # nobody reads it; the call did nothing
        decision = self._faults.decide(name.lower(), _chat_id(params))
        if decision.error is not None or decision.delay_s > 0:
            self.state.notifier.notify()  # waits on injected_faults see it
        if decision.delay_s > 0:
            with contextlib.suppress(TimeoutError):
                await self.state.notifier.wait_for(lambda: self.state.updates.closed or None,
                                                   decision.delay_s)
        if decision.error is not None:
            logger.info("fault injected: %s -> %s", name, decision.error.code)
            return self._reply(decision.error)
        if self._before_call is not None:
            self._before_call(name.lower(), _chat_id(params))
        paid = is_paid(name.lower(), params.get_bool("allow_paid_broadcast"))
        try:
            limited_chat = admit(self._limiter, name.lower(), _chat_id(params), paid=paid)
            result = method(self.state, params)
            if inspect.isawaitable(result):
                result = await result
        except ApiError as error:
            logger.debug("%s -> %s %s", name, error.code, error.description)
            return self._reply(error)
        except Exception:
            logger.exception("sandbox failure while handling %s", name)
            return self._reply(INTERNAL)
        if limited_chat is not None and self._limiter is not None:
            self._limiter.consume(limited_chat, paid=paid)
        self.sends.record(name.lower(), paid=paid)
        return self._reply(result=result)

    async def _handle_unknown(self, request: web.Request) -> web.Response:
        return self._reply(NOT_FOUND)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return self._reply(UNAUTHORIZED)
        stored = self.state.files.by_path(request.match_info["path"])
        if stored is None:
            return self._reply(NOT_FOUND)
        return web.Response(body=stored.data,
                            content_type=stored.mime_type or "application/octet-stream")
