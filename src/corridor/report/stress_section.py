"""The stress test as an HTML section: before/after, exposure, stranded volume,
min cuts (drawn on a map) and headroom, from the ``corridor stress --json`` object.

Front-end code only: every number comes from
:func:`corridor.resilience.stress.stress`; this module formats and draws.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from corridor.report.mapsvg import BaseMap, load_base_map, project

if TYPE_CHECKING:
    from corridor.report.sections import ReportContext, Section

__all__ = [
    "full_element",
    "min_cut_svg",
    "report_section",
    "share_bars_svg",
    "stress_body",
    "stress_section",
    "summary_body",
]


def _e(x: object) -> str:
    return html.escape(str(x), quote=True)


def _n(x: float | None, digits: int = 1) -> str:
    return "–" if x is None else f"{x:,.{digits}f}"


def _table(caption: str, head: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    out = [f'<table class="stress"><caption>{_e(caption)}</caption><thead><tr>']
    out += [f"<th>{_e(h)}</th>" for h in head]
    out.append("</tr></thead><tbody>")
    for r in rows:
        out.append("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def full_element(route: Mapping[str, Any]) -> str | None:
    """The id of an element at capacity on ``route`` (its time is then the queue of the last
    unit, not a timetable), or ``None``.

    Examples
    --------
    >>> full_element({"bottlenecks": [{"id": "s_tankers", "utilisation": 1.0}]})
    's_tankers'
    >>> full_element({"bottlenecks": [{"id": "t_poti", "utilisation": 0.92}]}) is None
    True
    """
    for b in route.get("bottlenecks") or []:
        if float(b.get("utilisation") or 0.0) >= 1 - 1e-6:
            return str(b["id"])
    return None


def _days_after(route: Mapping[str, Any] | None) -> str:
    if route is None:
        return "closed"
    full = full_element(route)
    days = _n(route["time_days"])
    return f"{days} (full: {_e(full)})" if full else days


def min_cut_svg(
    network: Any,
    cut: Mapping[str, Any],
    *,
    base: BaseMap | None = None,
    title: str = "Min cut",
    width: str = "100%",
    window_deg: tuple[float, float] | None = None,
) -> str:
    """Inline SVG: the network in grey, the elements of one min cut in red.

    ``cut`` is one ``min_cut[pair][commodity]`` record of the stress JSON
    (``cut_elements`` with ``from`` and ``to`` node ids). The frame holds every
    node, or with ``window_deg = (lon, lat)`` the nodes within that many
    degrees of the cut's elements (the cut itself always inside).
    """
    base = base or load_base_map()
    nodes = {str(r["id"]): (float(r["lon"]), float(r["lat"]))
             for r in network.nodes[["id", "lon", "lat"]].to_dict("records")}  # fmt: skip

    def at(node: str) -> tuple[float, float] | None:
        p = nodes.get(node)
        return None if p is None else project(*p)

    framed = list(nodes)
    ends = [nodes[n] for el in cut.get("cut_elements", []) for n in (str(el["from"]), str(el["to"]))
            if n in nodes]  # fmt: skip
    if window_deg is not None and ends:
        lo_lon, hi_lon = min(p[0] for p in ends), max(p[0] for p in ends)
        lo_lat, hi_lat = min(p[1] for p in ends), max(p[1] for p in ends)
        dlon, dlat = window_deg
        framed = [
            n
            for n, (lon, lat) in nodes.items()
            if lo_lon - dlon <= lon <= hi_lon + dlon and lo_lat - dlat <= lat <= hi_lat + dlat
        ]
    pts = [p for n in framed for p in [at(n)] if p is not None]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    pad = 30.0
    vx, vy = min(xs) - pad, min(ys) - pad
    vw, vh = max(xs) - min(xs) + 2 * pad, max(ys) - min(ys) + 2 * pad
    k = vw / 1000
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="map min-cut" viewBox="{vx:.1f} '
        f'{vy:.1f} {vw:.1f} {vh:.1f}" width="{_e(width)}" role="img" aria-label="{_e(title)}">',
        f'<rect class="sea" x="{vx:.1f}" y="{vy:.1f}" width="{vw:.1f}" height="{vh:.1f}" '
        'fill="#eef4f8"/>',
        '<g class="countries">',
    ]
    out += [f'<path class="land" fill="#f4f1ea" stroke="#ccc" stroke-width="{0.6 * k:.2f}" '
            f'data-iso="{_e(iso)}" d="{d}"/>' for iso, _name, d in base.countries]  # fmt: skip
    out.append('</g><g class="network">')
    tables = [network.links[["from", "to"]]]
    if len(network.services):
        tables.append(network.services[["from", "to"]])
    for t in tables:
        for r in t.to_dict("records"):
            a, b = at(str(r["from"])), at(str(r["to"]))
            if a and b:
                out.append(
                    f'<path class="net" stroke="#9aa" stroke-width="{1.2 * k:.2f}" '
                    f'd="M{a[0]:.1f} {a[1]:.1f}L{b[0]:.1f} {b[1]:.1f}"/>'
                )
    out.append('</g><g class="cut">')
    for el in cut.get("cut_elements", []):
        a, b = at(str(el["from"])), at(str(el["to"]))
        if a is None or b is None:
            continue
        tip = f"{el['table'][:-1]} {el['id']} ({el['from']} → {el['to']})"
        if a == b:  # a terminal: its node
            out.append(
                f'<circle class="cut-element" cx="{a[0]:.1f}" cy="{a[1]:.1f}" r="{6 * k:.1f}" '
                f'fill="#c00" data-id="{_e(el["id"])}" data-tip="{_e(tip)}"/>'
            )
        else:
            out.append(
                f'<path class="cut-element" stroke="#c00" stroke-width="{4 * k:.2f}" '
                f'd="M{a[0]:.1f} {a[1]:.1f}L{b[0]:.1f} {b[1]:.1f}" data-id="{_e(el["id"])}" '
                f'data-tip="{_e(tip)}"/>'
            )
    cap = cut.get("capacity_per_year")
    note = (
        f"{cut.get('commodity')} {cut.get('origin_region')} → {cut.get('destination_region')}: "
        + (f"{cap:,.0f} {cut.get('unit')}/yr" if cap is not None else str(cut.get("message")))
    )
    out.append(
        f'</g><text x="{vx + 8 * k:.1f}" y="{vy + 20 * k:.1f}" font-size="{13 * k:.1f}">'
        f"{_e(note)}</text></svg>"
    )
    return "".join(out)


def stress_section(result: Mapping[str, Any], network: Any, *, base: BaseMap | None = None) -> str:
    """HTML ``<section>`` of one stress result (the ``corridor stress --json`` object).

    Examples
    --------
    >>> from corridor import load_network
    >>> r = {"scenario": "close RU", "routes_before": [], "routes_after": [], "exposure": {},
    ...      "stranded": {}, "min_cut": {}, "headroom": []}
    >>> stress_section(r, load_network()).startswith('<section id="stress">')
    True
    """
    return (
        f'<section id="stress"><h2>Stress test: {_e(result["scenario"])}</h2>'
        f"{stress_body(result, network, base=base)}</section>"
    )


def stress_body(result: Mapping[str, Any], network: Any, *, base: BaseMap | None = None) -> str:
    """The section's content without its heading: tables, the min-cut map, headroom."""
    from corridor.report.units import cost_text

    parts: list[str] = []
    after = {(r["origin"], r["destination"], r["commodity"], r["corridor"]): r
             for r in result.get("routes_after", [])}  # fmt: skip
    rows = []
    for r in result.get("routes_before", []):
        a = after.get((r["origin"], r["destination"], r["commodity"], r["corridor"]))
        rows.append([
            f"{_e(r['origin'])} → {_e(r['destination'])}", _e(r["commodity"]), _e(r["corridor"]),
            _n(r["time_days"]), _days_after(a),
            _e(cost_text(r)), _e(cost_text(a)) if a else "closed",
        ])  # fmt: skip
    parts.append(_table(
        "Routes before and after",
        ("pair", "commodity", "corridor", "days before", "days after", "cost before",
         "cost after"),
        rows,
    ))  # fmt: skip
    rows = []
    for name, x in result.get("exposure", {}).items():
        b, a = x["before"], x["after"]
        if not b.get("demand_per_year"):
            continue
        rows.append([
            _e(name),
            f"{b['hhi_routes']:.2f} → {a['hhi_routes']:.2f}",
            f"{b['hhi_transit_countries']:.2f} → {a['hhi_transit_countries']:.2f}",
            f"{b['tonne_km_share'].get('RU', 0):.0%} → {a['tonne_km_share'].get('RU', 0):.0%}",
            f"{a['stranded_per_year']:,.0f} {_e(a['unit'])}",
            _n(x["penalty"]["days"]),
        ])  # fmt: skip
    parts.append(_table(
        "Exposure per commodity (before → after)",
        ("commodity", "HHI over routes", "HHI over transit countries", "t-km through Russia",
         "stranded a year", "Δ mean days"),
        rows,
    ))  # fmt: skip
    rows = [
        [_e(name), f"{f['volume_per_year']:,.0f} {_e(f['unit'])}",
         f"{_e(f['origin'])} → {_e(f['destination'])}",
         _e(", ".join(f["refused_by"]) or f["reason"])]
        for name, st in result.get("stranded", {}).items()
        for f in st.get("flows", [])
    ]  # fmt: skip
    if rows:
        parts.append(_table(
            "Stranded: what the remaining capacity cannot carry (a year)",
            ("commodity", "volume", "from → to", "refused by"),
            rows,
        ))  # fmt: skip
    rows = []
    cut_shown: Mapping[str, Any] | None = None
    for pair, per in result.get("min_cut", {}).items():
        for name, cut in per.items():
            cap = cut.get("capacity_per_year")
            if cut_shown is None and cap is not None and cut.get("cut_elements"):
                cut_shown = cut
            rows.append([
                _e(pair), _e(name), _n(cut.get("capacity_before_per_year"), 0),
                _n(cap, 0) if cap is not None else "unlimited",
                _e(", ".join(cut.get("cut", [])) or cut.get("message", "")),
            ])  # fmt: skip
    parts.append(_table(
        "Min cut between regions (yearly capacity of the network, in the commodity's unit)",
        ("regions", "commodity", "before", "after", "cut (after)"),
        rows,
    ))  # fmt: skip
    if cut_shown is not None:
        parts.append(min_cut_svg(network, cut_shown, base=base, title="Min cut after"))
    rows = []
    for h in result.get("headroom", []):
        rows.append([
            _e(h["corridor"]), _e(h["commodity"]),
            f"≥ {h['multiplier']:.2f}" if h.get("first_failing") is None
            else f"{h['multiplier']:.2f}–{h['first_failing']['multiplier']:.2f}",
            f"{h['extra_per_year']:,.0f} {_e(h['unit'])}", _e(h["limit"]),
            _e(h["binding_element"] or "–"),
        ])  # fmt: skip
    if rows:
        parts.append(_table(
            "Headroom under this scenario",
            ("corridor", "commodity", "demand ×", "extra a year", "limit", "binds first"),
            rows,
        ))  # fmt: skip
    return "".join(parts)


