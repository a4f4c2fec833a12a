"""The network map as inline SVG: Natural Earth countries, the network, the routes.

No tiles and no requests: country outlines come from the bundled
``assets/countries.json`` (see ``assets/README.md``), projected with the Miller
cylindrical projection. Routes are coloured by corridor; the places where
cargo waits (borders, transfers, ports, ferry waits) are circles sized by the
waiting time and outlined by the utilisation of their element; each route's
binding bottleneck is marked.
"""

from __future__ import annotations

import html
import itertools
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from corridor.report.palette import corridor_colours, corridor_label, distinct_routes
from corridor.report.tables import binding_bottleneck
from corridor.report.units import capacity_in, capacity_text, cost_text, element_unit, quantity_text

__all__ = ["BaseMap", "load_base_map", "map_svg", "place_labels", "project"]

#: lon_min, lat_min, lon_max, lat_max shown when nothing asks for a closer view.
FULL_EXTENT = (-20.0, -40.0, 150.0, 72.0)
_UNITS_PER_DEG = 6.0
_LON0, _LAT_TOP = FULL_EXTENT[0], FULL_EXTENT[3]


def _miller(lat: float) -> float:
    phi = math.radians(max(-85.0, min(85.0, lat)))
    return 1.25 * math.log(math.tan(math.pi / 4 + 0.4 * phi))


def project(lon: float, lat: float) -> tuple[float, float]:
    """Miller cylindrical projection to map units (x east, y down; 6 units per degree).

    Examples
    --------
    >>> project(-20.0, 72.0)
    (0.0, 0.0)
    >>> x, y = project(30.0, 0.0)
    >>> x, round(y) > 0
    (300.0, True)
    """
    k = _UNITS_PER_DEG * 180 / math.pi
    return (lon - _LON0) * _UNITS_PER_DEG, (_miller(_LAT_TOP) - _miller(lat)) * k


@dataclass(frozen=True)
class BaseMap:
    """Projected country outlines: ``(iso2, name, svg path d)`` per country."""

    countries: tuple[tuple[str, str, str], ...]
    source: str


def load_base_map() -> BaseMap:
    """Read and project the bundled Natural Earth countries (about 20 ms).

    Examples
    --------
    >>> base = load_base_map()
    >>> {"KZ", "AZ", "GE", "TR", "JP", "ZA", "EG"} <= {c[0] for c in base.countries}
    True
    """
    ref = resources.files("corridor.report") / "assets" / "countries.json"
    data = json.loads(ref.read_text(encoding="utf-8"))
    out = []
    for c in data["countries"]:
        parts = []
        for ring in c["rings"]:
            lon = lat = 0
            pts = []
            for i in range(0, len(ring), 2):
                lon += ring[i]
                lat += ring[i + 1]
                x, y = project(lon / 100, lat / 100)
                pts.append(f"{x:.1f} {y:.1f}")
            parts.append("M" + "L".join(pts) + "Z")
        out.append((str(c["iso2"]), str(c["name"]), "".join(parts)))
    return BaseMap(tuple(out), str(data["source"]))


def _node_table(network: Any) -> dict[str, dict[str, Any]]:
    nodes = network.nodes
    cols = [c for c in ("id", "name", "country", "kind", "lat", "lon") if c in nodes.columns]
    return {str(r["id"]): r for r in nodes[cols].to_dict("records")}


def _route_nodes(route: Mapping[str, Any]) -> list[str]:
    seq: list[str] = []
    for leg in route.get("legs", []):
        for n in (str(leg["from"]), str(leg["to"])):
            if not seq or seq[-1] != n:
                seq.append(n)
    return seq


def _offset(pts: Sequence[tuple[float, float]], d: float) -> list[tuple[float, float]]:
    """Shift a polyline sideways by ``d`` (averaged normals at the vertices)."""
    if d == 0 or len(pts) < 2:
        return list(pts)
    normals = []
    for (x0, y0), (x1, y1) in itertools.pairwise(pts):
        length = math.hypot(x1 - x0, y1 - y0) or 1.0
        normals.append((-(y1 - y0) / length, (x1 - x0) / length))
    out = []
    for i, (x, y) in enumerate(pts):
        ns = [normals[j] for j in (i - 1, i) if 0 <= j < len(normals)]
        nx, ny = sum(n[0] for n in ns) / len(ns), sum(n[1] for n in ns) / len(ns)
        out.append((x + nx * d, y + ny * d))
    return out


