#!/usr/bin/env python3
"""Reproduce the distance estimates of the eurasia-2024 dataset.

Where no sourced distance exists, a link's length is the great-circle
(haversine) distance between its two nodes' coordinates times a circuity
factor for the mode, rounded to the nearest 5 km. This script reads
``nodes.csv`` and prints that estimate for each requested pair, so the method
in the dataset's ``sources.csv`` can be rerun. Pure Python, standard library
only; it is not part of the package.

Usage::

    python tools/estimate_distances.py xian:lanzhou:rail_1435 aktau:alat:ferry
    python tools/estimate_distances.py --links      # every estimated link of links.csv
    python tools/estimate_distances.py --circuity rail_1435=1.3 xian:lanzhou:rail_1435

A pair is ``from:to[:mode]`` (mode defaults to ``rail_1520``). ``--links``
recomputes every row of ``links.csv`` whose source is one of the
great-circle estimate rows and shows the stored length beside it.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from pathlib import Path

DATASET = Path(__file__).resolve().parent.parent / "src/corridor/datasets/eurasia-2024"
EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)

#: Circuity factor (line length / great-circle length) per mode.
CIRCUITY = {
    "rail_1520": 1.25,
    "rail_1435": 1.25,
    "road": 1.2,
    "sea": 1.08,
    "ferry": 1.08,
    "inland_water": 1.3,
    "pipeline": 1.15,
}

#: sources.csv ids whose method is "great-circle x circuity" (see --links),
#: with the factor they use when it is not the mode's default.
GC_SOURCES: dict[str, float | None] = {
    "est_dist_rail_gc": None,
    "est_dist_rail_steppe": 1.15,  # KZ/RU/BY/UZ/TM lines, calibrated on Urumqi-Brest
    "est_dist_road_gc": None,
    "est_dist_sea_gc": None,
    "est_dist_sea_cape": 1.03,  # open-ocean legs of the Cape route
    "est_dist_iw_gc": None,
}


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two WGS84 points (spherical Earth)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def estimate_km(gc_km: float, circuity: float, step: float = 5.0) -> float:
    """Great-circle km times circuity, rounded to the nearest ``step`` km."""
    return step * round(gc_km * circuity / step)


def read_nodes(folder: Path) -> dict[str, tuple[float, float]]:
    with (folder / "nodes.csv").open(encoding="utf-8", newline="") as fh:
        return {r["id"]: (float(r["lat"]), float(r["lon"])) for r in csv.DictReader(fh)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pairs", nargs="*", help="from:to[:mode]")
    ap.add_argument("--dataset", type=Path, default=DATASET, help="dataset folder")
    ap.add_argument("--circuity", action="append", default=[], help="MODE=FACTOR override")
    ap.add_argument("--links", action="store_true", help="recompute estimated links.csv rows")
    args = ap.parse_args(argv)

    circuity = dict(CIRCUITY)
    for item in args.circuity:
        mode, _, factor = item.partition("=")
        circuity[mode] = float(factor)
    nodes = read_nodes(args.dataset)

    def one(a: str, b: str, mode: str, factor: float | None = None) -> tuple[float, float]:
        for n in (a, b):
            if n not in nodes:
                raise SystemExit(f"unknown node id '{n}' in {args.dataset / 'nodes.csv'}")
        gc = haversine_km(*nodes[a], *nodes[b])
        return gc, estimate_km(gc, factor or circuity[mode])

    print(f"{'from':<16}{'to':<18}{'mode':<13}{'gc_km':>8}{'factor':>8}{'est_km':>8}{'stored':>8}")
    for pair in args.pairs:
        parts = pair.split(":")
        if len(parts) not in (2, 3):
            raise SystemExit(f"expected from:to[:mode], got '{pair}'")
        mode = parts[2] if len(parts) == 3 else "rail_1520"
        gc, est = one(parts[0], parts[1], mode)
        print(f"{parts[0]:<16}{parts[1]:<18}{mode:<13}{gc:8.0f}{circuity[mode]:8.2f}{est:8.0f}")
    if args.links:
        with (args.dataset / "links.csv").open(encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                used = [s for s in r["source"].split(";") if s in GC_SOURCES]
                if not used:
                    continue
                factor = GC_SOURCES[used[0]] or circuity[r["mode"]]
                gc, est = one(r["from"], r["to"], r["mode"], factor)
                stored = float(r["length_km"])
                flag = "" if abs(stored - est) < 0.5 else "  <- differs"
                print(
                    f"{r['from']:<16}{r['to']:<18}{r['mode']:<13}{gc:8.0f}"
                    f"{factor:8.2f}{est:8.0f}{stored:8.0f}{flag}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
