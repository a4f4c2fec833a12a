"""Disruptions as typed scenario changes (:mod:`corridor.model.scenario`), combinable.

* :func:`closure` closes a country, node, link, border, service or terminal;
  :func:`parse_closure` (:mod:`corridor.model.scenario`, the one parser of closures as
  text) reads the CLI's ``RU``, ``aktau`` or ``links:p_cpc``;
* :func:`outage` takes an element out for ``days`` of the year: its yearly
  capacity is scaled by ``(365 - days) / 365`` (the flow a year can carry
  when the rest of the year runs at the usual rate);
* :func:`caspian_drop` lowers the Caspian by ``metres``: every draft-limited
  service (``services.draft_limited``) loads ``1 - 0.2 × metres`` of what it
  loads now (at least 0). The slope is the dataset's own: its
  ``caspian-low-water`` scenario takes "about another metre" to a load factor
  × 0.8, i.e. a fifth less per metre of draft lost;
* :func:`closure_days` takes an element out for ``days`` a year in spells
  (storms, winter, a strike): its capacity falls as for an outage, and a unit
  arriving meets a spell with probability ``days / 365`` and then waits half
  a spell on average, so ``days / 365 × spell_h / 2`` hours join the
  element's dwell (a border's ``dwell_h``, a terminal's ``handling_h``, a
  link's technical stops); a service's wait follows from its load alone;
* :func:`storms` and :func:`winter_roads` set the weather table's storm and
  snow closures (:mod:`corridor.graph.weather`, whose expected waits the
  static model adds) to ``days`` a year, storms also cutting the ships'
  sailings beyond the base's; :func:`border_strike` stops one border for
  ``days`` in one spell;
* :func:`demand_shock` scales demand (one commodity, one origin–destination
  pair, or all).

Each is also a typed disruption (:class:`Close`, :class:`Outage`,
:class:`CaspianDrop`, :class:`Storms`, :class:`WinterRoads`,
:class:`BorderStrike`, :class:`DemandShock`); :func:`stress_scenario`
combines any number of them into one scenario, in order.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from corridor.errors import UnknownIdError
from corridor.graph.weather import service_weather, weather_rows
from corridor.model.network import Network
from corridor.model.scenario import (
    CLOSABLE,
    Change,
    Closure,
    DemandGrowth,
    Scenario,
    SetValue,
    parse_closure,
)
from corridor.model.schema import check_parameter

#: Load lost per metre the Caspian falls (caspian-low-water.json: 1 m → × 0.8).
LOAD_LOST_PER_METRE = 0.2
DAYS_PER_YEAR = 365.0
#: Tables whose rows :func:`outage` looks up by id.
_ELEMENT_TABLES = ("links", "borders", "services", "terminals")


def closure(component: str, id: str) -> Closure:
    """Close one ``component`` (countries, nodes, links, borders, services, terminals).

    Examples
    --------
    >>> closure("countries", "RU")
    Closure(component='countries', id='RU')
    """
    if component not in CLOSABLE:
        raise UnknownIdError(f"cannot close a '{component}' (closable: {', '.join(CLOSABLE)})")
    return Closure(component, id)


def named_number(item: str, option: str, expected: str) -> tuple[str, float]:
    """``NAME:NUMBER`` of an option (an outage ``p_cpc:30``), or one line naming what was
    expected.

    Examples
    --------
    >>> named_number("p_cpc:30", "--outage", "ELEMENT:DAYS")
    ('p_cpc', 30.0)
    """
    name, sep, number = item.rpartition(":")
    try:
        value = float(number)
    except ValueError:
        sep = ""
    if not sep or not name or not math.isfinite(value if sep else 0.0):
        raise UnknownIdError(f"{option} {item}: expected {expected}")
    return name, value


def _table_of(network: Network, element: str) -> str:
    for table in _ELEMENT_TABLES:
        if element in set(network.tables[table]["id"]):
            return table
    raise UnknownIdError(f"no link, border, service or terminal '{element}' in {network.name}")


def _service_out(element: str, factor: float) -> tuple[Change, ...]:
    """A service keeping ``factor`` of its sailings: its load factor scaled, or the
    service closed when nothing is left (a load factor must stay above 0)."""
    if factor <= 0:
        return (Closure("services", element),)
    return (SetValue("services", element, "load_factor", "scale", factor),)


def _capacity_cut(table: str, element: str, row: Mapping[str, Any], factor: float) -> list[Change]:
    """Each stated capacity (TEU, tonnes) of a link, border or terminal row scaled by
    ``factor`` (none for a row without one)."""
    return [
        SetValue(table, element, column, "scale", factor)
        for column in ("capacity_teu_per_year", "capacity_t_per_year")
        if column in row and np.isfinite(float(row[column]))
    ]


def outage(network: Network, element: str, days: float) -> tuple[Change, ...]:
    """Changes that take ``element`` out for ``days`` a year (module docs).

    Links, borders and terminals lose capacity; a service, whose capacity
    follows from its fleet, loses load factor.

    Examples
    --------
    >>> from corridor import load_network
    >>> outage(load_network(), "p_cpc", 73)[0].value
    0.8
    """
    if not 0 <= days <= DAYS_PER_YEAR:
        raise UnknownIdError(f"outage of {element}: days must be 0–365, found {days:g}")
    factor = (DAYS_PER_YEAR - days) / DAYS_PER_YEAR
    table = _table_of(network, element)
    if table == "services":
        return _service_out(element, factor)
    row = network.row(table, element)
    assert row is not None  # _table_of found it
    out = _capacity_cut(table, element, row, factor)
    if not out:
        raise UnknownIdError(f"outage of {element}: it has no stated capacity to reduce")
    return tuple(out)


def caspian_drop(network: Network, metres: float) -> tuple[Change, ...]:
    """Changes for a Caspian ``metres`` lower (module docs), ``metres`` in [0, 5): at
    5 m the draft-limited ships would carry nothing (a :class:`ValueError` beyond).

    Examples
    --------
    >>> from corridor import load_network
    >>> [c.value for c in caspian_drop(load_network(), 1.0)]
    [0.8, 0.8, 0.8, 0.8]
    >>> caspian_drop(load_network(), 9.0)
    Traceback (most recent call last):
    ...
    corridor.errors.ParameterError: the Caspian drop in metres must be in [0, 5), got 9.0
    """
    check_parameter("caspian_drop_m", metres, flag="the Caspian drop in metres")
    factor = round(max(0.0, 1.0 - LOAD_LOST_PER_METRE * metres), 12)
    services = network.services
    limited = services[np.asarray(services["draft_limited"], dtype=bool)]
    return tuple(
        SetValue("services", str(i), "load_factor", "scale", factor) for i in limited["id"]
    )


def closure_days(
    network: Network, element: str, days: float, *, spell_h: float | None = None
) -> tuple[Change, ...]:
    """Changes that close ``element`` for ``days`` a year in spells of ``spell_h`` hours.

    ``spell_h`` defaults to one spell of all the days. See the module docs.

    Examples
    --------
    >>> from corridor import load_network
    >>> [(c.attribute, round(float(c.value), 3))
    ...  for c in closure_days(load_network(), "b_sarpi_sarp", 10)]
    [('dwell_h', 3.288)]
    """
    if not 0 <= days <= DAYS_PER_YEAR:
        raise UnknownIdError(f"closure of {element}: days must be 0–365, found {days:g}")
    spell = days * 24.0 if spell_h is None else spell_h
    if not math.isfinite(spell) or spell < 0:
        raise UnknownIdError(f"closure of {element}: spell hours must be 0 or more")
    table = _table_of(network, element)
    row = network.row(table, element)
    assert row is not None  # _table_of found it
    factor = (DAYS_PER_YEAR - days) / DAYS_PER_YEAR
    if table == "services":
        return _service_out(element, factor)
    out = _capacity_cut(table, element, row, factor)
    wait_h = days / DAYS_PER_YEAR * spell / 2.0
    if wait_h > 0:
        if table == "borders":
            out.append(SetValue(table, element, "dwell_h", "add", wait_h))
        elif table == "terminals":
            out.append(SetValue(table, element, "handling_h", "add", wait_h))
        elif float(row["length_km"]) > 0:
            per_1000 = wait_h * 1000.0 / float(row["length_km"])
            out.append(SetValue(table, element, "stop_h_per_1000km", "add", per_1000))
    return tuple(out)


def storms(network: Network, days: float) -> tuple[Change, ...]:
    """A stormier (or calmer) year: the ships the weather table's storms apply to
    (:func:`corridor.graph.weather.service_weather`) stay in port ``days`` a year.

    The storm rows' ``closures_per_year`` become ``days × 24 / mean_h`` (the
    waits follow from the weather model), and days beyond the base's cut the
    ships' load factor by ``(365 - extra) / 365`` (sailings lost).

    Examples
    --------
    >>> from corridor import load_network
    >>> changes = storms(load_network(), 17.5 + 36.5)
    >>> sorted({(c.component, c.attribute) for c in changes})[:2]
    [('services', 'load_factor'), ('weather_closures', 'closures_per_year')]
    """
    if not 0 <= days <= DAYS_PER_YEAR:
        raise UnknownIdError(f"--storm-days must be 0–365, found {days:g}")
    ships = service_weather(network)
    rows = {w.id: w for w in ships.values()}
    if not rows:
        raise UnknownIdError(f"--storm-days: dataset {network.name} has no storm closures")
    out: list[Change] = []
    for w in rows.values():
        out.append(
            SetValue("weather_closures", w.id, "closures_per_year", "set", days * 24 / w.mean_h)
        )
        extra = days - w.closures_per_year * w.mean_h / 24
        if extra > 0:
            factor = (DAYS_PER_YEAR - extra) / DAYS_PER_YEAR
            out += [
                SetValue("services", sid, "load_factor", "scale", factor)
                for sid, x in ships.items()
                if x.id == w.id
            ]
    return tuple(out)


def winter_roads(network: Network, country: str, days: float) -> tuple[Change, ...]:
    """A harder (or milder) winter: ``country``'s roads closed ``days`` a winter.

    The country's snow row of the weather table gets ``closures_per_year =
    days × 24 / mean_h``; roads state no capacity, so only the waits change.

    Examples
    --------
    >>> from corridor import load_network
    >>> winter_roads(load_network(), "KZ", 12)[0].value
    12.0
    """
    if not 0 <= days <= DAYS_PER_YEAR:
        raise UnknownIdError(f"--winter-days {country}: days must be 0–365, found {days:g}")
    rows = [w for w in weather_rows(network) if w.hazard == "snow" and w.country == country]
    if not rows:
        known = sorted({w.country for w in weather_rows(network) if w.hazard == "snow"})
        raise UnknownIdError(
            f"--winter-days {country}: no winter road closures for {country} in "
            f"{network.name} (rows for {', '.join(known) or 'no country'})"
        )
    return tuple(
        SetValue("weather_closures", w.id, "closures_per_year", "set", days * 24 / w.mean_h)
        for w in rows
    )


def border_strike(network: Network, border: str, days: float) -> tuple[Change, ...]:
    """``border`` stops for ``days`` in one spell (module docs).

    Examples
    --------
    >>> from corridor import load_network
    >>> [c.attribute for c in border_strike(load_network(), "b_brest_malaszewicze", 5)]
    ['capacity_teu_per_year', 'dwell_h']
    """
    if border not in set(network.borders["id"]):
        raise UnknownIdError(f"--strike {border}: no border '{border}' in {network.name}")
    return closure_days(network, border, days)


def demand_shock(
    factor: float,
    commodity: str | None = None,
    *,
    network: Network | None = None,
    origin: str | None = None,
    destination: str | None = None,
) -> tuple[Change, ...]:
    """Demand multiplied by ``factor``: of ``commodity`` (or all), and of one
    origin–destination pair if given (then ``network`` names its demand rows).

    Examples
    --------
    >>> from corridor import load_network
    >>> demand_shock(2.0, "crude_oil")
    (DemandGrowth(factor=2.0, commodity='crude_oil'),)
    >>> len(demand_shock(1.5, network=load_network(), origin="xian", destination="duisburg"))
    2
    """
    if not math.isfinite(factor) or factor < 0:
        raise UnknownIdError(f"demand factor must be 0 or more, found {factor}")
    if origin is None and destination is None:
        return (DemandGrowth(factor, commodity),)
    if network is None:
        raise UnknownIdError("a demand shock on one pair needs the network")
    d = network.demand
    mask = (d["origin"] == origin) & (d["destination"] == destination)
    if commodity is not None:
        mask &= d["commodity"] == commodity
    if not mask.any():
        raise UnknownIdError(
            f"--demand {origin}-{destination}: no demand row from {origin} to {destination}"
            + (f" of {commodity}" if commodity else "")
        )
    return tuple(
        SetValue("demand", str(i), "volume_per_year", "scale", factor) for i in d["id"][mask]
    )


@dataclass(frozen=True)
class Close:
    """Close a country, node or element (``parse_closure`` text)."""

    target: str


@dataclass(frozen=True)
class Outage:
    """An element out of service ``days`` a year (capacity only)."""

    element: str
    days: float


@dataclass(frozen=True)
class CaspianDrop:
    """The Caspian ``metres`` lower."""

    metres: float


@dataclass(frozen=True)
class Storms:
    """The ships the storms apply to in port ``days`` a year."""

    days: float


@dataclass(frozen=True)
class WinterRoads:
    """A country's roads closed ``days`` a winter."""

    country: str
    days: float


