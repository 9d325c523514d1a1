"""A dish's options card as the customer sees it while picking (bot/handlers/options.py)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.money import Money
from domain.options import OptionGroup, all_options, fingerprint, to_mask
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
    def unpicked(self) -> OptionGroup | None:
        """The first group whose pick is not yet one it takes; None: ready to add."""
        for group in self.item.groups:
            count = sum(1 for o in group.options if o.id in self.chosen)
            if not group.least <= count <= group.most:
                return group
        return None

    @property
    def missing(self) -> str | None:
        """What must still be picked before it can be added ("Size: choose 1"); None: ready."""
        group = self.unpicked
        return None if group is None else f"{group.name}: {group.rule}"

    @property
    def mask(self) -> int:
        return to_mask(self.item.groups, self.chosen)

    @property
    def fingerprint(self) -> int:
        return fingerprint(self.item.groups)
