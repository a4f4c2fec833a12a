"""UNESCAP time/cost-distance charts of door-to-door routes.

Cumulative distance runs along x; cumulative time (days) or cost up y, in USD
per FEU for containers and USD per tonne for bulk commodities (see
:mod:`corridor.report.units`). Moving along a line is a slope; waiting (at a
border, a transfer, a port, for a ferry) is a vertical jump. Each leg of a
route of the ``analyze --json`` contract is drawn as its waiting part, a jump
at the start of the leg, followed by its moving part, a slope over the leg's
distance. For cost a leg with distance is a slope and a leg without distance
(border fee, handling) a jump.

The same staircase (:func:`tcd_series`) feeds a static PNG (drawn with Pillow) and
an interactive inline SVG (:func:`tcd_svg`) with hover tooltips, used both on
its own page (:func:`write_tcd_html`) and inside the HTML report.
"""

from __future__ import annotations

import html
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corridor.io.atomic import atomic_path, write_text
from corridor.report.palette import (
    corridor_colours,
    corridor_label,
    distinct_routes,
    duplicates_of,
)
from corridor.report.raster import Canvas, dejavu_sans_path
from corridor.report.units import cost_text, is_bulk, usd_scale

__all__ = [
    "TOOLTIP_JS",
    "TcdSeries",
    "group_by_pair",
    "tcd_series",
    "tcd_svg",
    "write_tcd_charts",
    "write_tcd_html",
    "write_tcd_png",
]

_JUMP_KINDS_COST = ("border", "transfer", "access", "egress")


@dataclass(frozen=True)
class Jump:
    """A vertical step: ``y0`` to ``y1`` at distance ``x``, caused by leg ``leg``."""

    x: float
    y0: float
    y1: float
    label: str
    leg: int

    @property
    def size(self) -> float:
        """Height of the jump."""
        return self.y1 - self.y0


@dataclass(frozen=True)
class TcdSeries:
    """The time and cost staircases of one route.

    ``time`` and ``cost`` are polylines of ``(km, days)`` and ``(km, USD)``
    points, cost per ``cost_unit`` (``"FEU"`` or ``"t"``); ``segments`` gives,
    per leg, ``(x0, x1, t0, t1, c0, c1)``.
    """

    corridor: str
    origin: str
    destination: str
    time: tuple[tuple[float, float], ...]
    cost: tuple[tuple[float, float], ...]
    time_jumps: tuple[Jump, ...]
    cost_jumps: tuple[Jump, ...]
    segments: tuple[tuple[float, float, float, float, float, float], ...]
    legs: tuple[Mapping[str, Any], ...]
    cost_unit: str = "FEU"

    @property
    def total_km(self) -> float:
        """Route distance."""
        return self.time[-1][0]

    @property
    def total_days(self) -> float:
        """Door-to-door time in days."""
        return self.time[-1][1]

    @property
    def total_usd(self) -> float:
        """Door-to-door cost in USD per :attr:`cost_unit`."""
        return self.cost[-1][1]


def _name(node: str, names: Mapping[str, str] | None) -> str:
    return (names or {}).get(node, node)


def leg_label(leg: Mapping[str, Any], names: Mapping[str, str] | None = None) -> str:
    """Short label of a leg for annotations: its ``name`` if given, else its places.

    Examples
    --------
    >>> leg_label({"from": "aktau", "to": "aktau", "kind": "transfer"}, {"aktau": "Aktau"})
    'Aktau transfer'
    >>> leg_label({"from": "khorgos", "to": "altynkol", "kind": "border"})
    'khorgos–altynkol'
    >>> leg_label({"from": "aktau", "to": "alat", "kind": "service", "mode": "ferry"})
    'aktau–alat ferry'
    """
    if leg.get("name"):
        return str(leg["name"])
    a, b = _name(str(leg["from"]), names), _name(str(leg["to"]), names)
    kind = str(leg.get("kind", ""))
    if a == b:
        return f"{a} {kind}".strip()
    if kind == "service":
        return f"{a}–{b} {leg.get('mode', '')}".strip()
    return f"{a}–{b}"


