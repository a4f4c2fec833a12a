"""HTML tables of the report and the dashboard: routes, legs, sources, any records.

Every numeric cell carries its exact value in ``data-value`` and a column key
in ``data-key``, so a reader (or a test) can compare the table with the JSON
it came from; the text shows the rounded figure. Costs and volumes are in the
unit :mod:`corridor.report.units` picks: the key names it (``cost_usd_per_t``
or ``cost_usd_per_feu``, ``capacity_t_per_year`` or ``capacity_teu_per_year``)
and the text carries it (``$107.2/t``, ``59,800,000 t/yr``).
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from corridor.report.palette import corridor_colours, corridor_label, same_route_as
from corridor.report.units import (
    capacity_in,
    cost_key,
    cost_text,
    element_unit,
    is_bulk,
    quantity_text,
    route_cost,
    tonnes_per_teu,
    usd_scale,
)

__all__ = [
    "capacities_table",
    "closed_table",
    "element_names",
    "legs_table",
    "records_table",
    "routes_table",
    "sources_table",
    "unrouted_table",
    "used_sources",
]


def _esc(v: object) -> str:
    return html.escape(str(v), quote=True)


def _num(key: str, value: Any, fmt: str) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return f'<td class="num" data-key="{key}">–</td>'
    return f'<td class="num" data-key="{key}" data-value="{value!r}">{format(value, fmt)}</td>'


def _cell(key: str, value: float | None, text: str) -> str:
    """A numeric cell whose text is already formatted (with its unit)."""
    if value is None or not math.isfinite(value):
        return f'<td class="num" data-key="{key}">–</td>'
    return f'<td class="num" data-key="{key}" data-value="{value!r}">{_esc(text)}</td>'


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
    return str(b["id"]), f"{b.get('name') or b['id']} ({b.get('kind', '')}){util}"


def routes_table(
    routes: Sequence[Mapping[str, Any]],
    names: Mapping[str, str] | None = None,
    *,
    differences: Sequence[Mapping[str, Any]] | None = None,
) -> str:
    """Route comparison table: one row per route, grouped by OD pair in input order.

    With ``differences`` (the analysis' ``difference_from_base``) two columns
    give each route's change in days and cost against the base, and the
    corridors closed by the scenario follow as rows marked closed.

    Examples
    --------
    >>> t = routes_table([{"corridor": "middle", "origin": "a", "destination": "b",
    ...     "distance_km": 10.0, "time_days": 2.5, "cost_usd_per_feu": 900.0,
    ...     "countries": ["CN"], "transits": []}])
    >>> 'data-key="time_days" data-value="2.5">2.5<' in t
    True
    >>> 'data-key="cost_usd_per_feu" data-value="900.0">$900/FEU<' in t
    True
    """
    name = _name_fn(names)
    colours = corridor_colours(str(r.get("corridor", "")) for r in routes)
    diff = {
        (d["origin"], d["destination"], d["commodity"], d["corridor"]): d for d in differences or []
    }
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
            f' data-commodity="{_esc(commodity or "containers")}"'
            f' data-unit="{_esc(r.get("unit") or "teu")}"'
            + (f' class="dup" data-same-route-as="{_esc(same)}">' if same else ">")
            + f"<td>{_esc(pair)}</td>"
            f'<td><span class="swatch" style="background:{colours[cid]}"></span>'
            f"{_esc(corridor_label(cid))}{note}</td>"
            + _num("distance_km", r.get("distance_km"), ",.0f")
            + _num("time_days", r.get("time_days"), ".1f")
            + f'<td class="num" data-key="p10_p90">{spread}</td>'
            + _cell(cost_key(r), route_cost(r), cost_text(r))
            + (_delta_cells(r, diff) if diff else "")
            + f"<td>{_esc(', '.join(r.get('transits') or []) or '–')}</td>"
            + f'<td data-key="bottleneck" data-value="{_esc(bid)}">{_esc(btext)}</td></tr>'
        )
    closed = [d for d in diff.values() if d["status"] == "closed" and d["status_base"] == "open"]
    for d in closed:
        pair = f"{name(str(d['origin']))} → {name(str(d['destination']))}"
        was = d.get("time_days_base")
        rows.append(
            f'<tr class="closed" data-closed="{_esc(d["corridor"])}"><td>{_esc(pair)}</td>'
            f"<td>{_esc(corridor_label(str(d['corridor'])))}</td>"
            f'<td colspan="8"><b>closed</b>'
            + (f" (was {float(was):.1f} days)" if was is not None else "")
            + (f": {_esc(d['reason'])}" if d.get("reason") else "")
            + "</td></tr>"
        )
    delta_head = (
        '<th class="num">Δ days vs base</th><th class="num">Δ cost vs base</th>' if diff else ""
    )
    return (
        '<table class="routes"><thead><tr><th>Origin → destination</th><th>Corridor</th>'
        '<th class="num">km</th><th class="num">Days (mean)</th><th class="num">Days p10–p90</th>'
        '<th class="num">' + _cost_header(routes) + "</th>" + delta_head + ""
        "<th>Transit countries</th><th>Binding bottleneck</th>"
        "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )


def _delta_cells(route: Mapping[str, Any], diff: Mapping[tuple[Any, ...], Any]) -> str:
    """Δ days and Δ cost of a route against the base ("new" when the base had none)."""
    key = (route["origin"], route["destination"], route.get("commodity", "containers"),
           route["corridor"])  # fmt: skip
    d = diff.get(key) or {}
    if d.get("status_base") != "open":
        return '<td class="num" data-key="delta_days">new</td><td class="num">new</td>'
    out = ""
    for k, fmt in (("delta_days", "+.1f"), ("delta_cost", "+,.1f" if is_bulk(route) else "+,.0f")):
        v = d.get(k)
        text = "–" if v is None else format(v, fmt).replace("-", "−")
        if v is not None and float(format(v, fmt[1:]).replace(",", "")) == 0:
            text = "0"
        out += _cell(k, v, text)
    return out


def _cost_header(routes: Sequence[Mapping[str, Any]]) -> str:
    """USD/t for bulk only, USD/FEU for containers only, both named when mixed."""
    units = {cost_key(r) for r in routes}
    if units == {"cost_usd_per_t"}:
        return "USD/t"
    return "USD/FEU" if units <= {"cost_usd_per_feu"} else "USD per FEU or t"


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

    An element that binds in tonnes (a pipeline) is shown in tonnes:

    >>> t = capacities_table([{"id": "p_btc", "kind": "link", "from": "a", "to": "b",
    ...     "capacity_teu_per_year": None, "capacity_t_per_year": 5.98e7,
    ...     "flow_teu_per_year": 8.6e4, "flow_t_per_year": 2.15e6, "utilisation": 0.036,
    ...     "binding_unit": "t"}])
    >>> ">59,800,000 t/yr<" in t and "TEU" not in t.split("</thead>")[1]
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
        unit = element_unit(c)
        cap, _ = capacity_in(c, unit)
        flow = _float(c.get(f"flow_{unit}_per_year"))
        eid = str(c.get("id", ""))
        rows.append(
            f'<tr data-id="{_esc(eid)}" data-unit="{unit}"{cls}>'
            f"<td>{_esc(c.get('name') or eid)}</td><td>{_esc(c.get('kind', ''))}</td>"
            f"<td>{_esc(a if a == b else f'{a} → {b}')}</td>"
            + _cell(f"capacity_{unit}_per_year", cap, quantity_text(cap, unit))
            + _cell(f"flow_{unit}_per_year", flow, quantity_text(flow, unit))
            + f'<td class="num util" data-key="utilisation" data-value="{u!r}">{bar}</td></tr>'
        )
    return (
        '<table class="capacities"><thead><tr><th>Element</th><th>Kind</th><th>Where</th>'
        '<th class="num">Capacity</th><th class="num">2024 flow</th>'
        '<th class="num">Utilisation</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table>"
    )


def _float(v: Any) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def legs_table(route: Mapping[str, Any], names: Mapping[str, str] | None = None) -> str:
    """Leg-by-leg breakdown of one route, with a totals row summed from the legs.

    Leg costs are per FEU in the analysis; a bulk route's are shown per tonne
    (``data-key="cost_usd_per_t"``), and its capacities in tonnes per year (a
    capacity given only in TEU converted at the commodity's tonnes per TEU,
    marked ≈). A container route shows each element in its binding unit.

    Examples
    --------
    >>> route = {"unit": "t", "cost_usd_per_feu": 500.0, "cost_usd_per_t": 10.0, "legs": [
    ...     {"from": "a", "to": "b", "kind": "link", "mode": "pipeline", "distance_km": 9.0,
    ...      "cost_usd": 500.0, "capacity_teu_per_year": None, "capacity_t_per_year": 6e7}]}
    >>> t = legs_table(route)
    >>> '<th class="num">USD/t</th>' in t and ">60,000,000 t/yr<" in t and "TEU" not in t
    True
    """
    name = _name_fn(names)
    scale = usd_scale(route)
    money = "t" if route.get("unit") == "t" and scale is not None else "feu"
    scale = scale if scale is not None else 1.0
    # containers: the leg's own cost_usd; bulk: converted, so under another key
    key = "cost_usd_per_t" if money == "t" else "cost_usd"
    tpt = tonnes_per_teu(route)
    binding = {str(b.get("id")): b for b in route.get("bottlenecks") or []}
    rows = []
    tot = {"distance_km": 0.0, "hours_moving": 0.0, "hours_waiting": 0.0, "cost_usd": 0.0}
    for leg in route.get("legs", []):
        a, b = name(str(leg["from"])), name(str(leg["to"]))
        for k in tot:
            tot[k] += float(leg.get(k) or 0.0)
        element = {**leg, **{k: v for k, v in binding.get(str(leg.get("id")), {}).items()
                             if k == "binding_unit"}}  # fmt: skip
        unit = element_unit(element, route)
        cap, approx = capacity_in(element, unit, tpt)
        usd = leg.get("cost_usd")
        rows.append(
            f'<tr data-id="{_esc(leg.get("id", ""))}" data-unit="{unit}">'
            f"<td>{_esc(a if a == b else f'{a} → {b}')}</td><td>{_esc(leg.get('kind', ''))}"
            f"</td><td>{_esc(leg.get('mode', ''))}</td>"
            + _num("distance_km", leg.get("distance_km"), ",.0f")
            + _num("hours_moving", leg.get("hours_moving"), ",.1f")
            + _num("hours_waiting", leg.get("hours_waiting"), ",.1f")
            + _num(key, None if usd is None else float(usd) * scale, _MONEY[money])
            + _cell(f"capacity_{unit}_per_year", cap, quantity_text(cap, unit, approx=approx))
            + "</tr>"
        )
    rows.append(
        '<tr class="total"><td>Total</td><td></td><td></td>'
        + _num("distance_km", tot["distance_km"], ",.0f")
        + _num("hours_moving", tot["hours_moving"], ",.1f")
        + _num("hours_waiting", tot["hours_waiting"], ",.1f")
        + _num(key, tot["cost_usd"] * scale, _MONEY[money])
        + "<td></td></tr>"
    )
    return (
        '<table class="legs"><thead><tr><th>Leg</th><th>Kind</th><th>Mode</th>'
        '<th class="num">km</th><th class="num">Moving h</th><th class="num">Waiting h</th>'
        f'<th class="num">USD/{"t" if money == "t" else "FEU"}</th>'
        '<th class="num">Capacity</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table>"
    )


_MONEY = {"feu": ",.0f", "t": ",.2f"}


def element_names(analysis: Mapping[str, Any], network: Any = None) -> dict[str, str]:
    """Element id → plain name, from the network's tables and the analysis' records.

    Examples
    --------
    >>> element_names({"capacities": [{"id": "s_x", "name": "Aktau–Baku ferry"},
    ...                               {"id": "p_btc", "name": "p_btc"}]})
    {'s_x': 'Aktau–Baku ferry'}
    """
    out: dict[str, str] = {}
    for table in ("links", "borders", "terminals", "services"):
        frame = getattr(network, table, None)
        if frame is None or not len(frame) or not {"id", "name"} <= set(frame.columns):
            continue
        for eid, nm in zip(frame["id"], frame["name"], strict=True):
            if isinstance(nm, str) and nm and nm != eid:
                out[str(eid)] = nm
    records = list(analysis.get("capacities") or [])
    records += [b for r in analysis.get("routes") or [] for b in r.get("bottlenecks") or []]
    for rec in records:
        eid, nm = str(rec.get("id", "")), rec.get("name")
        if nm and str(nm) != eid:
            out.setdefault(eid, str(nm))
    return out


def unrouted_table(
    unrouted: Sequence[Mapping[str, Any]],
    names: Mapping[str, str] | None = None,
    elements: Mapping[str, str] | None = None,
    commodities: Mapping[str, str] | None = None,
) -> str:
    """Demand the network could not carry: how much (in its unit), who refused it, why.

    Parameters
    ----------
    unrouted
        The analysis' ``unrouted_demand`` records.
    names, elements, commodities
        Optional id → plain name maps of nodes, elements and commodities.

    Examples
    --------
    >>> t = unrouted_table([{"segment": "crude_oil/cpc/tengiz-trieste", "origin": "tengiz",
    ...     "destination": "trieste", "commodity": "crude_oil", "corridor": "cpc",
    ...     "volume_per_year": 5.3e7, "unit": "t", "share_of_demand": 0.96,
    ...     "refused_by": ["s_kmtf"], "reason": "capacity full on every open route"}],
    ...     elements={"s_kmtf": "KMTF tankers <Aktau>"})
    >>> ">53,000,000 t/yr<" in t and "KMTF tankers &lt;Aktau&gt;" in t and "TEU" not in t
    True
    """
    name, element = _name_fn(names), _name_fn(elements)
    rows = []
    for u in unrouted:
        unit = "t" if u.get("unit") == "t" else "teu"
        vol = _float(u.get("volume_per_year"))
        share = _float(u.get("share_of_demand"))
        refused = ", ".join(element(str(e)) for e in u.get("refused_by") or []) or "no open route"
        commodity = str(u.get("commodity", ""))
        rows.append(
            f'<tr data-segment="{_esc(u.get("segment", ""))}" data-unit="{unit}"'
            f' data-refused-by="{_esc(" ".join(map(str, u.get("refused_by") or [])))}">'
            f"<td>{_esc((commodities or {}).get(commodity, commodity.replace('_', ' ')))}</td>"
            f"<td>{_esc(name(str(u.get('origin', ''))))} → "
            f"{_esc(name(str(u.get('destination', ''))))}</td>"
            f"<td>{_esc(corridor_label(str(u.get('corridor') or '')) or '–')}</td>"
            + _cell(f"{unit}_per_year", vol, quantity_text(vol, unit))
            + _cell("share_of_demand", share, f"{share:.0%}" if share is not None else "")
            + f"<td>{_esc(refused)}</td><td>{_esc(u.get('reason', ''))}</td></tr>"
        )
    return (
        '<table class="unrouted"><thead><tr><th>Commodity</th><th>Origin → destination</th>'
        '<th>Corridor</th><th class="num">Not carried</th><th class="num">Share of demand</th>'
        "<th>Refused by</th><th>Why</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )


def closed_table(
    not_offered: Sequence[Mapping[str, Any]],
    names: Mapping[str, str] | None = None,
    commodities: Mapping[str, str] | None = None,
) -> str:
    """The corridors closed for a pair in this scenario (``not_offered`` with status closed).

    Examples
    --------
    >>> t = closed_table([{"origin": "xian", "destination": "duisburg", "commodity":
    ...     "containers", "corridor": "northern", "status": "closed", "reason": "no route"},
    ...     {"origin": "xian", "destination": "duisburg", "commodity": "containers",
    ...      "corridor": "cpc", "status": "not_applicable", "reason": "crude only"}])
    >>> t.count("<tr data-corridor") == 1 and "Northern (Russia)" in t
    True
    """
    name = _name_fn(names)
    rows = []
    for x in not_offered:
        if x.get("status") != "closed":
            continue
        commodity = str(x.get("commodity", ""))
        cid = str(x.get("corridor", ""))
        rows.append(
            f'<tr data-corridor="{_esc(cid)}" data-origin="{_esc(x.get("origin", ""))}"'
            f' data-destination="{_esc(x.get("destination", ""))}">'
            f"<td>{_esc(corridor_label(cid))}</td>"
            f"<td>{_esc(name(str(x.get('origin', ''))))} → "
            f"{_esc(name(str(x.get('destination', ''))))}</td>"
            f"<td>{_esc((commodities or {}).get(commodity, commodity.replace('_', ' ')))}</td>"
            f"<td>{_esc(x.get('reason', ''))}</td></tr>"
        )
    return (
        '<table class="closed"><thead><tr><th>Corridor</th><th>Origin → destination</th>'
        "<th>Commodity</th><th>Why</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
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
        for eid, src in zip(frame["id"], frame["source"], strict=True):
            if str(eid) not in wanted:
                continue
            for sid in str(src).split(";"):
                if sid.strip():
                    out.setdefault(sid.strip(), []).append(str(eid))
    return out


def sources_table(
    network: Any, used: Mapping[str, Sequence[str]] | None = None, *, only_used: bool = False
) -> str:
    """The dataset's sources (id, citation, year, reliability, method, address).

    Sources used by the routes shown come first, with the elements that use
    them (only those with ``only_used``). Addresses are printed as text, not
    links, so the file makes no request and stays readable on paper.
    """
    frame = getattr(network, "sources", None)
    if frame is None or not len(frame):
        return "<p>No sources table in this dataset.</p>"
    used = used or {}
    recs = frame.to_dict("records")
    recs.sort(key=lambda r: (str(r["id"]) not in used, str(r["id"])))
    if only_used:
        recs = [r for r in recs if str(r["id"]) in used]
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
