"""`appraise`: rank every measure of a scenario's catalogue and choose the portfolio."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from corridor.appraisal.economics import Parameters
from corridor.appraisal.evaluation import Appraisal, Evaluator
from corridor.appraisal.portfolio import Candidate, Portfolio, Search, search, side_by_side
from corridor.appraisal.runner import Runner, RunProgress
from corridor.appraisal.sensitivity import plot_tornado, sensitivity, switching_values
from corridor.appraisal.staging import staged_plan
from corridor.errors import CorridorError
from corridor.loaded.calibration import Calibration
from corridor.loaded.network import LoadedNetwork
from corridor.model.network import Network
from corridor.model.scenario import Scenario


def _num(x: float | None) -> float | None:
    """JSON-safe number: None for missing or infinite values."""
    return None if x is None or not math.isfinite(x) else float(x)


def _record(ev: Evaluator, a: Appraisal) -> dict[str, Any]:
    m = ev.measure(a.ids[0])
    r = a.result
    return {
        "id": m.id,
        "name": m.name,
        "kind": m.kind,
        "country": m.country,
        "funders": list(m.funders),
        "cost_usd": m.capex_usd,
        "opex_usd_per_year": m.opex_usd_per_year,
        "build_years": m.build_years,
        "benefits_usd_per_year": a.benefits.total_usd,
        "time_savings_usd_per_year": a.benefits.time_usd,
        "money_savings_usd_per_year": a.benefits.money_usd,
        "newly_served_usd_per_year": a.benefits.newly_served_usd,
        "reliability_usd_per_year": a.benefits.reliability_usd,
        "co2_usd_per_year": a.benefits.co2_usd,
        "benefits_by_group_usd_per_year": a.benefits.by_group,
        "benefits_by_country_usd_per_year": a.benefits.by_country,
        "pv_benefits_usd": r.pv_benefits_usd,
        "pv_costs_usd": r.pv_costs_usd,
        "npv_usd": r.npv_usd,
        "npv_jpy": ev.params.to_jpy(r.npv_usd),
        "bcr": _num(r.bcr),
        "eirr": _num(r.eirr),
        "payback_years": r.payback_years,
        "first_year_return": _num(r.first_year_return),
        "switching_values": {k: _num(v) for k, v in switching_values(r).items()},
        "benefits_by_anchor": _by_anchor(ev, a.ids),
    }


def _by_anchor(ev: Evaluator, ids: tuple[str, ...]) -> list[dict[str, Any]]:
    """The yearly benefit at each growth anchor's demand beside the fixed points'
    tolerance there (:meth:`Evaluator.noise`): a benefit within it is not resolved."""
    p = ev.params
    out = []
    for a in p.anchors():
        g = p.growth_factor(a)
        benefit = ev.benefits(ids, g).total_usd
        noise = ev.noise(ids, g)
        out.append(
            {
                "year": p.start_year + a,
                "demand_growth": g,
                "benefit_usd_per_year": benefit,
                "noise_usd_per_year": noise,
                "resolved": abs(benefit) > noise,
            }
        )
    return out


def _days(
    ev: Evaluator, ids: tuple[str, ...], growth: float = 1.0
) -> dict[tuple[str, str, str], tuple[float, float]]:
    """Mean and p90 door-to-door days per (origin, destination, corridor) of the
    default pairs, with the measures ``ids`` built."""
    from corridor.analysis import analyze

    result = analyze(ev.loaded(ids, growth))
    return {
        (r["origin"], r["destination"], r["corridor"]): (
            float(r["time_days"]),
            float(r["time_days_p90"]),
        )
        for r in result["routes"]
    }


def _p90(ev: Evaluator, ids: frozenset[str] | tuple[str, ...], target: Target) -> float:
    """p90 door-to-door days of the target (origin, destination, corridor)."""
    from corridor.analysis import analyze

    o, d, c = target
    growth = ev.params.growth_factor(ev.params.anchors()[0])
    routes = analyze(ev.loaded(ids, growth), pairs=[(o, d)], corridors=[c])["routes"]
    found = [r for r in routes if r["corridor"] == c]
    if not found:
        raise CorridorError(f"corridor '{c}' does not serve {o} -> {d} in scenario {ev.base.name}")
    return float(found[0]["time_days_p90"])


Target = tuple[str, str, str]


@dataclass(frozen=True)
class Budgets:
    """Every budget of a portfolio: total (USD of capex), per country, per lender, per year."""

    total_usd: float
    country_usd: dict[str, float] = field(default_factory=dict)
    lender_usd: dict[str, float] = field(default_factory=dict)
    annual_usd: float | None = None
    window_years: int = 15

    def check(self) -> None:
        """Raise a one-line error for a negative or missing budget."""
        values = [self.total_usd, *self.country_usd.values(), *self.lender_usd.values()]
        if self.annual_usd is not None:
            values.append(self.annual_usd)
        if not all(v >= 0 for v in values):
            raise CorridorError(f"expected every budget >= 0 USD, found {min(values)}")
        if self.window_years < 1:
            raise CorridorError(
                f"expected a planning window of >= 1 year, found {self.window_years}"
            )


def candidates(ev: Evaluator, singles: list[Appraisal]) -> list[Candidate]:
    """The MILP's view of each measure: cost, own NPV, country, funders."""
    return [
        Candidate(
            a.ids[0],
            a.capex_usd,
            a.result.npv_usd,
            ev.measure(a.ids[0]).country,
            ev.measure(a.ids[0]).funders,
        )
        for a in singles
    ]


