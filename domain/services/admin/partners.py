"""The admin console's partners: the list, approving and revoking, invite codes.

Each change is audited, and the partner told, in the same unit of work.
"""

from __future__ import annotations

from dataclasses import replace

from domain.errors import InvalidInput, NotAllowed
from domain.ids import UserId
from domain.invites import (
    VALID_FOR,
    InviteCode,
    code_from_token,
)
from domain.messages import Notification, PartnerApproved, PartnerRevoked
from domain.paging import Keyset, keyset
from domain.partners import Partner, PartnerStatus
from domain.ports import Clock, TokenSource
from domain.services.admin.common import found, record
from domain.services.admin.ports import AdminUnitOfWork, AdminUowFactory, partner_target

LISTED = 20  # partners a page of /partners shows

class PartnerAdmin:
    """Delivery partners as admins manage them; `actor` is the admin's user id (checked by
    the caller)."""

    def __init__(self, uows: AdminUowFactory, clock: Clock, tokens: TokenSource) -> None:
        self._uows = uows
        self._clock = clock
        self._tokens = tokens

    async def partners(self, *, before: int | None = None, after: int | None = None
                       ) -> Keyset[Partner, int]:
        """A page of the partners who ever asked to deliver, by user id, highest first
        (domain.paging)."""
        async with self._uows() as uow:
            found = await uow.partners.list(LISTED + 1, before=before, after=after)
        return keyset(found, LISTED, lambda partner: partner.id, before=before, after=after)

    async def approve_partner(self, actor: UserId, partner_id: UserId) -> Partner:
        """A pending (or revoked) partner may deliver; they are told in the same transaction."""
        async with self._uows() as uow:
            partner = await _partner(uow, partner_id)
            if partner.status == PartnerStatus.APPROVED:
                raise InvalidInput("{name} (#{partner_id}) is approved already",
                                   name=partner.name, partner_id=partner.id)
            approved = replace(partner, status=PartnerStatus.APPROVED)
            await uow.partners.save(approved)
            now = self._clock.now()
            await uow.outbox.add(Notification(partner.id, PartnerApproved(partner.name)), now)
            await record(uow, self._clock, actor, "approve_partner", partner_target(partner_id),
                         partner.name)
            await uow.commit()
            return approved

    async def revoke_partner(self, actor: UserId, partner_id: UserId) -> Partner:
        """The partner goes offline and gets no more offers; refused while on a delivery."""
        async with self._uows() as uow:
            partner = await _partner(uow, partner_id)
            if partner.status == PartnerStatus.REVOKED:
                raise InvalidInput("{name} (#{partner_id}) is revoked already",
                                   name=partner.name, partner_id=partner.id)
            if not await uow.partners.revoke(partner_id):  # conditional: no active delivery
                busy = await _partner(uow, partner_id)
                raise NotAllowed(
                    f"{busy.name} (#{busy.id}) is on delivery #{busy.active_order_id}; "
                    "please revoke them after it ends")
            now = self._clock.now()
            await uow.outbox.add(Notification(partner.id, PartnerRevoked(partner.name)), now)
            await record(uow, self._clock, actor, "revoke_partner", partner_target(partner_id),
                         partner.name)
            await uow.commit()
            return replace(partner, status=PartnerStatus.REVOKED, online=False)

    async def make_invite(self, actor: UserId) -> InviteCode:
        """A fresh single-use partner invite code, valid for VALID_FOR."""
        now = self._clock.now()
        invite = InviteCode(code_from_token(self._tokens.new_token()), actor, now,
                            now + VALID_FOR)
        async with self._uows() as uow:
            await uow.invites.add(invite)
            await record(uow, self._clock, actor, "make_invite", "invite code",
                         f"valid until {invite.expires_at:%Y-%m-%d %H:%M} UTC")
            await uow.commit()
        return invite


async def _partner(uow: AdminUnitOfWork, partner_id: UserId) -> Partner:
    return found(await uow.partners.get(partner_id), "partner", partner_id)
