"""The admin console's wording: the command list, refusals, the audit, and import reports that
stay within one Telegram message."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

from bot.admin import texts
from bot.admin.specs import COMMANDS
from domain.errors import InvalidInput, NotFound
from domain.ids import MenuItemId, RestaurantId, UserId
from domain.menu_import import Rejection
from domain.restaurants import MenuItem
from domain.services.admin.catalogue import ImportResult
from domain.services.admin.ports import AuditEntry


def test_an_import_report_with_hundreds_of_rejections_stays_under_telegram_s_limit() -> None:
    rejected = tuple(Rejection(n, f"price 'x{n}' is not an amount <b>") for n in range(2, 502))
    added = (MenuItem(MenuItemId(7), RestaurantId(3), "Dosa & Co", 9000),)
    report = texts.menu_imported(ImportResult(added, (), (), rejected), 3, "INR")

    assert len(report) < 4096
    assert report.startswith("Menu of restaurant #3 imported: 1 added, 0 updated, "
                             "0 unchanged, 500 rejected.")
    assert "#7 <b>Dosa &amp; Co</b>" in report and "&lt;b&gt;" in report
    assert report.splitlines()[-1].startswith("… and ") and "more lines" in report


def test_refusals_name_the_missing_thing_and_escape_the_problem() -> None:
    assert texts.refusal(NotFound("restaurant", 9)) == "There is no restaurant #9."
    assert texts.refusal(NotFound("menu item", 4)) == "There is no dish #4."
    assert texts.refusal(InvalidInput("name <x> is bad")) == "Name &lt;x&gt; is bad."


def test_the_audit_shows_who_when_and_what() -> None:
    at = datetime(2026, 11, 25, 14, 5, tzinfo=UTC)
    text = texts.audit([AuditEntry(UserId(9001), at, "set_price", "item #12", "26000")])
    assert text.splitlines()[1] == "2026-11-25 14:05 UTC · by 9001 · set_price item #12 · 26000"
    assert texts.audit([]) == texts.NO_AUDIT


def test_admin_help_lists_every_command_with_its_syntax() -> None:
    text = texts.admin_help()
    for spec in COMMANDS.values():
        assert f"<code>{escape(spec.syntax)}</code> — {escape(spec.summary)}" in text
