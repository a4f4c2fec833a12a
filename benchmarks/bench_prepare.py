"""Benchmark: preparing the loaded network and answering the default pairs, in process, warm.

Appraisal and sweeps prepare a scenario hundreds of times, so this is the
figure that multiplies. Measured for the default dataset with all demand and
the fixed point converged; the calibration of the base year (done once per
base) is timed separately. The peer in the same job is the part of the work
that any answer needs: compiling the network and one all-or-nothing loading
of the demand on its observed corridors (no capacity, no waits settled).
Prints a Markdown table; run with `make bench`.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def _median_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1000 * statistics.median(times)


def main() -> None:
    """Run the benchmark and print the table."""
    from corridor import load_network
    from corridor.analysis import analyze
    from corridor.graph.compiled import compile_network
    from corridor.loaded.cache import CACHE_ENV, ResultCache
    from corridor.loaded.calibration import calibrate, observed_edge_flows
    from corridor.loaded.prepare import prepare
    from corridor.model.scenario import load_scenario

    net = load_network()
    cal = calibrate(net)  # warms the numba cache too
    scen = load_scenario("russia-belarus-closed", net)
    prepare(net, calibration=cal)
    t_cal = _median_ms(lambda: calibrate(net), 3)
    t_prep = _median_ms(lambda: prepare(net, calibration=cal), 15)
    t_scen = _median_ms(lambda: prepare(scen, calibration=cal), 15)
    loaded = prepare(net, calibration=cal)
    t_answer = _median_ms(lambda: analyze(loaded), 15)
    t_peer = _median_ms(lambda: observed_edge_flows(compile_network(net)), 15)
    gap = loaded.relative_gap
    cache = ResultCache(Path(tempfile.mkdtemp()))
    prepare(net, cache=cache)
    t_cached = _median_ms(lambda: prepare(load_network(), cache=cache), 15)
    t_load = _median_ms(load_network, 15)

    # whole processes, interleaved: the result cache warm (its normal state after the
    # first run) against no cache (CORRIDOR_CACHE_DIR empty: calibrate and prepare)
    out = tempfile.mkdtemp()
    cmd = [sys.executable, "-m", "corridor", "analyze", "--no-charts", "--out", out]
    warm_env = {**os.environ, CACHE_ENV: str(cache.folder)}
    cold_env = {**os.environ, CACHE_ENV: ""}
    subprocess.run(cmd, check=True, capture_output=True, env=warm_env)
    walls, cold = [], []
    for _ in range(5):
        for env, into in ((warm_env, walls), (cold_env, cold)):
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True, env=env)
            into.append(time.perf_counter() - t0)

    print("| benchmark | corridor | peer | ratio |")
    print("|---|---:|---:|---:|")
    print(
        f"| prepare the loaded network, base, all demand, fixed point (gap {gap:.1e}); "
        f"peer: compile + one uncapacitated loading | {t_prep:.0f} ms | {t_peer:.0f} ms | "
        f"{t_prep / t_peer:.1f}× |"
    )
    print(f"| prepare, Russia and Belarus closed | {t_scen:.0f} ms | – | – |")
    print(
        f"| answer the default pairs on a loaded network (`analyze(loaded)`) "
        f"| {t_answer:.0f} ms | – | – |"
    )
    print(f"| calibrate the base year (once per base) | {t_cal:.0f} ms | – | – |")
    print(
        f"| prepare read from the result cache (tables hashed, result unpickled); "
        f"peer: prepare without it | {t_cached:.0f} ms | {t_prep + t_cal:.0f} ms "
        f"| {t_cached / (t_prep + t_cal):.2f}× |"
    )
    print(f"| reading and validating the dataset's tables (`load_network`) | {t_load:.0f} ms "
          "| – | – |")  # fmt: skip
    print(
        f"| `corridor analyze --no-charts` whole process, result cache warm (median of 5); "
        f"peer: the same without the cache, interleaved | {statistics.median(walls):.2f} s "
        f"| {statistics.median(cold):.2f} s "
        f"| {statistics.median(walls) / statistics.median(cold):.2f}× |"
    )


if __name__ == "__main__":
    main()
