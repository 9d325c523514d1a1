"""The admin console's dish options and menu export, answered (bot/admin/handlers.py hands
them here): /options, /setgroup, /dropgroup, /option and /exportmenu."""

from __future__ import annotations

from telegram import Message

from bot.admin import texts
from bot.admin.commands import (
    DropGroup,
    ExportMenu,
    OptionCommand,
    SetGroup,
    SetOptionAvailable,
    ShowOptions,
)
from domain.ids import UserId
from domain.menu_export import menu_file, menu_file_name
from domain.services.admin.options import OptionAdmin


async def answer_options(message: Message, service: OptionAdmin, actor: UserId,
                         command: OptionCommand, currency: str) -> str:
    """The dish's options after the change (or as they are); the export as a document."""
    match command:
        case ShowOptions(item_id):
            return texts.options(await service.dish(item_id), currency)
        case SetGroup(item_id, group):
            changed = await service.set_group(actor, item_id, group)
            return texts.group_set(changed, group.name, currency)
        case DropGroup(item_id, name):
            changed = await service.drop_group(actor, item_id, name)
            return texts.group_dropped(changed, name, currency)
        case SetOptionAvailable(item_id, group, option, available):
            changed = await service.set_option_available(actor, item_id, group, option,
                                                         available)
            return texts.option_switched(changed, option, available, currency)
        case ExportMenu(restaurant_id):
            export = await service.menu(restaurant_id)
            await message.reply_document(menu_file(export.items, currency),
                                         filename=menu_file_name(restaurant_id))
            return texts.menu_exported(export)
    raise AssertionError(f"not a dish options command: {command!r}")
