"""Page one of the report: what a decision maker reads in two minutes.

For each headline pair: the corridors ranked by door-to-door days with cost
and reliability (p10–p90), the change against the base when the scenario
changes anything, and the binding bottleneck by name; where the time goes on
the Middle Corridor; what the scenario closed or added. Every number carries
``data-key``/``data-value`` so tests can hold it to the analysis JSON.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from corridor.report.breakdown import TIME_KINDS, time_by_kind
from corridor.report.palette import corridor_colours, corridor_label, distinct_routes
from corridor.report.tables import binding_bottleneck
from corridor.report.tcd import pair_title
from corridor.report.units import cost_key, cost_text, percent_text, route_cost

if TYPE_CHECKING:
    from corridor.report.sections import ReportContext

__all__ = ["middle_route", "pair_findings_html", "summary_html"]

#: How each time kind reads in a sentence ("15.7 days moving, 6.2 at borders, ...").
_PHRASES = {
    "moving": "days moving (with technical stops)",
    "borders": "at borders",
    "ports_transfers": "in ports and transfers",
    "ferry_liner_waits": "waiting for ferries and liners to sail",
}


def _esc(v: object) -> str:
    return html.escape(str(v), quote=True)


def middle_route(routes: list[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The Middle Corridor's route of a pair: ``middle`` if offered, else the fastest
    ``middle_*`` variant.

    Examples
    --------
    >>> middle_route([{"corridor": "middle_btk", "time_days": 30.0},
    ...               {"corridor": "northern", "time_days": 20.0}])["corridor"]
    'middle_btk'
    """
    exact = [r for r in routes if r.get("corridor") == "middle"]
    if exact:
        return exact[0]
    variants = [r for r in routes if str(r.get("corridor", "")).startswith("middle")]
    return min(variants, key=lambda r: float(r["time_days"])) if variants else None


def _signed(value: float | None, fmt: str) -> str:
    if value is None:
        return "–"
    text = format(value, "+" + fmt)
    return "0" if float(text.replace(",", "")) == 0 else text.replace("-", "−")


def _num(key: str, value: Any, text: str) -> str:
    data = "" if value is None else f' data-value="{float(value)!r}"'
    return f'<td class="num" data-key="{key}"{data}>{_esc(text)}</td>'


