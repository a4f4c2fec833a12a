"""Yearly benefits of a change: the loaded network without it against the loaded
network with it (both prepared with one calibration of the base, at one demand).

Per shipper segment, in FEU (``volume × teu_per_unit / 2``) and at the segment's
value of time (USD per FEU-hour); a path's generalised cost per FEU is its money
cost plus value of time × (hours moving + hours waiting at the loaded waits).

Shippers (consumer surplus):

- **existing traffic**: the volume that keeps its path (``min`` of its volume
  without and with) gains the full fall of that path's generalised cost;
- **rerouted traffic**: the volume that left some paths for others gains half
  the difference between the mean cost of the paths it left and of the paths it
  took (the rule of half);
- **newly served (or newly stranded) traffic**: the change ``ΔQ`` of the volume
  carried gains ``ΔQ (½ (p0 + p1) − c)`` — the area under the demand curve
  between the two volumes less what the marginal shippers pay (``c`` of the
  state they are carried in); with ``p1 = c1`` this is the rule of half,
  ``½ ΔQ (p0 − p1)``. ``p`` is the price at which the carried volume clears
  the segment's demand. Demand is linear
  through the year's volume ``D`` at the segment's mean generalised cost ``c``
  with point elasticity ``−ε`` (:attr:`~corridor.appraisal.economics.Parameters.
  demand_elasticity`), so a segment with ``U`` of its ``D`` stranded (the loaded
  network's unrouted demand) clears at ``p = c (1 + U / (ε D))``; a segment
  with no route at all in one state takes the other state's ``c``. A measure
  that lets stranded freight move therefore earns the rule-of-half gain on the
  newly served volume, and one that strands freight loses it.

Producers (transfers): a unit charge that changes (a fee or tariff measure) moves
money between shippers and whoever collects it. Charges are taken to equal the
resource cost of the service before the change (competitive pricing), so the
collector gains ``(c1 − c0) × F1`` on the traffic ``F1`` paying the new charge:
border fees go to **governments**, terminal charges and carriers' tariffs to
**operators**. On traffic that stays, a fee cut nets to zero across the groups;
what remains is the rule-of-half gain of diverted and induced traffic and the
change of every other user's waits that the diverted traffic causes.

Benefits are split by country: shippers' part in proportion to the
flow-weighted change of generalised cost on each edge (an edge belongs to the
countries of its two ends, half each when they differ), producers' part by the
edge that collects the charge. Reliability and CO₂ are valued elsewhere
(:mod:`corridor.appraisal.reliability`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from corridor.graph.compiled import EDGE_KINDS, CompiledNetwork
from corridor.loaded.network import LoadedNetwork

FloatArray = npt.NDArray[np.float64]
EdgeKey = tuple[int, int, int, int, int, int]
#: Who collects the charge of each edge kind (module docs).
COLLECTOR = {
    "link": "operators",
    "border": "governments",
    "service": "operators",
    "transfer": "operators",
    "access": "operators",
    "egress": "operators",
}
GROUPS = ("shippers", "operators", "governments")
#: Default point elasticity (absolute value) of freight demand with respect to its
#: generalised cost: the middle of the range for rail and sea freight surveyed by
#: Oum, Waters and Yong (1992, Journal of Transport Economics and Policy 26(2)).
DEMAND_ELASTICITY = 0.6


@dataclass(frozen=True)
class Benefits:
    """Yearly benefits in USD of the price year (module docs).

    ``existing_usd + rerouted_usd + newly_served_usd`` is the shippers' part;
    ``by_group`` adds the producers' (operators, governments) and, once valued,
    reliability (to shippers) and CO₂ (``society``), and sums to ``total_usd``,
    as ``by_country`` does; ``time_usd``,
    ``money_usd`` and ``access_usd`` (the rationing premium of newly served
    freight) split the shippers' part by nature. ``reliability_usd`` and
    ``co2_usd`` are added by the evaluator when valued.
    """

    existing_usd: float = 0.0
    rerouted_usd: float = 0.0
    newly_served_usd: float = 0.0
    time_usd: float = 0.0
    money_usd: float = 0.0
    access_usd: float = 0.0
    by_group: dict[str, float] = field(default_factory=dict)
    by_country: dict[str, float] = field(default_factory=dict)
    by_segment: dict[str, float] = field(default_factory=dict)
    reliability_usd: float = 0.0
    co2_usd: float = 0.0

    @property
    def shippers_usd(self) -> float:
        """Existing + rerouted + newly served traffic."""
        return self.existing_usd + self.rerouted_usd + self.newly_served_usd

    @property
    def total_usd(self) -> float:
        """Economic benefit: every group's, plus reliability and CO₂ when valued."""
        return (
            self.shippers_usd
            + self.by_group.get("operators", 0.0)
            + self.by_group.get("governments", 0.0)
            + self.reliability_usd
            + self.co2_usd
        )


