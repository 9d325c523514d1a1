"""Partner management on the real database: approve, revoke, and single-use invite codes,
also when two people use one code at the same moment (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from sqlalchemy import select

from domain.errors import InvalidInput, NotAllowed
from domain.ids import OrderId, UserId
from domain.invites import ALPHABET, CODE_LENGTH
from domain.messages import Kind
from domain.partners import Partner, PartnerStatus
from domain.services.admin.partners import PartnerAdmin
from domain.services.partners import BadInviteCode, PartnerService
from storage.admin_repositories import SqlAdminUnitOfWork
from storage.rows import InviteRow, OutboxRow
from storage.uow import SqlUnitOfWork
from tests.integration.builders import FixedClock

ADMIN = UserId(9001)
RAVI, KIRAN = UserId(2001), UserId(2002)


@pytest.fixture
def partners(
    uow_factory: Callable[[], SqlUnitOfWork], admin_uows: Callable[[], SqlAdminUnitOfWork],
    clock: FixedClock,
) -> PartnerService:
    return PartnerService(uow_factory, clock, frozenset({ADMIN}), admin_uows)


async def partner(uows: Callable[[], SqlUnitOfWork], pid: UserId) -> Partner | None:
    async with uows() as uow:
        return await uow.partners.get(pid)


async def outbox_kinds(uows: Callable[[], SqlUnitOfWork], chat: int) -> list[str]:
    async with uows() as uow:
        stmt = select(OutboxRow.kind).where(OutboxRow.chat_id == chat).order_by(OutboxRow.id)
        return list((await uow.session.execute(stmt)).scalars())


async def test_one_invite_code_used_by_two_people_at_once_approves_exactly_one(
    partner_admin: PartnerAdmin, partners: PartnerService, uow_factory: Callable[[], SqlUnitOfWork],
) -> None:
    invite = await partner_admin.make_invite(ADMIN)
    assert len(invite.code) == CODE_LENGTH and set(invite.code) <= set(ALPHABET)

    results = await asyncio.gather(
        partners.join_with_code(RAVI, "Ravi", invite.code),
        partners.join_with_code(KIRAN, "Kiran", invite.code.lower()),
        return_exceptions=True,
    )

    joined = [r for r in results if isinstance(r, Partner)]
    refused = [r for r in results if isinstance(r, BadInviteCode)]
    assert len(joined) == 1 and len(refused) == 1, results
    winner = joined[0]
    loser = KIRAN if winner.id == RAVI else RAVI
    stored = await partner(uow_factory, winner.id)
    assert stored is not None and stored.status == PartnerStatus.APPROVED
    assert await partner(uow_factory, loser) is None
    async with uow_factory() as uow:
        row = (await uow.session.execute(select(InviteRow.used_by))).scalar_one()
    assert row == winner.id


async def test_an_expired_or_unknown_code_changes_nothing(
    partner_admin: PartnerAdmin, partners: PartnerService, uow_factory: Callable[[], SqlUnitOfWork],
    clock: FixedClock,
) -> None:
    invite = await partner_admin.make_invite(ADMIN)
    clock.advance(days=7, seconds=1)
    with pytest.raises(BadInviteCode):
        await partners.join_with_code(RAVI, "Ravi", invite.code)
    with pytest.raises(BadInviteCode):
        await partners.join_with_code(RAVI, "Ravi", "ZZZZZZZZ")
    with pytest.raises(BadInviteCode):
        await partners.join_with_code(RAVI, "Ravi", "not-a-code")
    assert await partner(uow_factory, RAVI) is None


async def test_approve_and_revoke_tell_the_partner_and_revoke_waits_for_the_delivery(
    partner_admin: PartnerAdmin, partners: PartnerService, uow_factory: Callable[[], SqlUnitOfWork],
    admin_uows: Callable[[], SqlAdminUnitOfWork],
) -> None:
    await partners.join(RAVI, "Ravi")
    approved = await partner_admin.approve_partner(ADMIN, RAVI)
    assert approved.status == PartnerStatus.APPROVED
    with pytest.raises(InvalidInput):
        await partner_admin.approve_partner(ADMIN, RAVI)
    assert await outbox_kinds(uow_factory, RAVI) == [Kind.PARTNER_APPROVED]

    async with uow_factory() as uow:  # on a delivery (as dispatch would set it)
        await uow.partners.save(Partner(RAVI, "Ravi", PartnerStatus.APPROVED, online=True,
                                        active_order_id=OrderId(77)))
        await uow.commit()
    with pytest.raises(NotAllowed, match="#77"):
        await partner_admin.revoke_partner(ADMIN, RAVI)
    busy = await partner(uow_factory, RAVI)
    assert busy is not None and busy.status == PartnerStatus.APPROVED and busy.online

    async with uow_factory() as uow:
        await uow.partners.save(Partner(RAVI, "Ravi", PartnerStatus.APPROVED, online=True))
        await uow.commit()
    await partner_admin.revoke_partner(ADMIN, RAVI)
    revoked = await partner(uow_factory, RAVI)
    assert revoked is not None and (revoked.status, revoked.online) == (
        PartnerStatus.REVOKED, False)
    assert await outbox_kinds(uow_factory, RAVI) == [Kind.PARTNER_APPROVED, Kind.PARTNER_REVOKED]
    async with admin_uows() as uow:
        actions = [e.action for e in await uow.audit.latest(10)]
    assert actions == ["revoke_partner", "approve_partner"]
