"""Run every benchmark script in turn (``make bench`` calls this).

Each line runs one plain script that prints its own Markdown table; a failing
benchmark stops the run with its exit code.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

BENCHMARKS = [
    "bench_prepare.py",
    "bench_analyze.py",
    "bench_web.py",
    "bench_load.py",
    "bench_simulation.py",
    "bench_assignment.py",
    "bench_sweep.py",
    "bench_appraise.py",
]


def main() -> int:
    """Run the benchmarks listed in :data:`BENCHMARKS` that exist."""
    for name in BENCHMARKS:
        script = HERE / name
        if not script.exists():
            print(f"(skipping {name}: not present)")
            continue
        print(f"\n## {name}\n", flush=True)
        code = subprocess.call([sys.executable, str(script)])
        if code:
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main())
