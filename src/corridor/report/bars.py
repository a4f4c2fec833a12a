"""Stacked horizontal bars (one per corridor) as inline SVG: time or cost by kind.

Geometry first (:func:`bar_layout`: every segment's rectangle in a fixed
frame, tested for staying inside it), then one SVG renderer. Every text and
attribute value is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["KIND_COLOURS", "Segment", "bar_layout", "stacked_bars_svg"]

#: Fill of each kind (time and cost kinds share the palette by position).
KIND_COLOURS = ("#4e79a7", "#e15759", "#f28e2b", "#76b7b2")

WIDTH = 760.0
LABEL_W = 170.0
TOTAL_W = 90.0
ROW_H = 26.0
BAR_H = 17.0
TOP = 30.0
BOTTOM = 26.0


@dataclass(frozen=True)
class Segment:
    """One rectangle of a bar: row, kind index, value and its box."""

    row: int
    kind: int
    value: float
    x: float
    y: float
    w: float
    h: float


def bar_layout(
    values: Sequence[Sequence[float]], label_w: float = LABEL_W
) -> tuple[list[Segment], float, float]:
    """Rectangles of stacked bars, one row per value list; returns (segments, height, scale).

    Bars start after ``label_w`` (room for the row labels); the longest bar
    ends where the total label still fits; zero values get no rectangle.

    Examples
    --------
    >>> segs, height, scale = bar_layout([[10.0, 5.0], [20.0, 0.0]])
    >>> [(s.row, s.kind, round(s.w, 1)) for s in segs]
    [(0, 0, 250.0), (0, 1, 125.0), (1, 0, 500.0)]
    """
    plot_w = WIDTH - label_w - TOTAL_W
    longest = max((sum(v) for v in values), default=0.0)
    scale = plot_w / longest if longest > 0 else 0.0
    segs = []
    for i, row in enumerate(values):
        x = label_w
        y = TOP + i * ROW_H + (ROW_H - BAR_H) / 2
        for k, v in enumerate(row):
            if v <= 0:
                continue
            w = v * scale
            segs.append(Segment(i, k, v, x, y, w, BAR_H))
            x += w
    return segs, TOP + len(values) * ROW_H + BOTTOM, scale


def _esc(v: object) -> str:
    return html.escape(str(v), quote=True)


def stacked_bars_svg(
    labels: Sequence[str],
    values: Sequence[Sequence[float]],
    kinds: Mapping[str, str],
    *,
    unit: str,
    total_text: Sequence[str],
    title: str,
    fmt: str = "{:.1f}",
) -> str:
    """One stacked bar per label; ``kinds`` maps kind id → legend label, in ``values`` order.

    Examples
    --------
    >>> svg = stacked_bars_svg(['a "quoted" name'], [[1.0, 2.0]], {"m": "M", "b": "B"},
    ...                        unit="days", total_text=["3.0 d"], title="t")
    >>> 'a &quot;quoted&quot; name' in svg and 'data-kind="b"' in svg
    True
    """
    # 12 px text: about 6.8 px a character
    label_w = max(LABEL_W, 6.8 * max((len(t) for t in labels), default=0) + 14)
    segs, height, _scale = bar_layout(values, label_w)
    kind_ids = list(kinds)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bars" viewBox="0 0 {WIDTH:.0f} '
        f'{height:.0f}" role="img" aria-label="{_esc(title)}">',
        f"<title>{_esc(title)}</title>",
    ]
    # legend along the top, outside the bars
    x = 8.0
    for k, (kid, label) in enumerate(kinds.items()):
        out.append(
            f'<rect class="key" x="{x:.1f}" y="8" width="11" height="11" '
            f'fill="{KIND_COLOURS[k % len(KIND_COLOURS)]}" data-kind="{_esc(kid)}"/>'
            f'<text x="{x + 15:.1f}" y="17.5" font-size="11">{_esc(label)}</text>'
        )
        x += 28 + 6.2 * len(label)
    for i, label in enumerate(labels):
        y = TOP + i * ROW_H + ROW_H / 2 + 4
        out.append(
            f'<text x="{label_w - 8:.1f}" y="{y:.1f}" text-anchor="end" font-size="12">'
            f"{_esc(label)}</text>"
        )
        total = sum(values[i])
        end = label_w + sum(s.w for s in segs if s.row == i)
        text = total_text[i] if i < len(total_text) else fmt.format(total)
        out.append(
            f'<text x="{end + 6:.1f}" y="{y:.1f}" font-size="12" class="total">{_esc(text)}</text>'
        )
    for s in segs:
        kid = kind_ids[s.kind]
        out.append(
            f'<rect x="{s.x:.2f}" y="{s.y:.2f}" width="{s.w:.2f}" height="{s.h:.2f}" '
            f'fill="{KIND_COLOURS[s.kind % len(KIND_COLOURS)]}" data-kind="{_esc(kid)}" '
            f'data-value="{s.value!r}"><title>{_esc(labels[s.row])}: {_esc(kinds[kid])} '
            f"{_esc(fmt.format(s.value))} {_esc(unit)}</title></rect>"
        )
    out.append("</svg>")
    return "".join(out)
