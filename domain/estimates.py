"""When an order should arrive: the kitchen's preparation and the wait for a free rider run side
by side, then the ride.

The ride is the restaurant's usual one (`/travel`), or, when the customer shared a location
and the restaurant's own is known (`/location`), the distance between them over the roads
(ROAD_FACTOR times the straight line) at a rider's city speed, plus the handover at each end.
The wait for a rider is none while a free one is online for every order already waiting;
beyond that, each further round of orders waits about one ride, as busy riders come back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.errors import InvalidInput
from domain.restaurants import Restaurant

SPEED_KMH = 18.0  # a rider in city traffic
ROAD_FACTOR = 1.3  # roads are longer than the straight line
HANDOVER_MIN = 4  # parking, pickup and the door
MAX_RIDE_MIN = 240
EARTH_KM = 6371.0


def distance_km(latitude: float, longitude: float, to_latitude: float, to_longitude: float
                ) -> float:
    """The great-circle distance between two points, in kilometres."""
    lat1, lat2 = math.radians(latitude), math.radians(to_latitude)
    dlat, dlon = lat2 - lat1, math.radians(to_longitude - longitude)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True, slots=True)
class Riders:
    """Riders now: online and free, online and on a delivery; and orders waiting for one."""

    free: int = 0
    busy: int = 0
    waiting: int = 0


@dataclass(frozen=True, slots=True)
class Estimate:
    prep_minutes: int
    wait_minutes: int  # for a free rider, while the kitchen cooks
    ride_minutes: int
    km: float | None = None  # the distance the ride was estimated from; None: the usual ride

    @property
    def minutes(self) -> int:
        return max(self.prep_minutes, self.wait_minutes) + self.ride_minutes

    def arrives(self, start: datetime) -> datetime:
        return start + timedelta(minutes=self.minutes)


def parse_point(text: str) -> tuple[float, float]:
    """A place written as 'LATITUDE, LONGITUDE' in decimal degrees ('12.9756, 77.6067'), as
    map apps copy it; InvalidInput saying what is wrong."""
    parts = [part.strip() for part in text.split(",")]
    try:
        if len(parts) != 2:
            raise ValueError
        latitude, longitude = (float(part) for part in parts)
    except ValueError:
        raise InvalidInput("a location is LATITUDE, LONGITUDE such as 12.9756, 77.6067, not "
                           "'{shown}'", shown=text.strip()[:40]) from None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180) or not all(
            math.isfinite(v) for v in (latitude, longitude)):
        raise InvalidInput("latitude is -90 to 90 and longitude -180 to 180")
    return latitude, longitude


def minutes_for(km: float) -> int:
    """A ride of `km` (in a straight line) at a rider's city speed, with the handover."""
    return min(math.ceil(km * ROAD_FACTOR / SPEED_KMH * 60) + HANDOVER_MIN, MAX_RIDE_MIN)


def ride_minutes(restaurant: Restaurant, latitude: float | None, longitude: float | None
                 ) -> tuple[int, float | None]:
    """The ride to a delivery, and the distance it came from (None: the usual ride)."""
    if (latitude is None or longitude is None or restaurant.latitude is None
            or restaurant.longitude is None):
        return restaurant.travel_minutes, None
    km = distance_km(restaurant.latitude, restaurant.longitude, latitude, longitude)
    return minutes_for(km), km


def wait_minutes(riders: Riders, ride: int) -> int:
    """How long an order placed now waits for a free rider."""
    ahead = riders.waiting + 1 - riders.free  # this order and those before it left without one
    if ahead <= 0:
        return 0
    online = riders.free + riders.busy
    return (math.ceil(ahead / online) if online else 1) * ride


def estimate(restaurant: Restaurant, riders: Riders, latitude: float | None = None,
             longitude: float | None = None) -> Estimate:
    ride, km = ride_minutes(restaurant, latitude, longitude)
    return Estimate(restaurant.prep_minutes, wait_minutes(riders, restaurant.travel_minutes),
                    ride, km)
