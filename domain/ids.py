"""Typed identifiers. Telegram user ids double as customer and partner ids."""

from typing import NewType

UserId = NewType("UserId", int)
RestaurantId = NewType("RestaurantId", int)
MenuItemId = NewType("MenuItemId", int)
OrderId = NewType("OrderId", int)
TaskId = NewType("TaskId", int)
