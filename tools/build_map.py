#!/usr/bin/env python3
"""Build the report's base map from Natural Earth (via the world-atlas TopoJSON).

Usage::

    python tools/build_map.py                      # fetch world-atlas with `npm pack`
    python tools/build_map.py --topojson countries-50m.json

Reads the ``countries`` object of world-atlas (Natural Earth 1:50m admin-0
countries, public domain), decodes the quantised arcs, simplifies each arc
once (Douglas–Peucker, so neighbouring countries keep a common border), clips
rings to the Eurasia + Africa extent the corridors need and writes
``src/corridor/report/assets/countries.json``: per country its ISO 3166-1
alpha-2 code (from Debian's iso-codes), its name and its rings as
delta-encoded integer hundredths of a degree. No node_modules is kept.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "corridor" / "report" / "assets" / "countries.json"
ISO_JSON = Path("/usr/share/iso-codes/json/iso_3166-1.json")
#: lon_min, lat_min, lon_max, lat_max of the kept area (a little wider than the map).
CLIP = (-26.0, -46.0, 156.0, 78.0)
TOLERANCE_DEG = 0.05

Point = tuple[float, float]


def fetch_topojson(workdir: Path, resolution: str) -> Path:
    """Download the world-atlas package with ``npm pack`` and unpack one file."""
    subprocess.run(["npm", "pack", "world-atlas@2", "--silent"], cwd=workdir, check=True)
    tgz = next(workdir.glob("world-atlas-*.tgz"))
    with tarfile.open(tgz) as tar:
        member = tar.getmember(f"package/countries-{resolution}.json")
        tar.extractall(workdir, members=[member], filter="data")
    return workdir / "package" / f"countries-{resolution}.json"


def decode_arcs(topo: dict[str, Any]) -> list[list[Point]]:
    """Absolute lon/lat points of every arc (undo quantisation and delta coding)."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)
    return arcs


def simplify(pts: list[Point], tol: float) -> list[Point]:
    """Douglas–Peucker simplification keeping both ends (iterative)."""
    if len(pts) < 3:
        return pts
    keep = [False] * len(pts)
    keep[0] = keep[-1] = True
    stack = [(0, len(pts) - 1)]
    while stack:
        a, b = stack.pop()
        (x1, y1), (x2, y2) = pts[a], pts[b]
        dx, dy = x2 - x1, y2 - y1
        norm = (dx * dx + dy * dy) ** 0.5
        best, idx = -1.0, -1
        for i in range(a + 1, b):
            px, py = pts[i]
            if norm == 0:
                d = ((px - x1) ** 2 + (py - y1) ** 2) ** 0.5
            else:
                d = abs(dy * px - dx * py + x2 * y1 - y2 * x1) / norm
            if d > best:
                best, idx = d, i
        if best > tol:
            keep[idx] = True
            stack += [(a, idx), (idx, b)]
    return [p for p, k in zip(pts, keep, strict=True) if k]


def ring_points(ring: list[int], arcs: list[list[Point]]) -> list[Point]:
    """Join a ring's arcs (negative index = arc reversed, TopoJSON's ~i)."""
    out: list[Point] = []
    for i in ring:
        pts = arcs[i] if i >= 0 else arcs[~i][::-1]
        out.extend(pts if not out else pts[1:])
    return out


def unwrap(pts: list[Point]) -> list[Point]:
    """Move the far-east part of a ring that crosses the antimeridian to lon > 180."""
    lons = [p[0] for p in pts]
    if max(lons) - min(lons) <= 180:
        return pts
    return [(lon + 360 if lon < 0 else lon, lat) for lon, lat in pts]


def clip_ring(pts: list[Point], box: tuple[float, float, float, float]) -> list[Point]:
    """Sutherland–Hodgman clip of a ring to an axis-aligned box."""
    x0, y0, x1, y1 = box
    edges = [
        (lambda p: p[0] >= x0, lambda a, b: _cut_x(a, b, x0)),
        (lambda p: p[0] <= x1, lambda a, b: _cut_x(a, b, x1)),
        (lambda p: p[1] >= y0, lambda a, b: _cut_y(a, b, y0)),
        (lambda p: p[1] <= y1, lambda a, b: _cut_y(a, b, y1)),
    ]
    for inside, cut in edges:
        if not pts:
            break
        src, pts = pts, []
        prev = src[-1]
        for cur in src:
            if inside(cur):
                if not inside(prev):
                    pts.append(cut(prev, cur))
                pts.append(cur)
            elif inside(prev):
                pts.append(cut(prev, cur))
            prev = cur
    return pts


def _cut_x(a: Point, b: Point, x: float) -> Point:
    t = (x - a[0]) / (b[0] - a[0])
    return (x, a[1] + t * (b[1] - a[1]))


def _cut_y(a: Point, b: Point, y: float) -> Point:
    t = (y - a[1]) / (b[1] - a[1])
    return (a[0] + t * (b[0] - a[0]), y)


def encode(pts: list[Point]) -> list[int]:
    """Delta-encoded integer hundredths of a degree, duplicates dropped."""
    out: list[int] = []
    px = py = 0
    for lon, lat in pts:
        x, y = round(lon * 100), round(lat * 100)
        if out and x == px and y == py:
            continue
        out += [x - px, y - py]
        px, py = x, y
    return out


def build(topojson: Path, tol: float) -> dict[str, Any]:
    """Convert world-atlas TopoJSON to the compact asset dict."""
    topo = json.loads(topojson.read_text(encoding="utf-8"))
    arcs = [simplify(a, tol) for a in decode_arcs(topo)]
    iso = {
        c["numeric"]: c["alpha_2"]
        for c in json.loads(ISO_JSON.read_text(encoding="utf-8"))["3166-1"]
    }
    countries = []
    for geom in topo["objects"]["countries"]["geometries"]:
        polys = geom.get("arcs", [])
        if geom["type"] == "Polygon":
            polys = [polys]
        rings = []
        for poly in polys:
            for ring in poly:
                pts = clip_ring(unwrap(ring_points(ring, arcs)), CLIP)
                if len(pts) >= 4:
                    enc = encode(pts)
                    if len(enc) >= 8:
                        rings.append(enc)
        if rings:
            countries.append(
                {
                    "iso2": iso.get(str(geom.get("id", "")), ""),
                    "name": geom["properties"]["name"],
                    "rings": rings,
                }
            )
    countries.sort(key=lambda c: c["name"])
    return {
        "source": "Natural Earth 1:50m admin-0 countries via world-atlas 2 "
        "(countries-50m.json), public domain; simplified and clipped by tools/build_map.py",
        "units": "rings are delta-encoded integer hundredths of a degree (lon, lat)",
        "clip": list(CLIP),
        "tolerance_deg": tol,
        "countries": countries,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topojson", type=Path, help="countries-*.json of world-atlas")
    parser.add_argument("--resolution", default="50m", choices=["110m", "50m", "10m"])
    parser.add_argument("--tolerance", type=float, default=TOLERANCE_DEG)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        src = args.topojson or fetch_topojson(Path(tmp), args.resolution)
        data = build(src, args.tolerance)
    args.out.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
    n = sum(len(r) // 2 for c in data["countries"] for r in c["rings"])
    print(
        f"{args.out}: {len(data['countries'])} countries, {n} points, "
        f"{args.out.stat().st_size / 1024:.0f} KiB"
    )


if __name__ == "__main__":
    main()
