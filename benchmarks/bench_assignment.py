"""Equilibrium assignment: corridor against AequilibraE BFW and against a bare floor.

Networks: Anaheim and Barcelona (TNTP, best-known flows in the files) and "Unseen", a
Chicago-Sketch-class network no test has seen (``unseen_network.py``; the shared TNTP
collection has no Chicago-Sketch), whose reference flows are corridor's own solution
at relative gap 1e-6, against which AequilibraE's flows are measured too.

1. Solve: both tools solve the same network to the same relative gap in this process,
   with the same number of threads; only the solve is timed (files are read and graphs
   built beforehand), after a warm-up solve of each (numba cache, imports).
2. Whole process: ``corridor assign`` at relative gap 1e-4 (reading the files, writing
   the flows), interleaved with AequilibraE's solve alone, median of ``--repeat``.
3. Per all-or-nothing load at free-flow costs: the package's kernel
   (``corridor.assignment.kernels.aon_load``) against the floor (``aon_floor.py``), on
   one and on two threads, median of 9 loads.

Prints Markdown tables and saves ``benchmarks/assignment_convergence.png``
(relative gap against iteration, both tools).

AequilibraE (``pip install aequilibrae==1.7.2``, the ``bench`` extra) rejects BPR
powers below 1, so its copy of Barcelona gets power 1 on the 565 connectors that
have b = 0 and power 0: their cost is the free-flow time either way.

``--algorithm`` picks corridor's algorithm (default ``auto``, which is gradient
projection ``gp`` on these networks; ``bfw`` for the Frank-Wolfe family's figures).

Run: ``python benchmarks/bench_assignment.py [--repeat 3] [--curve-iter 400] [--algorithm bfw]``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from corridor.assignment import assign, from_tntp, link_times
from corridor.io.tntp import TntpNetwork, read_flows, read_network, read_trips

HERE = Path(__file__).resolve().parent
TNTP = HERE.parent.parent / "shared" / "benchmarks" / "tntp"
NETWORKS = ("Anaheim", "Barcelona", "Unseen")
THREADS = 2


def files(name: str, scratch: Path) -> tuple[Path, Path]:
    if name == "Unseen":
        from unseen_network import make

        return make(scratch / "unseen")
    return TNTP / name / f"{name}_net.tntp", TNTP / name / f"{name}_trips.tntp"


def load(name: str, scratch: Path) -> tuple[TntpNetwork, np.ndarray, np.ndarray, Path, Path]:
    net_path, trips_path = files(name, scratch)
    net = read_network(net_path)
    demand = read_trips(trips_path, zones=net.n_zones)
    if name == "Unseen":
        reference = assign(net, demand, algorithm="bfw", rgap=1e-6, max_iter=3000, skims=False)
        best = reference.link_flow
    else:
        best = read_flows(TNTP / name / f"{name}_flow.tntp")["volume"].to_numpy()
    return net, demand, best, net_path, trips_path


def whole_process(net_path: Path, trips_path: Path, out: Path, algorithm: str) -> float:
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "corridor", "assign", "--net", str(net_path), "--trips",
         str(trips_path), "--rgap", "1e-4", "--out", str(out), "--algorithm", algorithm],
        check=True, capture_output=True,
    )  # fmt: skip
    return time.perf_counter() - t0


def per_load(net: TntpNetwork, demand: np.ndarray) -> dict[str, float]:
    """Median time of one all-or-nothing load: package kernel and floor, 1 and 2 threads."""
    import numba
    from aon_floor import floor_flows

    from corridor.assignment import kernels

    g = from_tntp(net)
    cost = g.free_flow_time.copy()
    od = demand.copy()
    np.fill_diagonal(od, 0.0)
    wanted = (od > 0).sum(axis=1).astype(np.int64)
    origins = np.flatnonzero(wanted > 0).astype(np.int32)
    kg = kernels.Graph(g.indptr, g.head, g.tail, g.first_thru)
    out: dict[str, float] = {}
    flows = {}
    for threads in (1, 2):
        ws = kernels.workspace(g.n_nodes, g.n_links, threads)
        y = np.zeros(g.n_links)
        numba.set_num_threads(threads)

        def ours() -> None:
            kernels.aon_load(kg, cost, origins, wanted, od, ws, y)  # noqa: B023

        def floor() -> None:
            flows["floor"] = floor_flows(g, cost, od, threads)  # noqa: B023

        for label, fn in (("corridor", ours), ("floor", floor)):
            fn()  # warm
            times = []
            for _ in range(9):
                t0 = time.perf_counter()
                fn()
                times.append(time.perf_counter() - t0)
            out[f"{label}_{threads}"] = statistics.median(times)
        assert np.allclose(y, flows["floor"], rtol=1e-9, atol=1e-6), "floor and kernel differ"
    numba.set_num_threads(THREADS)
    return out


def true_gap(net: TntpNetwork, demand: np.ndarray, flow: np.ndarray) -> float:
    """Relative gap of ``flow`` (source order), with costs at ``flow`` itself."""
    g = from_tntp(net)
    cost = g.to_source_order(link_times(g, g.from_source_order(flow)))
    # one all-or-nothing iteration at those costs gives the shortest-path total
    fixed = assign(
        from_tntp(TntpNetwork(**{**net.__dict__, "free_flow_time": cost, "b": 0 * net.b})),
        demand,
        max_iter=1,
        skims=True,
    )
    assert fixed.skim_cost is not None
    d = demand.copy()
    np.fill_diagonal(d, 0.0)
    tstt = float(cost @ flow)
    return (tstt - float((d * fixed.skim_cost[0]).sum())) / tstt


def mean_rel_diff(flow: np.ndarray, best: np.ndarray) -> float:
    return float(np.abs(flow - best).sum() / best.sum())


# ------------------------------------------------------------------------------ corridor


def corridor_run(
    net: TntpNetwork, demand: np.ndarray, rgap: float, max_iter: int, algorithm: str
) -> Any:
    graph = from_tntp(net)
    t0 = time.perf_counter()
    result = assign(graph, demand, algorithm=algorithm, rgap=rgap, max_iter=max_iter, skims=False)
    return time.perf_counter() - t0, result


# --------------------------------------------------------------------------- AequilibraE


def aeq_prepare(net: TntpNetwork, demand: np.ndarray) -> tuple[Any, Any]:
    import pandas as pd
    from aequilibrae.matrix import AequilibraeMatrix
    from aequilibrae.paths import Graph

    links = pd.DataFrame(
        {
            "link_id": np.arange(1, net.n_links + 1),
            "a_node": net.init_node,
            "b_node": net.term_node,
            "direction": 1,
            "capacity": net.capacity,
            "free_flow_time": net.free_flow_time,
            "b": net.b,
            "power": np.where(net.b == 0, np.maximum(net.power, 1.0), net.power),
        }
    )
    zones = np.arange(1, net.n_zones + 1)
    graph = Graph()
    graph.network = links
    graph.prepare_graph(zones)
    graph.set_graph("free_flow_time")
    graph.set_skimming([])
    graph.set_blocked_centroid_flows(net.first_thru_node > 1)
    matrix = AequilibraeMatrix()
    matrix.create_empty(zones=net.n_zones, matrix_names=["demand"], memory_only=True)
    matrix.index = zones
    matrix.matrix["demand"][:, :] = demand
    matrix.computational_view(["demand"])
    return graph, matrix


def aeq_run(
    graph: Any, matrix: Any, n_links: int, rgap: float, max_iter: int
) -> tuple[float, np.ndarray, list[float]]:
    from aequilibrae.paths import TrafficAssignment, TrafficClass

    cls = TrafficClass("all", graph, matrix)
    ta = TrafficAssignment()
    ta.set_classes([cls])
    ta.set_vdf("BPR")
    ta.set_vdf_parameters({"alpha": "b", "beta": "power"})
    ta.set_capacity_field("capacity")
    ta.set_time_field("free_flow_time")
    ta.set_algorithm("bfw")
    ta.set_cores(THREADS)
    ta.max_iter = max_iter
    ta.rgap_target = rgap
    with contextlib.redirect_stderr(io.StringIO()):  # tqdm progress bars
        t0 = time.perf_counter()
        ta.execute()
        elapsed = time.perf_counter() - t0
    loads = cls.results.get_load_results()
    flow = np.zeros(n_links)
    flow[loads.index.to_numpy() - 1] = loads["demand_tot"].to_numpy()
    gaps = [float(g) for g in ta.assignment.convergence_report["rgap"]]
    return elapsed, flow, gaps


# ---------------------------------------------------------------------------------- main


def first_below(gaps: list[float] | np.ndarray, target: float, offset: int) -> str:
    for i, g in enumerate(gaps):
        if g <= target:
            return str(i + offset)
    return f"> {len(gaps) + offset - 1}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed solves per tool")
    parser.add_argument("--curve-iter", type=int, default=400, help="iterations for the curves")
    parser.add_argument("--networks", nargs="+", default=list(NETWORKS), choices=NETWORKS)
    parser.add_argument(
        "--algorithm", default="auto", help="corridor's algorithm (auto: gp here; or bfw, ...)"
    )
    args = parser.parse_args()
    from importlib.metadata import PackageNotFoundError, version

    try:
        aeq_version = version("aequilibrae")
    except PackageNotFoundError:
        print("AequilibraE is not installed: pip install 'aequilibrae==1.7.2' (the bench extra)")
        return 1
    import numba

    numba.set_num_threads(THREADS)
    rows = []
    loads = []
    curves: dict[str, dict[str, list[float]]] = {}
    scratch = Path(tempfile.mkdtemp())
    for name in args.networks:
        net, demand, best, net_path, trips_path = load(name, scratch)
        corridor_run(net, demand, 1e-2, 5, args.algorithm)  # warm: load the numba cache
        c_times, c_result = [], None
        for _ in range(args.repeat):
            elapsed, c_result = corridor_run(net, demand, 1e-4, 1000, args.algorithm)
            c_times.append(elapsed)
        graph, matrix = aeq_prepare(net, demand)
        aeq_run(graph, matrix, net.n_links, 1e-2, 5)  # warm
        a_times, a_flow = [], np.zeros(0)
        for _ in range(args.repeat):
            elapsed, a_flow, _ = aeq_run(graph, matrix, net.n_links, 1e-4, 1000)
            a_times.append(elapsed)
        # whole `corridor assign` processes interleaved with AequilibraE's solve alone
        w_times, a2_times = [], []
        whole_process(net_path, trips_path, scratch / "flows.csv", args.algorithm)  # warm
        for _ in range(args.repeat):
            w_times.append(
                whole_process(net_path, trips_path, scratch / "flows.csv", args.algorithm)
            )
            a2_times.append(aeq_run(graph, matrix, net.n_links, 1e-4, 1000)[0])
        assert c_result is not None
        c_med, a_med = statistics.median(c_times), statistics.median(a_times)
        w_med, a2_med = statistics.median(w_times), statistics.median(a2_times)
        loads.append({"network": name, "links": net.n_links, "zones": net.n_zones,
                      **per_load(net, demand)})  # fmt: skip
        # long runs for the convergence curves and the 1e-6 iteration counts
        _, c_long = corridor_run(net, demand, 1e-7, args.curve_iter, args.algorithm)
        _, _, a_long = aeq_run(graph, matrix, net.n_links, 1e-7, args.curve_iter)
        curves[name] = {"corridor": list(c_long.gap), "AequilibraE": a_long}
        rows.append(
            {
                "network": name,
                "corridor_s": c_med,
                "aeq_s": a_med,
                "ratio": a_med / c_med,
                "c_it4": first_below(c_long.gap, 1e-4, 1),
                "a_it4": first_below(a_long, 1e-4, 2),
                "c_it6": first_below(c_long.gap, 1e-6, 1),
                "a_it6": first_below(a_long, 1e-6, 2),
                "c_true": true_gap(net, demand, c_result.link_flow),
                "a_true": true_gap(net, demand, a_flow),
                "c_diff": mean_rel_diff(c_result.link_flow, best),
                "a_diff": mean_rel_diff(a_flow, best),
                "whole": w_med,
                "aeq_solve": a2_med,
                "iters": c_result.iterations,
            }
        )
        print(f"{name}: corridor {c_times}, AequilibraE {a_times}, whole process {w_times} "
              f"vs AequilibraE {a2_times}", file=sys.stderr)  # fmt: skip

    print(
        f"AequilibraE {aeq_version} ({THREADS} cores), corridor {args.algorithm} with numba "
        f"{numba.__version__} "
        f"(origins in parallel only above assign's size threshold); "
        f"median of {args.repeat} solves to rgap 1e-4\n"
    )
    print(
        "| network | corridor s | AequilibraE s | speed-up | iterations to 1e-4 (corridor / Aeq) "
        "| iterations to 1e-6 (corridor / Aeq) | gap of final flows recomputed (corridor / Aeq) "
        "| flow diff. vs best known (corridor / Aeq) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['network']} | {r['corridor_s']:.3f} | {r['aeq_s']:.3f} | {r['ratio']:.1f}× "
            f"| {r['c_it4']} / {r['a_it4']} | {r['c_it6']} / {r['a_it6']} "
            f"| {r['c_true']:.1e} / {r['a_true']:.1e} "
            f"| {r['c_diff']:.2%} / {r['a_diff']:.2%} |"
        )

    print(
        "\nWhole `corridor assign` process (read, solve to 1e-4, write) against AequilibraE's "
        f"solve alone, interleaved, median of {args.repeat}\n"
    )
    print("| network | links / zones | corridor assign, whole process s | AequilibraE solve s "
          "| ratio (corridor / Aeq) |")  # fmt: skip
    print("|---|---:|---:|---:|---:|")
    for r, ld in zip(rows, loads, strict=True):
        print(f"| {r['network']} | {ld['links']} / {ld['zones']} | {r['whole']:.2f} "
              f"| {r['aeq_solve']:.2f} | {r['whole'] / r['aeq_solve']:.2f} |")  # fmt: skip
    print("\nOne all-or-nothing load at free-flow costs (ms, median of 9): the package's "
          "kernel against the bare floor, and per iteration of the 1e-4 solve\n")  # fmt: skip
    print("| network | kernel 1 thread | floor 1 thread | ratio | kernel 2 threads "
          "| floor 2 threads | ratio | solve per iteration |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r, ld in zip(rows, loads, strict=True):
        print(f"| {r['network']} | {1e3 * ld['corridor_1']:.2f} | {1e3 * ld['floor_1']:.2f} "
              f"| {ld['corridor_1'] / ld['floor_1']:.2f} | {1e3 * ld['corridor_2']:.2f} "
              f"| {1e3 * ld['floor_2']:.2f} | {ld['corridor_2'] / ld['floor_2']:.2f} "
              f"| {1e3 * r['corridor_s'] / r['iters']:.2f} |")  # fmt: skip

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(args.networks), figsize=(5 * len(args.networks), 4),
                             sharey=True, squeeze=False)  # fmt: skip
    for ax, name in zip(axes[0], args.networks, strict=True):
        c = curves[name]["corridor"]
        a = curves[name]["AequilibraE"]
        ax.semilogy(np.arange(1, len(c) + 1), c, label="corridor BFW")
        ax.semilogy(np.arange(2, len(a) + 2), a, label="AequilibraE 1.7.2 BFW")
        for level in (1e-4, 1e-6):
            ax.axhline(level, color="grey", lw=0.6, ls=":")
        ax.set_title(name)
        ax.set_xlabel("iteration")
    axes[0, 0].set_ylabel("relative gap")
    axes[0, 0].legend()
    fig.tight_layout()
    out = HERE / "assignment_convergence.png"
    fig.savefig(out, dpi=110)
    print(f"\nconvergence curves: {out.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