def _fit(points: Iterable[tuple[float, float]], pad: float = 40.0) -> tuple[float, ...]:
    """A viewBox around ``points`` (all inside, with ``pad``) with a 16:10 aspect.

    Examples
    --------
    >>> x, y, w, h = _fit([(-50.0, 10.0), (900.0, 400.0)])
    >>> x <= -90.0 and x + w >= 940.0 and round(w / h, 2)
    1.6
    """
    x_full0, y_full0 = project(FULL_EXTENT[0], FULL_EXTENT[3])
    x_full1, y_full1 = project(FULL_EXTENT[2], FULL_EXTENT[1])
    pts = list(points)
    if not pts:
        return (x_full0, y_full0, x_full1 - x_full0, y_full1 - y_full0)
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    x0, x1, y0, y1 = min(xs) - pad, max(xs) + pad, min(ys) - pad, max(ys) + pad
    w, h = max(x1 - x0, 160.0), max(y1 - y0, 100.0)
    if w / h > 1.6:
        h = w / 1.6
    else:
        w = h * 1.6
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    x, y = cx - w / 2, cy - h / 2
    # Stay inside the base map's extent when the points allow it; never cut a point off.
    if w <= x_full1 - x_full0 and min(xs) - pad >= x_full0 and max(xs) + pad <= x_full1:
        x = min(max(x, x_full0), x_full1 - w)
    if h <= y_full1 - y_full0 and min(ys) - pad >= y_full0 and max(ys) + pad <= y_full1:
        y = min(max(y, y_full0), y_full1 - h)
    return (x, y, w, h)


Box = tuple[float, float, float, float]


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_labels(
    anchors: Sequence[tuple[str, tuple[float, float], bool, str]],
    frame: Box,
    size: float,
) -> list[tuple[str, float, float, str, str]]:
    """Labels that do not collide and stay inside ``frame`` (x0, y0, x1, y1).

    Each anchor is ``(node, (x, y), forced, text)``; a label tries four places
    around its point (right/left, above/below), in order, and takes the first
    that overlaps no label already placed and lies inside the frame. A forced
    label (origin, destination, closed place) that finds none is kept at its
    first place moved inside the frame; another is left out. Returns
    ``(node, x, y, text-anchor, text)``. Text width is estimated at 0.6 × size
    per character.

    Examples
    --------
    >>> placed = place_labels([("a", (10.0, 50.0), True, "Alpha"),
    ...                        ("b", (12.0, 50.0), False, "Bravo"),
    ...                        ("c", (11.0, 50.0), False, "Charlie")], (0, 0, 200, 100), 10.0)
    >>> [(p[0], p[2], p[3]) for p in placed]  # b goes below a; c finds no room and is left out
    [('a', 45.5, 'start'), ('b', 62.5, 'start')]
    """
    placed: list[Box] = []
    out = []
    gap = size * 0.45
    for node, (x, y), forced, text in anchors:
        w, h = 0.6 * size * len(text), size
        candidates = [
            (x + gap, y - gap, "start"),
            (x + gap, y + gap + h * 0.8, "start"),
            (x - gap, y - gap, "end"),
            (x - gap, y + gap + h * 0.8, "end"),
        ]
        chosen = None
        for cx, cy, anchor in candidates:
            box = _label_box(cx, cy, anchor, w, h)
            inside = (
                box[0] >= frame[0] and box[2] <= frame[2] and box[1] >= frame[1]
                and box[3] <= frame[3]
            )  # fmt: skip
            if inside and not any(_overlaps(box, b) for b in placed):
                chosen = (cx, cy, anchor, box)
                break
        if chosen is None and forced:
            cx, cy, anchor = candidates[0]
            box = _label_box(cx, cy, anchor, w, h)
            dx = max(frame[0] - box[0], 0.0) - max(box[2] - frame[2], 0.0)
            dy = max(frame[1] - box[1], 0.0) - max(box[3] - frame[3], 0.0)
            chosen = (cx + dx, cy + dy, anchor, (box[0] + dx, box[1] + dy, box[2] + dx,
                                                 box[3] + dy))  # fmt: skip
        if chosen is not None:
            placed.append(chosen[3])
            out.append((node, chosen[0], chosen[1], chosen[2], text))
    return out


