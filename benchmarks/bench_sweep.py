"""Benchmark: sweep throughput (scenarios per minute) and Dask's overhead per task.

One grid of the default dataset (demand growth x closures, analytic points) is
swept in this process without Dask (the peer), then on a LocalCluster of 1 and
of 2 worker processes; each sweep starts from an empty output folder and is
timed whole, as a user waits for it (calibration, the cluster's start-up,
every point, the summary); the cluster's start-up alone is timed apart. Dask's
per-task overhead is the time of many no-op tasks through a 1-worker
LocalCluster, per task. Prints a Markdown table; run with `make bench`.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from pathlib import Path

POINTS_GROWTH = [1.0, 1.25, 1.5, 1.75, 2.0, 2.5]
CLOSURES = [[], ["RU"]]
NOOP_TASKS = 400


def _noop(x: int) -> int:
    return x


def _spec() -> object:
    from corridor.sweep.spec import spec_from_dict

    return spec_from_dict(
        {"name": "bench", "parameters": {"demand_growth": POINTS_GROWTH, "closures": CLOSURES}}
    )


def _sweep(workers: int) -> tuple[float, int, float]:
    """Whole seconds, points, and the steady rate (points/min from the first point done on)."""
    from corridor.sweep.run import run_sweep

    out = Path(tempfile.mkdtemp(prefix="bench-sweep-"))
    stamps: list[float] = []
    t0 = time.perf_counter()
    outcome = run_sweep(
        _spec(),  # type: ignore[arg-type]
        out=out,
        workers=workers,
        store=False,
        progress=lambda done, total: stamps.append(time.perf_counter()) if done else None,
    )
    seconds = time.perf_counter() - t0
    steady = 60 * (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 1 else 0.0
    return seconds, outcome.computed, steady


def _cluster_start_and_overhead() -> tuple[float, float]:
    from distributed import Client, LocalCluster

    t0 = time.perf_counter()
    cluster = LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        silence_logs=logging.CRITICAL,
    )
    client = Client(cluster)
    client.submit(_noop, 0, pure=False).result()
    start = time.perf_counter() - t0
    t0 = time.perf_counter()
    client.gather(client.map(_noop, range(NOOP_TASKS), pure=False))
    per_task = (time.perf_counter() - t0) / NOOP_TASKS
    client.close()
    cluster.close()
    return start, per_task


def main() -> None:
    """Run the benchmark and print the table."""
    from corridor.loaded.calibration import calibrate
    from corridor.model.network import load_network

    calibrate(load_network())  # warm the numba cache before any timing
    start, per_task = _cluster_start_and_overhead()
    rows = []
    for workers in (0, 1, 2):
        seconds, n, steady = _sweep(workers)
        rows.append((workers, n, seconds, steady))
    load = os.getloadavg()[0]
    print(
        f"{len(POINTS_GROWTH) * len(CLOSURES)} points, default dataset; load average {load:.1f}\n"
    )
    print(
        "| run | points | seconds, whole | scenarios per minute, whole | vs in-process "
        "| scenarios per minute after the first point |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    base = rows[0][2]
    for workers, n, seconds, steady in rows:
        name = "in process, no Dask" if workers == 0 else f"LocalCluster, {workers} worker(s)"
        print(
            f"| {name} | {n} | {seconds:.1f} | {60 * n / seconds:.1f} | {base / seconds:.2f}x "
            f"| {steady:.1f} |"
        )
    print(
        f"\nLocalCluster start (1 worker, first task back): {start:.2f} s; "
        f"Dask overhead per no-op task ({NOOP_TASKS} tasks, 1 worker): {1000 * per_task:.2f} ms"
    )


if __name__ == "__main__":
    main()
