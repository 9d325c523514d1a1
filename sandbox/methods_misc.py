"""Bot API methods about the bot itself: getMe, updates, webhooks, commands, files, chats."""

from __future__ import annotations

import re
from typing import Any

from sandbox.apiobjects import bot_user, chat_full_info
from sandbox.errors import bad_request
from sandbox.files import MAX_DOWNLOAD_BYTES
from sandbox.methods_messages import Method
from sandbox.params import Params
from sandbox.state import SandboxState
from sandbox.updates import WebhookConfig

_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def get_me(state: SandboxState, p: Params) -> dict[str, Any]:
    return bot_user(state.bot, full=True)


def ok(state: SandboxState, p: Params) -> bool:
    """logOut / close / cosmetic settings: nothing to do locally."""
    return True


def _allowed_updates(p: Params) -> list[str] | None:
    value = p.get_json("allowed_updates")
    if value is None:
        return None
    if not isinstance(value, list):
        raise bad_request("can't parse allowed_updates JSON array")
    return [str(v) for v in value]


async def get_updates(state: SandboxState, p: Params) -> list[dict[str, Any]]:
    limit = p.get_int("limit", 100) or 100
    timeout = p.get_float("timeout") or 0.0
    return await state.updates.get_updates(
        offset=p.get_int("offset", 0) or 0, limit=min(max(limit, 1), 100),
        timeout=max(timeout, 0.0), allowed=_allowed_updates(p))


def set_webhook(state: SandboxState, p: Params) -> bool:
    url = (p.get_str("url") or "").strip()
    if not url:
        return delete_webhook(state, p)
    if not url.startswith(("http://", "https://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = p.get_str("secret_token")
    if secret is not None and not _SECRET_RE.match(secret):
        raise bad_request("secret token contains unallowed characters")
    allowed = _allowed_updates(p)
    queue = state.updates
    if p.get_bool("drop_pending_updates"):
        queue.drop_pending()
    queue.set_allowed(allowed)
    queue.webhook = WebhookConfig(url=url, secret_token=secret or None,
                                  max_connections=p.get_int("max_connections", 40) or 40,
                                  ip_address=p.get_str("ip_address"))
    state.notifier.notify()
    return True


def delete_webhook(state: SandboxState, p: Params) -> bool:
    if p.get_bool("drop_pending_updates"):
        state.updates.drop_pending()
    state.updates.webhook = WebhookConfig()
    state.notifier.notify()
    return True


def get_webhook_info(state: SandboxState, p: Params) -> dict[str, Any]:
    return state.updates.webhook_info()


def scope_key(p: Params) -> str:
    """A readable key for a command scope: "default", "chat:1001", "default/en", ..."""
    scope = p.get_json("scope")
    if scope is None:
        scope = {"type": "default"}
    if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
        raise bad_request("can't parse BotCommandScope JSON object")
    key = scope["type"]
    for field in ("chat_id", "user_id"):
        if field in scope:
            key += f":{scope[field]}"
    language = p.get_str("language_code")
    return f"{key}/{language}" if language else key


def set_my_commands(state: SandboxState, p: Params) -> bool:
    commands = p.get_json("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("can't parse commands JSON array")
    clean: list[dict[str, str]] = []
    for item in commands:
        if not isinstance(item, dict):
            raise bad_request("can't parse BotCommand JSON object")
        command = str(item.get("command", "")).lstrip("/")
        description = str(item.get("description", ""))
        if not _COMMAND_RE.match(command):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(description) <= 256:
            raise bad_request("command description must be non-empty")
        clean.append({"command": command, "description": description})
    key = scope_key(p)
    if clean:
        state.commands[key] = clean
    else:
        state.commands.pop(key, None)
    return True


def get_my_commands(state: SandboxState, p: Params) -> list[dict[str, str]]:
    return [dict(c) for c in state.commands.get(scope_key(p), [])]


def delete_my_commands(state: SandboxState, p: Params) -> bool:
    state.commands.pop(scope_key(p), None)
    return True


def get_file(state: SandboxState, p: Params) -> dict[str, Any]:
    file_id = p.require_str("file_id", bad_request("file_id is empty"))
    stored = state.files.get(file_id)
    if stored is None:
        raise bad_request("invalid file_id")
    if stored.size > MAX_DOWNLOAD_BYTES:
        raise bad_request("file is too big")
    return stored.file_dict()


def get_chat(state: SandboxState, p: Params) -> dict[str, Any]:
    chat_id = p.require_str("chat_id", bad_request("chat_id is empty"))
    try:
        chat = state.chats.get(int(chat_id))
    except ValueError:
        chat = None
    if chat is None:
        raise bad_request("chat not found")
    return chat_full_info(state.users[chat.id])


MISC_METHODS: dict[str, Method] = {
    "getme": get_me,
    "logout": ok,
    "close": ok,
    "getupdates": get_updates,
    "setwebhook": set_webhook,
    "deletewebhook": delete_webhook,
    "getwebhookinfo": get_webhook_info,
    "setmycommands": set_my_commands,
    "getmycommands": get_my_commands,
    "deletemycommands": delete_my_commands,
    "getfile": get_file,
    "getchat": get_chat,
    # accepted and ignored: cosmetic settings a bot may apply at startup
    "setmydescription": ok,
    "setmyshortdescription": ok,
    "setmyname": ok,
    "setchatmenubutton": ok,
}