def _keys(g: CompiledNetwork) -> list[EdgeKey]:
    """A name for each edge that survives recompiling a changed network."""
    node, mode = g.vertex_node, g.vertex_mode
    return [
        (int(k), int(el), int(node[t]), int(node[h]), int(mode[t]), int(mode[h]))
        for k, el, t, h in zip(g.kind, g.element, g.tail, g.head, strict=True)
    ]


@dataclass
class _Sums:
    """Volume (FEU), and volume × money and × hours of a set of paths."""

    feu: float = 0.0
    money: float = 0.0
    hours: float = 0.0

    def add(self, feu: float, money: float, hours: float) -> None:
        self.feu += feu
        self.money += feu * money
        self.hours += feu * hours

    def mean(self) -> tuple[float, float]:
        return self.money / self.feu, self.hours / self.feu


def _edge_countries(g: CompiledNetwork, e: int) -> set[str]:
    country = g.vertex_country
    return {country[int(g.tail[e])], country[int(g.head[e])]}


def annual_benefits(
    without: LoadedNetwork, with_: LoadedNetwork, *, elasticity: float = DEMAND_ELASTICITY
) -> Benefits:
    """Yearly benefits of going from ``without`` to ``with_`` (module docs).

    Examples
    --------
    >>> from corridor import load_network
    >>> from corridor.loaded.prepare import prepare
    >>> loaded = prepare(load_network())
    >>> annual_benefits(loaded, loaded).total_usd
    0.0
    """
    if not elasticity > 0:
        raise ValueError(f"expected a demand elasticity > 0, found {elasticity}")
    g0, g1 = without.graph, with_.graph
    k0, k1 = _keys(g0), _keys(g1)
    index1 = {k: i for i, k in enumerate(k1)}
    match = np.array([index1.get(k, -1) for k in k0], dtype=np.int64)
    shared = match >= 0
    at1 = np.maximum(match, 0)
    h0_edge = g0.hours_moving + g0.hours_waiting
    h1_edge = g1.hours_moving + g1.hours_waiting
    d_cost = np.where(shared, g0.cost_usd - g1.cost_usd[at1], 0.0)
    d_hours = np.where(shared, h0_edge - h1_edge[at1], 0.0)
    weight = np.zeros(g0.n_edges)
    existing = rerouted = served = time = money = access = 0.0
    by_segment: dict[str, float] = {}
    extra: dict[str, float] = {}  # country weights of newly served traffic
    for f0, f1 in zip(without.flows, with_.flows, strict=True):
        s = f0.segment
        if s.name != f1.segment.name:
            raise ValueError("the two loaded networks have different segments")
        vot, feu = s.value_of_time, s.teu_per_unit / 2.0
        paths0 = {tuple(k0[e] for e in edges): (edges, v) for edges, v in f0.paths}
        paths1 = {tuple(k1[e] for e in edges): (edges, v) for edges, v in f1.paths}
        before = existing + rerouted + served

        def unit(g: CompiledNetwork, edges: tuple[int, ...]) -> tuple[float, float]:
            e = list(edges)
            return float(g.cost_usd[e].sum()), float((g.hours_moving + g.hours_waiting)[e].sum())

        left, took, all0, all1 = _Sums(), _Sums(), _Sums(), _Sums()
        for key, (edges, v) in paths0.items():
            c, h = unit(g0, edges)
            v1 = paths1[key][1] if key in paths1 else 0.0
            stay = min(v, v1) * feu
            if stay > 0:
                c1, hh1 = unit(g1, paths1[key][0])
                existing += stay * ((c - c1) + vot * (h - hh1))
                money += stay * (c - c1)
                time += stay * vot * (h - hh1)
            left.add(v * feu - stay, c, h)
            all0.add(v * feu, c, h)
            weight[list(edges)] += (
                v * feu / 2 * np.abs(d_cost[list(edges)] + vot * d_hours[list(edges)])
            )
        for key, (edges, v) in paths1.items():
            c, h = unit(g1, edges)
            v0 = paths0[key][1] if key in paths0 else 0.0
            took.add(v * feu - min(v, v0) * feu, c, h)
            all1.add(v * feu, c, h)
        moved = min(left.feu, took.feu)
        if moved > 0:
            (m0, t0), (m1, t1) = left.mean(), took.mean()
            rerouted += 0.5 * moved * ((m0 - m1) + vot * (t0 - t1))
            money += 0.5 * moved * (m0 - m1)
            time += 0.5 * moved * vot * (t0 - t1)
        dq = all1.feu - all0.feu
        if dq != 0 and (all0.feu > 0 or all1.feu > 0):
            (m0, t0) = all0.mean() if all0.feu > 0 else all1.mean()
            (m1, t1) = all1.mean() if all1.feu > 0 else all0.mean()
            demand = s.volume * feu
            # the price at which the carried volume clears the demand (module docs)
            c0, c1 = m0 + vot * t0, m1 + vot * t1
            u0 = max(demand - all0.feu, 0.0) / demand if demand > 0 else 0.0
            u1 = max(demand - all1.feu, 0.0) / demand if demand > 0 else 0.0
            p0, p1 = c0 * (1 + u0 / elasticity), c1 * (1 + u1 / elasticity)
            # the marginal shippers value the freight at the mean of the two clearing
            # prices and pay the cost of the state in which they are carried
            gain = dq * (0.5 * (p0 + p1) - (c1 if dq > 0 else c0))
            served += gain
            money += 0.5 * dq * (m0 - m1)
            time += 0.5 * dq * vot * (t0 - t1)
            access += gain - 0.5 * dq * (c0 - c1)
            g_any, paths_any = (g0, paths0) if paths0 else (g1, paths1)
            edges_any = next(iter(paths_any.values()))[0]
            for e in edges_any:
                ends = _edge_countries(g_any, e)
                for iso in ends:
                    extra[iso] = extra.get(iso, 0.0) + abs(gain) / (len(edges_any) * len(ends))
        by_segment[s.name] = existing + rerouted + served - before
    shippers = existing + rerouted + served
    by_country = _split(g0, weight, extra, shippers)
    groups = {"shippers": shippers, "operators": 0.0, "governments": 0.0}
    # producers: the change of unit charge on the traffic paying the new one
    flow1_feu = with_.edge_flow_teu / 2.0
    d_charge = g1.cost_usd[at1] - g0.cost_usd
    for e in np.flatnonzero(shared & (np.abs(d_charge) > 0)).tolist():
        gain = float(d_charge[e] * flow1_feu[match[e]])
        if gain == 0:
            continue
        groups[COLLECTOR[EDGE_KINDS[int(g0.kind[e])]]] += gain
        ends = _edge_countries(g0, e)
        for iso in ends:
            by_country[iso] = by_country.get(iso, 0.0) + gain / len(ends)
    by_country = dict(sorted(by_country.items(), key=lambda x: -abs(x[1])))
    return Benefits(
        existing_usd=existing,
        rerouted_usd=rerouted,
        newly_served_usd=served,
        time_usd=time,
        money_usd=money,
        access_usd=access,
        by_group=groups,
        by_country=by_country,
        by_segment={k: v for k, v in by_segment.items() if v != 0},
    )


def _split(
    g: CompiledNetwork, weight: FloatArray, extra: dict[str, float], total: float
) -> dict[str, float]:
    """Split ``total`` over countries by each edge's share of ``weight`` plus the country
    weights ``extra`` (module docs)."""
    share: dict[str, float] = dict(extra)
    if total == 0 or weight.sum() + sum(share.values()) <= 0:
        return {}
    for e in np.flatnonzero(weight > 0).tolist():
        ends = _edge_countries(g, e)
        for c in ends:
            share[c] = share.get(c, 0.0) + float(weight[e]) / len(ends)
    norm = sum(share.values())
    return {c: total * w / norm for c, w in share.items()}
