"""Delivery partners in chat: joining, going online and offline, the current job (DESIGN.md §5).

Offers, accepting, pickup and delivery are the pipeline's (domain.pipeline.ports.PipelineActions);
this is the partner's own state, kept in the partners table like everything else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from domain.errors import N_, DomainError, InvalidInput
from domain.ids import UserId
from domain.invites import InviteCodes, normalize_code
from domain.messages import Notification, PartnerRequest
from domain.orders import Order
from domain.partners import Partner, PartnerStatus
from domain.ports import Clock, PartnerRepository, Transaction, UnitOfWork
from domain.restaurants import Restaurant


class BadInviteCode(InvalidInput):
    """A code that is mistyped, used up or expired; nothing changes."""


class InviteUnitOfWork(Transaction, Protocol):
    """What joining with an invite code needs, in one transaction."""

    partners: PartnerRepository
    invites: InviteCodes


class NotAPartner(DomainError):
    """Partner commands from someone who is not an approved partner."""

    code = "not_partner"


@dataclass(frozen=True, slots=True)
class Job:
    """A partner's active delivery: the order and where to pick it up."""

    order: Order
    restaurant: Restaurant


class PartnerService:
    def __init__(
        self, uow_factory: Callable[[], UnitOfWork], clock: Clock, admin_ids: frozenset[int],
        invite_uows: Callable[[], InviteUnitOfWork],
    ) -> None:
        self._uow = uow_factory
        self._clock = clock
        self._admins = admin_ids
        self._invite_uows = invite_uows

    async def join_with_code(self, user_id: UserId, name: str, code: str) -> Partner:
        """Joins APPROVED at once with a valid invite code, which is used up; BadInviteCode
        (nothing changed) for a wrong, used or expired one. An approved or revoked partner
        is returned as they are and the code stays unused."""
        wanted = normalize_code(code)
        if wanted is None:
            raise BadInviteCode(N_("that is not an invite code"))
        async with self._invite_uows() as uow:
            # the conditional UPDATE first: it takes the write lock before any read, and of
            # two people with one code only the first matches the row
            if not await uow.invites.use(wanted, user_id, self._clock.now()):
                raise BadInviteCode(N_("that invite code is not valid: it may be mistyped, "
                                    "used already or expired"))
            partner = await uow.partners.get(user_id)
            if partner is not None and partner.status != PartnerStatus.PENDING:
                return partner  # not committed: the code stays unused
            joined = Partner(user_id, partner.name if partner else name,
                             PartnerStatus.APPROVED)
            await uow.partners.save(joined)
            await uow.commit()
            return joined

    async def join(self, user_id: UserId, name: str) -> Partner:
        """Asks to deliver: a new request is PENDING and the admins hear of it once."""
        async with self._uow() as uow:
            partner = await uow.partners.get(user_id)
            if partner is not None:
                return partner
            partner = Partner(user_id, name, PartnerStatus.PENDING)
            await uow.partners.save(partner)
            now = self._clock.now()
            for admin in sorted(self._admins):
                await uow.outbox.add(Notification(admin, PartnerRequest(user_id, name)), now)
            await uow.commit()
            return partner

    async def me(self, user_id: UserId) -> Partner:
        """The partner, or NotAPartner (also while the request waits for an admin)."""
        async with self._uow() as uow:
            return _approved(await uow.partners.get(user_id))

    async def set_online(self, user_id: UserId, online: bool) -> Partner:
        async with self._uow() as uow:
            partner = _approved(await uow.partners.get(user_id))
            if online:
                partner.go_online(self._clock.now())
            else:
                partner.go_offline()
            await uow.partners.set_online(partner)
            await uow.commit()
            return partner

    async def job(self, user_id: UserId) -> Job | None:
        """The partner's active delivery, or None when they are free."""
        async with self._uow() as uow:
            partner = _approved(await uow.partners.get(user_id))
            if partner.active_order_id is None:
                return None
            order = await uow.orders.get(partner.active_order_id)
            if order is None:
                return None
            restaurant = await uow.restaurants.get(order.restaurant_id)
        return Job(order, restaurant) if restaurant is not None else None


def _approved(partner: Partner | None) -> Partner:
    if partner is None or partner.status != PartnerStatus.APPROVED:
        raise NotAPartner("only approved delivery partners can do that")
    return partner
