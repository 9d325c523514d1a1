"""Each chat's language on the real database (bot/languages.py): taken from the user's Telegram
app on first contact, kept, changed only by /language; groups and unknown languages get the
default."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.languages import ChatLanguages
from storage.languages import SqlLanguages

ASHA, IVAN, HANS, KITCHEN = 101, 102, 103, -1001


def message_from(user: int, language_code: str | None) -> dict[str, object]:
    sender: dict[str, object] = {"id": user, "is_bot": False, "first_name": "X"}
    if language_code is not None:
        sender["language_code"] = language_code
    return {"update_id": 1, "message": {"message_id": 1, "from": sender, "text": "/start"}}


async def test_first_contact_keeps_the_apps_language_and_later_changes_of_the_app_do_not(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    languages = ChatLanguages(SqlLanguages(session_factory), "en")

    assert await languages.first_contact(ASHA, message_from(ASHA, "hi-IN")) == "hi"
    assert await languages.first_contact(ASHA, message_from(ASHA, "ru")) == "ru"  # the reply

    assert await languages.of([ASHA]) == {ASHA: "hi"}


async def test_a_language_we_do_not_speak_or_a_group_gets_the_default_and_is_not_stored(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    store = SqlLanguages(session_factory)
    languages = ChatLanguages(store, "hi")

    assert await languages.first_contact(HANS, message_from(HANS, "de")) == "hi"
    assert await languages.first_contact(IVAN, message_from(IVAN, None)) == "hi"
    assert await languages.first_contact(KITCHEN, message_from(ASHA, "ru")) == "hi"

    assert await store.of([HANS, IVAN, KITCHEN]) == {}
    assert await languages.of([HANS, KITCHEN]) == {HANS: "hi", KITCHEN: "hi"}


async def test_a_chosen_language_replaces_the_first_one_for_every_later_message(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    languages = ChatLanguages(SqlLanguages(session_factory), "en")
    await languages.first_contact(IVAN, message_from(IVAN, "en"))

    await languages.choose(IVAN, "ru")
    await languages.choose(KITCHEN, "hi")

    assert await languages.of([IVAN, KITCHEN, ASHA]) == {IVAN: "ru", KITCHEN: "hi", ASHA: "en"}