def tcd_series(route: Mapping[str, Any], names: Mapping[str, str] | None = None) -> TcdSeries:
    """Build the time and cost staircases of one route dict.

    Parameters
    ----------
    route
        A route of the ``corridor analyze --json`` contract (``legs`` with
        ``distance_km``, ``hours_moving``, ``hours_waiting``, ``cost_usd``).
    names
        Optional node id → display name map for jump labels.

    Examples
    --------
    >>> route = {"corridor": "middle", "origin": "a", "destination": "b", "legs": [
    ...     {"from": "a", "to": "a", "kind": "border", "distance_km": 0, "hours_moving": 0,
    ...      "hours_waiting": 24, "cost_usd": 100},
    ...     {"from": "a", "to": "b", "kind": "link", "distance_km": 500, "hours_moving": 12,
    ...      "hours_waiting": 12, "cost_usd": 400}]}
    >>> s = tcd_series(route)
    >>> s.time
    ((0.0, 0.0), (0.0, 1.0), (0.0, 1.5), (500.0, 2.0))
    >>> s.cost
    ((0.0, 0.0), (0.0, 100.0), (500.0, 500.0))
    >>> [j.label for j in s.time_jumps]
    ['a border', 'a–b']

    A bulk route's costs are per tonne (legs are costed per FEU):

    >>> bulk = {**route, "unit": "t", "cost_usd_per_feu": 500.0, "cost_usd_per_t": 10.0}
    >>> s = tcd_series(bulk)
    >>> s.cost_unit, s.cost
    ('t', ((0.0, 0.0), (0.0, 2.0), (500.0, 10.0)))
    """
    scale = usd_scale(route)
    # a bulk record without its cost per tonne stays per FEU rather than guess a factor
    unit = "t" if is_bulk(route) and scale is not None else "FEU"
    scale = scale if unit == "t" else 1.0
    assert scale is not None
    x = t = c = 0.0
    time_pts = [(0.0, 0.0)]
    cost_pts = [(0.0, 0.0)]
    tj: list[Jump] = []
    cj: list[Jump] = []
    segments = []
    for i, leg in enumerate(route["legs"]):
        km = float(leg.get("distance_km") or 0.0)
        wait_d = float(leg.get("hours_waiting") or 0.0) / 24.0
        move_d = float(leg.get("hours_moving") or 0.0) / 24.0
        usd = float(leg.get("cost_usd") or 0.0) * scale
        label = leg_label(leg, names)
        x0, t0, c0 = x, t, c
        if wait_d > 0:
            tj.append(Jump(x, t, t + wait_d, label, i))
            t += wait_d
            time_pts.append((x, t))
        if km > 0 or move_d > 0:
            if km == 0:
                tj.append(Jump(x, t, t + move_d, label, i))
            t += move_d
            time_pts.append((x + km, t))
        if usd > 0 or km > 0:
            if km == 0:
                cj.append(Jump(x, c, c + usd, label, i))
            c += usd
            cost_pts.append((x + km, c))
        x += km
        segments.append((x0, x, t0, t, c0, c))
    return TcdSeries(
        corridor=str(route.get("corridor", "")),
        origin=str(route.get("origin", "")),
        destination=str(route.get("destination", "")),
        time=tuple(time_pts),
        cost=tuple(cost_pts),
        time_jumps=tuple(tj),
        cost_jumps=tuple(cj),
        segments=tuple(segments),
        legs=tuple(route["legs"]),
        cost_unit=unit,
    )


def group_by_pair(
    routes: Iterable[Mapping[str, Any]],
) -> list[tuple[tuple[str, str, str], list[Mapping[str, Any]]]]:
    """Group routes by (origin, destination, commodity), keeping first-seen order.

    A route without ``commodity`` counts as ``containers``.

    Examples
    --------
    >>> rs = [{"origin": "a", "destination": "b"}, {"origin": "c", "destination": "d"},
    ...       {"origin": "a", "destination": "b"}]
    >>> [(pair, len(g)) for pair, g in group_by_pair(rs)]
    [(('a', 'b', 'containers'), 2), (('c', 'd', 'containers'), 1)]
    """
    groups: dict[tuple[str, str, str], list[Mapping[str, Any]]] = {}
    for r in routes:
        key = (str(r["origin"]), str(r["destination"]), str(r.get("commodity") or "containers"))
        groups.setdefault(key, []).append(r)
    return list(groups.items())


def pair_title(key: tuple[str, str, str], names: Mapping[str, str] | None = None) -> str:
    """Heading of an OD pair: "Xi'an → Duisburg" (plus the commodity unless containers).

    Examples
    --------
    >>> pair_title(("xian", "duisburg", "copper"), {"xian": "Xi'an"})
    "Xi'an → duisburg (copper)"
    """
    origin, dest, commodity = key
    text = f"{_name(origin, names)} → {_name(dest, names)}"
    return text if commodity == "containers" else f"{text} ({commodity})"


def pair_stem(key: tuple[str, str, str]) -> str:
    """File stem of an OD pair's charts: ``tcd_<origin>_<destination>[_<commodity>]``."""
    origin, dest, commodity = key
    stem = f"tcd_{origin}_{dest}"
    return stem if commodity == "containers" else f"{stem}_{commodity}"


def _biggest(jumps: Sequence[Jump], k: int, floor: float) -> list[Jump]:
    """The ``k`` largest jumps that are at least ``floor`` high."""
    return sorted((j for j in jumps if j.size >= floor), key=lambda j: -j.size)[:k]


def _usd(v: float, unit: str) -> str:
    return f"${v:,.1f}/t" if unit == "t" else f"${v:,.0f}"


def _jump_text(j: Jump, is_time: bool, unit: str = "FEU") -> str:
    size = f"{j.size * 24:.0f} h" if is_time else _usd(j.size, unit)
    return f"{j.label} ({size})"


def cost_axis(series: Sequence[TcdSeries]) -> str:
    """Title of the cost axis: USD/FEU, or USD/t for a bulk commodity."""
    unit = series[0].cost_unit if series else "FEU"
    return f"Cumulative cost (USD/{unit})"


def _labels(
    series: Sequence[TcdSeries],
    is_time: bool,
    xhi: float,
    yhi: float,
    *,
    char_w: float = 0.011,
    line: float = 0.036,
    most: int = 7,
) -> list[tuple[float, float, str, str, str]]:
    """Annotations of the biggest jumps as ``(u, v, text, corridor, anchor)``.

    ``u``/``v`` run from 0 to 1 across/up the plot area; ``anchor`` is
    ``start`` (text runs right of ``u``) or ``end`` (text ends at ``u``, used
    near the right edge so that no label is cut). At most ``most`` labels per
    panel, the biggest jumps over all routes first; a jump of the same name at
    the same place on another route is named once. A label that would overlap
    an earlier one moves down one line at a time (then up); ``char_w`` and
    ``line`` are a character's width and a line's height in plot units.
    """
    floor = 0.04 * yhi
    candidates = sorted(
        ((j, s.corridor) for s in series for j in (s.time_jumps if is_time else s.cost_jumps)),
        key=lambda jc: -jc[0].size,
    )
    placed: list[tuple[float, float, str, str, str]] = []
    boxes: list[tuple[float, float, float]] = []  # u0, u1, v
    named: list[tuple[str, float]] = []
    for j, cid in candidates:
        if len(placed) >= most or j.size < floor:
            break
        text = _jump_text(j, is_time, series[0].cost_unit)
        if any(t == text and abs(x - j.x) <= 0.01 * xhi for t, x in named):
            continue
        named.append((text, j.x))
        width = char_w * len(text)
        u = j.x / xhi + 0.008
        anchor = "start"
        if u + width > 0.99:
            u, anchor = j.x / xhi - 0.008, "end"
        u0, u1 = (u, u + width) if anchor == "start" else (u - width, u)
        v0 = (j.y0 + j.y1) / 2 / yhi
        v = v0
        # Try the jump's middle, then one line below, one above, two below, ...
        for step in range(60):
            shift = (step + 1) // 2 * (1 if step % 2 else -1)
            v = v0 + shift * line
            if 0.02 <= v <= 0.98 and not any(
                abs(v - bv) < line and u0 < b1 and b0 < u1 for b0, b1, bv in boxes
            ):
                break
        boxes.append((u0, u1, v))
        placed.append((u, v, text, cid, anchor))
    return placed


def nice_ticks(hi: float, n: int = 5) -> list[float]:
    """Round tick values from 0 to at least ``hi`` (about ``n`` intervals).

    Examples
    --------
    >>> nice_ticks(27.3)
    [0.0, 10.0, 20.0, 30.0]
    >>> nice_ticks(11_800)
    [0.0, 2500.0, 5000.0, 7500.0, 10000.0, 12500.0]
    >>> nice_ticks(0)
    [0.0, 1.0]
    >>> nice_ticks(1e-300)  # too small to tick (ticks are rounded to 1e-10)
    [0.0, 1.0]
    """
    if hi < 1e-6 or not math.isfinite(hi):
        return [0.0, 1.0]
    raw = hi / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    count = math.ceil(hi / step - 1e-9)
    return [float(round(i * step, 10)) for i in range(count + 1)]


def _fmt(v: float) -> str:
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:g}"


def _leg_tip(
    leg: Mapping[str, Any], names: Mapping[str, str] | None, s: TcdSeries, usd: float
) -> str:
    corridor = s.corridor
    a, b = _name(str(leg["from"]), names), _name(str(leg["to"]), names)
    where = a if a == b else f"{a} → {b}"
    return (
        f"{corridor_label(corridor)}: {where} ({leg.get('kind', '')}, {leg.get('mode', '')})\n"
        f"{float(leg.get('distance_km') or 0):,.0f} km · "
        f"moving {float(leg.get('hours_moving') or 0):.1f} h · "
        f"waiting {float(leg.get('hours_waiting') or 0):.1f} h · "
        f"{_usd(usd, s.cost_unit)}{'' if s.cost_unit == 't' else '/FEU'}"
    )


def _legend_text(
    route: Mapping[str, Any], s: TcdSeries, routes: Sequence[Mapping[str, Any]]
) -> str:
    """Legend entry: name, totals and the corridors that give the very same route."""
    same = duplicates_of(route, routes)
    also = f" (same route: {', '.join(map(corridor_label, same))})" if same else ""
    cost = cost_text(route, s.total_usd) if s.cost_unit == "t" else f"${s.total_usd:,.0f}/FEU"
    return (
        f"{corridor_label(s.corridor)}{also}: {s.total_km:,.0f} km, {s.total_days:.1f} days, "
        + cost
    )


_W, _H = 540.0, 330.0
_ML, _MR, _MT, _MB = 70.0, 30.0, 30.0, 46.0


def _panel_svg(
    series: Sequence[TcdSeries],
    colours: Mapping[str, str],
    which: str,
    names: Mapping[str, str] | None,
    dx: float,
) -> list[str]:
    """SVG elements of one panel (time or cost) translated by ``dx``."""
    is_time = which == "time"
    xmax = max(s.total_km for s in series) or 1.0
    ymax = max((s.total_days if is_time else s.total_usd) for s in series) or 1.0
    xt, yt = nice_ticks(xmax), nice_ticks(ymax)
    xhi, yhi = xt[-1], yt[-1]
    pw, ph = _W - _ML - _MR, _H - _MT - _MB

    def px(v: float) -> float:
        return _ML + v / xhi * pw

    def py(v: float) -> float:
        return _MT + ph - v / yhi * ph

    out = [f'<g transform="translate({dx:.0f},0)" class="panel panel-{which}">']
    title = "Cumulative time (days)" if is_time else cost_axis(series)
    out.append(f'<text x="{_ML}" y="18" class="ptitle">{title}</text>')
    for v in xt:
        out.append(
            f'<line x1="{px(v):.1f}" x2="{px(v):.1f}" y1="{_MT}" y2="{_MT + ph}" class="grid"/>'
            f'<text x="{px(v):.1f}" y="{_MT + ph + 15}" class="tick" '
            f'text-anchor="middle">{_fmt(v)}</text>'
        )
    for v in yt:
        out.append(
            f'<line x1="{_ML}" x2="{_ML + pw}" y1="{py(v):.1f}" y2="{py(v):.1f}" class="grid"/>'
            f'<text x="{_ML - 6}" y="{py(v) + 4:.1f}" class="tick" '
            f'text-anchor="end">{_fmt(v)}</text>'
        )
    out.append(
        f'<rect x="{_ML}" y="{_MT}" width="{pw}" height="{ph}" class="frame"/>'
        f'<text x="{_ML + pw / 2}" y="{_H - 8}" class="axis" text-anchor="middle">'
        "Cumulative distance (km)</text>"
    )
    for s in series:
        colour = colours[s.corridor]
        pts = s.time if is_time else s.cost
        d = "M" + " L".join(f"{px(a):.1f},{py(b):.1f}" for a, b in pts)
        out.append(
            f'<path d="{d}" class="route" stroke="{colour}" '
            f'data-corridor="{html.escape(s.corridor)}"/>'
        )
        for leg, (x0, x1, t0, t1, c0, c1) in zip(s.legs, s.segments, strict=True):
            y0, y1 = (t0, t1) if is_time else (c0, c1)
            if y1 == y0 and x1 == x0:
                continue
            tip = html.escape(_leg_tip(leg, names, s, c1 - c0), quote=True)
            # Hit area: waiting drawn at the start, then the slope, like the route line.
            out.append(
                f'<path d="M{px(x0):.1f},{py(y0):.1f} L{px(x0):.1f},{py(y0):.1f} '
                f'L{px(x1):.1f},{py(y1):.1f}" class="hit" data-tip="{tip}"/>'
            )
    # 10.5 px text: ~5.6 px a character, 13 px a line, in a 440 x 254 px plot.
    for u, v, text, cid, anchor in _labels(
        series, is_time, xhi, yhi, char_w=5.6 / pw, line=13.0 / ph
    ):
        out.append(
            f'<text x="{_ML + u * pw:.1f}" y="{_MT + ph - v * ph + 3:.1f}" class="jump" '
            f'text-anchor="{anchor}" fill="{colours[cid]}">{html.escape(text)}</text>'
        )
    out.append("</g>")
    return out


def tcd_svg(
    routes: Sequence[Mapping[str, Any]],
    *,
    names: Mapping[str, str] | None = None,
    title: str | None = None,
) -> str:
    """Inline SVG of the time and cost panels for the routes of one OD pair.

    Every leg carries a ``data-tip`` attribute that :data:`TOOLTIP_JS` shows on
    hover; without the script the chart is still complete.

    Parameters
    ----------
    routes
        Route dicts (normally all of one origin–destination pair).
    names
        Optional node id → display name map.
    title
        Heading drawn above the panels; defaults to "origin → destination".

    Examples
    --------
    >>> route = {"corridor": "middle", "origin": "a", "destination": "b", "legs": [
    ...     {"from": "a", "to": "b", "kind": "link", "distance_km": 500, "hours_moving": 12,
    ...      "hours_waiting": 12, "cost_usd": 400}]}
    >>> svg = tcd_svg([route])
    >>> svg.startswith("<svg") and svg.count('class="route"') == 2
    True
    """
    if not routes:
        raise ValueError("tcd_svg needs at least one route")
    shown = distinct_routes(routes) or list(routes)
    series = [tcd_series(r, names) for r in shown]
    colours = corridor_colours(s.corridor for s in series)
    if title is None:
        title = pair_title(group_by_pair(routes)[0][0], names)
    legend_h = 18.0 * len(series) + 8
    width, height = 2 * _W, _H + 26 + legend_h
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="tcd" viewBox="0 0 {width:.0f} '
        f'{height:.0f}" width="100%" role="img" aria-label="{html.escape(title)}" '
        f'data-cost-unit="{series[0].cost_unit}">',
        f'<text x="8" y="18" class="ctitle">{html.escape(title)}</text>',
        '<g transform="translate(0,26)">',
        *_panel_svg(series, colours, "time", names, 0),
        *_panel_svg(series, colours, "cost", names, _W),
        "</g>",
    ]
    y = _H + 26 + 14
    for r, s in zip(shown, series, strict=True):
        colour = colours[s.corridor]
        out.append(
            f'<g class="legend" data-corridor="{html.escape(s.corridor)}">'
            f'<line x1="{_ML}" x2="{_ML + 24}" '
            f'y1="{y - 4}" y2="{y - 4}" stroke="{colour}" stroke-width="3"/>'
            f'<text x="{_ML + 30}" y="{y}">{html.escape(_legend_text(r, s, routes))}</text></g>'
        )
        y += 18
    out.append("</svg>")
    return "\n".join(out)


#: CSS for :func:`tcd_svg` charts (screen and print).
TCD_CSS = """
svg.tcd{font:12px system-ui,sans-serif;max-width:1100px;display:block}
svg.tcd .ctitle{font-size:15px;font-weight:600}
svg.tcd .ptitle{font-size:13px;font-weight:600}
svg.tcd .grid{stroke:#e3e3e3;stroke-width:1}
svg.tcd .frame{fill:none;stroke:#888}
svg.tcd .tick,svg.tcd .axis{fill:#444}
svg.tcd .route{fill:none;stroke-width:2.2;stroke-linejoin:round}
svg.tcd .hit{fill:none;stroke:transparent;stroke-width:12;pointer-events:stroke}
svg.tcd .hit:hover{stroke:rgba(0,0,0,.12)}
svg.tcd .jump{font-size:10.5px}
.tcd-tip{position:fixed;pointer-events:none;background:#222;color:#fff;padding:4px 7px;
border-radius:4px;font:12px system-ui,sans-serif;white-space:pre;z-index:10;display:none}
@media print{.tcd-tip{display:none!important}}
"""

#: Small script that shows the ``data-tip`` of any hovered element as a tooltip.
TOOLTIP_JS = """
(function(){
  var tip=document.createElement('div');tip.className='tcd-tip';
  document.addEventListener('DOMContentLoaded',function(){document.body.appendChild(tip);});
  document.addEventListener('mouseover',function(e){
    var t=e.target.closest?e.target.closest('[data-tip]'):null;
    if(!t){tip.style.display='none';return;}
    tip.textContent=t.getAttribute('data-tip');tip.style.display='block';});
  document.addEventListener('mousemove',function(e){
    tip.style.left=(e.clientX+12)+'px';tip.style.top=(e.clientY+12)+'px';});
})();
"""


def write_tcd_html(
    routes: Sequence[Mapping[str, Any]],
    path: str | os.PathLike[str],
    *,
    names: Mapping[str, str] | None = None,
) -> Path:
    """Write an interactive, self-contained HTML page of time/cost-distance charts.

    One figure (time and cost panels) per origin–destination pair; inline
    SVG, CSS and a few lines of JS for tooltips, no request to any host.

    Parameters
    ----------
    routes
        Route dicts of the ``corridor analyze --json`` contract.
    path
        Output file, written atomically.
    names
        Optional node id → display name map.

    Returns
    -------
    Path
        The written file.
    """
    figures = [tcd_svg(group, names=names) for _pair, group in group_by_pair(routes)]
    page = (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>Time/cost-distance charts</title>"
        f"<style>body{{margin:16px;font:14px system-ui,sans-serif}}{TCD_CSS}</style>"
        "</head><body>\n<h1>Time/cost-distance (UNESCAP method)</h1>\n"
        + "\n".join(f"<figure>{f}</figure>" for f in figures)
        + f"\n<script>{TOOLTIP_JS}</script></body></html>\n"
    )
    write_text(path, page)
    return Path(path)


# PNG layout in inches (the matplotlib figure it replaces had the same), text in points.
_PNG_W, _PNG_TOP, _PNG_AXES, _PNG_XLAB, _PNG_LINE, _PNG_GAP, _PNG_FOOT = (
    13.0,
    0.4,
    3.3,
    0.5,
    0.21,
    0.3,
    0.1,
)
_PNG_LEFT, _PNG_MID, _PNG_RIGHT, _PNG_NCOL = 0.75, 0.85, 0.25, 2


def _panel_png(
    canvas: Canvas,
    series: Sequence[TcdSeries],
    colours: Mapping[str, str],
    which: str,
    title: str,
    box: tuple[float, float, float, float],
    pt: float,
) -> None:
    """Draw one panel (time or cost) into ``box`` = ``(left, top, width, height)`` px.

    ``pt`` is the size of a typographic point in pixels (dpi / 72).
    """
    is_time = which == "time"
    x0, y0, pw, ph = box
    xt = nice_ticks(max(s.total_km for s in series) or 1.0)
    yt = nice_ticks(max((s.total_days if is_time else s.total_usd) for s in series) or 1.0)
    xhi, yhi = xt[-1], yt[-1]

    def px(v: float) -> float:
        return x0 + v / xhi * pw

    def py(v: float) -> float:
        return y0 + ph - v / yhi * ph

    thin, tick, small = 0.8 * pt, 3.5 * pt, 8.5 * pt
    for v in xt:
        canvas.line([(px(v), y0), (px(v), y0 + ph)], "#e3e3e3", thin)
    for v in yt:
        canvas.line([(x0, py(v)), (x0 + pw, py(v))], "#e3e3e3", thin)
    # The routes are the only slanted lines: they alone need the supersampled pass.
    with canvas.supersampled(x0, y0, x0 + pw, y0 + ph) as fine:
        for s in series:
            pts = [(px(a), py(b)) for a, b in (s.time if is_time else s.cost)]
            fine.line(pts, colours[s.corridor], 1.8 * pt)
    canvas.rect(x0, y0, x0 + pw, y0 + ph, "#000000", thin)
    for v in xt:  # ticks outside the frame, labels 3.5 pt beyond them
        canvas.line([(px(v), y0 + ph), (px(v), y0 + ph + tick)], "#000000", thin)
        canvas.text(px(v), y0 + ph + 2 * tick, _fmt(v), size=small, ha="center")
    for v in yt:
        canvas.line([(x0 - tick, py(v)), (x0, py(v))], "#000000", thin)
        canvas.text(x0 - 2 * tick, py(v), _fmt(v), size=small, ha="right", va="center")
    widest = max(canvas.text_width(_fmt(v), small) for v in yt)
    axis = "Cumulative time (days)" if is_time else cost_axis(series)
    canvas.text(
        x0 - 2 * tick - widest - 4 * pt,
        y0 + ph / 2,
        axis,
        size=9 * pt,
        ha="center",
        va="bottom",
        rotate=True,
    )
    canvas.text(
        x0 + pw / 2,
        y0 + ph + 2 * tick + 1.2 * small + 4 * pt,
        "Cumulative distance (km)",
        size=9 * pt,
        ha="center",
    )
    canvas.text(
        x0 + pw / 2, y0 - 5 * pt, f"{title}: {which}", size=11 * pt, ha="center", va="baseline"
    )
    # 7.5 pt text: ~4.1 pt a character, ~9.5 pt a line, on the panel's size in points.
    for u, v, text, cid, anchor in _labels(
        series, is_time, xhi, yhi, char_w=4.1 * pt / pw, line=9.5 * pt / ph
    ):
        canvas.text(
            x0 + u * pw,
            y0 + ph - v * ph,
            text,
            size=7.5 * pt,
            colour=colours[cid],
            ha="left" if anchor == "start" else "right",
            va="center",
        )


def write_tcd_png(
    routes: Sequence[Mapping[str, Any]],
    path: str | os.PathLike[str],
    *,
    names: Mapping[str, str] | None = None,
    dpi: int = 110,
) -> Path:
    """Write a PNG of time/cost-distance charts: one row (time, cost) per OD pair.

    Each row has one legend, below its two panels, with every corridor's
    totals; a route that is the same as another corridor's
    (``same_route_as``) is not drawn again but named in that corridor's entry.
    Drawn directly with Pillow (:class:`~corridor.report.raster.Canvas`) on a
    fixed layout in inches: 13 in wide; per pair 0.4 in for the title, 3.3 in
    of panels, 0.5 in for the distance axis and 0.21 in per legend line (two
    columns); 0.3 in between pairs.

    Parameters
    ----------
    routes
        Route dicts of the ``corridor analyze --json`` contract.
    path
        Output file, written atomically.
    names
        Optional node id → display name map.
    dpi
        Pixels per inch: the image is ``13 * dpi`` pixels wide, and text and
        lines scale with it.

    Returns
    -------
    Path
        The written file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from PIL import Image
    >>> route = {"corridor": "middle", "origin": "a", "destination": "b", "legs": [
    ...     {"from": "a", "to": "b", "kind": "link", "distance_km": 500, "hours_moving": 12,
    ...      "hours_waiting": 12, "cost_usd": 400}]}
    >>> out = write_tcd_png([route], pathlib.Path(tempfile.mkdtemp()) / "t.png", dpi=50)
    >>> with Image.open(out) as img:
    ...     img.size
    (650, 225)
    """
    groups = group_by_pair(routes)
    if not groups:
        raise ValueError("write_tcd_png needs at least one route")
    rows = []
    for key, group in groups:
        shown = distinct_routes(group) or list(group)
        lines = -(-len(shown) // _PNG_NCOL)
        rows.append((key, group, shown, _PNG_TOP + _PNG_AXES + _PNG_XLAB + _PNG_LINE * lines))
    height_in = sum(r[3] for r in rows) + _PNG_GAP * (len(rows) - 1) + _PNG_FOOT
    canvas = Canvas(round(_PNG_W * dpi), round(height_in * dpi), font_path=dejavu_sans_path())
    pt = dpi / 72
    panel_w = (_PNG_W - _PNG_LEFT - _PNG_MID - _PNG_RIGHT) / 2
    col_w = (_PNG_W - _PNG_LEFT - _PNG_RIGHT) / _PNG_NCOL
    y_top = 0.0  # top of the current row, inches from the top
    for key, group, shown, row_h in rows:
        series = [tcd_series(r, names) for r in shown]
        colours = corridor_colours(s.corridor for s in series)
        title = pair_title(key, names)
        for col, which in enumerate(("time", "cost")):
            left = _PNG_LEFT + col * (panel_w + _PNG_MID)
            # Whole pixels, so that the frame and the grid are crisp.
            box = (
                round(left * dpi),
                round((y_top + _PNG_TOP) * dpi),
                round(panel_w * dpi),
                round(_PNG_AXES * dpi),
            )
            _panel_png(canvas, series, colours, which, title, box, pt)
        legend_top = y_top + _PNG_TOP + _PNG_AXES + _PNG_XLAB
        per_col = -(-len(series) // _PNG_NCOL)
        for i, (r, s) in enumerate(zip(shown, series, strict=True)):
            x = _PNG_LEFT + (i // per_col) * col_w  # column by column, in the table's order
            y = (legend_top + (i % per_col + 0.5) * _PNG_LINE) * dpi
            canvas.line([(x * dpi, y), ((x + 0.3) * dpi, y)], colours[s.corridor], 1.8 * pt)
            canvas.text((x + 0.38) * dpi, y, _legend_text(r, s, group), size=8.5 * pt, va="center")
        y_top += row_h + _PNG_GAP
    image = canvas.image()
    with atomic_path(path) as tmp:
        # zlib level 1: the same pixels (PNG is lossless), a few % larger, encoded much faster
        image.save(tmp, format="PNG", compress_level=1)
    return Path(path)


def write_tcd_charts(
    analysis: Mapping[str, Any],
    out_dir: str | os.PathLike[str],
    *,
    names: Mapping[str, str] | None = None,
) -> list[Path]:
    """Write ``<stem>.png`` and ``<stem>.html`` per OD pair of an analysis (see :func:`pair_stem`).

    Parameters
    ----------
    analysis
        The ``corridor analyze --json`` dict.
    out_dir
        Folder to write into (created if missing).
    names
        Optional node id → display name map.

    Returns
    -------
    list of Path
        The files written, PNG then HTML for each pair.
    """
    from concurrent.futures import ThreadPoolExecutor

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)

    def one(item: tuple[tuple[str, str, str], list[Mapping[str, Any]]]) -> list[Path]:
        key, group = item
        stem = pair_stem(key)
        return [
            write_tcd_png(group, out / f"{stem}.png", names=names),
            write_tcd_html(group, out / f"{stem}.html", names=names),
        ]

    # Pillow releases the GIL while it resamples and encodes: two threads overlap
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        return [
            p for paths in pool.map(one, group_by_pair(analysis.get("routes", []))) for p in paths
        ]
