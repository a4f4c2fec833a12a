"""Disruptions as typed scenario changes (:mod:`corridor.model.scenario`), combinable.

* :func:`closure` closes a country, node, link, border, service or terminal;
  :func:`parse_closure` reads the CLI's ``RU``, ``aktau`` or ``links:p_cpc``;
* :func:`outage` takes an element out for ``days`` of the year: its yearly
  capacity is scaled by ``(365 - days) / 365`` (the flow a year can carry
  when the rest of the year runs at the usual rate);
* :func:`caspian_drop` lowers the Caspian by ``metres``: every draft-limited
  service (``services.draft_limited``) loads ``1 - 0.2 × metres`` of what it
  loads now (at least 0). The slope is the dataset's own: its
  ``caspian-low-water`` scenario takes "about another metre" to a load factor
  × 0.8, i.e. a fifth less per metre of draft lost;
* :func:`demand_shock` scales demand (one commodity or all).
"""

from __future__ import annotations

import math

import numpy as np

from corridor.errors import UnknownIdError
from corridor.model.network import Network
from corridor.model.scenario import (
    CLOSABLE,
    Change,
    Closure,
    DemandGrowth,
    Scenario,
    SetValue,
)

#: Load lost per metre the Caspian falls (caspian-low-water.json: 1 m → × 0.8).
LOAD_LOST_PER_METRE = 0.2
DAYS_PER_YEAR = 365.0
#: Tables whose rows :func:`parse_closure` and :func:`outage` look up by id.
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


def parse_closure(network: Network, text: str) -> Closure:
    """A closure from ``table:id``, a country code (``RU``), a node id or an element id.

    Examples
    --------
    >>> from corridor import load_network
    >>> parse_closure(load_network(), "links:p_cpc")
    Closure(component='links', id='p_cpc')
    >>> parse_closure(load_network(), "RU")
    Closure(component='countries', id='RU')
    """
    component, sep, ident = text.partition(":")
    if sep:
        return closure(component.strip(), ident.strip())
    if text in set(network.nodes["country"]):
        return Closure("countries", text)
    if text in set(network.nodes["id"]):
        return Closure("nodes", text)
    for table in _ELEMENT_TABLES:
        if text in set(network.tables[table]["id"]):
            return Closure(table, text)
    raise UnknownIdError(
        f"--close {text}: not a country code, node, link, border, service or terminal id "
        f"of dataset {network.name} (or give table:id)"
    )


def _table_of(network: Network, element: str) -> str:
    for table in _ELEMENT_TABLES:
        if element in set(network.tables[table]["id"]):
            return table
    raise UnknownIdError(f"no link, border, service or terminal '{element}' in {network.name}")


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
        return (SetValue("services", element, "load_factor", "scale", factor),)
    row = network.tables[table].set_index("id").loc[element]
    out: list[Change] = []
    for column in ("capacity_teu_per_year", "capacity_t_per_year"):
        if column in row.index and np.isfinite(float(row[column])):
            out.append(SetValue(table, element, column, "scale", factor))
    if not out:
        raise UnknownIdError(f"outage of {element}: it has no stated capacity to reduce")
    return tuple(out)


def caspian_drop(network: Network, metres: float) -> tuple[Change, ...]:
    """Changes for a Caspian ``metres`` lower (module docs).

    Examples
    --------
    >>> from corridor import load_network
    >>> [c.value for c in caspian_drop(load_network(), 1.0)]
    [0.8, 0.8, 0.8, 0.8]
    """
    if not math.isfinite(metres) or metres < 0:
        raise UnknownIdError(f"--caspian-drop-m must be a drop of 0 metres or more, found {metres}")
    factor = round(max(0.0, 1.0 - LOAD_LOST_PER_METRE * metres), 12)
    services = network.services
    limited = services[services["draft_limited"].astype(bool)]
    return tuple(
        SetValue("services", str(i), "load_factor", "scale", factor) for i in limited["id"]
    )


def demand_shock(factor: float, commodity: str | None = None) -> DemandGrowth:
    """Demand (of ``commodity``, or all) multiplied by ``factor``."""
    if not math.isfinite(factor) or factor < 0:
        raise UnknownIdError(f"demand factor must be 0 or more, found {factor}")
    return DemandGrowth(factor, commodity)


def stress_scenario(
    base: Network,
    *,
    close: tuple[str, ...] = (),
    outages: tuple[tuple[str, float], ...] = (),
    caspian_drop_m: float = 0.0,
    name: str | None = None,
) -> Scenario:
    """One scenario combining closures, outages and a Caspian drop (the ``stress`` CLI)."""
    changes: list[Change] = [parse_closure(base, c) for c in close]
    for element, days in outages:
        changes.extend(outage(base, element, days))
    if caspian_drop_m:
        changes.extend(caspian_drop(base, caspian_drop_m))
    parts = [f"close {c}" for c in close]
    parts += [f"outage {e} {d:g} d" for e, d in outages]
    if caspian_drop_m:
        parts.append(f"Caspian -{caspian_drop_m:g} m")
    scenario = Scenario(name or ("; ".join(parts) or "base"), base, tuple(changes))
    scenario.apply()  # unknown ids now, named
    return scenario
