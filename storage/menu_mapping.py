"""Row <-> domain converters for the catalogue: restaurants, their dishes and the dishes'
option groups (see storage/mapping.py for the rest)."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.hours import Period, WeeklyHours
from domain.ids import MenuItemId, RestaurantId
from domain.options import Option, OptionGroup
from domain.restaurants import MenuItem, Restaurant, Unanswered
from storage.mapping import Row, Values


def restaurant_values(restaurant: Restaurant) -> Values:
    return {
        "name": restaurant.name,
        "address": restaurant.address,
        "is_open": restaurant.is_open,
        "prep_minutes": restaurant.prep_minutes,
        "manager_chat_id": restaurant.manager_chat_id,
        "delivery_fee": restaurant.delivery_fee,
        "free_delivery_from": restaurant.free_delivery_from,
        "min_order": restaurant.min_order,
        "answer_within_s": restaurant.answer_within_s,
        "unanswered": restaurant.unanswered.value,
        "time_zone": restaurant.time_zone,
        "travel_minutes": restaurant.travel_minutes,
        "hours": None if restaurant.hours is None else [
            [p.day, p.start, p.end] for p in restaurant.hours.periods],
        "closed_on": sorted(day.isoformat() for day in restaurant.closed_on),
        "latitude": restaurant.latitude,
        "longitude": restaurant.longitude,
    }


def restaurant_from_row(row: Row) -> Restaurant:
    return Restaurant(
        id=RestaurantId(row["id"]),
        name=row["name"],
        address=row["address"],
        is_open=bool(row["is_open"]),
        prep_minutes=row["prep_minutes"],
        manager_chat_id=row["manager_chat_id"],
        delivery_fee=row["delivery_fee"],
        free_delivery_from=row["free_delivery_from"],
        min_order=row["min_order"],
        answer_within_s=row["answer_within_s"],
        unanswered=Unanswered(row["unanswered"]),
        time_zone=row["time_zone"],
        travel_minutes=row["travel_minutes"],
        hours=None if row["hours"] is None else WeeklyHours(
            tuple(Period(day, start, end) for day, start, end in row["hours"])),
        closed_on=frozenset(date.fromisoformat(day) for day in row["closed_on"] or ()),
        latitude=row["latitude"],
        longitude=row["longitude"],
    )


def menu_item_values(item: MenuItem) -> Values:
    return {
        "restaurant_id": item.restaurant_id,
        "name": item.name,
        "price": item.price,
        "available": item.available,
        "description": item.description,
        "category": item.category,
        "photo_file_id": item.photo_file_id,
        "stock": item.stock,
        "back_at": item.back_at,
        "options": options_value(item),
    }


def options_value(item: MenuItem) -> dict[str, Any] | None:
    """A dish's option groups as its `options` column keeps them, with the highest option id
    it has had; None for a dish that never had options."""
    if not item.last_option_id:
        return None
    return {"last": item.last_option_id, "groups": [
        {"name": g.name, "least": g.least, "most": g.most,
         "options": [[o.id, o.name, o.price, o.available] for o in g.options]}
        for g in item.groups]}


def groups_from(stored: dict[str, Any] | None) -> tuple[OptionGroup, ...]:
    return tuple(
        OptionGroup(g["name"], tuple(Option(i, name, price, bool(available))
                                     for i, name, price, available in g["options"]),
                    g["least"], g["most"])
        for g in (stored or {}).get("groups", ())
    )


def menu_item_from_row(row: Row) -> MenuItem:
    return MenuItem(
        id=MenuItemId(row["id"]),
        restaurant_id=RestaurantId(row["restaurant_id"]),
        name=row["name"],
        price=row["price"],
        available=bool(row["available"]),
        description=row["description"],
        category=row["category"],
        photo_file_id=row["photo_file_id"],
        stock=row["stock"],
        back_at=row["back_at"],
        groups=groups_from(row["options"]),
        last_option_id=(row["options"] or {}).get("last", 0),
    )
