"""Sensitivity of an appraisal: switching values, a sensitivity table and a tornado chart.

The tests follow the lenders' usual set (ADB *Guidelines for the Economic
Analysis of Projects*, 2017: costs +20 %, benefits −20 %, a year's delay, the
discount rate; the World Bank's 6 % and ADB's 9 %), plus the model's own
assumptions: demand growth, the demand elasticity that values stranded freight
and the reliability ratio. Parameter cases re-run the model where they change
what it computes (demand growth prepares the loaded networks at the new
demand); the others re-discount the same streams.

A **switching value** is the change of one stream, in per cent, that brings
the NPV to zero: ``NPV / PV(costs)`` for costs, ``−NPV / PV(benefits)`` for
benefits (ADB 2017, appendix on sensitivity analysis).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from corridor.appraisal.economics import CostStream, Result, evaluate
from corridor.appraisal.evaluation import Evaluator, prefetch


@dataclass(frozen=True)
class Case:
    """One sensitivity test: its name, the two settings and the NPV at each."""

    name: str
    low_label: str
    high_label: str
    npv_low_usd: float
    npv_high_usd: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "name": self.name,
            "low": self.low_label,
            "high": self.high_label,
            "npv_low_usd": self.npv_low_usd,
            "npv_high_usd": self.npv_high_usd,
        }


def switching_values(result: Result) -> dict[str, float | None]:
    """Per cent change of costs (up) and benefits (down) that brings the NPV to zero.

    Examples
    --------
    >>> r = Result(150.0, 100.0, 50.0, 1.5, None, None, 0.0)
    >>> {k: round(v, 6) for k, v in switching_values(r).items() if v is not None}
    {'costs_pct': 50.0, 'benefits_pct': -33.333333}
    """
    costs = 100.0 * result.npv_usd / result.pv_costs_usd if result.pv_costs_usd > 0 else None
    benefits = (
        -100.0 * result.npv_usd / result.pv_benefits_usd if result.pv_benefits_usd > 0 else None
    )
    return {"costs_pct": costs, "benefits_pct": benefits}


def _scaled(costs: CostStream, factor: float) -> CostStream:
    return CostStream(
        costs.capex * factor, costs.opex * factor, costs.residual * factor, costs.opening_year
    )


def sensitivity(ev: Evaluator, ids: tuple[str, ...]) -> tuple[float, list[Case]]:
    """The base NPV of the set ``ids`` and its sensitivity cases (module docs)."""
    p = ev.params
    grown = [ev.with_params(replace(p, demand_growth=g)) for g in (0.0, 0.06)]
    prefetch([(ev, [ids]), *((other, [ids]) for other in grown)])
    yearly = ev.yearly_benefits(ids)
    costs = ev.costs(ids)
    base = evaluate(yearly, costs, p).npv_usd

    def npv_with(**changes: Any) -> float:
        other = ev.with_params(replace(p, **changes))
        return other.appraise(ids).result.npv_usd

    delayed = np.concatenate([[0.0], yearly[:-1]])
    cases = [
        Case(
            "discount rate",
            "3 %",
            "9 % (ADB)",
            evaluate(yearly, costs, replace(p, discount_rate=0.03)).npv_usd,
            evaluate(yearly, costs, replace(p, discount_rate=0.09)).npv_usd,
        ),
        Case(
            "costs",
            "−20 %",
            "+20 %",
            evaluate(yearly, _scaled(costs, 0.8), p).npv_usd,
            evaluate(yearly, _scaled(costs, 1.2), p).npv_usd,
        ),
        Case(
            "benefits",
            "−20 %",
            "+20 %",
            evaluate(0.8 * yearly, costs, p).npv_usd,
            evaluate(1.2 * yearly, costs, p).npv_usd,
        ),
        Case(
            "benefits a year late",
            "on time",
            "one year late",
            base,
            evaluate(delayed, costs, p).npv_usd,
        ),
        Case(
            "demand growth",
            "0 %/yr",
            "6 %/yr",
            npv_with(demand_growth=0.0),
            npv_with(demand_growth=0.06),
        ),
        Case(
            "demand elasticity",
            "0.3",
            "1.2",
            npv_with(demand_elasticity=0.3),
            npv_with(demand_elasticity=1.2),
        ),
        Case(
            "reliability ratio",
            "0 (not valued)",
            "2.4",
            npv_with(reliability_ratio=0.0),
            npv_with(reliability_ratio=2.4),
        ),
    ]
    cases.sort(key=lambda c: -abs(c.npv_high_usd - c.npv_low_usd))
    return base, cases


def _tornado_figure(base_npv_usd: float, cases: Sequence[Case], title: str) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 0.45 * len(cases) + 1.4))
    scale = 1e6
    for i, c in enumerate(reversed(cases)):
        for value, label, color in (
            (c.npv_low_usd, c.low_label, "#4c72b0"),
            (c.npv_high_usd, c.high_label, "#dd8452"),
        ):
            left = min(base_npv_usd, value) / scale
            width = abs(value - base_npv_usd) / scale
            ax.barh(i, width, left=left, color=color, height=0.6)
            if width > 0 or math.isclose(value, base_npv_usd):
                ax.annotate(
                    label,
                    (value / scale, i),
                    xytext=(3 if value >= base_npv_usd else -3, 0),
                    textcoords="offset points",
                    ha="left" if value >= base_npv_usd else "right",
                    va="center",
                    fontsize=7,
                )
    ax.axvline(base_npv_usd / scale, color="black", lw=1)
    ax.axvline(0, color="grey", lw=0.8, ls=":")
    ax.set_yticks(range(len(cases)), [c.name for c in reversed(cases)], fontsize=8)
    ax.set_xlabel("NPV (USD million of the price year)")
    ax.set_title(title, fontsize=9)
    ax.margins(x=0.25)
    fig.tight_layout()
    return fig


def plot_tornado(
    base_npv_usd: float, cases: Sequence[Case], title: str, path: str | os.PathLike[str]
) -> None:
    """Save a tornado chart (NPV at each side of every case around the base), atomically."""
    import matplotlib.pyplot as plt

    from corridor.io.atomic import atomic_path

    fig = _tornado_figure(base_npv_usd, cases, title)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=110)
    plt.close(fig)


def tornado_svg(base_npv_usd: float, cases: Sequence[Case], title: str) -> str:
    """The tornado chart as an inline SVG string (for the report and the dashboard)."""
    import io

    import matplotlib.pyplot as plt

    fig = _tornado_figure(base_npv_usd, cases, title)
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg") :]


def cases_from_dicts(rows: Sequence[dict[str, Any]]) -> list[Case]:
    """Cases back from their JSON form (:meth:`Case.to_dict`)."""
    return [
        Case(r["name"], r["low"], r["high"], float(r["npv_low_usd"]), float(r["npv_high_usd"]))
        for r in rows
    ]
