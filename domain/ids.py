"""Typed identifiers, and the range of numbers each kind of id can be.

Telegram user ids double as customer and partner ids. Users, orders and tasks are numbered
in 64 bits (Telegram's user ids need more than 32), restaurants and dishes in 32 (their
storage columns are INTEGER), and every id is positive. A number outside its kind's range is
no id of ours: the chat layer refuses it where it comes in (callback data, command
arguments) like any other malformed input, so it never reaches a database query, where
PostgreSQL would fail on it and SQLite overflow.
"""

from typing import Final, NewType

UserId = NewType("UserId", int)
RestaurantId = NewType("RestaurantId", int)
MenuItemId = NewType("MenuItemId", int)
OrderId = NewType("OrderId", int)
TaskId = NewType("TaskId", int)

MAX_ID: Final = 2**63 - 1  # users, orders, tasks (SQL BIGINT)
MAX_CATALOGUE_ID: Final = 2**31 - 1  # restaurants and dishes (SQL INTEGER)
