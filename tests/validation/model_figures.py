"""The model's figure for each published target of ``targets.csv``.

A test helper, not part of the package: it reads a loaded network the way the
metric table of ``docs/validation.md`` says, and nothing else.

- ``time_days``: mean, p10 or p90 days of the corridor's route between origin
  and destination (the route :func:`corridor.analysis.corridor_routes` reports).
- ``border_hours`` / ``wait_hours``: the loaded wait on the element's edge in the
  direction origin → destination (a ``p90`` wait is the gamma quantile of that
  wait with its coefficient of variation).
- ``volume_*``: the loaded flow through the element in that direction, or, for a
  corridor-wide volume, the sum over the loaded network's segment paths that
  :meth:`corridor.loaded.network.LoadedNetwork.corridor_of` classifies as the
  corridor.
- ``cost_usd_per_feu``: the cost of the element's edge, or of the corridor's route.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import gamma

from corridor.analysis import corridor_routes
from corridor.graph.compiled import EDGE_KINDS, MODES
from corridor.loaded.network import LoadedNetwork
from corridor.model.network import split_list
from corridor.paths.reliability import day_percentiles
from corridor.paths.routes import BEST, Route, route

TARGETS = Path(__file__).with_name("targets.csv")

#: Where a target's note adds a second element to the figure (docs/validation.md notes).
EXTRA_ELEMENTS = {
    # "Model figure = t_kuryk handling + westbound wait for s_asco_kuryk_alat."
    "w_kuryk_port_2020": ("t_kuryk",),
    # "The model routes crude through t_aktau_oil: compare with t_aktau + t_aktau_oil."
    "v_aktau_port_t_2022": ("t_aktau_oil",),
}

_PERCENTILE = {"p10": 10.0, "p50": 50.0, "p90": 90.0}


def read_targets(path: Path = TARGETS) -> pd.DataFrame:
    """``targets.csv`` with numeric ranges, years and tolerances."""
    t = pd.read_csv(path, dtype=str, keep_default_na=False)
    for column in ("published_low", "published_high", "year"):
        t[column] = pd.to_numeric(t[column])
    for column in ("tolerance", "model_low", "model_high"):
        if column in t:
            t[column] = pd.to_numeric(t[column].replace("", np.nan))
    return t


@dataclass(frozen=True)
class Figure:
    """The model's value for one target and what it was read from."""

    value: float
    source: str


def corridor_route(
    loaded: LoadedNetwork, origin: str, destination: str, corridor: str, commodity: str
) -> Route:
    """The corridor's route for the pair, as ``analyze`` reports it.

    A pair the corridor does not serve is a section of it (Dostyk → Brest on the
    Northern route): its ``via`` nodes lie beyond the pair's ends, so the
    cheapest route between the ends is taken, provided it avoids the countries
    the corridor avoids.
    """
    found, left_out = corridor_routes(
        loaded, origin, destination, commodity=commodity, corridors=[corridor]
    )
    if found:
        return found[0]
    if left_out[0]["status"] == "not_applicable":
        r = route(loaded.graph, origin, destination, corridor=BEST, commodity=commodity)
        avoid = loaded.network.corridors.to_pandas().set_index("id").at[corridor, "avoid_countries"]
        if r is not None and not set(r.countries) & set(split_list(avoid)):
            return r
    raise LookupError(f"no {corridor} route {origin} → {destination}: {left_out}")


def element_edges(
    loaded: LoadedNetwork, element: str, origin: str = "", destination: str = ""
) -> list[int]:
    """Edges of ``element``; of a border or service only those in the direction given."""
    g = loaded.graph
    node = g.vertex_node
    out = []
    for e in np.flatnonzero(np.asarray(g.element_ids) == element):
        kind = EDGE_KINDS[g.kind[e]]
        if kind in ("border", "service", "link") and origin and destination:
            ends = (g.node_ids[node[g.tail[e]]], g.node_ids[node[g.head[e]]])
            if ends != (origin, destination):
                continue
        out.append(int(e))
    if not out:
        raise LookupError(f"no edge of {element} {origin} → {destination}")
    return out


def wait_hours(
    loaded: LoadedNetwork, element: str, origin: str, destination: str, statistic: str = "mean"
) -> float:
    """Loaded wait on the element's edge in the direction given (mean or a gamma percentile)."""
    g = loaded.graph
    e = element_edges(loaded, element, origin, destination)[0]
    mean, cv = float(g.hours_waiting[e]), float(g.hours_waiting_cv[e])
    if statistic == "mean" or cv <= 0:
        return mean
    shape = 1.0 / cv**2
    return float(gamma.ppf(_PERCENTILE[statistic] / 100.0, shape, scale=mean / shape))


