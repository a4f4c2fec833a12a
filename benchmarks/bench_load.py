"""Load test: `corridor serve` on loopback under concurrent clients (``make bench``).

Starts the server as its own process on a free loopback port, then drives it
with an async httpx client at a fixed concurrency, phase by phase:

- ``/api/health`` and ``/api/meta`` (no model work);
- ``/api/analyze`` cached: the same questions again (answered from the result cache);
- ``/api/analyze`` uncached: a new seed per request (misses the result cache), pairs of
  scenarios already prepared (the loaded network is shared between requests);
- ``/api/analyze`` new scenarios: demand growth factors never asked before, so each
  request prepares a loaded network;
- ``/api/report``: the HTML report of the cached questions.

Prints requests/s, p50/p95/p99 latency, errors (non-2xx or transport failures;
zero expected) and the server's resident memory (VmRSS, from /proc) after each
phase, as a Markdown table. Bounded: a fixed number of requests per phase.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

CONCURRENCY = 8


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _percentile(sorted_values: list[float], q: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, round(q * (len(sorted_values) - 1)))]


async def _phase(
    client: Any, n: int, request: Callable[[int], tuple[str, dict[str, Any]]]
) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(n):
        queue.put_nowait(i)

    async def worker() -> None:
        nonlocal errors
        while not queue.empty():
            i = queue.get_nowait()
            url, params = request(i)
            t0 = time.perf_counter()
            try:
                r = await client.get(url, params=params)
                if r.status_code >= 300:
                    errors += 1
            except Exception:  # a transport failure counts as an error, the run goes on
                errors += 1
            latencies.append(time.perf_counter() - t0)

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    wall = time.perf_counter() - t0
    latencies.sort()
    return {
        "n": n,
        "rps": n / wall,
        "p50": _percentile(latencies, 0.50),
        "p95": _percentile(latencies, 0.95),
        "p99": _percentile(latencies, 0.99),
        "max": latencies[-1],
        "errors": errors,
    }


async def _run(base: str, pid: int) -> list[tuple[str, dict[str, float], float]]:
    import httpx

    async with httpx.AsyncClient(base_url=base, timeout=300) as client:
        meta = (await client.get("/api/meta")).json()
        pairs = [(p["origin"], p["destination"]) for p in meta["default_pairs"]]
        scenarios = [s for s in meta["scenarios"] if s != "base"][:4] or ["base"]

        def pair(i: int) -> dict[str, Any]:
            o, d = pairs[i % len(pairs)]
            return {"origin": o, "destination": d}

        # warm-up: JIT caches, calibration, every pair of the base once (fills the cache)
        for i in range(len(pairs)):
            await client.get("/api/analyze", params=pair(i))
        for s in scenarios:
            await client.get("/api/analyze", params={**pair(0), "scenario": s})
        rows = []
        phases: list[tuple[str, int, Callable[[int], tuple[str, dict[str, Any]]]]] = [
            ("GET /api/health", 400, lambda i: ("/api/health", {})),
            ("GET /api/meta", 200, lambda i: ("/api/meta", {})),
            ("GET /api/analyze, cached", 400, lambda i: ("/api/analyze", pair(i))),
            (
                "GET /api/analyze, uncached (prepared scenario)",
                120,
                lambda i: (
                    "/api/analyze",
                    {**pair(i), "scenario": scenarios[i % len(scenarios)], "seed": 10_000 + i},
                ),
            ),
            (
                "GET /api/analyze, new scenario (prepare per request)",
                24,
                lambda i: ("/api/analyze", {**pair(i), "growth": 1.0 + (i + 1) / 100}),
            ),
            ("GET /api/report, cached analysis", 60, lambda i: ("/api/report", pair(i))),
        ]
        for name, n, request in phases:
            stats = await _phase(client, n, request)
            rows.append((name, stats, _rss_mb(pid)))
    return rows


def main() -> int:
    """Start the server, run the phases, print the table; exit 1 on any error."""
    port = _free_port()
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    server = subprocess.Popen(
        [sys.executable, "-m", "corridor", "serve", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        import httpx

        for _ in range(600):
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            print("server did not start", file=sys.stderr)
            return 1
        rss0 = _rss_mb(server.pid)
        rows = asyncio.run(_run(base, server.pid))
    finally:
        server.terminate()
        try:
            server.wait(timeout=120)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    print(f"`corridor serve` on loopback, {CONCURRENCY} concurrent clients (httpx async); ")
    print(f"server memory after start {rss0:.0f} MB\n")
    print("| route | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors | RSS MB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    errors = 0
    for name, s, rss in rows:
        errors += int(s["errors"])
        print(
            f"| {name} | {s['n']:.0f} | {s['rps']:.1f} | {1000 * s['p50']:.0f} | "
            f"{1000 * s['p95']:.0f} | {1000 * s['p99']:.0f} | {1000 * s['max']:.0f} | "
            f"{s['errors']:.0f} | {rss:.0f} |"
        )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
