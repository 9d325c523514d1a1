"""The rider on the map as use cases (domain.rider_map): a partner's spot taken in, and the
customer's maps that need a step now handed to the map job, one instance at a time."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from domain.ids import UserId
from domain.orders import OrderStatus
from domain.partners import PartnerStatus
from domain.ports import Clock, UnitOfWorkFactory
from domain.rider_map import CLAIM_S, EDIT_EVERY_S, MapStep, RiderSpot

BATCH = 50


class Moved(StrEnum):
    RELAYED = "relayed"  # on the customer's map soon
    NOT_ON_THE_WAY = "not_on_the_way"  # a partner with no order out for delivery
    NOT_A_PARTNER = "not_a_partner"


class RiderMaps:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow_factory
        self._clock = clock

    async def rider_moved(self, user_id: UserId, latitude: float, longitude: float) -> Moved:
        """Takes a spot from a partner whose order is out for delivery (RELAYED); anyone
        else's is not kept, nor shown to anybody."""
        async with self._uow() as uow:
            partner = await uow.partners.get(user_id)
            if partner is None or partner.status != PartnerStatus.APPROVED:
                return Moved.NOT_A_PARTNER
            order = (await uow.orders.get(partner.active_order_id)
                     if partner.active_order_id is not None else None)
            if (order is None or order.partner_id != user_id
                    or order.status != OrderStatus.OUT_FOR_DELIVERY
                    or not (-90 <= latitude <= 90 and -180 <= longitude <= 180)):
                return Moved.NOT_ON_THE_WAY
            await uow.rider_spots.put(order.id, order.customer_id, latitude, longitude,
                                      self._clock.now())
            await uow.commit()
        return Moved.RELAYED

    async def due(self) -> tuple[list[tuple[RiderSpot, MapStep]], datetime | None]:
        """The maps that need a step now, each claimed for this instance; and when the next
        one might (None: no map is live)."""
        now = self._clock.now()
        work: list[tuple[RiderSpot, MapStep]] = []
        later: list[datetime] = []
        async with self._uow() as uow:
            for spot in await uow.rider_spots.live(now, BATCH):
                step = spot.step(now)
                if step is None:
                    if spot.on_the_way:
                        later.append(max(spot.next_move, now + timedelta(seconds=1)))
                    continue
                if await uow.rider_spots.claim(spot.order_id, now,
                                               now + timedelta(seconds=CLAIM_S)):
                    work.append((spot, step))
            await uow.commit()
        if later:
            return work, min(later)
        return work, now + timedelta(seconds=EDIT_EVERY_S) if work else None

    async def shown(self, spot: RiderSpot, message_id: int) -> None:
        async with self._uow() as uow:
            await uow.rider_spots.shown(spot.order_id, message_id, spot.latitude,
                                        spot.longitude, self._clock.now())
            await uow.commit()

    async def tracked(self, spot: RiderSpot) -> None:
        """The tracking message shows the rider's distance as of now."""
        async with self._uow() as uow:
            await uow.rider_spots.tracked(spot.order_id, self._clock.now())
            await uow.commit()

    async def stopped(self, spot: RiderSpot) -> None:
        async with self._uow() as uow:
            await uow.rider_spots.stopped(spot.order_id)
            await uow.commit()

    async def failed(self, spot: RiderSpot) -> None:
        """The step did not go through: another look later (the claim ends)."""
        async with self._uow() as uow:
            await uow.rider_spots.release(spot.order_id)
            await uow.commit()
