"""Transit-time distributions from simulation results, as inline SVG.

The simulation module's result is read through a small, tolerant contract:
``simulation["routes"]`` is a list of dicts with ``corridor``, ``origin``,
``destination`` and the simulated door-to-door days of each replication under
one of ``samples_days``, ``transit_days`` or ``time_days_samples``. Each OD
pair becomes one chart of the corridors' empirical distribution functions with
their p10, p50 and p90 marked.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from corridor.report.palette import corridor_colours, corridor_label
from corridor.report.tcd import group_by_pair, nice_ticks, pair_title

__all__ = ["SAMPLE_KEYS", "distribution_svg", "route_samples", "simulation_parts"]

SAMPLE_KEYS = ("samples_days", "transit_days", "time_days_samples")


def route_samples(route: Mapping[str, Any]) -> np.ndarray | None:
    """The simulated days of one route (finite values only), or ``None`` if absent.

    Examples
    --------
    >>> route_samples({"transit_days": [3.0, float("nan"), 1.0]})
    array([1., 3.])
    >>> route_samples({"corridor": "x"}) is None
    True
    """
    for key in SAMPLE_KEYS:
        if key in route and route[key] is not None:
            a = np.asarray(route[key], dtype=float)
            return np.sort(a[np.isfinite(a)])
    return None


def simulation_parts(sim: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Split a simulation result into route records (with samples) and the rest.

    Accepts a :class:`corridor.simulation.SimulationResult` (its ``transit``
    groups carry the sampled ``days``) or a dict with ``routes`` or
    ``transit`` records.

    Examples
    --------
    >>> routes, rest = simulation_parts({"replications": 3, "routes": [{"corridor": "m"}]})
    >>> len(routes), rest
    (1, {'replications': 3})
    """
    transit = getattr(sim, "transit", None)
    if transit is not None and not isinstance(sim, Mapping):
        routes = []
        for t in transit:
            d = dict(t.to_dict()) if hasattr(t, "to_dict") else {}
            d["samples_days"] = getattr(t, "days", None)
            routes.append(d)
        rest = dict(sim.to_dict()) if hasattr(sim, "to_dict") else {}
        rest.pop("transit", None)
        return routes, rest
    if isinstance(sim, Mapping):
        key = "routes" if "routes" in sim else "transit"
        rest = {k: v for k, v in sim.items() if k != key}
        return [dict(r) for r in sim.get(key) or []], rest
    return [], {}


def distribution_svg(
    routes: Sequence[Mapping[str, Any]], names: Mapping[str, str] | None = None
) -> list[str]:
    """One SVG (cumulative distribution of days, per corridor) per OD pair with samples."""
    figures = []
    w, h, ml, mr, mt, mb = 800.0, 300.0, 60.0, 200.0, 30.0, 42.0
    pw, ph = w - ml - mr, h - mt - mb
    for key, group in group_by_pair(routes):
        data = [(r, s) for r in group if (s := route_samples(r)) is not None and s.size]
        if not data:
            continue
        colours = corridor_colours(str(r.get("corridor", "")) for r, _ in data)
        xt = nice_ticks(max(float(s[-1]) for _, s in data))
        xhi = xt[-1]

        def px(v: float, xhi: float = xhi) -> float:
            return ml + v / xhi * pw

        def py(q: float) -> float:
            return mt + ph - q * ph

        title = pair_title(key, names) + ": simulated door-to-door days"
        out = [
            f'<svg xmlns="http://www.w3.org/2000/svg" class="dist" viewBox="0 0 {w:.0f} {h:.0f}"'
            f' width="100%" role="img" aria-label="{html.escape(title)}">',
            f'<text x="{ml}" y="18" class="ptitle">{html.escape(title)}</text>',
        ]
        for v in xt:
            out.append(
                f'<line class="grid" x1="{px(v):.1f}" x2="{px(v):.1f}" y1="{mt}" y2="{mt + ph}"/>'
                f'<text class="tick" x="{px(v):.1f}" y="{mt + ph + 15}" text-anchor="middle">'
                f"{v:g}</text>"
            )
        for q in (0, 0.1, 0.5, 0.9, 1):
            out.append(
                f'<line class="grid" x1="{ml}" x2="{ml + pw}" y1="{py(q):.1f}" y2="{py(q):.1f}"/>'
                f'<text class="tick" x="{ml - 6}" y="{py(q) + 4:.1f}" text-anchor="end">'
                f"{q:.0%}</text>"
            )
        out.append(
            f'<rect class="frame" x="{ml}" y="{mt}" width="{pw}" height="{ph}"/>'
            f'<text class="axis" x="{ml + pw / 2}" y="{h - 6}" text-anchor="middle">'
            "Door-to-door days (share of shipments arrived)</text>"
        )
        ly = mt + 8
        for r, s in data:
            cid = str(r.get("corridor", ""))
            n = s.size
            pts = [f"{px(float(s[0])):.1f},{py(0):.1f}"]
            for i, v in enumerate(s):
                pts.append(f"{px(float(v)):.1f},{py(i / n):.1f}")
                pts.append(f"{px(float(v)):.1f},{py((i + 1) / n):.1f}")
            p10, p50, p90 = (float(np.quantile(s, q)) for q in (0.1, 0.5, 0.9))
            tip = (
                f"{corridor_label(cid)}: {n} runs, p10 {p10:.1f} d, "
                f"p50 {p50:.1f} d, p90 {p90:.1f} d"
            )
            out.append(
                f'<polyline class="ecdf" stroke="{colours[cid]}" points="{" ".join(pts)}" '
                f'data-corridor="{html.escape(cid)}" data-tip="{html.escape(tip, quote=True)}"/>'
            )
            for q, v in ((0.1, p10), (0.5, p50), (0.9, p90)):
                out.append(
                    f'<circle cx="{px(v):.1f}" cy="{py(q):.1f}" r="3" fill="{colours[cid]}"/>'
                )
            out.append(
                f'<line x1="{ml + pw + 12}" x2="{ml + pw + 32}" y1="{ly - 4}" y2="{ly - 4}" '
                f'stroke="{colours[cid]}" stroke-width="3"/><text x="{ml + pw + 36}" y="{ly}">'
                f"{html.escape(corridor_label(cid))}</text>"
                f'<text x="{ml + pw + 36}" y="{ly + 13}" class="tick">p50 {p50:.1f} · '
                f"p90 {p90:.1f} d</text>"
            )
            ly += 32
        out.append("</svg>")
        figures.append("\n".join(out))
    return figures
