"""The report's appraisal section: ranking, portfolio, tornado, staged plan, robust portfolio.

It reads the JSON of ``corridor appraise`` (:func:`corridor.appraisal.api.appraise`,
with ``robust`` when scenarios were given) and returns HTML blocks; the report and the
dashboard place them.
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from corridor.report.tables import records_table


def _esc(v: object) -> str:
    return html.escape(str(v), quote=True)


def _m(x: float | None) -> float | None:
    """USD → USD million, rounded for a table."""
    return None if x is None else round(float(x) / 1e6, 1)


def is_appraisal(obj: Any) -> bool:
    """Whether ``obj`` is the JSON of ``corridor appraise``."""
    return isinstance(obj, Mapping) and "measures" in obj and "portfolio" in obj


def appraisal_blocks(result: Mapping[str, Any], *, tornado: bool = True) -> list[str]:
    """HTML blocks of the appraisal section (module docs).

    Examples
    --------
    >>> r = {"scenario": "base", "objective": "npv", "parameters": {}, "measures": [],
    ...      "portfolio": {"ids": [], "cost_usd": 0, "npv_usd": 0, "budget_usd": 1e9,
    ...                    "sensitivity": [], "staged_plan": {"measures": []}, "corridors": []}}
    >>> "Portfolio" in "".join(appraisal_blocks(r))
    True
    """
    p = result["portfolio"]
    par = result.get("parameters", {})
    out = [
        '<p class="note">Benefits come from re-running the loaded network with and without '
        "each measure at the demand of each growth anchor "
        f"({_esc(par.get('demand_growth', ''))} a year from {_esc(par.get('start_year', ''))}); "
        f"discount rate {_esc(par.get('discount_rate', ''))}, horizon "
        f"{_esc(par.get('horizon_years', ''))} years, USD of {_esc(par.get('price_year', ''))}. "
        "Fee and tariff changes are transfers between shippers, operators and governments; "
        "stranded freight that a measure lets move earns the rule of half.</p>",
        "<h3>Measures ranked by NPV (USD million)</h3>",
        records_table(
            [
                {
                    "measure": m["id"],
                    "kind": m["kind"],
                    "country": m["country"],
                    "cost": _m(m["cost_usd"]),
                    "benefit a year": _m(m.get("benefits_usd_per_year")),
                    "PV benefits": _m(m["pv_benefits_usd"]),
                    "NPV": _m(m["npv_usd"]),
                    "BCR": None if m["bcr"] is None else round(m["bcr"], 2),
                    "EIRR %": None if m["eirr"] is None else round(100 * m["eirr"], 1),
                }
                for m in result["measures"]
            ],
            css_class="records appraisal-ranking",
        ),
        "<h3>Portfolio</h3>",
        f"<p>Under a budget of USD {_m(p['budget_usd'])} m: "
        f"<b>{_esc(', '.join(p['ids']) or '(none)')}</b>; cost USD {_m(p['cost_usd'])} m, "
        f"NPV USD {_m(p['npv_usd'])} m evaluated together.</p>",
    ]
    corridors = [c for c in p.get("corridors", []) if c.get("days_after") is not None]
    changed = [c for c in corridors if abs(c["days_after"] - c["days_before"]) >= 0.05]
    if changed:
        out.append(
            records_table(
                [
                    {
                        "origin": c["origin"],
                        "destination": c["destination"],
                        "corridor": c["corridor"],
                        "days before": round(c["days_before"], 1),
                        "days after": round(c["days_after"], 1),
                    }
                    for c in changed
                ],
                css_class="records appraisal-days",
            )
        )
    plan = p.get("staged_plan", {})
    if plan.get("measures"):
        out.append("<h3>Staged plan</h3>")
        out.append(
            records_table(
                [
                    {
                        "start": m["start_year"],
                        "measure": m["id"],
                        "opens": m["opening_year"],
                        "cost (USD m)": _m(m["capex_usd"]),
                    }
                    for m in plan["measures"]
                ],
                css_class="records appraisal-plan",
            )
        )
    if p.get("sensitivity"):
        out.append("<h3>Sensitivity of the portfolio's NPV</h3>")
        if tornado:
            from corridor.appraisal.sensitivity import cases_from_dicts, tornado_svg

            svg = tornado_svg(p["npv_usd"], cases_from_dicts(p["sensitivity"]), "Portfolio NPV")
            out.append(f"<figure>{svg}</figure>")
        out.append(
            records_table(
                [
                    {
                        "test": c["name"],
                        "low": c["low"],
                        "NPV low": _m(c["npv_low_usd"]),
                        "high": c["high"],
                        "NPV high": _m(c["npv_high_usd"]),
                    }
                    for c in p["sensitivity"]
                ],
                css_class="records appraisal-sensitivity",
            )
        )
    r = result.get("robust")
    if r:
        out.append("<h3>Robust portfolio over scenarios (NPV, USD million)</h3>")
        out.append(
            records_table(
                [
                    {
                        "portfolio": f"{c['from']}: {', '.join(c['ids']) or '(none)'}",
                        **{s: _m(v) for s, v in c["npv_usd_by_scenario"].items()},
                        "expected": _m(c["expected_npv_usd"]),
                        "max regret": _m(c["max_regret_usd"]),
                    }
                    for c in r["candidates"]
                ],
                css_class="records appraisal-robust",
            )
        )
        evpi = r.get("expected_value_of_perfect_information_usd")
        out.append(
            f"<p>Minimum-regret portfolio: <b>{_esc(', '.join(r['min_regret_portfolio']['ids']))}"
            f"</b>. Value of waiting to learn which scenario comes (EVPI): USD {_m(evpi)} m.</p>"
        )
    return out


def write_appraisal_page(result: Mapping[str, Any], path: str | os.PathLike[str]) -> Path:
    """Write the appraisal section as a self-contained HTML page (atomically), in the
    report's style, until the report places it among its own sections."""
    from corridor.io.atomic import write_text
    from corridor.report.document import report_css

    title = f"Appraisal: scenario {result.get('scenario', '')}"
    body = "\n".join(appraisal_blocks(result))
    text = (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{_esc(title)}</title><style>{report_css()}</style></head><body>\n"
        f'<header class="top"><h1>{_esc(title)}</h1></header>\n<main>\n'
        f'<section id="appraisal"><h2>Appraisal</h2>\n{body}\n</section>\n</main></body></html>\n'
    )
    write_text(path, text)
    return Path(path)
