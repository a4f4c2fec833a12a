"""Yearly user benefits of a change: the loaded network without it against the loaded
network with it (both prepared with one calibration of the base).

Per shipper segment, in FEU (``volume × teu_per_unit / 2``) and at the segment's
value of time (USD per FEU-hour); a path's generalised cost per FEU is its money
cost plus value of time × (hours moving + hours waiting at the loaded waits):

- **existing traffic**: the volume that keeps its path (``min`` of its volume
  without and with) gains the full fall of that path's generalised cost;
- **rerouted traffic**: the volume that left some paths for others gains half
  the difference between the mean cost of the paths it left and of the paths it
  took (the rule of half);
- **newly served (or newly unserved) traffic**: the change in the volume carried
  gains half the fall of the segment's mean cost per FEU (rule of half;
  negative when volume is lost). A segment carried in only one of the two
  states has no cost to compare, and this term is zero for it: capacity
  rationing hides the cost of not shipping, so benefits of relieving a full
  element are understated, not invented.

Time and money parts are reported apart. Simplifications: benefits are those of
the base year's demand (no growth over the horizon); fees are counted as money
savings to shippers although a fee cut is partly a transfer from the operator;
reliability (p90 − p50) is not valued here. The benefit is split by country in
proportion to the flow-weighted change of generalised cost on each edge, an edge
belonging to the countries of its two ends (half each when they differ).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from corridor.graph.compiled import CompiledNetwork
from corridor.loaded.network import LoadedNetwork

FloatArray = npt.NDArray[np.float64]
EdgeKey = tuple[int, int, int, int, int, int]


@dataclass(frozen=True)
class Benefits:
    """Yearly benefits in USD of the price year (module docs)."""

    existing_usd: float = 0.0
    rerouted_usd: float = 0.0
    induced_usd: float = 0.0
    time_usd: float = 0.0
    money_usd: float = 0.0
    by_country: dict[str, float] = field(default_factory=dict)

    @property
    def total_usd(self) -> float:
        """Existing + rerouted + newly served traffic."""
        return self.existing_usd + self.rerouted_usd + self.induced_usd


def _keys(g: CompiledNetwork) -> list[EdgeKey]:
    """A name for each edge that survives recompiling a changed network."""
    node, mode = g.vertex_node, g.vertex_mode
    return [
        (int(k), int(el), int(node[t]), int(node[h]), int(mode[t]), int(mode[h]))
        for k, el, t, h in zip(g.kind, g.element, g.tail, g.head, strict=True)
    ]


def annual_benefits(without: LoadedNetwork, with_: LoadedNetwork) -> Benefits:
    """Yearly benefits to shippers of going from ``without`` to ``with_`` (module docs).

    Examples
    --------
    >>> from corridor import load_network
    >>> from corridor.loaded.prepare import prepare
    >>> loaded = prepare(load_network())
    >>> annual_benefits(loaded, loaded).total_usd
    0.0
    """
    g0, g1 = without.graph, with_.graph
    k0, k1 = _keys(g0), _keys(g1)
    index1 = {k: i for i, k in enumerate(k1)}
    match = np.array([index1.get(k, -1) for k in k0], dtype=np.int64)
    shared = match >= 0
    cost0, cost1 = g0.cost_usd, g1.cost_usd
    h0 = g0.hours_moving + g0.hours_waiting
    h1 = g1.hours_moving + g1.hours_waiting
    d_cost = np.where(shared, cost0 - cost1[np.maximum(match, 0)], 0.0)
    d_hours = np.where(shared, h0 - h1[np.maximum(match, 0)], 0.0)
    weight = np.zeros(g0.n_edges)
    existing = rerouted = induced = time = money = 0.0
    for f0, f1 in zip(without.flows, with_.flows, strict=True):
        s = f0.segment
        if s.name != f1.segment.name:
            raise ValueError("the two loaded networks have different segments")
        vot, feu = s.value_of_time, s.teu_per_unit / 2.0
        paths0 = {tuple(k0[e] for e in edges): (edges, v) for edges, v in f0.paths}
        paths1 = {tuple(k1[e] for e in edges): (edges, v) for edges, v in f1.paths}

        def unit(g: CompiledNetwork, edges: tuple[int, ...]) -> tuple[float, float]:
            e = list(edges)
            return float(g.cost_usd[e].sum()), float((g.hours_moving + g.hours_waiting)[e].sum())

        stay_feu = 0.0
        left = [0.0, 0.0, 0.0]  # feu, money, hours
        took = [0.0, 0.0, 0.0]
        all0 = [0.0, 0.0, 0.0]
        all1 = [0.0, 0.0, 0.0]
        for key, (edges, v) in paths0.items():
            c, h = unit(g0, edges)
            v1 = paths1[key][1] if key in paths1 else 0.0
            stay = min(v, v1) * feu
            if stay > 0:
                c1, hh1 = unit(g1, paths1[key][0])
                existing += stay * ((c - c1) + vot * (h - hh1))
                money += stay * (c - c1)
                time += stay * vot * (h - hh1)
                stay_feu += stay
            out = v * feu - stay
            left = [left[0] + out, left[1] + out * c, left[2] + out * h]
            all0 = [all0[0] + v * feu, all0[1] + v * feu * c, all0[2] + v * feu * h]
            weight[list(edges)] += (
                v * feu / 2 * np.abs(d_cost[list(edges)] + vot * d_hours[list(edges)])
            )
        for key, (edges, v) in paths1.items():
            c, h = unit(g1, edges)
            v0 = paths0[key][1] if key in paths0 else 0.0
            into = v * feu - min(v, v0) * feu
            took = [took[0] + into, took[1] + into * c, took[2] + into * h]
            all1 = [all1[0] + v * feu, all1[1] + v * feu * c, all1[2] + v * feu * h]
        moved = min(left[0], took[0])
        if moved > 0:
            dc = left[1] / left[0] - took[1] / took[0]
            dh = left[2] / left[0] - took[2] / took[0]
            rerouted += 0.5 * moved * (dc + vot * dh)
            money += 0.5 * moved * dc
            time += 0.5 * moved * vot * dh
        dq = all1[0] - all0[0]
        if dq != 0 and all0[0] > 0 and all1[0] > 0:
            dc = all0[1] / all0[0] - all1[1] / all1[0]
            dh = all0[2] / all0[0] - all1[2] / all1[0]
            induced += 0.5 * dq * (dc + vot * dh)
            money += 0.5 * dq * dc
            time += 0.5 * dq * vot * dh
    total = existing + rerouted + induced
    return Benefits(existing, rerouted, induced, time, money, _by_country(g0, weight, total))


def _by_country(g: CompiledNetwork, weight: FloatArray, total: float) -> dict[str, float]:
    """Split ``total`` over countries by each edge's share of ``weight`` (module docs)."""
    if total == 0 or weight.sum() <= 0:
        return {}
    share: dict[str, float] = {}
    country = g.vertex_country
    for e in np.flatnonzero(weight > 0).tolist():
        ends = {country[int(g.tail[e])], country[int(g.head[e])]}
        for c in ends:
            share[c] = share.get(c, 0.0) + float(weight[e]) / len(ends)
    norm = sum(share.values())
    return {c: total * w / norm for c, w in sorted(share.items(), key=lambda x: -x[1])}
