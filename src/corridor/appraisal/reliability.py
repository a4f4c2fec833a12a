"""Reliability and CO₂ benefits of a change, from the same two loaded networks.

**Reliability.** A path's spread is its p90 − p50 door-to-door hours, from the
legs' dwell variability in the closed form the routes report
(:func:`corridor.paths.reliability.hour_percentiles`: moving time at CV 5 %,
each wait at its loaded CV). A closed form has no sampling noise, so the
change of the spread between the two states is all signal. It was checked
against a Monte Carlo of the same legs with common random numbers (the same
draws in both states; ``tests/appraisal/test_reliability_crn.py``) on two
real paths of the default dataset: Xi'an → Istanbul with Dostyk's single
window, spread 150.3 h closed form vs 147.2 h sampled, change 24.0 h vs
23.5 h (2 %); Xi'an → Duisburg with Aktau's cranes, 78.7 vs 78.0 h, change
6.20 vs 6.17 h (under 1 %). The stochastic simulation of the whole network
(:mod:`corridor.simulation`, 10 replications of a year, the same seed in
both states) is a different model: there the ferry sails when full and
storms stop it, a spread the legs' dwell CVs do not carry. With Aktau's
cranes it narrows Xi'an → Duisburg by 20-24 h over seeds 1-3, three to four
times the closed form's 6.2 h; with Dostyk's single window it narrows
Xi'an → Istanbul by 22.4 h (seed 1), near the closed form's 24.0 h, but that
flow's simulated spread in the base alone spans 138-156 h over seeds 1-3, so
one run per state cannot value a measure. The closed form, conservative where
the simulation adds ferry spread and free of sampling noise, is kept for the
appraisal, which evaluates it for every measure and set. The spread is
turned into a standard deviation by the normal ratio ``σ ≈ (p90 − p50) / 1.2816`` and valued at the
**reliability ratio** times the segment's value of time:
``ratio × VOT × σ``. Default ratio 1.2 on the standard deviation: the
preliminary Dutch freight value (de Jong, Kouwenhoven, Kroes, Rietveld and
Warffemius, 2009, *European Journal of Transport and Infrastructure Research*
9(2)). The benefit of a segment is ``ratio × VOT × ½ (Q0 + Q1) × (σ0 − σ1)``
(the rule of half over its carried FEU, ``σ`` the flow-weighted mean of its
paths).

**CO₂** (off unless a carbon price is given). Tonne-km per mode times an
emission factor per mode, in kg CO₂ per tonne-km; stated assumptions rounded
from the default intensities of the GLEC Framework (Smart Freight Centre,
2023): rail 0.025 (a mix of electric and diesel traction), road 0.075 (a
heavy truck), ferry 0.040 (Ro-Ro/Ro-Pax), sea 0.012 (a container ship), inland
water 0.030, pipeline 0.005. A change that lets more freight move emits more,
and that counts against it. The carbon price is the user's (the World Bank's
2017 guidance note on the shadow price of carbon gives 40–80 USD/t for 2020,
rising to 50–100 USD/t by 2030).
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np

from corridor.graph.compiled import MOVING_CV, CompiledNetwork
from corridor.loaded.network import LoadedNetwork
from corridor.model.schema import MODES
from corridor.paths.reliability import hour_percentiles

#: Reliability ratio on the standard deviation of door-to-door time (module docs).
RELIABILITY_RATIO = 1.2
#: kg CO₂ per tonne-km by mode (module docs).
KG_CO2_PER_TKM = {
    "rail_1520": 0.025,
    "rail_1435": 0.025,
    "road": 0.075,
    "ferry": 0.040,
    "sea": 0.012,
    "inland_water": 0.030,
    "pipeline": 0.005,
}
#: p90 − p50 of a normal distribution in standard deviations.
P90_P50_SIGMAS = NormalDist().inv_cdf(0.9)


def path_spread_hours(g: CompiledNetwork, edges: tuple[int, ...]) -> float:
    """p90 − p50 door-to-door hours of one path on a loaded graph (module docs)."""
    parts = [
        (mu, cv)
        for e in edges
        if g.element[e] >= 0
        for mu, cv in (
            (float(g.hours_moving[e]), MOVING_CV),
            (float(g.hours_waiting[e]), float(g.hours_waiting_cv[e])),
        )
    ]
    p50, p90 = hour_percentiles(parts, (50, 90))
    return p90 - p50


def reliability_benefit(
    without: LoadedNetwork, with_: LoadedNetwork, *, ratio: float = RELIABILITY_RATIO
) -> float:
    """Yearly reliability benefit in USD of going from ``without`` to ``with_`` (module docs).

    Examples
    --------
    >>> from corridor import load_network
    >>> from corridor.loaded.prepare import prepare
    >>> loaded = prepare(load_network())
    >>> reliability_benefit(loaded, loaded)
    0.0
    """
    if ratio == 0:
        return 0.0
    total = 0.0
    for f0, f1 in zip(without.flows, with_.flows, strict=True):
        s = f0.segment
        q0, r0 = _spread(without.graph, f0.paths)
        q1, r1 = _spread(with_.graph, f1.paths)
        if q0 > 0 and q1 > 0 and r0 != r1:
            feu = s.teu_per_unit / 2.0
            sigma = (r0 - r1) / P90_P50_SIGMAS
            total += ratio * s.value_of_time * 0.5 * (q0 + q1) * feu * sigma
    return total


def _spread(
    g: CompiledNetwork, paths: tuple[tuple[tuple[int, ...], float], ...]
) -> tuple[float, float]:
    """Volume carried and its flow-weighted mean spread (hours)."""
    volume = sum(v for _, v in paths)
    if volume <= 0:
        return 0.0, 0.0
    return volume, sum(v * path_spread_hours(g, e) for e, v in paths) / volume


def co2_tonnes(loaded: LoadedNetwork) -> float:
    """Tonnes of CO₂ a year of the freight carried on a loaded network (module docs)."""
    g = loaded.graph
    factor = np.array([KG_CO2_PER_TKM.get(m, 0.0) for m in MODES])[g.mode.astype(np.int64)]
    kg_per_t = g.length_km * factor
    total = 0.0
    for f in loaded.flows:
        for edges, v in f.paths:
            total += v * f.segment.t_per_unit * float(kg_per_t[list(edges)].sum())
    return total / 1000.0


def co2_benefit(without: LoadedNetwork, with_: LoadedNetwork, *, price_usd_per_t: float) -> float:
    """Yearly value in USD of the CO₂ saved going from ``without`` to ``with_``."""
    if price_usd_per_t == 0:
        return 0.0
    return price_usd_per_t * (co2_tonnes(without) - co2_tonnes(with_))