def _label_box(x: float, y: float, anchor: str, w: float, h: float) -> Box:
    """The box of a text whose baseline starts (``start``) or ends (``end``) at x, y."""
    x0 = x if anchor == "start" else x - w
    return (x0, y - h * 0.8, x0 + w, y + h * 0.25)


def _util_class(u: float | None) -> str:
    if u is None:
        return "u-none"
    return "u-high" if u >= 0.9 else "u-mid" if u >= 0.7 else "u-low"


def map_svg(
    network: Any,
    routes: Sequence[Mapping[str, Any]] = (),
    *,
    base: BaseMap | None = None,
    closed_countries: Iterable[str] = (),
    closed_nodes: Iterable[str] = (),
    fit: bool = True,
    title: str = "Network map",
    capacities: Sequence[Mapping[str, Any]] = (),
    top: int = 5,
) -> str:
    """Inline SVG of the network and the given routes on the Natural Earth base map.

    Parameters
    ----------
    network
        A :class:`corridor.model.network.Network` (needs ``nodes`` with ``id``,
        ``name``, ``lat``, ``lon`` and ``links`` with ``from``, ``to``, ``mode``).
    routes
        Route dicts of the ``corridor analyze --json`` contract.
    base
        A preloaded base map (the web app keeps one); loaded when ``None``.
    closed_countries, closed_nodes
        Drawn hatched / crossed, to show a scenario's closures.
    fit
        Zoom to the routes' extent (else show the whole Eurasia–Africa frame).
    title
        Accessible name of the figure.
    capacities
        The analysis' ``capacities`` (most utilised first): the ``top``
        elements are marked with their rank and utilisation.
    top
        How many of ``capacities`` to mark.

    Returns
    -------
    str
        An ``<svg>`` element with ``data-tip`` tooltips on routes and places.
    """
    base = base or load_base_map()
    # A corridor that gives the same route as another is not drawn twice.
    routes = distinct_routes(routes)
    nodes = _node_table(network)
    colours = corridor_colours(str(r.get("corridor", "")) for r in routes)

    def at(node: str) -> tuple[float, float] | None:
        row = nodes.get(node)
        if row is None:
            return None
        return project(float(row["lon"]), float(row["lat"]))

    def name(node: str) -> str:
        row = nodes.get(node)
        return str(row["name"]) if row is not None and row.get("name") else node

    route_pts = [[p for n in _route_nodes(r) if (p := at(n)) is not None] for r in routes]
    fit_pts = [p for pts in route_pts for p in pts] if fit and routes else []
    # Labels run to the right of their place: leave room for the easternmost one.
    fit_pts += [(x + 60.0, y) for x, y in fit_pts]
    vx, vy, vw, vh = _fit(fit_pts)
    k = vw / 1000  # sizes below are for a 1000-unit-wide view
    closed_c, closed_n = set(closed_countries), set(closed_nodes)
    transit = {c for r in routes for c in r.get("countries", [])}
    # The legend is a band below the map, never over land.
    longest = max((len(corridor_label(c)) for c in colours), default=10)
    col_w = (40 + 6.6 * longest) * k
    n_cols = max(1, min(len(colours), int((vw - 16 * k) // col_w)))
    legend_h = (math.ceil(len(colours) / n_cols) * 16 + 12) * k if colours else 0.0

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="map" viewBox="{vx:.1f} {vy:.1f} '
        f'{vw:.1f} {vh + legend_h:.1f}" width="100%" role="img" '
        f'aria-label="{html.escape(title)}">',
        f'<clipPath id="map-frame"><rect x="{vx:.1f}" y="{vy:.1f}" width="{vw:.1f}" '
        f'height="{vh:.1f}"/></clipPath>',
        f'<rect class="sea" x="{vx:.1f}" y="{vy:.1f}" width="{vw:.1f}" height="{vh:.1f}"/>',
        '<defs><pattern id="map-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#f1d3d3"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#c44" stroke-width="2"/></pattern></defs>',
        '<g class="countries" clip-path="url(#map-frame)">',
    ]
    for iso, cname, d in base.countries:
        cls = "land closed" if iso in closed_c else "land transit" if iso in transit else "land"
        out.append(
            f'<path class="{cls}" data-iso="{iso}" data-tip="{html.escape(cname, quote=True)}'
            f'{" (closed)" if iso in closed_c else ""}" d="{d}"/>'
        )
    out.append('</g><g class="network" clip-path="url(#map-frame)">')
    if "links" in dir(network) and len(network.links):
        for r in network.links[["from", "to", "mode"]].to_dict("records"):
            a, b = at(str(r["from"])), at(str(r["to"]))
            if a and b:
                sea = " sea" if r["mode"] in ("sea", "ferry") else ""
                out.append(
                    f'<path class="net{sea}" d="M{a[0]:.1f} {a[1]:.1f}L{b[0]:.1f} {b[1]:.1f}"/>'
                )
    services = getattr(network, "services", None)
    if services is not None and len(services) and {"from", "to"} <= set(services.columns):
        for r in services[["from", "to"]].to_dict("records"):
            a, b = at(str(r["from"])), at(str(r["to"]))
            if a and b:
                out.append(
                    f'<path class="net sea" d="M{a[0]:.1f} {a[1]:.1f}L{b[0]:.1f} {b[1]:.1f}"/>'
                )
    out.append('</g><g class="routes">')
    n = len(routes)
    for i, (r, pts) in enumerate(zip(routes, route_pts, strict=True)):
        if len(pts) < 2:
            continue
        cid = str(r.get("corridor", ""))
        shifted = _offset(pts, (i - (n - 1) / 2) * 2.2 * k)
        d = "M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in shifted)
        tip = (
            f"{corridor_label(cid)}: {name(str(r['origin']))} → {name(str(r['destination']))}\n"
            f"{float(r.get('distance_km', 0)):,.0f} km · {float(r.get('time_days', 0)):.1f} days"
            f" · {cost_text(r)}"
        )
        out.append(
            f'<path class="route" data-corridor="{html.escape(cid)}" stroke="{colours[cid]}" '
            f'd="{d}" data-tip="{html.escape(tip, quote=True)}"/>'
        )
    out.append('</g><g class="waits">')
    # Waiting places, one circle per node: the longest wait over the routes shown.
    waits: dict[str, tuple[float, str, float | None, list[str]]] = {}
    for r in routes:
        util = {str(b["id"]): b.get("utilisation") for b in r.get("bottlenecks", [])}
        for leg in r.get("legs", []):
            hours = float(leg.get("hours_waiting") or 0.0)
            if hours <= 0:
                continue
            node = str(leg["from"])
            u = util.get(str(leg.get("id", "")))
            what = f"{leg.get('kind', '')} {leg.get('id', '')}".strip()
            prev = waits.get(node)
            lines = (prev[3] if prev else []) + [
                f"{corridor_label(str(r.get('corridor', '')))}: {what}: wait {hours:.0f} h"
                + (f", utilisation {u:.0%}" if u is not None else "")
            ]
            if prev is None or hours > prev[0]:
                waits[node] = (hours, str(leg.get("kind", "")), u, lines)
            else:
                waits[node] = (prev[0], prev[1], prev[2], lines)
    for node, (hours, kind, u, lines) in sorted(waits.items(), key=lambda kv: -kv[1][0]):
        p = at(node)
        if p is None:
            continue
        radius = (2.0 + 0.9 * math.sqrt(hours)) * k
        tip = html.escape(name(node) + "\n" + "\n".join(dict.fromkeys(lines)), quote=True)
        out.append(
            f'<circle class="wait k-{html.escape(kind)} {_util_class(u)}" cx="{p[0]:.1f}" '
            f'cy="{p[1]:.1f}" r="{radius:.2f}" data-node="{html.escape(node)}" '
            f'data-hours="{hours:.1f}" data-tip="{tip}"/>'
        )
    out.append('</g><g class="bottlenecks">')
    for r in routes:
        neck = binding_bottleneck(r)
        if neck is None:
            continue
        leg = next((g for g in r.get("legs", []) if str(g.get("id", "")) == str(neck["id"])), None)
        if leg is None:
            continue
        a, c = at(str(leg["from"])), at(str(leg["to"]))
        if a is None or c is None:
            continue
        x, y = (a[0] + c[0]) / 2, (a[1] + c[1]) / 2
        s = 7 * k
        u = neck.get("utilisation")
        tip = (
            f"Binding bottleneck of {corridor_label(str(r.get('corridor', '')))}: "
            f"{neck.get('name') or neck['id']} "
            f"({neck.get('kind', '')})"
            + (f", utilisation {float(u):.0%}" if u is not None else "")
            + (f", capacity {shown}" if (shown := capacity_text(neck, r)) != "–" else "")
        )
        out.append(
            f'<path class="bottleneck" data-id="{html.escape(str(neck["id"]))}" '
            f'd="M{x:.1f} {y - s:.1f}L{x + s:.1f} {y + s * 0.8:.1f}L{x - s:.1f} {y + s * 0.8:.1f}Z"'
            f' data-tip="{html.escape(tip, quote=True)}"/>'
        )
    out.append('</g><g class="capacity">')
    marked: set[str] = set()
    for cap in capacities:
        if len(marked) >= top:
            break
        eid = str(cap.get("id", ""))
        p0, p1 = at(str(cap.get("from", ""))), at(str(cap.get("to", "")))
        if eid in marked or p0 is None or p1 is None:
            continue  # the other direction of a marked element, or a place off the map
        marked.add(eid)
        x, y = (p0[0] + p1[0]) / 2, (p0[1] + p1[1]) / 2
        if not (vx + 6 * k <= x <= vx + vw - 6 * k and vy + 6 * k <= y <= vy + vh - 6 * k):
            continue  # off this map's frame
        u = float(cap.get("utilisation") or 0.0)
        unit = element_unit(cap)
        capacity, _ = capacity_in(cap, unit)
        flow = cap.get(f"flow_{unit}_per_year")
        tip = (
            f"Utilisation #{len(marked)}: {cap.get('name') or eid} ({cap.get('kind', '')}, "
            f"{name(str(cap['from']))} → {name(str(cap['to']))})\n{u:.0%} of "
            f"{quantity_text(capacity, unit)} "
            f"({quantity_text(None if flow is None else float(flow), unit)} in 2024)"
        )
        out.append(
            f'<g class="cap {_util_class(u)}" data-id="{html.escape(eid)}" data-unit="{unit}" '
            f'data-rank="{len(marked)}" data-tip="{html.escape(tip, quote=True)}">'
            f'<rect x="{x - 6 * k:.1f}" y="{y - 6 * k:.1f}" width="{12 * k:.1f}" '
            f'height="{12 * k:.1f}" rx="{2 * k:.1f}"/><text x="{x:.1f}" y="{y + 3.6 * k:.1f}" '
            f'font-size="{10 * k:.2f}" text-anchor="middle">{len(marked)}</text></g>'
        )
    out.append('</g><g class="labels">')
    forced = {str(r[key]) for r in routes for key in ("origin", "destination")} | closed_n
    # Name the places with the longest waits too, where there is room.
    optional = [n for n in sorted(waits, key=lambda n: -waits[n][0])[:10] if n not in forced]
    anchors = [
        (node, p, node in forced, name(node) + (" ✕" if node in closed_n else ""))
        for node in [*sorted(forced), *optional]
        if (p := at(node)) is not None
    ]
    frame = (vx, vy, vx + vw, vy + vh)
    for node, x, y, anchor, text in place_labels(anchors, frame, 11 * k):
        cls = "label closed" if node in closed_n else "label"
        out.append(
            f'<text class="{cls}" data-node="{html.escape(node)}" x="{x:.1f}" y="{y:.1f}" '
            f'text-anchor="{anchor}" font-size="{11 * k:.2f}">{html.escape(text)}</text>'
        )
    out.append("</g>")
    # Legend: a band below the map frame.
    out.append(f'<g class="legend" font-size="{11 * k:.2f}">')
    if colours:
        out.append(
            f'<rect class="legend-band" x="{vx:.1f}" y="{vy + vh:.1f}" width="{vw:.1f}" '
            f'height="{legend_h:.1f}" fill="#fff"/>'
        )
    for i, (cid, colour) in enumerate(colours.items()):
        lx = vx + 8 * k + (i % n_cols) * col_w
        ly = vy + vh + (18 + 16 * (i // n_cols)) * k
        out.append(
            f'<line x1="{lx:.1f}" x2="{lx + 22 * k:.1f}" y1="{ly - 4 * k:.1f}" '
            f'y2="{ly - 4 * k:.1f}" stroke="{colour}" stroke-width="{3 * k:.2f}"/>'
            f'<text x="{lx + 28 * k:.1f}" y="{ly:.1f}">{html.escape(corridor_label(cid))}</text>'
        )
    out.append(
        f'<text x="{vx + vw - 6 * k:.1f}" y="{vy + vh - 6 * k:.1f}" text-anchor="end" '
        f'class="mnote" font-size="{9 * k:.2f}">Borders: Natural Earth (public domain)</text>'
    )
    out.append("</g></svg>")
    return "\n".join(out)
