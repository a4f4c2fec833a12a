"""Exposure of flows to routes and transit countries, read from a loaded network.

For a group of shipper segments (one commodity, optionally one region pair):

* **shares per corridor** of the carried volume (each path counted once, on
  the corridor :meth:`~corridor.loaded.network.LoadedNetwork.corridor_of`
  names) and **per transit country** (countries a path crosses other than its
  origin's and destination's, international waters aside; shares over
  countries sum to more than one when paths cross several);
* the **Herfindahl–Hirschman index** (HHI, 0–1) over corridors — the routes
  of the analyze contract — and over transit countries, the latter on the
  volume-through-country weights normalised to sum to one (0 when nothing
  transits a third country);
* the **share of tonne-km** run in Russia and in Iran (an edge between two
  countries counts half in each);
* **stranded** volume: demand no open route could carry (``unserved``);
* the carried volume's mean **days and cost**, and with a base loaded network
  their **penalty** (scenario minus base, over the same group).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from corridor.loaded.network import LoadedNetwork, SegmentFlow
from corridor.model.network import split_list

#: The region pairs the issue asks about (ids of ``regions.csv``).
REGION_PAIRS = (
    ("central_asia", "europe"),
    ("central_asia", "japan_korea"),
    ("central_asia", "china"),
    ("china", "europe"),
)
#: Countries whose share of tonne-km is reported.
WATCHED = ("RU", "IR")
#: The dataset's code for international waters: never a transit country.
INTERNATIONAL = "XX"


def hhi(weights: Iterable[float]) -> float:
    """Herfindahl–Hirschman index of non-negative weights (0 for no weight).

    Examples
    --------
    >>> hhi([1, 1]), hhi([3]), hhi([])
    (0.5, 1.0, 0.0)
    """
    w = np.asarray([x for x in weights if x > 0], dtype=np.float64)
    total = float(w.sum())
    return float(((w / total) ** 2).sum()) if total > 0 else 0.0


@dataclass(frozen=True)
class Exposure:
    """Exposure metrics of one group of flows (module docs). Volumes per year, in ``unit``."""

    commodity: str
    region_pair: str
    unit: str
    demand: float
    carried: float
    stranded: float
    corridor_shares: Mapping[str, float]
    country_shares: Mapping[str, float]
    hhi_routes: float
    hhi_countries: float
    tonne_km_shares: Mapping[str, float]
    mean_days: float
    mean_cost_usd_per_unit: float
    refused_by: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """JSON record."""
        return {
            "commodity": self.commodity,
            "region_pair": self.region_pair,
            "unit": self.unit,
            "demand_per_year": self.demand,
            "carried_per_year": self.carried,
            "stranded_per_year": self.stranded,
            "corridor_shares": dict(self.corridor_shares),
            "transit_country_shares": dict(self.country_shares),
            "hhi_routes": self.hhi_routes,
            "hhi_transit_countries": self.hhi_countries,
            "tonne_km_share": dict(self.tonne_km_shares),
            "mean_days": _finite(self.mean_days),
            "mean_cost_usd_per_unit": _finite(self.mean_cost_usd_per_unit),
            "refused_by": list(self.refused_by),
        }


def _finite(x: float) -> float | None:
    return x if np.isfinite(x) else None


def region_of(loaded: LoadedNetwork) -> dict[str, str]:
    """Region id of each node id (nodes in no region are left out)."""
    regions = loaded.network.tables["regions"]
    by_country = {c: str(r.id) for r in regions.itertuples() for c in split_list(r.countries)}
    g = loaded.graph
    return {
        n: by_country[c] for n, c in zip(g.node_ids, g.node_country, strict=True) if c in by_country
    }


def exposure(
    loaded: LoadedNetwork,
    commodity: str,
    region_pair: tuple[str, str] | None = None,
) -> Exposure:
    """Exposure of the flows of ``commodity`` (within ``region_pair`` if given).

    Examples
    --------
    >>> from corridor import load_network
    >>> from corridor.loaded.prepare import prepare
    >>> x = exposure(prepare(load_network()), "crude_oil", ("central_asia", "europe"))
    >>> round(sum(x.corridor_shares.values()), 6), x.stranded
    (1.0, 0.0)
    """
    regions = region_of(loaded) if region_pair else {}
    flows = [
        f
        for f in loaded.flows
        if f.segment.commodity == commodity
        and (
            region_pair is None
            or (
                regions.get(f.segment.origin),
                regions.get(f.segment.destination),
            )
            == region_pair
        )
    ]
    com = loaded.network.row("commodities", commodity)
    unit = str(com["unit"]) if com is not None else ""
    return _measure(
        loaded, flows, commodity, "->".join(region_pair) if region_pair else "all", unit
    )


def _measure(
    loaded: LoadedNetwork, flows: list[SegmentFlow], commodity: str, pair: str, unit: str
) -> Exposure:
    g = loaded.graph
    hours = g.hours()
    vertex_country = np.asarray(g.node_country, dtype=object)[g.vertex_node]
    tail_c, head_c = vertex_country[g.tail], vertex_country[g.head]
    by_corridor: dict[str, float] = {}
    by_country: dict[str, float] = {}
    tkm = {c: 0.0 for c in WATCHED}
    tkm_total = 0.0
    carried = stranded = demand = 0.0
    days = cost = 0.0
    refused: list[str] = []
    for f in flows:
        s = f.segment
        demand += s.volume
        stranded += f.unserved
        refused += [r for r in f.refused_by if r not in refused]
        ends = {g.node_country[g.vertex_node[g.gate(s.origin)]]}
        ends.add(g.node_country[g.vertex_node[g.gate(s.destination)]])
        # tariffs are per FEU: one FEU holds two TEU of the commodity
        per_unit = s.teu_per_unit / 2.0
        for edges, volume in f.paths:
            e = np.asarray(edges, dtype=np.int64)
            carried += volume
            name = loaded.corridor_of(edges, prefer=s.corridor)
            by_corridor[name] = by_corridor.get(name, 0.0) + volume
            crossed = (set(tail_c[e]) | set(head_c[e])) - ends - {INTERNATIONAL}
            for c in crossed:
                by_country[c] = by_country.get(c, 0.0) + volume
            km = g.length_km[e]
            tonnes = volume * s.t_per_unit
            tkm_total += tonnes * float(km.sum())
            for c in WATCHED:
                share = 0.5 * ((tail_c[e] == c).astype(float) + (head_c[e] == c))
                tkm[c] += tonnes * float((km * share).sum())
            days += volume * float(hours[e].sum()) / 24.0
            cost += volume * float(g.cost_usd[e].sum()) * per_unit
    return Exposure(
        commodity=commodity,
        region_pair=pair,
        unit=unit,
        demand=demand,
        carried=carried,
        stranded=stranded,
        corridor_shares={k: v / carried for k, v in sorted(by_corridor.items())} if carried else {},
        country_shares={k: v / carried for k, v in sorted(by_country.items())} if carried else {},
        hhi_routes=hhi(by_corridor.values()),
        hhi_countries=hhi(by_country.values()),
        tonne_km_shares={c: (v / tkm_total if tkm_total > 0 else 0.0) for c, v in tkm.items()},
        mean_days=days / carried if carried else float("nan"),
        mean_cost_usd_per_unit=cost / carried if carried else float("nan"),
        refused_by=tuple(refused),
    )


def penalty(before: Exposure, after: Exposure) -> dict[str, float | None]:
    """Change in mean days and cost per unit of the carried volume, and in stranded volume."""
    return {
        "days": _finite(after.mean_days - before.mean_days),
        "cost_usd_per_unit": _finite(after.mean_cost_usd_per_unit - before.mean_cost_usd_per_unit),
        "stranded_per_year": after.stranded - before.stranded,
    }


def commodities(loaded: LoadedNetwork) -> list[str]:
    """Commodities with demand in the loaded network, in table order."""
    seen: dict[str, None] = {}
    for f in loaded.flows:
        seen[f.segment.commodity] = None
    return list(seen)
