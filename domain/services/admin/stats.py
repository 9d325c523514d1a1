"""The admin console's /stats: today and the last 7 days, from the totals kept of finished
orders and the orders under way (domain/stats.py)."""

from __future__ import annotations

from domain.ports import Clock
from domain.services.admin.ports import AdminUowFactory
from domain.stats import DAY, StatsReport, today_and_last_7_days


class StatsAdmin:
    """The service's numbers as admins read them."""

    def __init__(self, uows: AdminUowFactory, clock: Clock) -> None:
        self._uows = uows
        self._clock = clock

    async def stats(self) -> StatsReport:
        """Today (UTC) and the last 7 days: orders by status, revenue, delivery times."""
        now = self._clock.now()
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        async with self._uows() as uow:
            totals = await uow.stats.totals([midnight - 6 * DAY, midnight])
            online = await uow.stats.partners_online()
            refunds = await uow.stats.refund_facts(midnight - 6 * DAY)
        return today_and_last_7_days(now, totals, online, refunds)