def touched_segments(ev: Evaluator) -> dict[str, set[str]]:
    """Per measure, the shipper segments whose benefit it changes at any anchor.

    Two measures may interact when they change the cost of the same segments
    (the same queue relieved twice, or traffic one sends into the other's
    queue); measures whose segments are disjoint get no pairwise term in the
    portfolio search (a chosen set is still evaluated together, so what the
    pairs miss is learned). A finer test (the capacity elements each changes
    by 2 points of utilisation or 2 % of their wait) left most interactions to
    set-level terms: 34 rounds and 190 model runs instead of 10 and 160 on the
    default dataset.
    """
    growths = [ev.params.growth_factor(a) for a in ev.params.anchors()]
    return {
        mid: {k for g in growths for k in ev.benefits([mid], g).by_segment} for mid in ev.measures
    }


def constraints(ev: Evaluator) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The catalogue's dependencies and exclusions as pairs."""
    requires = [(m.id, r) for m in ev.measures.values() for r in m.requires]
    excludes = [(m.id, x) for m in ev.measures.values() for x in m.excludes]
    return requires, excludes


def choose_within(
    cands: Sequence[Candidate],
    b: Budgets,
    evaluate: Callable[[frozenset[str]], float],
    batch: Callable[[Sequence[frozenset[str]]], None],
    *,
    touched: Mapping[str, set[str]],
    pairs: tuple[Sequence[tuple[str, str]], Sequence[tuple[str, str]]],
    max_iterations: int,
    tolerance: float = 1.0,
) -> Portfolio:
    """:func:`~corridor.appraisal.portfolio.choose` under every budget of ``b``, with the
    catalogue's (requires, excludes) ``pairs``, pairwise terms for measures whose
    ``touched`` segments meet, and ``batch`` told the sets about to be evaluated."""
    steps = search_within(
        cands,
        b,
        evaluate,
        touched=touched,
        pairs=pairs,
        max_iterations=max_iterations,
        tolerance=tolerance,
    )
    return side_by_side([steps], lambda wanted: batch(wanted[0]))[0]


