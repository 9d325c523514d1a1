"""The SQL unit of work: one session, one transaction, every repository on it."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.payments import Payments
from domain.ports import (
    CartRepository,
    CheckoutRepository,
    CustomerRepository,
    Lines,
    MenuRepository,
    OrderRepository,
    Outbox,
    PartnerRepository,
    RatingRepository,
    RestaurantRepository,
    RiderSpots,
    TaskQueue,
    TrackingRepository,
)
from domain.promos import Promos
from storage.catalogue import Announce, NotingMenu, NotingRestaurants, announce_committed
from storage.customer_repositories import (
    SqlCheckoutRepository,
    SqlRatingRepository,
    SqlTrackingRepository,
)
from storage.lines import SqlLines
from storage.order_repository import SqlOrderRepository
from storage.partner_repository import SqlPartnerRepository
from storage.payments import SqlPayments
from storage.promos import SqlPromos
from storage.queue import SqlOutbox, SqlTaskQueue
from storage.repositories import (
    SqlCartRepository,
    SqlCustomerRepository,
    SqlMenuRepository,
    SqlRestaurantRepository,
)
from storage.rider_maps import SqlRiderSpots
from storage.wakes import NoWakes, Wakes, Written


class SqlUnitOfWork:
    """`async with uow:` opens a session; leaving without `await uow.commit()` rolls back.

    Implements `domain.ports.UnitOfWork`; `.session` is there for storage-level queries.
    With `announce`, a commit that changed restaurants or dishes then names the catalogue
    cache entries it made stale (storage/catalogue.py), so every instance drops them. A
    commit that wrote queue tasks or outbox rows wakes this process's jobs (`wakes`,
    storage/wakes.py).
    """

    # typed as the ports: Protocol attributes are invariant, so mypy wants exactly these
    session: AsyncSession
    restaurants: RestaurantRepository
    menu: MenuRepository
    customers: CustomerRepository
    carts: CartRepository
    checkouts: CheckoutRepository
    orders: OrderRepository
    tracking: TrackingRepository
    ratings: RatingRepository
    rider_spots: RiderSpots
    lines: Lines
    partners: PartnerRepository
    tasks: TaskQueue
    outbox: Outbox
    promos: Promos
    payments: Payments

    def __init__(self, session_factory: async_sessionmaker[AsyncSession],
                 announce: Announce | None = None, wakes: Wakes | None = None) -> None:
        self._session_factory = session_factory
        self._announce = announce
        self._wakes: Wakes = wakes or NoWakes()
        self._stale: set[str] = set()
        self._written = Written()

    async def __aenter__(self) -> Self:
        session = self._session_factory()
        self.session = session
        self.restaurants = NotingRestaurants(SqlRestaurantRepository(session), self._stale)
        self.menu = NotingMenu(SqlMenuRepository(session), self._stale)
        self.customers = SqlCustomerRepository(session)
        self.carts = SqlCartRepository(session)
        self.checkouts = SqlCheckoutRepository(session)
        self.orders = SqlOrderRepository(session)
        self.tracking = SqlTrackingRepository(session)
        self.ratings = SqlRatingRepository(session)
        self.rider_spots = SqlRiderSpots(session)
        self.lines = SqlLines(session)
        self.partners = SqlPartnerRepository(session)
        self.tasks = SqlTaskQueue(session, self._written)
        self.outbox = SqlOutbox(session, self._written)
        self.promos = SqlPromos(session)
        self.payments = SqlPayments(session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # closing rolls back whatever was not committed; loaded rows stay readable
        await self.session.close()

    async def commit(self) -> None:
        await self.session.commit()
        self._written.tell(self._wakes)
        stale = frozenset(self._stale)
        self._stale.clear()
        await announce_committed(self._announce, stale)

    async def rollback(self) -> None:
        await self.session.rollback()
        self._stale.clear()
        self._written.clear()


def uow_factory(
    session_factory: async_sessionmaker[AsyncSession], announce: Announce | None = None,
    wakes: Wakes | None = None,
) -> Callable[[], SqlUnitOfWork]:
    """A `domain.ports.UnitOfWorkFactory`: each call gives a fresh unit of work."""

    def make() -> SqlUnitOfWork:
        return SqlUnitOfWork(session_factory, announce, wakes)

    return make