def terminal_wait(loaded: LoadedNetwork, terminal: str, to_mode: str) -> float:
    """Mean loaded wait to change onto ``to_mode`` at a terminal (the slowest such transfer)."""
    g = loaded.graph
    edges = [
        e
        for e in element_edges(loaded, terminal)
        if EDGE_KINDS[g.kind[e]] == "transfer" and g.mode[e] == MODES.index(to_mode)
    ]
    return float(max(g.hours_waiting[e] for e in edges))


def element_volume(
    loaded: LoadedNetwork, element: str, unit: str, ends: tuple[str, str] = ("", "")
) -> float:
    """Yearly TEU or tonnes through an element: both directions, or only ``ends`` when given."""
    flows = loaded.element_teu if unit == "TEU/yr" else loaded.element_t
    return sum(
        float(flows[i])
        for i, (_table, elem_id, frm, to) in enumerate(loaded.capacities.key)
        if elem_id == element and (not ends[0] or (frm, to) == ends)
    )


def corridor_volume(
    loaded: LoadedNetwork,
    corridor: str,
    unit: str,
    commodity: str = "",
    westbound_only: bool = False,
) -> float:
    """Yearly TEU or tonnes on the segment paths classified as ``corridor``."""
    lon = dict(zip(loaded.network.nodes["id"], loaded.network.nodes["lon"], strict=True))
    total = 0.0
    for f in loaded.flows:
        s = f.segment
        if commodity and s.commodity != commodity:
            continue
        if westbound_only and lon[s.destination] >= lon[s.origin]:
            continue
        per_unit = s.teu_per_unit if unit == "TEU/yr" else s.t_per_unit
        for edges, volume in f.paths:
            if loaded.corridor_of(edges) == corridor:
                total += volume * per_unit
    return total


def route_time(r: Route, statistic: str) -> float:
    """Mean or percentile door-to-door days of a route."""
    if statistic == "mean":
        return r.time_days
    (value,) = day_percentiles(r, (_PERCENTILE[statistic],))
    return value


def model_figure(loaded: LoadedNetwork, row: Any) -> Figure:
    """The model's figure for one target row (a ``targets.csv`` row as a named tuple)."""
    metric = row.metric
    commodity = row.commodity or "containers"
    if metric == "time_days":
        r = corridor_route(loaded, row.origin, row.destination, row.corridor, commodity)
        return Figure(route_time(r, row.statistic), f"{row.corridor} route {r.time_days:.1f} d")
    if metric in ("border_hours", "wait_hours"):
        hours = wait_hours(loaded, row.element, row.origin, row.destination, row.statistic)
        for terminal in EXTRA_ELEMENTS.get(row.id, ()):
            hours += terminal_wait(loaded, terminal, _service_mode(loaded, row.element))
        return Figure(hours, f"loaded wait {row.element} {row.origin} → {row.destination}")
    if metric.startswith("volume_"):
        if row.element:
            # a volume's ends name the trade, not a direction, unless it says one
            one_way = "westbound" in row.quantity or "eastbound" in row.quantity
            ends = (row.origin, row.destination) if one_way else ("", "")
            value = sum(
                element_volume(loaded, el, row.unit, ends)
                for el in (row.element, *EXTRA_ELEMENTS.get(row.id, ()))
            )
            return Figure(value, f"flow through {row.element}")
        value = corridor_volume(
            loaded,
            row.corridor,
            row.unit,
            commodity=row.commodity,
            westbound_only="westbound" in row.quantity,
        )
        return Figure(value, f"segment paths classified {row.corridor}")
    if metric == "cost_usd_per_feu":
        if row.element:
            g = loaded.graph
            e = element_edges(loaded, row.element, row.origin, row.destination)[0]
            return Figure(float(g.cost_usd[e]), f"fee of {row.element}")
        r = corridor_route(loaded, row.origin, row.destination, row.corridor, commodity)
        return Figure(r.cost_usd, f"{row.corridor} route cost")
    raise ValueError(f"unknown metric {metric!r} in {row.id}")


def _service_mode(loaded: LoadedNetwork, service: str) -> str:
    row = loaded.network.row("services", service)
    assert row is not None, service
    return str(row["mode"])


def all_figures(loaded: LoadedNetwork, targets: pd.DataFrame) -> dict[str, Figure]:
    """The model's figure for every target, by id."""
    return {row.id: model_figure(loaded, row) for row in targets.itertuples(index=False)}
