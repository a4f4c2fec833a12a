"""The stress test as an HTML section: before/after, exposure, stranded volume,
min cuts (drawn on a map) and headroom, from the ``corridor stress --json`` object.

Front-end code only: every number comes from
:func:`corridor.resilience.stress.stress`; this module formats and draws.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from corridor.report.mapsvg import BaseMap, load_base_map, project

__all__ = ["min_cut_svg", "stress_body", "stress_section"]


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


def min_cut_svg(
    network: Any,
    cut: Mapping[str, Any],
    *,
    base: BaseMap | None = None,
    title: str = "Min cut",
) -> str:
    """Inline SVG: the network in grey, the elements of one min cut in red.

    ``cut`` is one ``min_cut[pair][commodity]`` record of the stress JSON
    (``cut_elements`` with ``from`` and ``to`` node ids).
    """
    base = base or load_base_map()
    nodes = {str(r["id"]): (float(r["lon"]), float(r["lat"]))
             for r in network.nodes[["id", "lon", "lat"]].to_dict("records")}  # fmt: skip

    def at(node: str) -> tuple[float, float] | None:
        p = nodes.get(node)
        return None if p is None else project(*p)

    pts = [p for n in nodes for p in [at(n)] if p is not None]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    pad = 30.0
    vx, vy = min(xs) - pad, min(ys) - pad
    vw, vh = max(xs) - min(xs) + 2 * pad, max(ys) - min(ys) + 2 * pad
    k = vw / 1000
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="map min-cut" viewBox="{vx:.1f} '
        f'{vy:.1f} {vw:.1f} {vh:.1f}" width="100%" role="img" aria-label="{_e(title)}">',
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
    parts: list[str] = []
    after = {(r["origin"], r["destination"], r["commodity"], r["corridor"]): r
             for r in result.get("routes_after", [])}  # fmt: skip
    rows = []
    for r in result.get("routes_before", []):
        a = after.get((r["origin"], r["destination"], r["commodity"], r["corridor"]))
        rows.append([
            f"{_e(r['origin'])} → {_e(r['destination'])}", _e(r["commodity"]), _e(r["corridor"]),
            _n(r["time_days"]), _n(a["time_days"]) if a else "closed",
            _n(r["cost_usd_per_feu"], 0), _n(a["cost_usd_per_feu"], 0) if a else "closed",
        ])  # fmt: skip
    parts.append(_table(
        "Routes before and after",
        ("pair", "commodity", "corridor", "days before", "days after", "USD/FEU before",
         "USD/FEU after"),
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
