"""The one error handler: whatever failed unexpectedly, in a handler or a job.

It logs the failure with the update's kind and the user's id (the bot token scrubbed from
the text: an HTTP error can carry the request URL, which contains it), answers the press
if the press path could not, apologises to the user, and has the admins told through the
outbox, once per distinct error per window (domain.services.error_alerts).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterable

from telegram import Update
from telegram.error import TelegramError

from bot import texts
from bot.context import AppContext
from bot.handlers.common import answered
from bot.settings import Settings
from domain.services.error_alerts import ErrorAlerts, Failure

logger = logging.getLogger(__name__)
OUR_PACKAGES = frozenset({"bot", "domain", "storage"})
# a driver shim: what fails in it is the statement's, named by the code that ran the statement
NOT_OURS = frozenset({"storage.sqlite_driver"})
REDACTED = "<redacted>"


async def on_error(update: object, context: AppContext) -> None:
    """Logs the failure; the user sees a short apology instead of silence or a spinning button."""
    error = context.error
    if error is None:
        return
    secrets = secrets_of(context.services.settings)
    failure = failure_of(error, update, context.job.name if context.job else None)
    user = update.effective_user.id if isinstance(update, Update) and update.effective_user else "-"
    logger.error("%s from user %s failed: %s in %s\n%s", failure.update_kind, user,
                 failure.error_type, failure.where, scrub(_traceback(error), secrets))
    if isinstance(update, Update):
        await _apologise(update, secrets)
    await alert_admins(context.services.error_alerts, failure, secrets)


async def alert_admins(alerts: ErrorAlerts, failure: Failure, secrets: Iterable[str]) -> None:
    """Has the admins told of `failure`; when that fails too (the database may be what
    failed), a warning: the caller's own log line has it all."""
    try:
        await alerts.report(failure)
    except Exception as exc:
        logger.warning("could not alert the admins: %s", scrub(repr(exc), secrets))


async def _apologise(update: Update, secrets: list[str]) -> None:
    """Answers the press unless the press path did, then replies with the apology."""
    query = update.callback_query
    if query is not None and not answered(query):
        try:
            await query.answer(texts.PRESS_FAILED, show_alert=True)
        except TelegramError as exc:
            logger.warning("could not answer press %s: %s", query.id, scrub(str(exc), secrets))
    if update.effective_message is not None:
        try:
            await update.effective_message.reply_text(texts.SORRY)
        except TelegramError as exc:
            logger.warning("could not apologise in update %s: %s", update.update_id,
                           scrub(str(exc), secrets))


def failure_of(error: BaseException, update: object, job: str | None = None) -> Failure:
    """What failed, for the log and the admins: the exception's type, where in our code, and
    the kind of update (or the job) being handled. Never the message, which may quote a user."""
    kind = type(error)
    name = kind.__qualname__ if kind.__module__ == "builtins" else (
        f"{kind.__module__}.{kind.__qualname__}")
    return Failure(name, innermost_place(error), update_kind(update, job))


def update_kind(update: object, job: str | None = None) -> str:
    """"message", "callback_query", "edited_message"...; "job <name>" for a job."""
    if isinstance(update, Update):
        return next((kind for kind in Update.ALL_TYPES if getattr(update, kind) is not None),
                    "update")
    return f"job {job}" if job else "unknown"


def innermost_place(error: BaseException) -> str:
    """Module and function of the innermost frame in our packages (bot, domain, storage) the
    exception passed through; of its innermost frame at all when none is ours."""
    ours = innermost = "unknown"
    frame_tb = error.__traceback__
    while frame_tb is not None:
        frame = frame_tb.tb_frame
        module = str(frame.f_globals.get("__name__", "?"))
        innermost = f"{module}.{frame.f_code.co_qualname}"
        if module.partition(".")[0] in OUR_PACKAGES and module not in NOT_OURS:
            ours = innermost
        frame_tb = frame_tb.tb_next
    return ours if ours != "unknown" else innermost


def secrets_of(settings: Settings) -> list[str]:
    """What must never reach a log: the bot token, its secret half on its own (it survives URL
    encoding of the colon), and the webhook secret; longest first."""
    found: list[str] = []
    for secret in (settings.telegram_bot_token, settings.webhook_secret):
        if secret is not None:
            value = secret.get_secret_value()
            found += [value, value.partition(":")[2]]
    return sorted({s for s in found if s}, key=len, reverse=True)


def scrub(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return text


def _traceback(error: BaseException) -> str:
    return "".join(traceback.format_exception(error)).rstrip()
