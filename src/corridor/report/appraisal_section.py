"""The report's appraisal section: ranking, portfolio, tornado, staged plan, robust portfolio.

It reads the JSON of ``corridor appraise`` (:func:`corridor.appraisal.api.appraise`,
with ``robust`` when scenarios were given) and returns HTML blocks; the report
(:func:`report_section`) and the dashboard place them. :func:`read_appraisal`
reads that JSON from a file (``corridor report --appraisal``) and refuses, in one
line, a file that is not one.
"""

from __future__ import annotations

import html
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corridor.errors import DataError
from corridor.report.tables import records_table

if TYPE_CHECKING:
    from corridor.report.sections import ReportContext, Section


def _esc(v: object) -> str:
    return html.escape(str(v), quote=True)


def _m(x: float | None) -> float | None:
    """USD → USD million, rounded for a table."""
    return None if x is None else round(float(x) / 1e6, 1)


def is_appraisal(obj: Any) -> bool:
    """Whether ``obj`` is the JSON of ``corridor appraise``."""
    return isinstance(obj, Mapping) and "measures" in obj and "portfolio" in obj


def appraisal_blocks(
    result: Mapping[str, Any],
    *,
    tornado: bool = True,
    max_corridors: int | None = None,
    sensitivity_table: bool = True,
) -> list[str]:
    """HTML blocks of the appraisal section (module docs).

    ``max_corridors`` keeps the routes whose days the portfolio changes most (all
    when ``None``); ``sensitivity_table=False`` leaves the tornado's figures as a
    chart only (the printed report's summary edition).

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
        '<p class="note">Benefits: the loaded network re-run with and without each measure at '
        f"each growth anchor ({_esc(par.get('demand_growth', ''))} a year from "
        f"{_esc(par.get('start_year', ''))}); discount rate {_esc(par.get('discount_rate', ''))}, "
        f"{_esc(par.get('horizon_years', ''))} years, USD of {_esc(par.get('price_year', ''))}. "
        "Fees and tariffs are transfers; freight a measure lets move earns the rule of half.</p>",
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
        f'<p class="appraisal-portfolio"><b>Portfolio</b> under a budget of USD '
        f"{_m(p['budget_usd'])} m: "
        f"<b>{_esc(', '.join(p['ids']) or '(none)')}</b>; cost USD {_m(p['cost_usd'])} m, "
        f"NPV USD {_m(p['npv_usd'])} m evaluated together.</p>",
    ]
    target = p.get("target")
    if target:
        out.append(
            f'<p class="appraisal-target">Chosen to cut the p90 door-to-door days of '
            f"{_esc(target['origin'])} → {_esc(target['destination'])} "
            f"({_esc(target['corridor'])}): {float(target['p90_days_before']):.1f} → "
            f"{float(target['p90_days_after']):.1f} days.</p>"
        )
    corridors = [c for c in p.get("corridors", []) if c.get("days_after") is not None]
    changed = [c for c in corridors if abs(c["days_after"] - c["days_before"]) >= 0.05]
    pair: list[str] = []  # two columns: the days per route; the plan and the sensitivity
    if changed:
        shown = changed
        if max_corridors is not None and len(changed) > max_corridors:
            shown = sorted(changed, key=lambda c: -abs(c["days_after"] - c["days_before"]))
            shown = shown[:max_corridors]
        days = (
            f'<p class="note">Door-to-door days (mean, at the dataset year\'s demand) before and '
            f"after the portfolio, on the {len(changed)} of {len(corridors)} corridor routes it "
            "changes by 0.05 day or more"
            + (
                f" (the {len(shown)} largest changes here; all with <code>--detail</code>)"
                if len(shown) < len(changed)
                else ""
            )
            + ".</p>"
        )
        days += records_table(
            [
                {
                    "origin": c["origin"],
                    "destination": c["destination"],
                    "corridor": c["corridor"],
                    "days before": round(c["days_before"], 1),
                    "days after": round(c["days_after"], 1),
                }
                for c in shown
            ],
            css_class="records appraisal-days",
        )
        pair.append(f"<div><h3>Door-to-door days, before and after</h3>{days}</div>")
    right: list[str] = []  # the staged plan and the sensitivity, beside the days
    plan = p.get("staged_plan", {})
    if plan.get("measures"):
        right.append("<h3>Staged plan</h3>")
        right.append(
            records_table(
                [
                    {
                        "start": str(m["start_year"]),  # a year, not a quantity
                        "measure": m["id"],
                        "opens": str(m["opening_year"]),
                        "cost (USD m)": _m(m["capex_usd"]),
                    }
                    for m in plan["measures"]
                ],
                css_class="records appraisal-plan",
            )
        )
    if p.get("sensitivity") and (tornado or sensitivity_table):
        right.append("<h3>Sensitivity of the portfolio's NPV</h3>")
    # a bar needs both ends and a centre (the JSON may hold null for a figure it lacks;
    # the table below shows those as a dash)
    drawable = [
        c for c in p.get("sensitivity") or []
        if _is_number(c.get("npv_low_usd")) and _is_number(c.get("npv_high_usd"))
    ]  # fmt: skip
    if drawable and tornado and _is_number(p.get("npv_usd")):
        from corridor.appraisal.sensitivity import cases_from_dicts, tornado_svg

        svg = tornado_svg(p["npv_usd"], cases_from_dicts(drawable), "Portfolio NPV")
        right.append(f'<figure class="tornado">{svg}</figure>')
    if p.get("sensitivity") and sensitivity_table:
        right.append(
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
    if right:
        pair.append("<div>" + "".join(right) + "</div>")
    if pair:
        out.append('<div class="appraisal-pair">' + "".join(pair) + "</div>")
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


#: Keys each part of the JSON must hold for the section (numbers may be null).
_REQUIRED: dict[str, tuple[str, ...]] = {
    "measures": ("id", "kind", "country", "cost_usd", "pv_benefits_usd", "npv_usd", "bcr", "eirr"),
    "portfolio": ("ids", "cost_usd", "npv_usd", "budget_usd"),
    "portfolio.corridors": ("origin", "destination", "corridor", "days_before", "days_after"),
    "portfolio.staged_plan.measures": ("id", "start_year", "opening_year", "capex_usd"),
    "portfolio.sensitivity": ("name", "low", "high", "npv_low_usd", "npv_high_usd"),
    "robust.candidates": ("from", "ids", "npv_usd_by_scenario", "expected_npv_usd"),
}
_NUMBERS = frozenset(
    {"cost_usd", "pv_benefits_usd", "npv_usd", "bcr", "eirr", "budget_usd", "days_before",
     "days_after", "capex_usd", "npv_low_usd", "npv_high_usd", "expected_npv_usd",
     "benefits_usd_per_year", "max_regret_usd"}
)  # fmt: skip


def _problem(result: Any) -> str | None:
    """What keeps ``result`` from being an appraisal the section can show, or ``None``."""
    if not is_appraisal(result):
        return "expected the JSON of `corridor appraise` (an object with measures and portfolio)"
    for where, keys in _REQUIRED.items():
        node: Any = result
        for step in where.split("."):
            node = node.get(step) if isinstance(node, Mapping) else None
        if node is None and where not in ("measures", "portfolio"):
            continue  # an optional part (no plan, no sensitivity, no robust run)
        records = [node] if where == "portfolio" else node
        if not isinstance(records, list):
            return f"expected '{where}' to be a list of objects"
        for i, rec in enumerate(records):
            if not isinstance(rec, Mapping):
                return f"expected '{where}' to hold objects, found {rec!r:.40}"
            missing = [k for k in keys if k not in rec]
            if missing:
                return f"'{where}' item {i} has no '{missing[0]}'"
            for k, v in rec.items():
                if k in _NUMBERS and v is not None and not _is_number(v):
                    return f"'{where}' item {i}: expected a number for '{k}', found {v!r:.40}"
    ids = result["portfolio"]["ids"]
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        return "expected 'portfolio.ids' to be a list of measure ids"
    try:  # what the checks above do not name still must not break the page
        appraisal_blocks(result, tornado=False)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        return f"not an appraisal the report can show ({type(exc).__name__}: {exc})"
    return None


def _is_number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def read_appraisal(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read the JSON written by ``corridor appraise --json`` or ``--out DIR`` (appraisal.json).

    Raises :class:`corridor.errors.DataError` (one line naming the file) when the
    file cannot be read, is not JSON, or is not an appraisal.
    """
    import json

    try:
        result = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(str(path), f"expected corridor appraise --json output ({exc})") from None
    problem = _problem(result)
    if problem is not None:
        raise DataError(str(path), problem)
    return dict(result)


def report_section(ctx: ReportContext) -> Section | None:
    """The report's appraisal section when ``ctx.appraisal`` is an appraisal, else ``None``."""
    from corridor.report.sections import Section

    result = ctx.appraisal
    if not is_appraisal(result):
        return None
    lead = (
        f'<p class="appraisal-scenario">Scenario <b>{_esc(result.get("scenario", ""))}</b>, '
        f"objective {_esc(result.get('objective', 'npv'))}, "
        f"{len(result['measures'])} measures.</p>"
    )
    short = not ctx.detail
    blocks = appraisal_blocks(
        result, max_corridors=8 if short else None, sensitivity_table=not short
    )
    body = lead + "\n".join(blocks)
    return Section("appraisal", "Appraisal: measures and portfolio", body, new_page=True)


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
