"""`appraise`: rank every measure of a scenario's catalogue and choose the portfolio."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from corridor.appraisal.economics import Parameters
from corridor.appraisal.evaluation import Appraisal, Evaluator
from corridor.appraisal.portfolio import Candidate, choose
from corridor.errors import CorridorError
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
    }


def _days(ev: Evaluator, ids: tuple[str, ...]) -> dict[tuple[str, str, str], float]:
    from corridor.analysis import analyze

    result = analyze(ev.loaded(ids))
    return {
        (r["origin"], r["destination"], r["corridor"]): float(r["time_days"])
        for r in result["routes"]
    }


def appraise(
    network: Network | Scenario,
    *,
    budget_usd: float,
    params: Parameters | None = None,
    progress: Callable[[int], None] | None = None,
    max_iterations: int = 50,
) -> dict[str, Any]:
    """Appraise every measure against the scenario and choose the portfolio under a budget.

    Returns one JSON-ready object: ``measures`` ranked by NPV and ``portfolio``
    (``ids``, ``cost_usd``, ``npv_usd``, ``budget_usd`` and, per default OD pair
    and corridor, the door-to-door days before and after).

    Examples
    --------
    >>> from corridor import load_network
    >>> out = appraise(load_network(), budget_usd=5e6)
    >>> out["portfolio"]["cost_usd"] <= 5e6
    True
    """
    if not budget_usd >= 0:
        raise CorridorError(f"expected a budget >= 0 USD, found {budget_usd}")
    scen = network if isinstance(network, Scenario) else Scenario("base", network)
    ev = Evaluator(scen, params, progress)
    singles = [ev.appraise([mid]) for mid in ev.measures]
    growths = [ev.params.growth_factor(a) for a in ev.params.anchors()]
    singles.sort(key=lambda a: -a.result.npv_usd)
    cands = [
        Candidate(a.ids[0], a.capex_usd, a.result.npv_usd, ev.measure(a.ids[0]).country)
        for a in singles
    ]
    touched = {
        mid: {k for g in growths for k in ev.benefits([mid], g).by_segment} for mid in ev.measures
    }
    requires = [(m.id, r) for m in ev.measures.values() for r in m.requires]
    excludes = [(m.id, x) for m in ev.measures.values() for x in m.excludes]
    best = choose(
        cands,
        budget_usd,
        lambda s: ev.appraise(s).result.npv_usd,
        requires=requires,
        excludes=excludes,
        interacts=lambda a, b: bool(touched[a] & touched[b]),
        max_iterations=max_iterations,
    )
    before = _days(ev, ())
    after = _days(ev, best.ids)
    corridors = [
        {
            "origin": o,
            "destination": d,
            "corridor": c,
            "days_before": days,
            "days_after": after.get((o, d, c)),
        }
        for (o, d, c), days in before.items()
    ]
    p = ev.params
    return {
        "scenario": scen.name,
        "parameters": {
            "discount_rate": p.discount_rate,
            "horizon_years": p.horizon_years,
            "price_year": p.price_year,
            "currency": p.currency,
            "jpy_per_usd": p.jpy_per_usd,
            "start_year": p.start_year,
            "demand_growth": p.demand_growth,
            "growth_anchor_years": list(p.anchors()),
            "demand_elasticity": p.demand_elasticity,
        },
        "measures": [_record(ev, a) for a in singles],
        "portfolio": {
            "ids": list(best.ids),
            "cost_usd": best.cost_usd,
            "npv_usd": best.npv_usd,
            "predicted_npv_usd": best.predicted_npv_usd,
            "budget_usd": budget_usd,
            "iterations": best.iterations,
            "converged": best.converged,
            "corridors": corridors,
        },
        "model_runs": ev.runs,
    }