@dataclass(frozen=True)
class BorderStrike:
    """A border stopped ``days`` in one spell."""

    border: str
    days: float


@dataclass(frozen=True)
class DemandShock:
    """Demand × ``factor`` (of a commodity, a pair, or all)."""

    factor: float
    commodity: str | None = None
    origin: str | None = None
    destination: str | None = None


Disruption = Close | Outage | CaspianDrop | Storms | WinterRoads | BorderStrike | DemandShock


def changes_of(network: Network, d: Disruption) -> tuple[Change, ...]:
    """The scenario changes of one disruption on ``network``."""
    if isinstance(d, Close):
        return (parse_closure(network, d.target),)
    if isinstance(d, Outage):
        return outage(network, d.element, d.days)
    if isinstance(d, CaspianDrop):
        return caspian_drop(network, d.metres)
    if isinstance(d, Storms):
        return storms(network, d.days)
    if isinstance(d, WinterRoads):
        return winter_roads(network, d.country, d.days)
    if isinstance(d, BorderStrike):
        return border_strike(network, d.border, d.days)
    return demand_shock(
        d.factor, d.commodity, network=network, origin=d.origin, destination=d.destination
    )


def label(d: Disruption) -> str:
    """A short description, e.g. ``outage p_cpc 30 d``."""
    if isinstance(d, Close):
        return f"close {d.target}"
    if isinstance(d, Outage):
        return f"outage {d.element} {d.days:g} d"
    if isinstance(d, CaspianDrop):
        return f"Caspian -{d.metres:g} m"
    if isinstance(d, Storms):
        return f"storms {d.days:g} d"
    if isinstance(d, WinterRoads):
        return f"winter roads {d.country} {d.days:g} d"
    if isinstance(d, BorderStrike):
        return f"strike {d.border} {d.days:g} d"
    what = " ".join(x for x in (d.commodity, d.origin and f"{d.origin}-{d.destination}") if x)
    return f"demand {what + ' ' if what else ''}x{d.factor:g}"


def stress_scenario(
    base: Network,
    *,
    close: tuple[str, ...] = (),
    outages: tuple[tuple[str, float], ...] = (),
    caspian_drop_m: float = 0.0,
    disruptions: Sequence[Disruption] = (),
    name: str | None = None,
) -> Scenario:
    """One scenario combining disruptions, in order (the ``stress`` CLI).

    ``close``, ``outages`` and ``caspian_drop_m`` come first, then
    ``disruptions``.

    Examples
    --------
    >>> from corridor import load_network
    >>> s = stress_scenario(load_network(), close=("RU",),
    ...                     disruptions=[BorderStrike("b_sarpi_sarp", 3), DemandShock(1.2)])
    >>> s.name
    'close RU; strike b_sarpi_sarp 3 d; demand x1.2'
    """
    every: list[Disruption] = [Close(c) for c in close]
    every += [Outage(e, d) for e, d in outages]
    if caspian_drop_m:
        every.append(CaspianDrop(caspian_drop_m))
    every += list(disruptions)
    changes: list[Change] = [c for d in every for c in changes_of(base, d)]
    title = name or ("; ".join(label(d) for d in every) or "base")
    scenario = Scenario(title, base, tuple(changes))
    scenario.apply()  # unknown ids now, named
    return scenario