#: Width of the share bars' SVG and of its row labels.
_BAR_W, _BAR_LABEL_W, _BAR_ROW_H = 760.0, 200.0, 20.0
_STRANDED_FILL = "#bbbbbb"


def _with_demand(result: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """Commodities of the result with demand in the base, in the result's order."""
    return [
        (name, x)
        for name, x in result.get("exposure", {}).items()
        if x["before"].get("demand_per_year")
    ]


def _demand_split(side: Mapping[str, Any]) -> dict[str, float]:
    """Shares of a commodity's whole demand: each corridor's, then ``stranded``."""
    demand = float(side["demand_per_year"])
    carried = float(side["carried_per_year"]) / demand if demand > 0 else 0.0
    out = {c: float(s) * carried for c, s in side["corridor_shares"].items()}
    out["stranded"] = max(0.0, 1.0 - carried)
    return out


def changed(exposure: Mapping[str, Any], tolerance: float = 0.01) -> bool:
    """Whether a commodity's split of demand over corridors (or stranded) moved.

    Examples
    --------
    >>> same = {"demand_per_year": 1.0, "carried_per_year": 1.0, "corridor_shares": {"a": 1.0}}
    >>> changed({"before": same, "after": same})
    False
    """
    b, a = _demand_split(exposure["before"]), _demand_split(exposure["after"])
    return any(abs(b.get(k, 0.0) - a.get(k, 0.0)) > tolerance for k in {*b, *a})


def _colours(corridors: Sequence[str]) -> dict[str, str]:
    """A distinct colour per corridor: its usual one unless taken, else a spare."""
    from corridor.report.palette import CORRIDOR_COLOURS

    spare = iter(
        c
        for c in ("#7f7f7f", "#17becf", "#aec7e8", "#98df8a", "#c5b0d5", "#c49c94", "#dbdb8d",
                  "#9edae5", "#f7b6d2", "#ffbb78", "#393b79", "#637939", "#843c39")
        if c not in CORRIDOR_COLOURS.values()
    )  # fmt: skip
    out: dict[str, str] = {}
    for c in corridors:
        usual = CORRIDOR_COLOURS.get(c)
        out[c] = usual if usual and usual not in out.values() else next(spare, "#555555")
    return out


def _short(name: str) -> str:
    """A commodity's name without its parenthesis, for a bar label."""
    return name.split(" (")[0]


def share_bars_svg(
    result: Mapping[str, Any],
    names: Mapping[str, str] | None = None,
    *,
    only_changed: bool = True,
) -> str:
    """Inline SVG: per commodity, its demand split by corridor before and after, stranded grey.

    Each bar is the commodity's whole demand of the network (100 %): the
    carried part split by corridor share, then the stranded part. With
    ``only_changed`` only commodities whose split moved (:func:`changed`).

    Examples
    --------
    >>> x = {"demand_per_year": 10.0, "carried_per_year": 10.0, "corridor_shares": {"cpc": 1.0}}
    >>> y = {"demand_per_year": 10.0, "carried_per_year": 4.0, "corridor_shares": {"cpc": 1.0}}
    >>> svg = share_bars_svg({"exposure": {"crude_oil": {"before": x, "after": y}}})
    >>> import re
    >>> re.findall(r'data-part="([^"]+)" data-share="([^"]+)"', svg)
    [('cpc', '1.0'), ('cpc', '0.4'), ('stranded', '0.6')]
    """
    from corridor.report.palette import corridor_label

    names = names or {}
    rows = [(n, x) for n, x in _with_demand(result) if changed(x) or not only_changed]
    if not rows:
        return ""
    used = [c for _n, x in rows for s in ("before", "after") for c in x[s]["corridor_shares"]]
    colours = _colours(list(dict.fromkeys(used)))
    colours["stranded"] = _STRANDED_FILL
    legend_rows: list[list[tuple[str, str]]] = [[]]
    x = 8.0
    for cid in colours:
        label = "stranded" if cid == "stranded" else corridor_label(cid)
        if x + 24 + 5.6 * len(label) > _BAR_W:
            legend_rows.append([])
            x = 8.0
        legend_rows[-1].append((cid, label))
        x += 24 + 5.6 * len(label)
    top = 12.0 + 16 * len(legend_rows)
    height = top + 2 * len(rows) * _BAR_ROW_H + len(rows) * 6 + 4
    plot = _BAR_W - _BAR_LABEL_W - 90
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bars stress-shares" viewBox="0 0 '
        f'{_BAR_W:.0f} {height:.0f}" role="img" aria-label="Corridor shares before and after">'
    ]
    for i, line in enumerate(legend_rows):
        x = 8.0
        for cid, label in line:
            out.append(
                f'<rect class="key" x="{x:.1f}" y="{6 + 16 * i}" width="10" height="10" '
                f'fill="{colours[cid]}"/><text x="{x + 13:.1f}" y="{15 + 16 * i}" '
                f'font-size="10">{_e(label)}</text>'
            )
            x += 24 + 5.6 * len(label)
    y = top
    for name, exp in rows:
        for when in ("before", "after"):
            split = _demand_split(exp[when])
            label = f"{_short(names.get(name, name))[:24]}, before" if when == "before" else "after"
            out.append(
                f'<text x="{_BAR_LABEL_W - 6:.1f}" y="{y + 14:.1f}" text-anchor="end" '
                f'font-size="11">{_e(label)}</text>'
            )
            left = _BAR_LABEL_W
            for cid, share in split.items():
                if share <= 1e-9:
                    continue
                w = share * plot
                what = "stranded" if cid == "stranded" else corridor_label(cid)
                out.append(
                    f'<rect x="{left:.2f}" y="{y + 3:.1f}" width="{w:.2f}" height="14" '
                    f'fill="{colours[cid]}" data-part="{_e(cid)}" data-share="{share!r}">'
                    f"<title>{_e(label)}: {_e(what)} {share:.0%}</title></rect>"
                )
                left += w
            if split["stranded"] > 0.005:
                out.append(
                    f'<text x="{left + 4:.1f}" y="{y + 14:.1f}" font-size="10">'
                    f"{split['stranded']:.0%} stranded</text>"
                )
            y += _BAR_ROW_H
        y += 6
    out.append("</svg>")
    return "".join(out)


