"""Switching values and sensitivity cases: identities and numpy-financial."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy_financial as nf
import pytest

from corridor.appraisal.economics import CostStream, Parameters, evaluate
from corridor.appraisal.evaluation import Evaluator
from corridor.appraisal.sensitivity import plot_tornado, sensitivity, switching_values
from corridor.model.network import Network
from corridor.model.scenario import Scenario


def test_switching_values_bring_the_npv_to_zero() -> None:
    p = Parameters(discount_rate=0.08, horizon_years=12)
    benefits = np.array([0, 0] + [30.0] * 10)
    costs = CostStream(np.array([80.0, 80] + [0] * 10), np.full(12, 2.0), np.zeros(12), 2)
    r = evaluate(benefits, costs, p)
    sv = switching_values(r)
    assert r.npv_usd > 0
    k = 1 + sv["costs_pct"] / 100  # type: ignore[operator]
    scaled = CostStream(costs.capex * k, costs.opex * k, costs.residual * k, 2)
    assert evaluate(benefits, scaled, p).npv_usd == pytest.approx(0.0, abs=1e-9)
    b = 1 + sv["benefits_pct"] / 100  # type: ignore[operator]
    assert evaluate(benefits * b, costs, p).npv_usd == pytest.approx(0.0, abs=1e-9)


def test_sensitivity_cases_against_numpy_financial(tiny: Network, tmp_path: Path) -> None:
    ev = Evaluator(Scenario("base", tiny), Parameters(horizon_years=15))
    ids = ("m_scanner",)
    base, cases = sensitivity(ev, ids)
    yearly = ev.yearly_benefits(ids)
    c = ev.costs(ids)
    net = yearly - c.capex - c.opex + c.residual
    assert base == pytest.approx(nf.npv(0.06, net), rel=1e-9)
    by = {x.name: x for x in cases}
    assert by["discount rate"].npv_high_usd == pytest.approx(nf.npv(0.09, net), rel=1e-9)
    assert by["discount rate"].npv_low_usd == pytest.approx(nf.npv(0.03, net), rel=1e-9)
    pv_b = nf.npv(0.06, yearly)
    assert by["benefits"].npv_low_usd == pytest.approx(base - 0.2 * pv_b, rel=1e-9)
    # no stranded freight on the tiny network: the elasticity changes nothing
    assert by["demand elasticity"].npv_low_usd == pytest.approx(base, rel=1e-12)
    # more demand through the scanned border saves more hours
    assert by["demand growth"].npv_high_usd > base > by["demand growth"].npv_low_usd
    swings = [abs(x.npv_high_usd - x.npv_low_usd) for x in cases]
    assert swings == sorted(swings, reverse=True)
    plot_tornado(base, cases, "m_scanner", tmp_path / "tornado.png")
    assert (tmp_path / "tornado.png").read_bytes()[:4] == b"\x89PNG"
