"""Reliability and CO₂ benefits on the tiny network, against outside references."""

from __future__ import annotations

import numpy as np
import pytest

from corridor.appraisal.reliability import (
    P90_P50_SIGMAS,
    co2_benefit,
    co2_tonnes,
    path_spread_hours,
    reliability_benefit,
)
from corridor.graph.compiled import MOVING_CV, CompiledNetwork
from corridor.loaded.calibration import calibrate
from corridor.loaded.prepare import prepare
from corridor.model.network import Network
from corridor.model.scenario import Scenario, SetValue


def _monte_carlo_spread(g: CompiledNetwork, edges: tuple[int, ...], n: int = 400_000) -> float:
    """p90 − p50 hours of a path by sampling its legs' gammas (shares no code with the
    closed form)."""
    rng = np.random.default_rng(7)
    total = np.zeros(n)
    for e in edges:
        for mu, cv in ((g.hours_moving[e], MOVING_CV), (g.hours_waiting[e], g.hours_waiting_cv[e])):
            if mu > 0 and cv > 0:
                k = 1 / cv**2
                total += rng.gamma(k, mu / k, n)
            else:
                total += max(mu, 0.0)
    p50, p90 = np.percentile(total, [50, 90])
    return float(p90 - p50)


def test_spread_matches_monte_carlo(tiny: Network) -> None:
    loaded = prepare(tiny)
    for f in loaded.flows:
        for edges, _ in f.paths:
            assert path_spread_hours(loaded.graph, edges) == pytest.approx(
                _monte_carlo_spread(loaded.graph, edges), rel=0.03
            )


def test_steadier_border_is_worth_its_spread_at_the_reliability_ratio(tiny: Network) -> None:
    # halve the border's dwell CV: every path through it is steadier; the benefit is
    # ratio × VOT × FEU × fall of sigma, sigma = (p90 − p50) / 1.2816, by Monte Carlo
    cal = calibrate(tiny)
    base = Scenario("base", tiny)
    steady = base.with_changes(SetValue("borders", "bc", "dwell_cv", "scale", 0.5))
    before, after = prepare(base, calibration=cal), prepare(steady, calibration=cal)
    got = reliability_benefit(before, after, ratio=1.2)
    expected = 0.0
    for f0, f1 in zip(before.flows, after.flows, strict=True):
        s = f0.segment
        for (e0, v0), (e1, v1) in zip(f0.paths, f1.paths, strict=True):
            assert e0 == e1 and v0 == pytest.approx(v1)  # nobody moves
            fall = _monte_carlo_spread(before.graph, e0) - _monte_carlo_spread(after.graph, e1)
            expected += 1.2 * s.value_of_time * v0 * s.teu_per_unit / 2 * fall / P90_P50_SIGMAS
    assert expected > 0
    assert got == pytest.approx(expected, rel=0.05)
    assert reliability_benefit(before, after, ratio=0.0) == 0.0


def test_co2_by_hand(tiny: Network) -> None:
    # middle: 2,000 km of rail and a 500 km ferry = 2,000 × 0.025 + 500 × 0.040 = 70 kg/t;
    # northern: 2,200 km of rail = 55 kg/t; 10 t per TEU, 10,000 and 20,000 TEU
    loaded = prepare(tiny)
    corridors = {f.segment.corridor for f in loaded.flows}
    assert corridors == {"middle", "northern"}
    assert co2_tonnes(loaded) == pytest.approx((100_000 * 70 + 200_000 * 55) / 1000, rel=1e-9)
    assert co2_benefit(loaded, loaded, price_usd_per_t=80.0) == 0.0
