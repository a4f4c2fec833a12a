"""Benchmark: `corridor appraise --budget 5e9` with the robust portfolio over the five
default scenarios, and the time per model evaluation it multiplies.

A model evaluation is one ``prepare`` of the base scenario with a set of measures at one
demand (a growth anchor); every measure alone costs one per anchor, a set one per anchor and
distinct opening year. Timed in one process with the numba cache warm: the median
evaluation over the catalogue's measures at both anchors, then ``appraise`` (ranking,
portfolio, sensitivity, staged plan) and ``robust`` (five scenarios) with their model-run
counts; wall and CPU seconds are both printed, since the machine is shared. Then the whole
command in a fresh process. Prints a Markdown table; run with `make bench`.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time


def main() -> None:
    """Run the benchmark and print the table."""
    from corridor import load_network
    from corridor.appraisal.api import Budgets, appraise
    from corridor.appraisal.evaluation import Evaluator
    from corridor.appraisal.robust import DEFAULT_SCENARIOS, robust
    from corridor.model.scenario import Scenario, load_scenario

    net = load_network()
    ev = Evaluator(Scenario("base", net))
    p = ev.params
    ev.loaded((), p.growth_factor(0))  # warm
    times = []
    for mid in ev.measures:
        for a in p.anchors():
            t0 = time.perf_counter()
            ev.loaded((mid,), p.growth_factor(a))
            times.append(time.perf_counter() - t0)
    per_eval = 1000 * statistics.median(times)

    t0, c0 = time.perf_counter(), time.process_time()
    single = appraise(net, budget_usd=5e9)
    t_single, c_single = time.perf_counter() - t0, time.process_time() - c0
    scenarios = [load_scenario(n, net) for n in DEFAULT_SCENARIOS]
    t0, c0 = time.perf_counter(), time.process_time()
    rob = robust(scenarios, [1.0] * len(scenarios), Budgets(5e9))
    t_rob, c_rob = time.perf_counter() - t0, time.process_time() - c0

    out = tempfile.mkdtemp()
    cmd = [sys.executable, "-m", "corridor", "appraise", "--budget", "5e9", "--scenarios",
           "default", "--json", "--out", out]  # fmt: skip
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    t_cmd = time.perf_counter() - t0

    print("| benchmark | wall | CPU | model runs |")
    print("|---|---:|---:|---:|")
    print(f"| one model evaluation (prepare with one measure, median over "
          f"{len(times)}) | {per_eval:.0f} ms | – | 1 |")  # fmt: skip
    print(f"| `appraise(budget 5e9)`: ranking, portfolio, sensitivity, plan | {t_single:.1f} s "
          f"| {c_single:.1f} s | {single['model_runs']} |")  # fmt: skip
    print(f"| `robust` over {len(scenarios)} scenarios | {t_rob:.1f} s | {c_rob:.1f} s "
          f"| {rob['model_runs']} |")  # fmt: skip
    print(f"| `corridor appraise --budget 5e9 --scenarios default --json` whole process "
          f"| {t_cmd:.1f} s | – | – |")  # fmt: skip


if __name__ == "__main__":
    main()
