"""HTML tables of the report and the dashboard: routes, legs, sources, any records.

Every numeric cell carries its exact value in ``data-value`` and a column key
in ``data-key``, so a reader (or a test) can compare the table with the JSON
it came from; the text shows the rounded figure.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from corridor.report.palette import corridor_colours, corridor_label, same_route_as

__all__ = [
    "capacities_table",
    "legs_table",
    "records_table",
    "routes_table",
    "sources_table",
    "used_sources",
]


def _esc(v: object) -> str:
    return html.escape(str(v), quote=True)


def _num(key: str, value: Any, fmt: str) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return f'<td class="num" data-key="{key}">–</td>'
    return f'<td class="num" data-key="{key}" data-value="{value!r}">{format(value, fmt)}</td>'


def _name_fn(names: Mapping[str, str] | None) -> Callable[[str], str]:
    return lambda node: (names or {}).get(node, node)


def binding_bottleneck(route: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The route's most utilised capacity that carries any demand (``None`` if none does)."""
    return next(
        (b for b in route.get("bottlenecks") or [] if (b.get("utilisation") or 0.0) > 0), None
    )


def _bottleneck_text(route: Mapping[str, Any]) -> tuple[str, str]:
    b = binding_bottleneck(route)
    if b is None:
        return "", "–"
    u = b.get("utilisation")
    util = f" {float(u):.0%}" if u is not None else ""
    return str(b["id"]), f"{b['id']} ({b.get('kind', '')}){util}"


