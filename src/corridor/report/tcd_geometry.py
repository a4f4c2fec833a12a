"""Geometry of the UNESCAP time/cost-distance charts: one model, drawn by every renderer.

Cumulative distance runs along x; cumulative time (days) or cost up y, in USD
per FEU for containers and USD per tonne for bulk commodities (see
:mod:`corridor.report.units`). Moving along a line is a slope; waiting (at a
border, a transfer, a port, for a ferry) is a vertical jump. Each leg of a
route of the ``analyze --json`` contract is drawn as its waiting part, a jump
at the start of the leg, followed by its moving part, a slope over the leg's
distance. For cost a leg with distance is a slope and a leg without distance
(border fee, handling) a jump.

:func:`tcd_series` builds the staircase of a route, :func:`panel` everything a
panel shows (ticks, lines, hit areas, jump labels) in data units; the SVG
(:mod:`corridor.report.tcd_svg`) and PNG (:mod:`corridor.report.tcd_png`)
renderers only map it to their pixels.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from corridor.report.palette import corridor_label, duplicates_of
from corridor.report.units import cost_text, is_bulk, usd_scale

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
    "tcd_series",
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


@dataclass(frozen=True)
class Panel:
    """One panel (time or cost) in data units: x in km, y in days or USD.

    ``lines`` holds each series' staircase; ``hits`` a segment per leg
    (``x0, y0, x1, y1`` and its tooltip text); ``labels`` the named jumps as
    ``(u, v, text, corridor, anchor)`` with ``u``/``v`` from 0 to 1 across/up.
    """

    which: str
    title: str
    x_ticks: list[float]
    y_ticks: list[float]
    lines: list[tuple[str, list[tuple[float, float]]]]
    hits: list[tuple[float, float, float, float, str]]
    labels: list[tuple[float, float, str, str, str]]

    @property
    def x_max(self) -> float:
        return self.x_ticks[-1]

    @property
    def y_max(self) -> float:
        return self.y_ticks[-1]


def panel(
    series: Sequence[TcdSeries],
    which: str,
    *,
    names: Mapping[str, str] | None = None,
    char_w: float,
    line: float,
) -> Panel:
    """The geometry of the ``time`` or ``cost`` panel of ``series``.

    ``char_w`` and ``line`` are a label character's width and a line's height
    as fractions of the plot's width and height (they depend on the renderer's
    font and size, so each renderer passes its own).

    Examples
    --------
    >>> route = {"corridor": "middle", "origin": "a", "destination": "b", "legs": [
    ...     {"from": "a", "to": "b", "kind": "link", "distance_km": 500, "hours_moving": 12,
    ...      "hours_waiting": 12, "cost_usd": 400}]}
    >>> p = panel([tcd_series(route)], "time", char_w=0.01, line=0.05)
    >>> p.x_ticks[-1] >= 500 and p.lines[0][1][-1] == (500.0, 1.0)
    True
    """
    is_time = which == "time"
    xt = nice_ticks(max(s.total_km for s in series) or 1.0)
    yt = nice_ticks(max((s.total_days if is_time else s.total_usd) for s in series) or 1.0)
    hits = []
    for s in series:
        for leg, (x0, x1, t0, t1, c0, c1) in zip(s.legs, s.segments, strict=True):
            y0, y1 = (t0, t1) if is_time else (c0, c1)
            if y1 == y0 and x1 == x0:
                continue
            hits.append((x0, y0, x1, y1, _leg_tip(leg, names, s, c1 - c0)))
    return Panel(
        which=which,
        title="Cumulative time (days)" if is_time else cost_axis(series),
        x_ticks=xt,
        y_ticks=yt,
        lines=[(s.corridor, list(s.time if is_time else s.cost)) for s in series],
        hits=hits,
        labels=_labels(series, is_time, xt[-1], yt[-1], char_w=char_w, line=line),
    )
