"""Benchmark: how fast the web API answers for the default dataset.

Times ``GET /api/analyze`` for each default OD pair through FastAPI's
TestClient (the full app: routing, scenario, analysis, JSON), both with a cold
cache (a new sampling seed each request, so the analysis really runs) and warm
(the same question again, answered from the app's per-instance cache), and
the server-rendered dashboard fragment ``/ui/result`` (table + map + charts).
Peer in the same job: ``corridor.analysis.analyze`` called directly, so the
ratio shows the web layer's overhead. Prints a Markdown table.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from typing import Any


def _stats(fn: Callable[[int], Any], n: int) -> tuple[float, float]:
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - t0)
    times.sort()
    return statistics.median(times), times[min(n - 1, round(0.95 * (n - 1)))]


def main(n: int = 40) -> None:
    """Run the benchmark and print the table."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from corridor.analysis import analyze
    from corridor.web.app import create_app

    app = create_app()
    client = TestClient(app, base_url="http://127.0.0.1")  # the Host check accepts loopback names
    meta = client.get("/api/meta").json()
    pairs = meta["default_pairs"]
    net = app.state.service.base

    def params(i: int) -> dict[str, Any]:
        p = pairs[i % len(pairs)]
        return {"origin": p["origin"], "destination": p["destination"]}

    def get(url: str, p: dict[str, Any]) -> None:
        r = client.get(url, params=p)
        r.raise_for_status()

    for i in range(len(pairs)):  # warm-up: JIT caches, first imports
        get("/api/analyze", params(i))
        get("/ui/result", params(i))

    def direct(i: int) -> None:
        p = params(i)
        analyze(net, pairs=[(p["origin"], p["destination"])])

    # A new seed per request misses the app's cache, so the analysis really runs.
    rows = [
        ("analyze() direct (peer)", _stats(direct, n)),
        ("GET /api/analyze, cold", _stats(
            lambda i: get("/api/analyze", {**params(i), "seed": 2000 + i}), n)),
        ("GET /api/analyze, warm (cached)", _stats(lambda i: get("/api/analyze", params(i)), n)),
        ("GET /ui/result, cold (table+map+charts)", _stats(
            lambda i: get("/ui/result", {**params(i), "seed": 3000 + i}), n)),
    ]  # fmt: skip
    # The report's static charts: one PNG (time and cost panels) per OD pair, as
    # `corridor analyze --out` writes them; the inline SVG of the same pair beside it.
    import tempfile
    from pathlib import Path

    from corridor.report.document import node_names
    from corridor.report.tcd import group_by_pair, tcd_svg, write_tcd_png

    routes = analyze(net)["routes"]
    groups = [g for _key, g in group_by_pair(routes)]
    names = node_names(net)
    with tempfile.TemporaryDirectory() as tmp:
        png = Path(tmp) / "tcd.png"
        write_tcd_png(groups[0], png, names=names)  # warm-up: fonts, matplotlib imports
        rows += [
            ("write_tcd_png, one pair (PNG, 13 in x 110 dpi)", _stats(
                lambda i: write_tcd_png(groups[i % len(groups)], png, names=names), n)),
            ("tcd_svg, one pair (inline SVG)", _stats(
                lambda i: tcd_svg(groups[i % len(groups)], names=names), n)),
        ]  # fmt: skip
    peer = rows[0][1][0]
    print(f"Web API, default dataset, {n} requests each, {len(pairs)} OD pairs ({sys.platform})\n")
    print("| request | median ms | p95 ms | median / direct analyze() |")
    print("|---|---:|---:|---:|")
    for name, (med, p95) in rows:
        print(f"| {name} | {med * 1e3:.1f} | {p95 * 1e3:.1f} | {med / peer:.2f} |")


if __name__ == "__main__":
    main()
