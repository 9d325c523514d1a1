"""Delivery partners: approved, online, one active order at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.errors import NotAllowed, PartnerBusy
from domain.ids import OrderId, UserId
from domain.validation import profile_name


class PartnerStatus(StrEnum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REVOKED = "REVOKED"


@dataclass
class Partner:
    id: UserId
    name: str
    status: PartnerStatus = PartnerStatus.PENDING
    online: bool = False
    active_order_id: OrderId | None = None
    idle_since: datetime | None = None

    def __post_init__(self) -> None:
        self.name = profile_name(self.name)  # from the Telegram profile, not typed to us

    @property
    def is_available(self) -> bool:
        return (
            self.status == PartnerStatus.APPROVED
            and self.online
            and self.active_order_id is None
        )

    def go_online(self, at: datetime) -> None:
        if self.status != PartnerStatus.APPROVED:
            raise NotAllowed("only approved partners can go online")
        if not self.online:
            self.online = True
            if self.active_order_id is None:
                self.idle_since = at

    def go_offline(self) -> None:
        self.online = False

    def take(self, order_id: OrderId) -> None:
        """Takes an order; a partner holds one active order at most."""
        if self.active_order_id == order_id:
            return
        if self.active_order_id is not None:
            raise PartnerBusy(f"partner {self.id} is on order {self.active_order_id}")
        if self.status != PartnerStatus.APPROVED:
            raise NotAllowed("only approved partners can take orders")
        self.active_order_id = order_id

    def release(self, order_id: OrderId, at: datetime) -> None:
        """Frees the partner after the order ends; idle time counts from `at`."""
        if self.active_order_id == order_id:
            self.active_order_id = None
            self.idle_since = at
