"""The time/cost-distance chart as a PNG, drawn with Pillow from the same geometry.

Draws a :class:`corridor.report.tcd_geometry.Panel` per panel on a
:class:`corridor.report.raster.Canvas` (no matplotlib).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from corridor.io.atomic import atomic_path
from corridor.report.palette import corridor_colours, distinct_routes
from corridor.report.raster import Canvas, dejavu_sans_path
from corridor.report.tcd_geometry import (
    TcdSeries,
    _fmt,
    _legend_text,
    group_by_pair,
    pair_title,
    panel,
    tcd_series,
)

__all__ = ["write_tcd_png"]


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
    x0, y0, pw, ph = box
    # 7.5 pt text: ~4.1 pt a character, ~9.5 pt a line, on the panel's size in points.
    geo = panel(series, which, char_w=4.1 * pt / pw, line=9.5 * pt / ph)
    xt, yt, xhi, yhi = geo.x_ticks, geo.y_ticks, geo.x_max, geo.y_max

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
        for corridor, pts in geo.lines:
            fine.line([(px(a), py(b)) for a, b in pts], colours[corridor], 1.8 * pt)
    canvas.rect(x0, y0, x0 + pw, y0 + ph, "#000000", thin)
    for v in xt:  # ticks outside the frame, labels 3.5 pt beyond them
        canvas.line([(px(v), y0 + ph), (px(v), y0 + ph + tick)], "#000000", thin)
        canvas.text(px(v), y0 + ph + 2 * tick, _fmt(v), size=small, ha="center")
    for v in yt:
        canvas.line([(x0 - tick, py(v)), (x0, py(v))], "#000000", thin)
        canvas.text(x0 - 2 * tick, py(v), _fmt(v), size=small, ha="right", va="center")
    widest = max(canvas.text_width(_fmt(v), small) for v in yt)
    axis = geo.title
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
    for u, v, text, cid, anchor in geo.labels:
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
