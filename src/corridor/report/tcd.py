"""UNESCAP time/cost-distance charts of door-to-door routes.

One geometry (:mod:`corridor.report.tcd_geometry`: the staircase of each
route, ticks, jump labels), one renderer per output: inline SVG with hover
tooltips and its own HTML page (:mod:`corridor.report.tcd_svg`), and a PNG
drawn with Pillow (:mod:`corridor.report.tcd_png`). This module keeps the
public names together and writes both files per origin–destination pair.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from corridor.report.tcd_geometry import (
    Jump,
    Panel,
    TcdSeries,
    cost_axis,
    group_by_pair,
    leg_label,
    nice_ticks,
    pair_stem,
    pair_title,
    panel,
    tcd_series,
)
from corridor.report.tcd_png import write_tcd_png
from corridor.report.tcd_svg import tcd_css, tcd_svg, tooltip_js, write_tcd_html

__all__ = [
    "Jump",
    "Panel",
    "TcdSeries",
    "cost_axis",
    "group_by_pair",
    "leg_label",
    "nice_ticks",
    "pair_stem",
    "pair_title",
    "panel",
    "tcd_css",
    "tcd_series",
    "tcd_svg",
    "tooltip_js",
    "write_tcd_charts",
    "write_tcd_html",
    "write_tcd_png",
]


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
