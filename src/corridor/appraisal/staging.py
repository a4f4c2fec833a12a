"""A staged plan: in which year to start building each measure of a portfolio.

Each measure ``j`` may start in any year ``y`` of the planning window with its
opening inside the horizon; started in ``y`` it spends its capex evenly over
its build years from ``y`` (:func:`~corridor.appraisal.economics.cost_stream`)
and earns from its opening the benefit the model gives it alone at each year's
demand (growth anchors, interpolated). A MILP on HiGHS chooses the start years
(``x_jy`` binary, at most one per measure) to maximise the sum of the measures'
NPVs at their start years under a budget for each year's spending and the
dependencies (a measure starts no earlier than the opening of one it
requires). Starting later saves discounting on the capex and forgoes early
benefits; with growing demand the first-year return rises, so a measure with
a low return waits for its traffic. Interactions between measures are those
of the chosen portfolio, not re-evaluated per schedule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np

from corridor.appraisal.economics import cost_stream, evaluate, opening_year
from corridor.appraisal.evaluation import Evaluator
from corridor.appraisal.portfolio import new_highs


@dataclass(frozen=True)
class Plan:
    """Start year of each scheduled measure and the yearly spending."""

    start: dict[str, int]
    npv_usd: float
    spending_usd: tuple[float, ...]
    dropped: tuple[str, ...]

    def to_dict(self, ev: Evaluator) -> dict[str, Any]:
        """JSON-ready, with calendar years."""
        p = ev.params
        return {
            "measures": [
                {
                    "id": mid,
                    "start_year": p.start_year + y,
                    "opening_year": p.start_year + y + opening_year(ev.measure(mid).build_years, p),
                    "capex_usd": ev.measure(mid).capex_usd,
                }
                for mid, y in sorted(self.start.items(), key=lambda x: (x[1], x[0]))
            ],
            "npv_usd": self.npv_usd,
            "spending_usd_per_year": {
                str(p.start_year + t): v for t, v in enumerate(self.spending_usd) if v > 0
            },
            "dropped": list(self.dropped),
        }


def _curve(ev: Evaluator, mid: str) -> np.ndarray:
    """Benefit of ``mid`` alone in every year of the horizon if it were open then."""
    p = ev.params
    anchors = p.anchors()
    values = [ev.benefits([mid], p.growth_factor(a)).total_usd for a in anchors]
    return np.interp(np.arange(p.horizon_years), anchors, values)


def staged_plan(
    ev: Evaluator,
    ids: Sequence[str],
    *,
    annual_budget_usd: float,
    window_years: int,
) -> Plan:
    """Start years for the measures ``ids`` under a yearly budget (module docs).

    Examples
    --------
    >>> from corridor import load_network
    >>> from corridor.model.scenario import Scenario
    >>> ev = Evaluator(Scenario("base", load_network()))
    >>> ids = ["i_single_window_dostyk"]
    >>> plan = staged_plan(ev, ids, annual_budget_usd=1e9, window_years=5)
    >>> plan.start
    {'i_single_window_dostyk': 0}
    """
    p = ev.params
    h = p.horizon_years
    options: list[tuple[str, int, float, np.ndarray]] = []  # id, start, npv, spending
    for mid in ids:
        m = ev.measure(mid)
        curve = _curve(ev, mid)
        open_after = opening_year(m.build_years, p)
        for y in range(max(window_years, 1)):
            if y + open_after >= h:
                break
            costs = cost_stream(
                m.capex_usd, m.opex_usd_per_year, m.lifetime_years, m.build_years, p, start=y
            )
            benefits = np.where(np.arange(h) >= y + open_after, curve, 0.0)
            npv = evaluate(benefits, costs, p).npv_usd
            spend = np.zeros(h)
            spend[y : y + open_after] = m.capex_usd / open_after
            options.append((mid, y, npv, spend))
    n = len(options)
    if n == 0:
        return Plan({}, 0.0, tuple(0.0 for _ in range(h)), tuple(ids))
    hs = new_highs()
    hs.setOptionValue("mip_rel_gap", 0.0)
    cols = np.arange(n, dtype=np.int32)
    hs.addVars(n, np.zeros(n), np.ones(n))
    hs.changeColsIntegrality(n, cols, np.array([highspy.HighsVarType.kInteger] * n))
    hs.changeColsCost(n, cols, np.array([o[2] for o in options], dtype=np.float64))
    inf = highspy.kHighsInf

    def row(lower: float, upper: float, items: list[tuple[int, float]]) -> None:
        if items:
            i = np.array([k for k, _ in items], dtype=np.int32)
            v = np.array([x for _, x in items], dtype=np.float64)
            hs.addRow(lower, upper, len(items), i, v)

    for mid in ids:
        row(-inf, 1.0, [(k, 1.0) for k, o in enumerate(options) if o[0] == mid])
    for t in range(h):
        row(-inf, annual_budget_usd, [(k, o[3][t]) for k, o in enumerate(options) if o[3][t] > 0])
    chosen_ids = set(ids)
    for mid in ids:
        for req in ev.measure(mid).requires:
            if req not in chosen_ids:
                continue
            req_open = opening_year(ev.measure(req).build_years, p)
            for k, o in enumerate(options):
                if o[0] != mid:
                    continue
                # x_{mid,y} <= sum of x_{req,y'} with y' + opening(req) <= y
                ready = [
                    (q, -1.0)
                    for q, r in enumerate(options)
                    if r[0] == req and r[1] + req_open <= o[1]
                ]
                row(-inf, 0.0, [(k, 1.0), *ready])
    hs.changeObjectiveSense(highspy.ObjSense.kMaximize)
    hs.run()
    if hs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return Plan({}, 0.0, tuple(0.0 for _ in range(h)), tuple(ids))
    x = hs.getSolution().col_value
    start = {o[0]: o[1] for o, v in zip(options, x, strict=True) if v > 0.5}
    spending = sum((o[3] for o, v in zip(options, x, strict=True) if v > 0.5), np.zeros(h))
    npv = sum(o[2] for o, v in zip(options, x, strict=True) if v > 0.5)
    return Plan(
        start,
        float(npv),
        tuple(float(v) for v in spending),
        tuple(mid for mid in ids if mid not in start),
    )
