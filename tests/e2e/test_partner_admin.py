"""Admins manage delivery partners in chat: /partners, /approve, /revoke and /invite codes
that a new partner uses with /partner CODE (single use, 7 days)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from bot import texts
from domain.ids import OrderId, UserId
from domain.partners import Partner, PartnerStatus
from sandbox import BotApiServer, ChatMessage, SandboxUser
from storage.rows import InviteRow
from tests.e2e.fast_pipeline import (  # noqa: F401  (fixtures)
    no_flood_limits,
    ready_at_once,
    settings,
)
from tests.e2e.journey import TIMEOUT, Uows, order_pizza, press, say

NEWCOMER, NEWCOMER_2 = 3001, 3002
NOT_VALID = "invite code is not valid"


async def stored_partner(uows: Uows, user_id: int) -> Partner | None:
    async with uows() as uow:
        return await uow.partners.get(UserId(user_id))


async def invites(uows: Uows) -> list[tuple[object, ...]]:
    async with uows() as uow:
        rows = await uow.session.execute(select(InviteRow.code, InviteRow.used_by))
    return sorted(tuple(r) for r in rows)


async def offer_for(user: SandboxUser) -> ChatMessage:
    return await user.wait_for(lambda m: m.has_button(texts.ACCEPT_OFFER_BUTTON),
                               timeout=TIMEOUT)


async def approved_by_admin(admin: SandboxUser, partner: SandboxUser) -> None:
    await say(admin, "/start", "Foodbot")
    await say(partner, "/partner", "with our admins")
    await admin.wait_for_text("wants to deliver", timeout=TIMEOUT)
    await say(admin, f"/approve {partner.id}", f"Approved partner {partner.id}")
    await partner.wait_for_text("Welcome aboard", timeout=TIMEOUT)


async def new_invite(admin: SandboxUser) -> str:
    shown = await say(admin, "/invite", "Invite code")
    found = re.search(r"/partner ([A-Z0-9]{8})", shown.content)
    assert found is not None, shown.content
    return found[1]


async def test_an_approved_partner_is_told_and_then_gets_offers(
    bot: object, admin: SandboxUser, partner: SandboxUser, customer: SandboxUser, uows: Uows
) -> None:
    await approved_by_admin(admin, partner)
    stored = await stored_partner(uows, partner.id)
    assert stored is not None and stored.status == PartnerStatus.APPROVED

    await say(partner, "/online", "Online")
    tracking = await order_pizza(customer)
    offer = await offer_for(partner)
    assert f"order #{tracking.content.split('Order #')[1].split()[0]}" in offer.content


@pytest.mark.usefixtures("ready_at_once")
async def test_revoking_waits_for_the_delivery_to_end_and_then_stops_the_partner(
    bot: object, admin: SandboxUser, partner: SandboxUser, customer: SandboxUser, uows: Uows,
) -> None:
    await approved_by_admin(admin, partner)
    await say(partner, "/online", "Online")
    await order_pizza(customer)
    offer = await offer_for(partner)
    card = await press(partner, texts.ACCEPT_OFFER_BUTTON, "Pick up", message_id=offer.message_id)

    refusal = await say(admin, f"/revoke {partner.id}", "revoke them after it ends")
    assert "is on delivery #" in refusal.content
    busy = await stored_partner(uows, partner.id)
    assert busy is not None and busy.status == PartnerStatus.APPROVED

    await press(partner, texts.PICKED_UP_BUTTON, "On the way", message_id=card.message_id)
    await press(partner, texts.DELIVERED_BUTTON, "delivered. Thank you",
                message_id=card.message_id)
    await say(admin, f"/revoke {partner.id}", f"Revoked partner {partner.id}")
    await partner.wait_for_text("withdrawn", timeout=TIMEOUT)
    revoked = await stored_partner(uows, partner.id)
    assert revoked is not None and (revoked.status, revoked.online) == (
        PartnerStatus.REVOKED, False)
    await say(partner, "/online", "approved delivery partners")
    await say(admin, f"/revoke {partner.id}", "revoked already")


async def test_partners_lists_every_partner_with_their_status(
    bot: object, admin: SandboxUser, uows: Uows
) -> None:
    async with uows() as uow:
        for partner in (
            Partner(UserId(2001), "Ravi", PartnerStatus.PENDING),
            Partner(UserId(2002), "Kiran", PartnerStatus.APPROVED, online=True),
            Partner(UserId(2003), "Sita", PartnerStatus.APPROVED),
            Partner(UserId(2004), "Arjun", PartnerStatus.APPROVED, online=True,
                    active_order_id=OrderId(42)),
            Partner(UserId(2005), "Meena", PartnerStatus.REVOKED),
        ):
            await uow.partners.save(partner)
        await uow.commit()

    listed = await say(admin, "/partners", "delivery partners")

    for line in ("2001 Ravi · pending approval", "2002 Kiran · online", "2003 Sita · offline",
                 "2004 Arjun · on a job #42", "2005 Meena · revoked"):
        assert line in listed.content, listed.content


async def test_an_invite_code_approves_one_new_partner_and_only_once(
    bot: object, server: BotApiServer, admin: SandboxUser, uows: Uows
) -> None:
    first = server.user(NEWCOMER, first_name="Dev")
    second = server.user(NEWCOMER_2, first_name="Zoya")
    code = await new_invite(admin)

    await say(first, f"/partner {code}", "Partner panel")
    joined = await stored_partner(uows, NEWCOMER)
    assert joined is not None and joined.status == PartnerStatus.APPROVED
    await say(first, "/online", "Online")

    before = await invites(uows)
    await say(second, f"/partner {code}", NOT_VALID)
    assert await stored_partner(uows, NEWCOMER_2) is None
    assert await invites(uows) == before == [(code, NEWCOMER)]


async def test_an_unknown_or_expired_code_is_refused_and_changes_nothing(
    bot: object, server: BotApiServer, admin: SandboxUser, uows: Uows
) -> None:
    newcomer = server.user(NEWCOMER, first_name="Dev")
    code = await new_invite(admin)
    async with uows() as uow:
        await uow.session.execute(update(InviteRow).values(
            expires_at=datetime.now(UTC) - timedelta(minutes=1)))
        await uow.commit()

    await say(newcomer, f"/partner {code}", NOT_VALID)
    await say(newcomer, "/partner ZZZZ2222", NOT_VALID)
    await say(newcomer, "/partner hello", "not an invite code")
    assert await stored_partner(uows, NEWCOMER) is None
    assert await invites(uows) == [(code, None)]
