"""The admin handlers: the bot answers exactly the commands of the spec table, and those that
come with a photo or a file also as its caption."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, MessageHandler

from bot.admin.handlers import admin_command
from bot.admin.specs import COMMANDS, Attachment
from bot.app import build_app
from bot.context import AppType
from bot.settings import load_settings
from bot.wiring import build_services
from storage.db import make_engine, make_sessionmaker

ADMIN = 9001
ATTACHMENTS: dict[Attachment, dict[str, Any]] = {
    Attachment.PHOTO: {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 90,
                                  "height": 90}]},
    Attachment.DOCUMENT: {"document": {"file_id": "d", "file_unique_id": "d",
                                       "file_name": "menu.csv"}},
}


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[AppType]:
    """The whole bot as `foodbot run` builds it; not started, so no network."""
    settings = load_settings(_env_file=None, telegram_bot_token="123456:handlers-test-token",
                             database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
                             admin_ids=frozenset({ADMIN}))
    engine = make_engine(settings.database_url)
    yield build_app(build_services(settings, make_sessionmaker(engine)))
    await engine.dispose()


def admin_handlers(app: AppType) -> list[BaseHandler[Any, Any, Any]]:
    return [h for group in app.handlers.values() for h in group if h.callback is admin_command]


def captioned(attachment: Attachment, caption: str) -> Update:
    message = {"message_id": 1, "date": 0, "chat": {"id": ADMIN, "type": "private"},
               "from": {"id": ADMIN, "is_bot": False, "first_name": "Meera"},
               "caption": caption, **ATTACHMENTS[attachment]}
    return Update.de_json({"update_id": 1, "message": message}, None)


def test_every_command_of_the_spec_table_and_no_other_is_answered_as_a_text(
    app: AppType,
) -> None:
    answered = {name for handler in admin_handlers(app) if isinstance(handler, CommandHandler)
                for name in handler.commands}
    assert answered == set(COMMANDS)


@pytest.mark.parametrize("attachment", list(Attachment))
def test_a_command_that_comes_with_an_attachment_is_answered_only_as_its_caption(
    app: AppType, attachment: Attachment
) -> None:
    captions = [h for h in admin_handlers(app) if isinstance(h, MessageHandler)]
    for spec in COMMANDS.values():
        update = captioned(attachment, f"/{spec.name} 12")
        taken = any(handler.check_update(update) for handler in captions)
        assert taken == (spec.attachment == attachment), spec.name
    assert any(spec.attachment == attachment for spec in COMMANDS.values())
