"""A portfolio robust to the future: weighted scenarios, expected NPV, regret, and the
value of waiting to learn.

Each scenario (Russia transit closed, the Red Sea closed, a lower Caspian, faster
demand growth, ...) is its own base: every measure is appraised against it, with
one calibration of the dataset year shared by all. Then:

Each scenario's demand is held at its own level (at the demand of year 0 of the
horizon) rather than grown year by year: the scenarios carry the futures, and
this halves the model runs.

- the **expected-NPV portfolio** maximises ``Σ_s w_s NPV_s(P)`` under the
  budgets (the portfolio MILP with each set evaluated in every scenario);
- each scenario's **own best portfolio** ``P*_s`` (what one would fund knowing
  that scenario would come);
- the **minimum-regret portfolio**: among those candidates (the expected-NPV
  one and every ``P*_s``), the one whose largest regret
  ``NPV_s(P*_s) − NPV_s(P)`` over the scenarios is smallest (the regret table
  of every candidate in every scenario is reported);
- the **expected value of perfect information**
  ``Σ_s w_s NPV_s(P*_s) − Σ_s w_s NPV_s(P_E)``: what learning which scenario
  comes before committing would be worth (the value of waiting to learn,
  before the cost of the delay).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from corridor.appraisal.api import (
    Budgets,
    candidates,
    choose_within,
    constraints,
    search_within,
    touched_segments,
)
from corridor.appraisal.economics import Parameters
from corridor.appraisal.evaluation import Evaluator, prefetch
from corridor.appraisal.portfolio import Candidate, side_by_side
from corridor.appraisal.runner import Runner, RunProgress
from corridor.errors import CorridorError
from corridor.loaded.calibration import Calibration, calibrate
from corridor.loaded.network import LoadedNetwork
from corridor.model.scenario import Scenario

#: The shipped scenarios of the default robust appraisal (with the base).
DEFAULT_SCENARIOS = (
    "base",
    "russia-belarus-closed",
    "red-sea-closed",
    "caspian-low-water",
    "demand-x2",
)


def robust(
    scenarios: Sequence[Scenario],
    weights: Sequence[float],
    budgets: Budgets,
    *,
    params: Parameters | None = None,
    progress: Callable[[RunProgress], None] | None = None,
    max_iterations: int = 50,
    workers: int = 1,
    runs_of: Mapping[str, dict[tuple[frozenset[str], float], LoadedNetwork]] | None = None,
    calibration: Calibration | None = None,
) -> dict[str, Any]:
    """The expected-NPV and minimum-regret portfolios over weighted scenarios (module docs).

    Weights are normalised to sum to one; ``workers`` model runs go on in parallel.
    ``runs_of`` maps a scenario's name to its runs already done (shared with an
    :class:`~corridor.appraisal.evaluation.Evaluator` of the same scenario and
    ``calibration``, the calibration of the scenarios' base).
    """
    if len(scenarios) != len(weights) or not scenarios:
        raise CorridorError(
            f"expected one weight per scenario, found {len(weights)} for {len(scenarios)}"
        )
    if any(not w >= 0 for w in weights) or sum(weights) <= 0:
        raise CorridorError("expected weights >= 0 with a positive sum")
    w = [x / sum(weights) for x in weights]
    budgets.check()
    # one demand per scenario over the horizon (its own: demand-x2 carries the growth);
    # this halves the model runs of five scenarios
    params = replace(params or Parameters(), growth_anchor_years=(0,))
    cal = calibration if calibration is not None else calibrate(scenarios[0].base)
    shared = runs_of or {}
    runs = [0]

    def tick(p: RunProgress) -> None:
        runs[0] += 1
        if progress is not None:
            progress(replace(p, runs=runs[0]))

    with Runner(workers) as runner:
        evs = [Evaluator(s, params, tick, cal, runner, shared.get(s.name)) for s in scenarios]
        return _robust(scenarios, w, budgets, evs, runs, max_iterations)


def _robust(
    scenarios: Sequence[Scenario],
    w: Sequence[float],
    budgets: Budgets,
    evs: Sequence[Evaluator],
    runs: list[int],
    max_iterations: int,
) -> dict[str, Any]:
    prefetch([(ev, [[mid] for mid in ev.measures]) for ev in evs])
    own = [{mid: ev.appraise([mid]).result.npv_usd for mid in ev.measures} for ev in evs]
    first = evs[0]
    singles = [first.appraise([mid]) for mid in first.measures]
    base_cands = candidates(first, singles)
    touched: dict[str, set[str]] = {}
    for ev in evs:
        for mid, segs in touched_segments(ev).items():
            touched.setdefault(mid, set()).update(segs)
    requires, excludes = constraints(first)

    def valued(values: dict[str, float]) -> list[Candidate]:
        return [Candidate(c.id, c.cost_usd, values[c.id], c.country, c.funders) for c in base_cands]

    def npv(k: int, ids: Sequence[str]) -> float:
        return evs[k].appraise(ids).result.npv_usd if ids else 0.0

    expected_values = {
        mid: sum(wk * o[mid] for wk, o in zip(w, own, strict=True)) for mid in first.measures
    }
    expected = choose_within(
        valued(expected_values),
        budgets,
        lambda s: sum(wk * npv(k, tuple(s)) for k, wk in enumerate(w)),
        lambda sets: prefetch([(ev, sets) for ev in evs]),
        touched=touched,
        pairs=(requires, excludes),
        max_iterations=max_iterations,
    )

    def in_scenario(k: int) -> Callable[[frozenset[str]], float]:
        return lambda s: npv(k, tuple(s))

    # each scenario's own search; they go side by side, their model runs in shared batches
    own_best = side_by_side(
        [
            search_within(
                valued(own[k]),
                budgets,
                in_scenario(k),
                touched=touched,
                pairs=(requires, excludes),
                max_iterations=max_iterations,
            )
            for k in range(len(evs))
        ],
        lambda wanted: prefetch([(evs[k], sets) for k, sets in wanted.items()]),
    )
    options: dict[tuple[str, ...], str] = {expected.ids: "expected_npv"}
    for k, p in enumerate(own_best):
        options.setdefault(p.ids, f"best_in_{scenarios[k].name}")
    prefetch([(ev, list(options)) for ev in evs])
    table = {ids: [npv(k, ids) for k in range(len(evs))] for ids in options}
    best_in = [p.npv_usd for p in own_best]
    regret = {
        ids: max(b - v for b, v in zip(best_in, vals, strict=True)) for ids, vals in table.items()
    }
    min_regret = min(
        options,
        key=lambda ids: (regret[ids], -sum(wk * v for wk, v in zip(w, table[ids], strict=True))),
    )
    evpi = sum(wk * b for wk, b in zip(w, best_in, strict=True)) - sum(
        wk * v for wk, v in zip(w, table[expected.ids], strict=True)
    )
    cost = {c.id: c.cost_usd for c in base_cands}

    def describe(ids: tuple[str, ...]) -> dict[str, Any]:
        vals = table[ids]
        return {
            "ids": list(ids),
            "cost_usd": sum(cost[i] for i in ids),
            "expected_npv_usd": sum(wk * v for wk, v in zip(w, vals, strict=True)),
            "npv_usd_by_scenario": {s.name: v for s, v in zip(scenarios, vals, strict=True)},
            "max_regret_usd": regret[ids],
        }

    return {
        "scenarios": [s.name for s in scenarios],
        "weights": w,
        "budget_usd": budgets.total_usd,
        "measures_npv_usd_by_scenario": {
            mid: {s.name: o[mid] for s, o in zip(scenarios, own, strict=True)}
            for mid in first.measures
        },
        "expected_npv_portfolio": {**describe(expected.ids), "converged": expected.converged},
        "min_regret_portfolio": describe(min_regret),
        "best_portfolio_by_scenario": {
            s.name: {**describe(p.ids), "npv_usd": p.npv_usd}
            for s, p in zip(scenarios, own_best, strict=True)
        },
        "candidates": [{"from": options[ids], **describe(ids)} for ids in options],
        "expected_value_of_perfect_information_usd": evpi if math.isfinite(evpi) else None,
        "model_runs": runs[0],
    }
