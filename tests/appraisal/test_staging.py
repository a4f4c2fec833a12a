"""The staged plan equals enumeration of start years on the tiny catalogue."""

from __future__ import annotations

from itertools import product

import numpy as np
import pytest

from corridor.appraisal.economics import Parameters, cost_stream, evaluate, opening_year
from corridor.appraisal.evaluation import Evaluator
from corridor.appraisal.staging import staged_plan
from corridor.model.network import Network
from corridor.model.scenario import Scenario


def test_staged_plan_equals_enumeration_of_start_years(tiny: Network) -> None:
    p = Parameters(horizon_years=12, demand_growth=0.05, growth_anchor_years=(0, 8))
    ev = Evaluator(Scenario("base", tiny), p)
    ids = ["m_scanner", "m_window", "m_port"]
    annual = 3.6e6  # scanner 2.0 in one year, window 1.5 and port 2.0 a year over two
    plan = staged_plan(ev, ids, annual_budget_usd=annual, window_years=4)
    h = p.horizon_years

    def npv(mid: str, y: int) -> tuple[float, np.ndarray]:
        m = ev.measure(mid)
        op = opening_year(m.build_years, p)
        anchors = p.anchors()
        vals = [ev.benefits([mid], p.growth_factor(a)).total_usd for a in anchors]
        b = [np.interp(t, anchors, vals) if t >= y + op else 0.0 for t in range(h)]
        c = cost_stream(m.capex_usd, m.opex_usd_per_year, m.lifetime_years, m.build_years, p, y)
        spend = np.zeros(h)
        spend[y : y + op] = m.capex_usd / op
        return evaluate(np.array(b), c, p).npv_usd, spend

    best = -np.inf
    for starts in product([None, 0, 1, 2, 3], repeat=len(ids)):
        total, spend = 0.0, np.zeros(h)
        for mid, y in zip(ids, starts, strict=True):
            if y is not None:
                v, s = npv(mid, y)
                total, spend = total + v, spend + s
        if (spend <= annual + 1e-6).all():
            best = max(best, total)
    assert plan.npv_usd == pytest.approx(best, rel=1e-9)
    assert max(plan.spending_usd) <= annual + 1e-6
    assert len(set(plan.start.values())) > 1  # the budget staggers them
