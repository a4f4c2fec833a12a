"""Benchmark: `corridor analyze` end to end, all-pairs routing, and import time.

Peers run in the same job: NetworkX's Dijkstra on the same compiled graph for
all-pairs routing. Prints a Markdown table; run with `make bench`.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time


def _timed(cmd: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    """Run the benchmarks and print the table."""
    import networkx as nx
    import numpy as np

    from corridor import compile_network, load_network
    from corridor.graph.shortest import shortest_tree

    out = tempfile.mkdtemp()
    analyze = [sys.executable, "-m", "corridor", "analyze", "--out", out, "--json"]
    subprocess.run(analyze, check=True, capture_output=True)  # warm the numba cache
    t_analyze = _timed(analyze, 5)
    t_bare = _timed([*analyze, "--no-charts"], 5)
    t_import = _timed([sys.executable, "-c", "import corridor"], 10)
    t_python = _timed([sys.executable, "-c", "pass"], 10)

    g = compile_network(load_network())
    w = g.generalised_cost(3.0)
    shortest_tree(g.indptr, g.head, w, 0, n_gates=g.n_gates)  # compile

    def all_pairs() -> tuple[list[np.ndarray], float]:
        t0 = time.perf_counter()
        out = [
            shortest_tree(g.indptr, g.head, w, s, n_gates=g.n_gates)[0] for s in range(g.n_gates)
        ]
        return out, time.perf_counter() - t0

    ours, t_ours = all_pairs()

    dg = nx.DiGraph()
    for e in range(g.n_edges):
        a, b = int(g.tail[e]), int(g.head[e])
        if not dg.has_edge(a, b) or dg[a][b]["weight"] > w[e]:
            dg.add_edge(a, b, weight=float(w[e]))
    t0 = time.perf_counter()
    theirs = []
    for s in range(g.n_gates):
        # gates other than the source are never passed through: drop their out-edges
        view = nx.restricted_view(
            dg, [], [(u, v) for u in range(g.n_gates) if u != s for v in dg.successors(u)]
        )
        theirs.append(nx.single_source_dijkstra_path_length(view, s))
    t_nx = time.perf_counter() - t0
    for s in range(g.n_gates):
        for v, d in theirs[s].items():
            assert np.isclose(ours[s][v], d), (s, v)

    print("| benchmark | corridor | peer | ratio |")
    print("|---|---:|---:|---:|")
    print(
        f"| `corridor analyze` end to end: 10 pairs, JSON + 10 PNG/HTML charts + report "
        f"(warm cache, median of 5) | {t_analyze:.2f} s | – | – |"
    )
    print(
        f"| `corridor analyze --no-charts` end to end: 10 pairs, JSON "
        f"(warm cache, median of 5) | {t_bare:.2f} s | – | – |"
    )
    print(
        f"| `import corridor` (median of 10; bare interpreter {t_python * 1000:.0f} ms) "
        f"| {t_import * 1000:.0f} ms | – | – |"
    )
    print(
        f"| all-pairs routing, the one numba kernel, {g.n_gates} origins × {g.n_vertices} "
        f"vertices / {g.n_edges} edges (NetworkX Dijkstra) | {t_ours * 1000:.1f} ms | "
        f"{t_nx * 1000:.1f} ms | {t_nx / t_ours:.1f}× faster |"
    )


if __name__ == "__main__":
    main()
