"""A dish's options card as the customer sees it while picking (bot/handlers/options.py)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.money import Money
from domain.options import all_options, fingerprint, to_mask
from domain.restaurants import MenuItem


@dataclass(frozen=True)
class DishCard:
    """A dish whose options are being picked: what is picked so far, and its price."""

    item: MenuItem
    chosen: frozenset[int]  # option ids
    currency: str
    page: int = 0  # of its menu: where ◀ Back and ✅ Add go
    changed: bool = False  # the options changed since the card was drawn: it starts again

    @property
    def price(self) -> Money:
        """One portion with the options picked so far."""
        picked = [o for o in all_options(self.item.groups) if o.id in self.chosen]
        return Money(self.item.price + sum(o.price for o in picked), self.currency)

    @property
    def missing(self) -> str | None:
        """What must still be picked before it can be added ("Size: choose 1"); None: ready."""
        for group in self.item.groups:
            count = sum(1 for o in group.options if o.id in self.chosen)
            if not group.least <= count <= group.most:
                return f"{group.name}: {group.rule}"
        return None

    @property
    def mask(self) -> int:
        return to_mask(self.item.groups, self.chosen)

    @property
    def fingerprint(self) -> int:
        return fingerprint(self.item.groups)
