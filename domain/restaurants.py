"""Restaurants and their menus."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import InvalidInput
from domain.ids import MenuItemId, RestaurantId
from domain.validation import check_length

MAX_NAME = 64
MAX_ADDRESS = 200
MAX_DESCRIPTION = 300


@dataclass
class Restaurant:
    id: RestaurantId
    name: str
    address: str
    is_open: bool = True
    prep_minutes: int = 20
    manager_chat_id: int | None = None

    def __post_init__(self) -> None:
        self.name = check_length("name", self.name, MAX_NAME)
        self.address = check_length("address", self.address, MAX_ADDRESS)
        if not 0 <= self.prep_minutes <= 240:
            raise InvalidInput("preparation time must be between 0 and 240 minutes")


@dataclass
class MenuItem:
    id: MenuItemId
    restaurant_id: RestaurantId
    name: str
    price: int  # minor units
    available: bool = True
    description: str = ""
    category: str = "Menu"
    photo_file_id: str | None = None

    def __post_init__(self) -> None:
        self.name = check_length("name", self.name, MAX_NAME)
        self.category = check_length("category", self.category, MAX_NAME)
        self.description = check_length(
            "description", self.description, MAX_DESCRIPTION, required=False
        )
        if self.price <= 0:
            raise InvalidInput("price must be above zero")
