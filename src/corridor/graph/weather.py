"""Weather closures: storms that keep ferries in port, snow that closes roads.

A row of ``weather_closures.csv`` is a closure process: ``closures_per_year``
closures of lognormal length (mean ``m = mean_h``, CV ``c``), seasonal around
``peak_day`` (rate ``× (1 + cos(2π (day − peak_day)/365))``) or confined to a
window of the year. Storms apply to ship services of mode ``ferry`` and to
draft-limited ships; snow to road links. A link takes the row of the first of
its ends (``from``, then ``to``) whose country has one, else the row without a
country; a service the row of its ``from`` country, else the one without.

The static model and the simulation read the same rows:

* the simulation draws the closures (:mod:`corridor.simulation.build`);
* the static model adds their expected wait to the element's mean. A unit
  arriving at a random time of the year finds the element closed with
  probability ``p = n m / 8760`` and then waits the residual of the closure,
  whose mean for a length-biased draw is ``E[D²] / (2 E[D]) = m (1 + c²) / 2``,
  so the expected wait is ``p m (1 + c²) / 2`` and its second moment
  ``p E[D³] / (3 E[D]) = p m² (1 + c²)³ / 3`` (lognormal moments). Inside a
  window the share closed is higher and outside it is zero; the year's mean
  is the same. Capacities are not cut: a closure delays what waits behind it,
  and the loads are yearly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from corridor.model.network import Network

HOURS_PER_YEAR = 8760.0


@dataclass(frozen=True)
class WeatherClosure:
    """One row of ``weather_closures`` (module docs)."""

    id: str
    hazard: str
    applies_to: str
    country: str
    closures_per_year: float
    mean_h: float
    cv: float
    peak_day: float | None
    window: tuple[float, float] | None

    @property
    def closed_share(self) -> float:
        """Share of the year closed, ``min(n m / 8760, 1)``.

        Examples
        --------
        >>> storm = WeatherClosure("s", "storm", "ferry_services", "", 14, 30, 0.6, 15, None)
        >>> round(storm.closed_share, 6)
        0.047945
        """
        return min(self.closures_per_year * self.mean_h / HOURS_PER_YEAR, 1.0)

    @property
    def expected_h(self) -> float:
        """Expected wait of a unit arriving at a random time, ``p m (1 + c²) / 2``.

        Examples
        --------
        >>> snow = WeatherClosure("w", "snow", "road_links", "KZ", 6, 24, 1.0, None, (319, 90))
        >>> round(snow.expected_h, 6)  # p = 144/8760, residual 24 h
        0.394521
        """
        return self.closed_share * self.mean_h * (1.0 + self.cv**2) / 2.0

    @property
    def variance_h2(self) -> float:
        """Variance of that wait: ``p m² (1 + c²)³ / 3 − (expected_h)²``."""
        second = self.closed_share * self.mean_h**2 * (1.0 + self.cv**2) ** 3 / 3.0
        return max(second - self.expected_h**2, 0.0)


def weather_rows(network: Network) -> tuple[WeatherClosure, ...]:
    """The rows of ``weather_closures`` (none if the dataset has no such table)."""
    table = network.tables.get("weather_closures")
    if table is None or table.empty:
        return ()
    out = []
    for r in table.itertuples():
        start, end = float(r.window_start_day), float(r.window_end_day)
        window = None if math.isnan(start) or math.isnan(end) else (start, end)
        peak = None if math.isnan(float(r.peak_day)) else float(r.peak_day)
        out.append(
            WeatherClosure(
                id=str(r.id),
                hazard=str(r.hazard),
                applies_to=str(r.applies_to),
                country=str(r.country),
                closures_per_year=float(r.closures_per_year),
                mean_h=float(r.mean_h),
                cv=float(r.cv),
                peak_day=peak,
                window=window,
            )
        )
    return tuple(out)


def _pick(
    rows: tuple[WeatherClosure, ...], applies_to: str, countries: tuple[str, ...]
) -> WeatherClosure | None:
    rows = tuple(w for w in rows if w.applies_to == applies_to)
    for c in countries:
        for w in rows:
            if w.country == c:
                return w
    return next((w for w in rows if not w.country), None)


def road_closure(
    rows: tuple[WeatherClosure, ...], mode: str, countries: tuple[str, ...]
) -> WeatherClosure | None:
    """The weather row of a link of ``mode`` whose ends lie in ``countries`` (or None).

    Examples
    --------
    >>> ge = WeatherClosure("ge", "snow", "road_links", "GE", 4, 12, 1.0, None, (334, 74))
    >>> road_closure((ge,), "road", ("AZ", "GE")).id
    'ge'
    >>> road_closure((ge,), "rail_1520", ("GE", "GE")) is None
    True
    """
    return _pick(rows, "road_links", countries) if mode == "road" else None


def service_closure(
    rows: tuple[WeatherClosure, ...], mode: str, draft_limited: bool, country: str
) -> WeatherClosure | None:
    """The weather row of a ship service (ferries and draft-limited ships only).

    Examples
    --------
    >>> s = WeatherClosure("s", "storm", "ferry_services", "", 14, 30, 0.6, 15, None)
    >>> service_closure((s,), "ferry", False, "KZ").id, service_closure((s,), "sea", False, "CN")
    ('s', None)
    """
    if mode != "ferry" and not draft_limited:
        return None
    return _pick(rows, "ferry_services", (country,))


def link_weather(network: Network) -> dict[str, WeatherClosure]:
    """Per road link id, its weather row (links without one are absent)."""
    rows = weather_rows(network)
    if not rows:
        return {}
    country = dict(zip(network.nodes["id"], network.nodes["country"], strict=True))
    out = {}
    for r in network.links.itertuples():
        w = road_closure(rows, r.mode, (country[r[1]], country[r[2]]))
        if w is not None:
            out[str(r.id)] = w
    return out


def service_weather(network: Network) -> dict[str, WeatherClosure]:
    """Per ship service id, its weather row (services without one are absent)."""
    rows = weather_rows(network)
    if not rows:
        return {}
    country = dict(zip(network.nodes["id"], network.nodes["country"], strict=True))
    out = {}
    for r in network.services.itertuples():
        w = service_closure(rows, r.mode, bool(r.draft_limited), country[r[2]])
        if w is not None:
            out[str(r.id)] = w
    return out


def storm_wait_h(closure: WeatherClosure | None) -> float:
    """Expected hours a ship's cargo waits for storms (0 without a row).

    Examples
    --------
    >>> storm_wait_h(None)
    0.0
    """
    return 0.0 if closure is None else closure.expected_h
