"""Dish options: the groups of choices a dish is ordered with (a size, toppings), and what a
customer picked.

A group says how many of its options are picked: from `least` to `most`. 1 to 1 is a choice
that must be made (a size); 0 to 1 an optional one; 0 to 3 up to three toppings. Each option
adds `price` (minor units, 0 or more) to the dish. Its `id` is unique within the dish and is
kept when a group is redefined, so the carts holding it stay valid; a cart line is a dish and
the ids of the options picked for it.

The chat keeps a choice being made in its buttons, not in the database: the options picked so
far are a bitmask over the dish's options in menu order (`to_mask`, `from_mask`), tied to the
options it was made for by their `fingerprint`.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from domain.errors import Explained, InvalidInput, ItemUnavailable
from domain.validation import check_length

MAX_GROUPS = 5
MAX_OPTIONS = 24  # per dish, all groups together: a choice fits a 24-bit mask on a button
MAX_OPTION_NAME = 32


class ChoiceRefused(Explained):
    """The options picked do not make a choice the dish accepts (the template says why)."""

    code = "choice_refused"


@dataclass(frozen=True, slots=True)
class Option:
    id: int  # unique within its dish
    name: str
    price: int = 0  # added to the dish's price, minor units
    available: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", check_length("option", self.name, MAX_OPTION_NAME))
        if self.id <= 0:
            raise InvalidInput("an option's id must be above zero")
        if self.price < 0:
            raise InvalidInput("{name}: an option cannot lower the price", name=self.name)


@dataclass(frozen=True, slots=True)
class OptionGroup:
    name: str
    options: tuple[Option, ...]
    least: int = 1  # picked at least this many (0: the group is optional)
    most: int = 1  # and at most this many (1: a single choice)

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", check_length("option group", self.name, MAX_OPTION_NAME))
        if not self.options:
            raise InvalidInput("{name}: a group needs at least one option", name=self.name)
        if not 0 <= self.least <= self.most or self.most < 1:
            raise InvalidInput("{name}: pick from 0 or more up to 1 or more options",
                               name=self.name)
        if self.least > len(self.options):
            raise InvalidInput("{name}: asks for {least} of only {count} options",
                               name=self.name, least=self.least, count=len(self.options))
        names = [option.name.casefold() for option in self.options]
        if len(set(names)) < len(names):
            raise InvalidInput("{name}: two options have the same name", name=self.name)

    @property
    def single(self) -> bool:
        return self.most == 1

    @property
    def rule(self) -> str:
        """How many to pick, as the card says it: "choose 1", "up to 3", "choose 1 to 2"."""
        if self.least == self.most:
            return f"choose {self.least}"
        if self.least == 0:
            return "optional" if self.most == 1 else f"up to {self.most}"
        return f"choose {self.least} to {self.most}"

    @property
    def chooses(self) -> str:
        """The group's count as an admin writes it: "1", "0-1", "1-3"."""
        return str(self.least) if self.least == self.most else f"{self.least}-{self.most}"


@dataclass(frozen=True, slots=True)
class Picked:
    """An option as it was picked, kept on the order as it was then."""

    id: int
    name: str
    price: int = 0


def check_groups(groups: Sequence[OptionGroup]) -> tuple[OptionGroup, ...]:
    """A dish's groups, checked together: at most MAX_GROUPS of them and MAX_OPTIONS options,
    group names and option ids each used once."""
    if len(groups) > MAX_GROUPS:
        raise InvalidInput("a dish has at most {count} option groups", count=MAX_GROUPS)
    names = [group.name.casefold() for group in groups]
    if len(set(names)) < len(names):
        raise InvalidInput("two option groups have the same name")
    ids = [option.id for option in all_options(groups)]
    if len(ids) > MAX_OPTIONS:
        raise InvalidInput("a dish has at most {count} options in all", count=MAX_OPTIONS)
    if len(set(ids)) < len(ids):
        raise InvalidInput("two options share an id")
    return tuple(groups)


def all_options(groups: Iterable[OptionGroup]) -> list[Option]:
    """Every option of the dish, group by group, in menu order."""
    return [option for group in groups for option in group.options]


def next_option_id(groups: Iterable[OptionGroup]) -> int:
    return max((option.id for option in all_options(groups)), default=0) + 1


def defaults(groups: Iterable[OptionGroup]) -> frozenset[int]:
    """What a new card starts with: the first available option of each group where exactly
    one must be picked (a size), nothing elsewhere."""
    return frozenset(
        next((option.id for option in group.options if option.available), 0)
        for group in groups if group.least == group.most == 1) - {0}