def routes_table(
    routes: Sequence[Mapping[str, Any]], names: Mapping[str, str] | None = None
) -> str:
    """Route comparison table: one row per route, grouped by OD pair in input order.

    Examples
    --------
    >>> t = routes_table([{"corridor": "middle", "origin": "a", "destination": "b",
    ...     "distance_km": 10.0, "time_days": 2.5, "cost_usd_per_feu": 900.0,
    ...     "countries": ["CN"], "transits": []}])
    >>> 'data-key="time_days" data-value="2.5">2.5<' in t
    True
    """
    name = _name_fn(names)
    colours = corridor_colours(str(r.get("corridor", "")) for r in routes)
    rows = []
    for i, r in enumerate(routes):
        cid = str(r.get("corridor", ""))
        bid, btext = _bottleneck_text(r)
        p10, p90 = r.get("time_days_p10"), r.get("time_days_p90")
        spread = "–"
        if p10 is not None and p90 is not None:
            spread = f"{float(p10):.1f}–{float(p90):.1f}"
        commodity = r.get("commodity")
        pair = f"{name(str(r['origin']))} → {name(str(r['destination']))}"
        if commodity and commodity != "containers":
            pair += f" ({commodity})"
        same = same_route_as(r)
        note = (
            f'<br><span class="note same">same route as {_esc(corridor_label(same))}</span>'
            if same
            else ""
        )
        rows.append(
            f'<tr data-route="{i}" data-corridor="{_esc(cid)}" data-origin="{_esc(r["origin"])}"'
            f' data-destination="{_esc(r["destination"])}"'
            + (f' class="dup" data-same-route-as="{_esc(same)}">' if same else ">")
            + f"<td>{_esc(pair)}</td>"
            f'<td><span class="swatch" style="background:{colours[cid]}"></span>'
            f"{_esc(corridor_label(cid))}{note}</td>"
            + _num("distance_km", r.get("distance_km"), ",.0f")
            + _num("time_days", r.get("time_days"), ".1f")
            + f'<td class="num" data-key="p10_p90">{spread}</td>'
            + _num("cost_usd_per_feu", r.get("cost_usd_per_feu"), ",.0f")
            + f"<td>{_esc(', '.join(r.get('transits') or []) or '–')}</td>"
            + f'<td data-key="bottleneck" data-value="{_esc(bid)}">{_esc(btext)}</td></tr>'
        )
    return (
        '<table class="routes"><thead><tr><th>Origin → destination</th><th>Corridor</th>'
        '<th class="num">km</th><th class="num">Days (mean)</th><th class="num">Days p10–p90</th>'
        '<th class="num">USD/FEU</th><th>Transit countries</th><th>Binding bottleneck</th>'
        "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )


def capacities_table(
    capacities: Sequence[Mapping[str, Any]],
    names: Mapping[str, str] | None = None,
    *,
    top: int = 15,
    high: float = 0.9,
) -> str:
    """The most utilised capacity-limited elements, with a bar of their utilisation.

    Parameters
    ----------
    capacities
        The analysis' ``capacities`` list (most utilised first).
    names
        Optional node id → display name map.
    top
        Rows shown.
    high
        Utilisation from which a row is highlighted.

    Examples
    --------
    >>> t = capacities_table([{"id": "t_aktau", "kind": "port", "from": "aktau", "to": "aktau",
    ...     "capacity_teu_per_year": 7e4, "flow_teu_per_year": 6.6e4, "utilisation": 0.94}])
    >>> 'class="high"' in t and 'data-value="0.94"' in t
    True
    """
    name = _name_fn(names)
    rows = []
    for c in list(capacities)[:top]:
        a, b = name(str(c.get("from", ""))), name(str(c.get("to", "")))
        u = c.get("utilisation")
        frac = float(u) if u is not None and math.isfinite(float(u)) else 0.0
        hot = frac >= high
        bar = (
            f'<span class="ubar"><span style="width:{min(frac, 1.0) * 100:.1f}%"></span></span>'
            f"{frac:.0%}"
        )
        cls = ' class="high"' if hot else ""
        rows.append(
            f'<tr data-id="{_esc(c.get("id", ""))}"{cls}>'
            f"<td>{_esc(c.get('id', ''))}</td><td>{_esc(c.get('kind', ''))}</td>"
            f"<td>{_esc(a if a == b else f'{a} → {b}')}</td>"
            + _num("capacity_teu_per_year", c.get("capacity_teu_per_year"), ",.0f")
            + _num("flow_teu_per_year", c.get("flow_teu_per_year"), ",.0f")
            + f'<td class="num util" data-key="utilisation" data-value="{u!r}">{bar}</td></tr>'
        )
    return (
        '<table class="capacities"><thead><tr><th>Element</th><th>Kind</th><th>Where</th>'
        '<th class="num">Capacity TEU/yr</th><th class="num">2024 flow TEU/yr</th>'
        '<th class="num">Utilisation</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table>"
    )


#: CSS of :func:`capacities_table` and of duplicate route rows.
TABLES_CSS = """
table.capacities .ubar{display:inline-block;width:90px;height:9px;background:#eef1f5;
margin-right:6px;vertical-align:0;border-radius:2px;overflow:hidden}
table.capacities .ubar span{display:block;height:100%;background:#6b8fb5}
table.capacities tr.high td{background:#fff0f0}
table.capacities tr.high .ubar span{background:#d00}
table.capacities tr.high td.util{color:#b00;font-weight:600}
table.routes tr.dup td{color:#777}
table.routes .note.same{font-style:italic}
@media print{table.capacities .ubar span,table.capacities tr.high td{
-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"""


def legs_table(route: Mapping[str, Any], names: Mapping[str, str] | None = None) -> str:
    """Leg-by-leg breakdown of one route, with a totals row summed from the legs."""
    name = _name_fn(names)
    rows = []
    tot = {"distance_km": 0.0, "hours_moving": 0.0, "hours_waiting": 0.0, "cost_usd": 0.0}
    for leg in route.get("legs", []):
        a, b = name(str(leg["from"])), name(str(leg["to"]))
        for k in tot:
            tot[k] += float(leg.get(k) or 0.0)
        rows.append(
            f"<tr><td>{_esc(a if a == b else f'{a} → {b}')}</td><td>{_esc(leg.get('kind', ''))}"
            f"</td><td>{_esc(leg.get('mode', ''))}</td>"
            + _num("distance_km", leg.get("distance_km"), ",.0f")
            + _num("hours_moving", leg.get("hours_moving"), ",.1f")
            + _num("hours_waiting", leg.get("hours_waiting"), ",.1f")
            + _num("cost_usd", leg.get("cost_usd"), ",.0f")
            + _num("capacity_teu_per_year", leg.get("capacity_teu_per_year"), ",.0f")
            + "</tr>"
        )
    rows.append(
        '<tr class="total"><td>Total</td><td></td><td></td>'
        + _num("distance_km", tot["distance_km"], ",.0f")
        + _num("hours_moving", tot["hours_moving"], ",.1f")
        + _num("hours_waiting", tot["hours_waiting"], ",.1f")
        + _num("cost_usd", tot["cost_usd"], ",.0f")
        + "<td></td></tr>"
    )
    return (
        '<table class="legs"><thead><tr><th>Leg</th><th>Kind</th><th>Mode</th>'
        '<th class="num">km</th><th class="num">Moving h</th><th class="num">Waiting h</th>'
        '<th class="num">USD/FEU</th><th class="num">Capacity TEU/yr</th></tr></thead><tbody>'
        + "".join(rows)
        + "</tbody></table>"
    )


def records_table(records: Sequence[Mapping[str, Any]], *, css_class: str = "records") -> str:
    """A table of any list of flat dicts (columns in first-seen key order).

    Used for results whose shape belongs to another module (appraisal ranking,
    stress tests), so the report shows them without knowing their schema.

    Examples
    --------
    >>> records_table([{"id": "x", "npv_usd": 1.5e6}, {"id": "y", "bcr": 2.0}]).count("<tr")
    3
    """
    cols: list[str] = []
    for rec in records:
        cols += [k for k in rec if k not in cols]
    head = "".join(
        f'<th class="{"num" if _numeric(records, c) else ""}">{_esc(c)}</th>' for c in cols
    )
    body = []
    for rec in records:
        cells = []
        for c in cols:
            v = rec.get(c)
            if isinstance(v, bool) or v is None or not isinstance(v, int | float):
                text = "" if v is None else ", ".join(map(str, v)) if isinstance(v, list) else v
                cells.append(f'<td data-key="{_esc(c)}">{_esc(text)}</td>')
            else:
                fmt = ",.0f" if abs(v) >= 100 else ".3g"
                cells.append(_num(c, v, fmt))
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<table class="{_esc(css_class)}"><thead><tr>{head}</tr></thead><tbody>'
        + "".join(body)
        + "</tbody></table>"
    )


