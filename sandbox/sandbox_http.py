"""/sandbox/... HTTP endpoints: a thin curl-friendly layer over the user-side Python API.

    POST /sandbox/users/{id}                 {"first_name", "last_name", "username", "phone_number"}
    POST /sandbox/users/{id}/send            {"text"}
    POST /sandbox/users/{id}/press           {"text"} | {"message_id", "data"}  (+ "wait": s)
    POST /sandbox/users/{id}/location        {"latitude", "longitude"}
    POST /sandbox/users/{id}/live_location   {"latitude", "longitude", "live_period" (900)}
    POST /sandbox/users/{id}/move_live_location  {"message_id", "latitude", "longitude",
                                                  "heading"}
    POST /sandbox/users/{id}/stop_live_location  {"message_id"}
    POST /sandbox/users/{id}/contact         {"phone_number"}
    POST /sandbox/users/{id}/photo           {"data_base64", "caption"} or multipart file=
    POST /sandbox/users/{id}/document        {"file_name", "data_base64", "caption"} or multipart
    POST /sandbox/users/{id}/reply_button    {"text", "latitude", "longitude", "phone_number"}
    POST /sandbox/users/{id}/pay             {"message_id" (default: newest invoice), "tip",
                                              "duplicate"}  -> the Payment, once known
    POST /sandbox/users/{id}/delete          {"message_id"}  (the bot is not told)
    POST /sandbox/users/{id}/block | unblock
    POST /sandbox/users/{id}/wait            {"text", "timeout", "new"}
    GET  /sandbox/users/{id}/chat            GET /sandbox/users        GET /sandbox
    GET  /sandbox/transcript[?format=text]
"""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from sandbox.errors import SandboxError
from sandbox.models import ChatMessage
from sandbox.params import Params, Upload, read_params
from sandbox.state import SandboxState
from sandbox.transcript import format_transcript
from sandbox.users import SandboxUser

UserFactory = Callable[..., SandboxUser]
Action = Callable[[SandboxUser, Params], Awaitable[Any]]


def _json(result: Any, status: int = 200) -> web.Response:
    body = {"ok": True, "result": result} if status == 200 else {"ok": False, "error": result}
    return web.json_response(body, status=status,
                             dumps=lambda v: json.dumps(v, ensure_ascii=False))


def message_json(message: ChatMessage | None) -> dict[str, Any] | None:
    return dataclasses.asdict(message) if message is not None else None


def _upload(p: Params, default_name: str) -> tuple[str, bytes]:
    upload = p.files.get("file")
    if isinstance(upload, Upload):
        return p.get_str("file_name") or upload.filename or default_name, upload.data
    encoded = p.get_str("data_base64")
    if encoded is None:
        raise SandboxError("send a multipart 'file' or a JSON 'data_base64'")
    return p.get_str("file_name") or default_name, base64.b64decode(encoded)


def _required_float(p: Params, name: str) -> float:
    value = p.get_float(name)
    if value is None:
        raise SandboxError(f"'{name}' is required")
    return value


async def _send(u: SandboxUser, p: Params) -> Any:
    return message_json(await u.send(p.get_str("text") or ""))


async def _press(u: SandboxUser, p: Params) -> Any:
    message_id = p.get_int("message_id")
    data = p.get_str("data")
    if data is not None and message_id is not None:
        press = await u.press_data(message_id, data)
    else:
        press = await u.press(p.get_str("text") or "", message_id=message_id)
    result: dict[str, Any] = {"press": dataclasses.asdict(press)}
    wait = p.get_float("wait")
    if wait:
        result["answer"] = dataclasses.asdict(await u.wait_for_answer(press, wait))
    return result


async def _location(u: SandboxUser, p: Params) -> Any:
    return message_json(await u.share_location(_required_float(p, "latitude"),
                                               _required_float(p, "longitude")))


async def _live_location(u: SandboxUser, p: Params) -> Any:
    return message_json(await u.share_live_location(
        _required_float(p, "latitude"), _required_float(p, "longitude"),
        p.get_int("live_period", 900) or 900))


async def _move_live_location(u: SandboxUser, p: Params) -> Any:
    message_id = p.require_int("message_id", SandboxError("'message_id' is required"))
    return message_json(await u.move_live_location(
        message_id, _required_float(p, "latitude"), _required_float(p, "longitude"),
        heading=p.get_int("heading")))


async def _stop_live_location(u: SandboxUser, p: Params) -> Any:
    message_id = p.require_int("message_id", SandboxError("'message_id' is required"))
    return message_json(await u.stop_live_location(message_id))


async def _contact(u: SandboxUser, p: Params) -> Any:
    return message_json(await u.share_contact(p.get_str("phone_number")))


async def _photo(u: SandboxUser, p: Params) -> Any:
    name, data = _upload(p, "photo.jpg")
    return message_json(await u.send_photo(data, p.get_str("caption"), file_name=name))