def choose(dish: str, groups: Sequence[OptionGroup], option_ids: Iterable[int]
           ) -> tuple[Picked, ...]:
    """The options `option_ids` pick, in menu order; refuses an option the dish no longer has
    (ItemUnavailable naming both) or a group picked fewer or more times than it allows
    (ChoiceRefused)."""
    wanted = set(option_ids)
    if wanted - {option.id for option in all_options(groups)}:
        raise ItemUnavailable(dish, offered=False)
    picked: list[Picked] = []
    for group in groups:
        chosen = [option for option in group.options if option.id in wanted]
        for option in chosen:
            if not option.available:
                raise ItemUnavailable(dish, option=option.name)
        if not group.least <= len(chosen) <= group.most:
            raise _pick_more(dish, group)
        picked.extend(Picked(option.id, option.name, option.price) for option in chosen)
    return tuple(picked)


def _pick_more(dish: str, group: OptionGroup) -> ChoiceRefused:
    """Refuses a group picked fewer or more times than it allows, saying its `rule`."""
    least, most, name = group.least, group.most, group.name
    if least == most:
        return ChoiceRefused("{dish}: please pick {group} (choose {least}).",
                             dish=dish, group=name, least=least)
    if least == 0 and most == 1:
        return ChoiceRefused("{dish}: please pick {group} (optional).", dish=dish, group=name)
    if least == 0:
        return ChoiceRefused("{dish}: please pick {group} (up to {most}).",
                             dish=dish, group=name, most=most)
    return ChoiceRefused("{dish}: please pick {group} (choose {least} to {most}).",
                         dish=dish, group=name, least=least, most=most)


def label(picked: Iterable[Picked]) -> str:
    """The options as a cart line, ticket or order shows them: "Large, Olives"."""
    return ", ".join(option.name for option in picked)


def line_name(dish: str, options: str) -> str:
    """A dish with the `label` of its options, as one name: "Pizza (Large, Olives)"; just
    "Pizza" without."""
    return f"{dish} ({options})" if options else dish


def lowest_extra(groups: Iterable[OptionGroup]) -> int:
    """The least the options can add to the dish: each group's cheapest available picks, as
    many as it asks for."""
    return sum(sum(sorted(o.price for o in group.options if o.available)[:group.least])
               for group in groups)


def fingerprint(groups: Iterable[OptionGroup]) -> int:
    """A 16-bit number that changes when the dish's options (their ids, in order) change."""
    ids = ",".join(str(option.id) for option in all_options(groups))
    return zlib.crc32(ids.encode()) & 0xFFFF


def to_mask(groups: Iterable[OptionGroup], option_ids: Iterable[int]) -> int:
    chosen = set(option_ids)
    return sum(1 << n for n, option in enumerate(all_options(groups)) if option.id in chosen)


def from_mask(groups: Iterable[OptionGroup], mask: int) -> frozenset[int]:
    """The option ids a mask made by `to_mask` stands for (bits past the options: none)."""
    return frozenset(option.id for n, option in enumerate(all_options(groups))
                     if mask >> n & 1)


def toggle(groups: Sequence[OptionGroup], chosen: frozenset[int], option_id: int
           ) -> frozenset[int]:
    """The choice after pressing `option_id` on the card. In a single-choice group it replaces
    the group's pick (pressed again, an optional one is unpicked); in a larger group it is
    picked or unpicked, and one past the group's most is refused with ChoiceRefused."""
    group = next((g for g in groups if any(o.id == option_id for o in g.options)), None)
    if group is None:
        raise ItemUnavailable("", offered=False)
    ids = {option.id for option in group.options}
    pressed = next(option for option in group.options if option.id == option_id)
    if option_id not in chosen and not pressed.available:
        raise ItemUnavailable(pressed.name)
    if option_id in chosen:
        if group.single and group.least == 1:
            return chosen
        return chosen - {option_id}
    if group.single:
        return (chosen - ids) | {option_id}
    if len(chosen & ids) >= group.most:
        raise ChoiceRefused("{group}: at most {most}. Unpick one first.", group=group.name,
                            most=group.most)
    return chosen | {option_id}


def line_ref(option_ids: Sequence[int]) -> int:
    """A cart line's options as one number for its buttons: 0 for none, else a 31-bit
    digest (distinct for the lines of one cart in all but a one-in-a-hundred-million case)."""
    if not option_ids:
        return 0
    return zlib.crc32(",".join(map(str, option_ids)).encode()) & 0x7FFFFFFF or 1
