"""Benchmark: `corridor appraise --budget 5e9` with the robust portfolio over the five
default scenarios, and the time per model evaluation it multiplies.

A model evaluation is one ``prepare`` of the base scenario with a set of measures at one
demand (a growth anchor); every measure alone costs one per anchor, a set one per anchor and
distinct opening year. Timed in one process with the numba cache warm: the median
evaluation over the catalogue's measures at both anchors, then ``appraise`` (ranking,
portfolio, sensitivity, staged plan) and ``robust`` (five scenarios) with their model-run
counts, on as many worker processes as there are cores (and on one, the ratio is what the
workers buy); wall and CPU seconds (this process and its workers) are both printed, since
the machine is shared, with the load average before and after. Then the whole command in a
fresh process. Prints a Markdown table; run with `make bench`.
"""

from __future__ import annotations

import os
import resource
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
    from corridor.appraisal.runner import default_workers
    from corridor.model.scenario import Scenario, load_scenario

    load_before = os.getloadavg()[0]
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

    workers = default_workers()
    scenarios = [load_scenario(n, net) for n in DEFAULT_SCENARIOS]
    rows = []
    for n in sorted({1, workers}, reverse=True):
        t0, c0 = time.perf_counter(), _cpu()
        single = appraise(net, budget_usd=5e9, workers=n)
        rows.append((f"`appraise(budget 5e9)`: ranking, portfolio, sensitivity, plan, "
                     f"{n} worker(s)", time.perf_counter() - t0, _cpu() - c0,
                     single["model_runs"]))  # fmt: skip
        t0, c0 = time.perf_counter(), _cpu()
        rob = robust(scenarios, [1.0] * len(scenarios), Budgets(5e9), workers=n)
        rows.append((f"`robust` over {len(scenarios)} scenarios, {n} worker(s)",
                     time.perf_counter() - t0, _cpu() - c0, rob["model_runs"]))  # fmt: skip

    out = tempfile.mkdtemp()
    cmd = [sys.executable, "-m", "corridor", "appraise", "--budget", "5e9", "--scenarios",
           "default", "--json", "--no-store", "--out", out]  # fmt: skip
    t0, c0 = time.perf_counter(), _cpu()
    subprocess.run(cmd, check=True, capture_output=True)
    t_cmd = time.perf_counter() - t0
    c_cmd = _cpu() - c0
    cmd_runs = " + ".join(str(n) for n in _runs(out)) or "–"

    print("| benchmark | wall | CPU | model runs |")
    print("|---|---:|---:|---:|")
    print(f"| one model evaluation (prepare with one measure, median over "
          f"{len(times)}) | {per_eval:.0f} ms | – | 1 |")  # fmt: skip
    for name, wall, cpu, runs in rows:
        print(f"| {name} | {wall:.1f} s | {cpu:.1f} s | {runs} |")
    print(f"| `corridor appraise --budget 5e9 --scenarios default --json` whole process, "
          f"{workers} worker(s) | {t_cmd:.1f} s | {c_cmd:.1f} s | {cmd_runs} |")  # fmt: skip
    print(f"\nload average (1 min) {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")


def _runs(out: str) -> tuple[int, ...]:
    """Model runs of the single and the robust appraisal, from the command's JSON."""
    import json
    from pathlib import Path

    path = Path(out) / "appraisal.json"
    if not path.exists():
        return ()
    result = json.loads(path.read_text())
    return (result["model_runs"], result.get("robust", {}).get("model_runs", 0))


def _cpu() -> float:
    """CPU seconds of this process and of its finished workers."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


if __name__ == "__main__":
    main()
