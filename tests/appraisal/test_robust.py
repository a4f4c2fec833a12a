"""The robust portfolio against enumeration on the tiny catalogue in two scenarios."""

from __future__ import annotations

from itertools import combinations

import pytest

from corridor.appraisal.api import Budgets
from corridor.appraisal.economics import Parameters
from corridor.appraisal.evaluation import Evaluator
from corridor.appraisal.robust import robust
from corridor.loaded.calibration import calibrate
from corridor.model.network import Network
from corridor.model.scenario import Closure, Scenario, SetValue


def test_expected_npv_regret_and_evpi_equal_enumeration(tiny: Network) -> None:
    # the Northern route closed sends everyone through the border and the ferry:
    # measures there are worth more than in the base
    p = Parameters(horizon_years=15, growth_anchor_years=(0,))  # one prepare per set
    scenarios = [
        Scenario("base", tiny),
        Scenario("no-russia", tiny, (Closure("countries", "RU"),)),
        Scenario("slow-ferry", tiny, (SetValue("services", "fe", "vessels", "set", 2),)),
    ]
    weights = [0.5, 0.3, 0.2]
    budget = 6e6
    got = robust(scenarios, weights, Budgets(budget), params=p, max_iterations=100)
    cal = calibrate(tiny)
    evs = [Evaluator(s, p, calibration=cal) for s in scenarios]
    ids = sorted(evs[0].measures)
    cost = {m: evs[0].measure(m).capex_usd for m in ids}
    subsets = [
        frozenset(c) for k in range(len(ids) + 1) for c in combinations(ids, k)
        if sum(cost[i] for i in c) <= budget
    ]  # fmt: skip
    value = {s: [ev.appraise(s).result.npv_usd if s else 0.0 for ev in evs] for s in subsets}

    def expected(s: frozenset[str]) -> float:
        return sum(w * v for w, v in zip(weights, value[s], strict=True))

    best_expected = max(expected(s) for s in subsets)
    best_each = [max(value[s][k] for s in subsets) for k in range(3)]
    e = got["expected_npv_portfolio"]
    assert e["expected_npv_usd"] == pytest.approx(best_expected, rel=1e-9)
    for k, s in enumerate(scenarios):
        assert got["best_portfolio_by_scenario"][s.name]["npv_usd"] == pytest.approx(
            best_each[k], rel=1e-9
        )
    evpi = sum(w * b for w, b in zip(weights, best_each, strict=True)) - best_expected
    assert got["expected_value_of_perfect_information_usd"] == pytest.approx(evpi, abs=1e-3)
    assert evpi >= 0
    # the minimum-regret portfolio has the smallest largest regret among the candidates
    regrets = [c["max_regret_usd"] for c in got["candidates"]]
    assert got["min_regret_portfolio"]["max_regret_usd"] == min(regrets)
    for c in got["candidates"]:
        s = frozenset(c["ids"])
        worst = max(b - v for b, v in zip(best_each, value[s], strict=True))
        assert c["max_regret_usd"] == pytest.approx(worst, abs=1e-3)