def search_within(
    cands: Sequence[Candidate],
    b: Budgets,
    evaluate: Callable[[frozenset[str]], float],
    *,
    touched: Mapping[str, set[str]],
    pairs: tuple[Sequence[tuple[str, str]], Sequence[tuple[str, str]]],
    max_iterations: int,
    tolerance: float = 1.0,
) -> Search:
    """:func:`choose_within` in steps (:func:`~corridor.appraisal.portfolio.search`)."""
    requires, excludes = pairs
    return search(
        cands,
        b.total_usd,
        evaluate,
        country_budgets=b.country_usd,
        lender_budgets=b.lender_usd,
        requires=requires,
        excludes=excludes,
        interacts=lambda x, y: bool(touched[x] & touched[y]),
        max_iterations=max_iterations,
        tolerance_usd=tolerance,
    )


def appraise(
    network: Network | Scenario,
    *,
    budget_usd: float,
    params: Parameters | None = None,
    progress: Callable[[RunProgress], None] | None = None,
    max_iterations: int = 50,
    out_dir: str | os.PathLike[str] | None = None,
    budgets: Budgets | None = None,
    objective: str = "npv",
    target: Target = ("xian", "duisburg", "middle"),
    workers: int = 1,
    runs_of: dict[tuple[frozenset[str], float], LoadedNetwork] | None = None,
    calibration: Calibration | None = None,
) -> dict[str, Any]:
    """Appraise every measure against the scenario and choose the portfolio under a budget.

    Returns one JSON-ready object: ``measures`` ranked by NPV and ``portfolio``
    (``ids``, ``cost_usd``, ``npv_usd``, ``budget_usd`` and, per default OD pair
    and corridor, the door-to-door days before and after), with the portfolio's
    sensitivity cases and switching values, and the ``staged_plan`` (start year
    of each measure under the yearly budget, default the total: then a measure
    waits only when its traffic is not there yet); with ``out_dir``, the tornado
    chart is written there
    (``appraisal_tornado.png``). ``objective`` ``"p90"`` chooses the set that
    cuts the p90 door-to-door days of ``target`` (origin, destination,
    corridor) the most instead of the one with the highest NPV. ``workers``
    model runs go on in parallel (worker processes, :mod:`~corridor.appraisal.runner`);
    ``runs_of`` and ``calibration`` are the scenario's runs already done and its
    base's calibration (:class:`~corridor.appraisal.evaluation.Evaluator`), to
    share them with a robust appraisal of the same scenario. ``progress`` is
    called after each model run with a
    :class:`~corridor.appraisal.runner.RunProgress` (the batch's phase, its
    runs done and total, the runs so far).

    Examples
    --------
    >>> from corridor import load_network
    >>> out = appraise(load_network(), budget_usd=5e6)
    >>> out["portfolio"]["cost_usd"] <= 5e6
    True
    """
    b = budgets or Budgets(budget_usd)
    b.check()
    if objective not in ("npv", "p90"):
        raise CorridorError(f"expected --objective npv or p90, found {objective!r}")
    scen = network if isinstance(network, Scenario) else Scenario("base", network)
    with Runner(workers) as runner:
        ev = Evaluator(scen, params, progress, calibration, runner, runs_of)
        return _appraise(ev, b, max_iterations, out_dir, objective, target)


def _appraise(
    ev: Evaluator,
    b: Budgets,
    max_iterations: int,
    out_dir: str | os.PathLike[str] | None,
    objective: str,
    target: Target,
) -> dict[str, Any]:
    ev.prefetch([[mid] for mid in ev.measures])
    singles = [ev.appraise([mid]) for mid in ev.measures]
    singles.sort(key=lambda a: -a.result.npv_usd)
    cands = candidates(ev, singles)
    touched = touched_segments(ev)
    requires, excludes = constraints(ev)
    p90_before = _p90(ev, (), target) if objective == "p90" else math.nan
    if objective == "p90":
        cut = {c.id: p90_before - _p90(ev, (c.id,), target) for c in cands}
        cands = [replace(c, npv_usd=cut[c.id]) for c in cands]
    g0 = ev.params.growth_factor(ev.params.anchors()[0])

    def value(s: frozenset[str]) -> float:
        if objective == "p90":
            return p90_before - _p90(ev, s, target)
        return ev.appraise(s).result.npv_usd

    def batch(sets: Sequence[frozenset[str]]) -> None:
        if objective == "p90":
            ev.run_keys([(s, g0) for s in sets])
        else:
            ev.prefetch(sets)

    best = choose_within(
        cands,
        b,
        value,
        batch,
        touched=touched,
        pairs=(requires, excludes),
        max_iterations=max_iterations,
        tolerance=1.0 if objective == "npv" else 1e-4,
    )
    chosen = ev.appraise(best.ids) if best.ids else None
    portfolio = _portfolio(ev, best, chosen, b, objective, out_dir)
    if objective == "p90":
        portfolio["target"] = {
            "origin": target[0],
            "destination": target[1],
            "corridor": target[2],
            "p90_days_before": p90_before,
            "p90_days_after": p90_before - best.npv_usd,
        }
    return {
        "scenario": ev.base.name,
        "objective": objective,
        "parameters": _parameters(ev.params),
        "measures": [_record(ev, a) for a in singles],
        "portfolio": portfolio,
        "model_runs": ev.runs,
    }