def _commodity_names(network: Any) -> dict[str, str]:
    table = getattr(network, "commodities", None)
    if table is None or not {"id", "name"} <= set(table.columns):
        return {}
    return {str(i): str(n) for i, n in zip(table["id"], table["name"], strict=True)}


def _shown_cut(result: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The cut to draw: the one whose capacity fell most, relative to before."""
    best: tuple[float, Mapping[str, Any]] | None = None
    for per in result.get("min_cut", {}).values():
        for cut in per.values():
            after, before = cut.get("capacity_per_year"), cut.get("capacity_before_per_year")
            if after is None or not cut.get("cut_elements"):
                continue
            ratio = after / before if before else 1.0
            if best is None or ratio < best[0]:
                best = (ratio, cut)
    return best[1] if best else None


def summary_body(
    result: Mapping[str, Any],
    network: Any,
    *,
    names: Mapping[str, str] | None = None,
    base: BaseMap | None = None,
) -> str:
    """The report's and the dashboard's stress content (compact; :func:`stress_body` is
    the full one): corridor shares before and after, exposure per commodity, what is
    stranded and what refused it, the min cuts and the map of the one that fell most."""
    names = names or {}
    commodities = _commodity_names(network)
    rows = _with_demand(result)
    parts = [
        f'<p class="note">Disruption: <b class="stress-scenario">{_e(result["scenario"])}</b>. '
        "Each commodity's demand on the whole network before and after: the corridors that "
        "carry it, how concentrated it is (Herfindahl–Hirschman index over routes and over "
        "transit countries: 1 = all on one), its share of tonne-km through Russia, what the "
        "remaining capacity cannot carry (stranded, a year) and the mean door-to-door change "
        "of what still moves. Tonnes for bulk, TEU for containers.</p>",
    ]
    bars = share_bars_svg(result, commodities)
    parts.append(
        f"<figure>{bars}<figcaption>Each commodity whose split moved: its whole demand by "
        "corridor, before and after.</figcaption></figure>"
        if bars
        else '<p class="note">No commodity changes corridor.</p>'
    )
    table = []
    for name, x in rows:
        b, a, pen = x["before"], x["after"], x["penalty"]
        unit = str(b["unit"])
        table.append(
            [
                _e(commodities.get(name, name)),
                f"{b['demand_per_year']:,.0f} {_e(unit)}",
                f"{b['hhi_routes']:.2f} → {a['hhi_routes']:.2f}",
                f"{b['hhi_transit_countries']:.2f} → {a['hhi_transit_countries']:.2f}",
                f"{b['tonne_km_share'].get('RU', 0):.0%} → {a['tonne_km_share'].get('RU', 0):.0%}",
                f'<span data-commodity="{_e(name)}" data-stranded="{a["stranded_per_year"]!r}">'
                f"{a['stranded_per_year']:,.0f}</span>",
                _signed(pen.get("days")),
            ]
        )
    parts.append(
        _table(
            "Exposure per commodity (before → after)",
            ("commodity", "demand a year", "HHI routes", "HHI transit countries",
             "t-km via Russia", "stranded a year", "Δ mean days"),
            table,
        )
    )  # fmt: skip
    flows = [
        [
            _e(commodities.get(name, name)),
            f"{f['volume_per_year']:,.0f} {_e(f['unit'])}",
            f"{_e(names.get(f['origin'], f['origin']))} → "
            f"{_e(names.get(f['destination'], f['destination']))}",
            _e(f.get("corridor", "")),
            f'<span class="refused-by">{_e(", ".join(f["refused_by"]) or f["reason"])}</span>',
        ]
        for name, st in result.get("stranded", {}).items()
        for f in st.get("flows", [])
    ]
    if flows:
        parts.append(
            _table(
                "Stranded: what the remaining capacity cannot carry (a year)",
                ("commodity", "volume", "from → to", "corridor", "refused by (full)"),
                flows,
            )
        )
    else:
        parts.append('<p class="stranded-none">Nothing is stranded: every flow finds room.</p>')
    cuts = []
    for pair, per in result.get("min_cut", {}).items():
        for name, cut in per.items():
            cap = cut.get("capacity_per_year")
            cuts.append(
                [
                    _e(pair.replace("->", " → ").replace("_", " ")),
                    _e(commodities.get(name, name)),
                    _e(cut.get("unit", "")),
                    _n(cut.get("capacity_before_per_year"), 0),
                    _n(cap, 0) if cap is not None else "unlimited",
                    f'<span class="cut">{_e(", ".join(cut.get("cut", [])) or _brief(cut))}</span>',
                ]
            )
    parts.append(
        _table(
            "Min cut between regions: the most the network could move a year, and what limits "
            "it (after)",
            ("regions", "commodity", "unit", "before", "after", "cut elements (after)"),
            cuts,
        )
    )
    shown = _shown_cut(result)
    if shown is not None and network is not None and getattr(network, "nodes", None) is not None:
        parts.append(
            '<figure class="stress-cut">'
            + min_cut_svg(
                network,
                shown,
                base=base,
                title="Min cut after the disruption",
                width="80%",
                window_deg=(25.0, 10.0),
            )
            + "<figcaption>In red, the cut whose capacity fell most.</figcaption></figure>"
        )
    return "".join(parts)


def _brief(cut: Mapping[str, Any], limit: int = 90) -> str:
    """A cut's message, shortened (an unlimited route's full path is in the JSON)."""
    text = str(cut.get("message") or "")
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _signed(x: float | None) -> str:
    return "–" if x is None else f"{x:+,.1f}"


def report_section(ctx: ReportContext) -> Section | None:
    """The report's stress section from ``ctx.stress`` (``None`` without a stress result)."""
    from corridor.report.sections import Section

    result = ctx.stress
    if not isinstance(result, Mapping) or "exposure" not in result:
        return None
    body = summary_body(result, ctx.network, names=ctx.names, base=ctx.base_map)
    return Section("stress", "Stress test and diversification", body)