def _pair_table(
    ctx: ReportContext, key: tuple[str, str, str], routes: list[Mapping[str, Any]]
) -> str:
    diffs = ctx.differences()
    ranked = sorted(distinct_routes(routes), key=lambda r: float(r["time_days"]))
    colours = corridor_colours(str(r["corridor"]) for r in ranked)
    origin, destination = key[0], key[1]
    commodity = str(ranked[0].get("commodity", "containers")) if ranked else "containers"
    money = "USD/t" if ranked and cost_key(ranked[0]) == "cost_usd_per_t" else "USD/FEU"
    head = ["#", "Corridor", "Days", "p10–p90 days", money]
    if diffs:
        head += ["Δ days vs base", f"Δ {money}"]
    head += ["Binding bottleneck"]
    rows = []
    for i, r in enumerate(ranked, 1):
        cid = str(r["corridor"])
        d = diffs.get((origin, destination, commodity, cid), {})
        neck = binding_bottleneck(r)
        neck_text = (
            f"{neck.get('name') or neck['id']} {percent_text(neck.get('utilisation'))}"
            if neck
            else "–"
        )
        cells = [
            f"<td>{i}</td>",
            f'<td><span class="swatch" style="background:{colours[cid]}"></span>'
            f"{_esc(corridor_label(cid))}</td>",
            _num("time_days", r["time_days"], f"{float(r['time_days']):.1f}"),
            f'<td class="num" data-key="p10_p90">{float(r["time_days_p10"]):.1f}–'
            f"{float(r['time_days_p90']):.1f}</td>",
            _num(cost_key(r), route_cost(r), cost_text(r)),
        ]
        if diffs:
            new = d.get("status_base") not in (None, "open")
            cells.append(
                _num("delta_days", d.get("delta_days"),
                     "new" if new else _signed(d.get("delta_days"), ".1f"))
            )  # fmt: skip
            fmt = ",.1f" if money == "USD/t" else ",.0f"
            cells.append(
                _num("delta_cost", d.get("delta_cost"),
                     "new" if new else _signed(d.get("delta_cost"), fmt))
            )  # fmt: skip
        cells.append(
            f'<td data-key="bottleneck" data-value="{_esc(neck["id"] if neck else "")}">'
            f"{_esc(neck_text)}</td>"
        )
        rows.append(f'<tr data-corridor="{_esc(cid)}">' + "".join(cells) + "</tr>")
    for x in ctx.analysis.get("not_offered") or []:
        if (x["origin"], x["destination"]) != (origin, destination) or x["status"] != "closed":
            continue
        d = diffs.get((origin, destination, x["commodity"], x["corridor"]), {})
        was = d.get("time_days_base")
        span = len(head) - 3
        rows.append(
            f'<tr class="closed" data-corridor="{_esc(x["corridor"])}"><td></td>'
            f"<td>{_esc(corridor_label(str(x['corridor'])))}</td>"
            f'<td class="num"><b>closed</b></td><td colspan="{span}">'
            + (f"was {float(was):.1f} days · " if was is not None else "")
            + f"{_esc(x['reason'])}</td></tr>"
        )
    return (
        f'<table class="summary" data-origin="{_esc(origin)}" '
        f'data-destination="{_esc(destination)}" data-commodity="{_esc(commodity)}"><thead><tr>'
        + "".join(f"<th>{_esc(h)}</th>" for h in head)
        + "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


def _findings(
    ctx: ReportContext, key: tuple[str, str, str], routes: list[Mapping[str, Any]]
) -> str:
    """Two or three sentences on a pair: fastest, the Middle Corridor and where its time goes."""
    ranked = sorted(distinct_routes(routes), key=lambda r: float(r["time_days"]))
    if not ranked:
        return ""
    fastest, cheapest = ranked[0], min(ranked, key=lambda r: route_cost(r) or 0.0)
    parts = [
        f"Fastest: <b>{_esc(corridor_label(str(fastest['corridor'])))}</b>, "
        f"{float(fastest['time_days']):.1f} days ({_esc(cost_text(fastest))}); cheapest: "
        f"<b>{_esc(corridor_label(str(cheapest['corridor'])))}</b> "
        f"({_esc(cost_text(cheapest))}, {float(cheapest['time_days']):.1f} days)."
    ]
    mid = middle_route(routes)
    if mid is not None:
        split = time_by_kind(mid)
        days = float(mid["time_days"])
        pieces = ", ".join(
            f'<span data-kind="{k}" data-value="{h / 24!r}">{h / 24:.1f} {_PHRASES[k]}</span>'
            for k in TIME_KINDS
            if (h := split[k]) > 0
        )
        neck = binding_bottleneck(mid)
        label = _esc(corridor_label(str(mid["corridor"])))
        parts.append(
            f"Where the time goes on the Middle Corridor ({label}, {days:.1f} days): {pieces}"
            + (
                f"; it binds at <b>{_esc(neck.get('name') or neck['id'])}</b> "
                f"({percent_text(neck.get('utilisation'))} used)."
                if neck
                else "."
            )
        )
    return f'<p class="finding" data-pair="{_esc("|".join(key))}">' + " ".join(parts) + "</p>"


def _bottlenecks(ctx: ReportContext) -> str:
    """The binding bottlenecks of the headline pairs' routes, by plain name."""
    seen: dict[str, tuple[Mapping[str, Any], list[str]]] = {}
    for _key, routes in ctx.headline_pairs():
        for r in distinct_routes(routes):
            neck = binding_bottleneck(r)
            if neck is None or float(neck.get("utilisation") or 0) < 0.5:
                continue
            entry = seen.setdefault(str(neck["id"]), (neck, []))
            entry[1].append(corridor_label(str(r["corridor"])))
    if not seen:
        return ""
    items = sorted(seen.values(), key=lambda e: -float(e[0].get("utilisation") or 0))
    lis = "".join(
        f'<li data-id="{_esc(n["id"])}"><b>{_esc(n.get("name") or n["id"])}</b> '
        f"({_esc(n.get('kind', ''))}, <code>{_esc(n['id'])}</code>): "
        f"{percent_text(n.get('utilisation'))} of capacity used; binds "
        f"{_esc(', '.join(dict.fromkeys(users)))}</li>"
        for n, users in items
    )
    return f'<h3>Binding bottlenecks</h3><ul class="necks">{lis}</ul>'


def pair_findings_html(
    ctx: ReportContext, key: tuple[str, str, str], routes: list[Mapping[str, Any]]
) -> str:
    """One pair's findings in sentences (the dashboard shows them above its table)."""
    return _findings(ctx, key, routes)


def summary_html(ctx: ReportContext) -> str:
    """The summary page's HTML (see the module docs)."""
    a = ctx.analysis
    scenario = str(a.get("scenario", "base"))
    out = []
    lead = f"Scenario <b>{_esc(scenario)}</b> on dataset <b>{_esc(a.get('dataset', ''))}</b>"
    growth = a.get("demand_growth")
    if growth not in (None, 1, 1.0):
        lead += f", demand × {float(growth):g}"
    out.append(f'<p class="lead">{lead}.</p>')
    if ctx.changes:
        out.append(
            '<p class="changes">What this scenario changes: '
            + "; ".join(_esc(c) for c in ctx.changes)
            + ". Differences are against the 2024 base.</p>"
        )
    elif a.get("difference_from_base"):
        out.append('<p class="changes">Differences are against the 2024 base.</p>')
    for key, routes in ctx.headline_pairs():
        out.append(f"<h3>{_esc(pair_title(key, ctx.names))}</h3>")
        out.append(_findings(ctx, key, routes))
        out.append(_pair_table(ctx, key, routes))
    out.append(_bottlenecks(ctx))
    unrouted = a.get("unrouted_demand") or []
    if unrouted:
        out.append(
            f'<p class="warn">{len(unrouted)} flows cannot be fully carried in this scenario: '
            'see <a href="#not-carried">Not carried and closed</a>.</p>'
        )
    n_pairs = len(ctx.pairs())
    if n_pairs > len(ctx.headline_pairs()):
        out.append(
            f'<p class="note">{n_pairs} origin–destination pairs in all: see '
            '<a href="#pairs">All origin–destination pairs</a>. Days are door-to-door (moving '
            "and waiting); p10–p90 is their spread, the reliability a shipper plans with.</p>"
        )
    return "\n".join(out)