def _numeric(records: Sequence[Mapping[str, Any]], col: str) -> bool:
    vals = [r.get(col) for r in records if r.get(col) is not None]
    return bool(vals) and all(isinstance(v, int | float) and not isinstance(v, bool) for v in vals)


def used_sources(network: Any, routes: Iterable[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Source id → element ids (links, borders, terminals, services) the routes use.

    A leg's ``id`` is looked up in every component table that has ``id`` and
    ``source`` columns; sources are the table's semicolon-separated ``source``.
    """
    wanted = {str(leg.get("id")) for r in routes for leg in r.get("legs", []) if leg.get("id")}
    out: dict[str, list[str]] = {}
    for table in ("links", "borders", "terminals", "services", "nodes"):
        frame = getattr(network, table, None)
        if frame is None or not len(frame) or not {"id", "source"} <= set(frame.columns):
            continue
        hit = frame[frame["id"].astype(str).isin(wanted)]
        for eid, src in zip(hit["id"], hit["source"], strict=True):
            for sid in str(src).split(";"):
                if sid.strip():
                    out.setdefault(sid.strip(), []).append(str(eid))
    return out


def sources_table(network: Any, used: Mapping[str, Sequence[str]] | None = None) -> str:
    """The dataset's sources (id, citation, year, reliability, method, address).

    Sources used by the routes shown come first, with the elements that use
    them. Addresses are printed as text, not links, so the file makes no
    request and stays readable on paper.
    """
    frame = getattr(network, "sources", None)
    if frame is None or not len(frame):
        return "<p>No sources table in this dataset.</p>"
    used = used or {}
    recs = frame.to_dict("records")
    recs.sort(key=lambda r: (str(r["id"]) not in used, str(r["id"])))
    rows = []
    for r in recs:
        sid = str(r["id"])
        users = used.get(sid, [])
        shown = ", ".join(users[:6]) + (f" … (+{len(users) - 6})" if len(users) > 6 else "")
        rows.append(
            f'<tr data-source="{_esc(sid)}" class="{"used" if users else ""}">'
            f"<td>{_esc(sid)}</td><td>{_esc(r.get('citation', ''))}</td>"
            f"<td>{_esc(r.get('year', ''))}</td><td>{_esc(r.get('reliability', ''))}</td>"
            f"<td>{_esc(r.get('method', '') or '')}</td>"
            f"<td><code>{_esc(r.get('url', '') or '')}</code></td><td>{_esc(shown)}</td></tr>"
        )
    return (
        '<table class="sources"><thead><tr><th>Id</th><th>Source</th><th>Year</th>'
        "<th>Reliability</th><th>Method (estimates)</th><th>Address</th>"
        "<th>Used here by</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )
