"""The time/cost-distance chart as inline SVG (with hover tooltips) and as its own page.

Draws a :class:`corridor.report.tcd_geometry.Panel` per panel; every text and
attribute value is escaped. Styles and the tooltip script are package files
(``assets/tcd.css``, ``assets/tooltip.js``).
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from corridor.io.atomic import write_text
from corridor.report.palette import corridor_colours, distinct_routes
from corridor.report.tcd_geometry import (
    TcdSeries,
    _fmt,
    _legend_text,
    group_by_pair,
    pair_title,
    panel,
    tcd_series,
)

__all__ = ["tcd_css", "tcd_svg", "tooltip_js", "write_tcd_html"]


def tcd_css() -> str:
    """The charts' stylesheet (``assets/tcd.css``)."""
    return (resources.files("corridor.report") / "assets" / "tcd.css").read_text("utf-8")


def tooltip_js() -> str:
    """The script that shows any hovered ``data-tip`` as a tooltip (``assets/tooltip.js``)."""
    return (resources.files("corridor.report") / "assets" / "tooltip.js").read_text("utf-8")


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
    pw, ph = _W - _ML - _MR, _H - _MT - _MB
    # 10.5 px text: ~5.6 px a character, 13 px a line, in a 440 x 254 px plot.
    geo = panel(series, which, names=names, char_w=5.6 / pw, line=13.0 / ph)
    xt, yt, xhi, yhi = geo.x_ticks, geo.y_ticks, geo.x_max, geo.y_max

    def px(v: float) -> float:
        return _ML + v / xhi * pw

    def py(v: float) -> float:
        return _MT + ph - v / yhi * ph

    out = [f'<g transform="translate({dx:.0f},0)" class="panel panel-{which}">']
    out.append(f'<text x="{_ML}" y="18" class="ptitle">{html.escape(geo.title)}</text>')
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
    for corridor, pts in geo.lines:
        d = "M" + " L".join(f"{px(a):.1f},{py(b):.1f}" for a, b in pts)
        out.append(
            f'<path d="{d}" class="route" stroke="{colours[corridor]}" '
            f'data-corridor="{html.escape(corridor, quote=True)}"/>'
        )
    for x0, y0, x1, y1, tip in geo.hits:
        # Hit area: waiting drawn at the start, then the slope, like the route line.
        out.append(
            f'<path d="M{px(x0):.1f},{py(y0):.1f} L{px(x0):.1f},{py(y0):.1f} '
            f'L{px(x1):.1f},{py(y1):.1f}" class="hit" '
            f'data-tip="{html.escape(tip, quote=True)}"/>'
        )
    for u, v, text, cid, anchor in geo.labels:
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

    Every leg carries a ``data-tip`` attribute that :func:`tooltip_js` shows on
    hover (:func:`tooltip_js`); without the script the chart is still complete.

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
        f"<style>body{{margin:16px;font:14px system-ui,sans-serif}}{tcd_css()}</style>"
        "</head><body>\n<h1>Time/cost-distance (UNESCAP method)</h1>\n"
        + "\n".join(f"<figure>{f}</figure>" for f in figures)
        + f"\n<script>{tooltip_js()}</script></body></html>\n"
    )
    write_text(path, page)
    return Path(path)