async def _document(u: SandboxUser, p: Params) -> Any:
    name, data = _upload(p, "file.bin")
    return message_json(await u.send_document(name, data, p.get_str("caption")))


async def _reply_button(u: SandboxUser, p: Params) -> Any:
    lat, lon = p.get_float("latitude"), p.get_float("longitude")
    location = (lat, lon) if lat is not None and lon is not None else None
    text = p.require_str("text", SandboxError("'text' is required"))
    return message_json(await u.tap_reply_button(text, location=location,
                                                 phone_number=p.get_str("phone_number")))


async def _pay(u: SandboxUser, p: Params) -> Any:
    message_id = p.get_int("message_id")
    if message_id is None:
        invoices = [m for m in u.bot_messages if m.invoice is not None]
        if not invoices:
            raise SandboxError(f"{u.name} has no invoice to pay")
        message_id = invoices[-1].message_id
    payment = await u.pay(message_id, tip=p.get_int("tip", 0) or 0,
                          duplicate=p.get_bool("duplicate"))
    return {**dataclasses.asdict(payment), "ok": payment.ok}


async def _delete(u: SandboxUser, p: Params) -> Any:
    u.delete(p.require_int("message_id", SandboxError("'message_id' is required")))
    return True


async def _block(u: SandboxUser, p: Params) -> Any:
    u.block()
    return True


async def _unblock(u: SandboxUser, p: Params) -> Any:
    u.unblock()
    return True


async def _wait(u: SandboxUser, p: Params) -> Any:
    text = p.get_str("text") or ""
    timeout = p.get_float("timeout") or 5.0
    if p.get_bool("new"):
        needle = text.casefold()
        return message_json(await u.wait_for_new(lambda m: needle in m.content.casefold(),
                                                 timeout=timeout))
    return message_json(await u.wait_for_text(text, timeout))


async def _create(u: SandboxUser, p: Params) -> Any:
    return _user_json(u)


def _user_json(u: SandboxUser) -> dict[str, Any]:
    return {**dataclasses.asdict(u.profile), "message_count": len(u.messages)}


ACTIONS: dict[str, Action] = {
    "send": _send, "press": _press, "location": _location, "live_location": _live_location,
    "move_live_location": _move_live_location, "stop_live_location": _stop_live_location,
    "contact": _contact,
    "photo": _photo, "document": _document, "reply_button": _reply_button, "pay": _pay,
    "delete": _delete, "block": _block, "unblock": _unblock, "wait": _wait,
}


def add_sandbox_routes(app: web.Application, state: SandboxState,
                       user_factory: UserFactory) -> None:
    def user_from(request: web.Request, p: Params) -> SandboxUser:
        profile = {k: p.get_str(k) for k in ("first_name", "last_name", "username", "phone_number")}
        return user_factory(int(request.match_info["user_id"]),
                            **{k: v for k, v in profile.items() if v})

    async def action(request: web.Request) -> web.Response:
        name = request.match_info.get("action", "")
        handler = ACTIONS.get(name, _create)
        if name and name not in ACTIONS:
            return _json(f"unknown action {name!r}; try one of {sorted(ACTIONS)}", 404)
        try:
            p = await read_params(request)
            return _json(await handler(user_from(request, p), p))
        except SandboxError as exc:
            return _json(str(exc), 400)
        except TimeoutError as exc:
            return _json(str(exc), 408)
        except (ValueError, KeyError) as exc:
            return _json(f"bad request: {exc}", 400)

    async def chat(request: web.Request) -> web.Response:
        u = user_factory(int(request.match_info["user_id"]))
        keyboard = u.reply_keyboard
        return _json({"user": _user_json(u), "messages": [message_json(m) for m in u.messages],
                      "reply_keyboard": None if keyboard is None else
                      [[dataclasses.asdict(b) for b in row] for row in keyboard]})

    async def users(request: web.Request) -> web.Response:
        return _json([_user_json(user_factory(uid)) for uid in sorted(state.users)])

    async def transcript(request: web.Request) -> web.Response:
        events = state.transcript.events
        if request.query.get("format") == "text":
            return web.Response(text=format_transcript(events) + "\n")
        return _json([e.to_dict() for e in events])

    async def overview(request: web.Request) -> web.Response:
        return _json({"bot": dataclasses.asdict(state.bot), "users": sorted(state.users),
                      "webhook": state.updates.webhook_info(),
                      "pending_updates": len(state.updates.pending), "commands": state.commands})

    app.router.add_get("/sandbox", overview)
    app.router.add_get("/sandbox/users", users)
    app.router.add_post("/sandbox/users/{user_id:-?\\d+}", action)
    app.router.add_post("/sandbox/users/{user_id:-?\\d+}/{action}", action)
    app.router.add_get("/sandbox/users/{user_id:-?\\d+}/chat", chat)
    app.router.add_get("/sandbox/transcript", transcript)
