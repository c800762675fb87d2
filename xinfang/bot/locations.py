"""A WeChat location → the county it lies in, from approximate county seats.

No map data: the nearest county seat wins when the point lies inside the
prefecture's bounding box and within RADIUS_KM of that seat. The county is
shown to the citizen in the summary, who corrects it if it is wrong.
"""
from __future__ import annotations

from math import asin, cos, radians, sin, sqrt

# (latitude, longitude) of each county seat, approximate.
COUNTY_SEATS = {
    "康定市": (30.05, 101.96), "泸定县": (29.91, 102.23), "丹巴县": (30.88, 101.89),
    "九龙县": (29.00, 101.51), "雅江县": (30.03, 101.01), "道孚县": (30.98, 101.12),
    "炉霍县": (31.39, 100.68), "甘孜县": (31.62, 99.99), "新龙县": (30.94, 100.31),
    "德格县": (31.81, 98.58), "白玉县": (31.21, 98.82), "石渠县": (32.98, 98.10),
    "色达县": (32.27, 100.33), "理塘县": (30.00, 100.27), "巴塘县": (30.00, 99.11),
    "乡城县": (28.93, 99.80), "稻城县": (29.04, 100.30), "得荣县": (28.71, 99.29),
}
# The prefecture's extent (latitude, longitude), with a little margin.
BOUNDS = ((27.8, 34.5), (97.2, 102.6))
# The largest counties (石渠, 理塘) reach about this far from their seats.
RADIUS_KM = 150


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(radians, (*a, *b))
    h = sin((lat2 - lat1) / 2) ** 2 + cos(lat1) * cos(lat2) * sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371 * asin(sqrt(h))


def county_at(latitude: float, longitude: float) -> str | None:
    (south, north), (west, east) = BOUNDS
    if not (south <= latitude <= north and west <= longitude <= east):
        return None
    county, seat = min(COUNTY_SEATS.items(), key=lambda item: distance_km((latitude, longitude), item[1]))
    return county if distance_km((latitude, longitude), seat) <= RADIUS_KM else None