def _parameters(p: Parameters) -> dict[str, Any]:
    return {
        "discount_rate": p.discount_rate,
        "horizon_years": p.horizon_years,
        "price_year": p.price_year,
        "currency": p.currency,
        "jpy_per_usd": p.jpy_per_usd,
        "start_year": p.start_year,
        "demand_growth": p.demand_growth,
        "growth_anchor_years": list(p.anchors()),
        "demand_elasticity": p.demand_elasticity,
        "reliability_ratio": p.reliability_ratio,
        "carbon_price_usd_per_t": p.carbon_price_usd_per_t,
    }


def _portfolio(
    ev: Evaluator,
    best: Portfolio,
    chosen: Appraisal | None,
    b: Budgets,
    objective: str,
    out_dir: str | os.PathLike[str] | None,
) -> dict[str, Any]:
    """The JSON of a chosen portfolio: economics, days per corridor, sensitivity, plan."""
    before = _days(ev, ())
    after = _days(ev, best.ids)
    corridors = [
        {
            "origin": o,
            "destination": d,
            "corridor": c,
            "days_before": days[0],
            "days_after": after[(o, d, c)][0] if (o, d, c) in after else None,
            "p90_days_before": days[1],
            "p90_days_after": after[(o, d, c)][1] if (o, d, c) in after else None,
        }
        for (o, d, c), days in before.items()
    ]
    base_npv, cases = sensitivity(ev, best.ids) if best.ids else (0.0, [])
    tornado = None
    if out_dir is not None and cases:
        tornado = str(Path(out_dir) / "appraisal_tornado.png")
        plot_tornado(base_npv, cases, f"Portfolio NPV sensitivity ({ev.base.name})", tornado)
    annual = b.annual_usd if b.annual_usd is not None else b.total_usd
    plan = staged_plan(ev, best.ids, annual_budget_usd=annual, window_years=b.window_years)
    r = chosen.result if chosen else None
    return {
        "ids": list(best.ids),
        "cost_usd": best.cost_usd,
        "npv_usd": r.npv_usd if r else 0.0,
        "budget_usd": b.total_usd,
        "country_budgets_usd": b.country_usd,
        "lender_budgets_usd": b.lender_usd,
        "pv_benefits_usd": r.pv_benefits_usd if r else 0.0,
        "pv_costs_usd": r.pv_costs_usd if r else 0.0,
        "bcr": _num(r.bcr) if r else None,
        "eirr": _num(r.eirr) if r else None,
        "npv_jpy": ev.params.to_jpy(r.npv_usd if r else 0.0),
        "objective_value": best.npv_usd,
        "predicted_objective_value": best.predicted_npv_usd,
        "iterations": best.iterations,
        "converged": best.converged,
        "switching_values": {k: _num(v) for k, v in switching_values(r).items()} if r else {},
        "sensitivity": [c.to_dict() for c in cases],
        "tornado_png": tornado,
        "staged_plan": {**plan.to_dict(ev), "annual_budget_usd": annual},
        "corridors": corridors,
    }
