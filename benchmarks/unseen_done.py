"""Issue 16's "Done" figure on the unseen network, in three steps a timer can pair.

The whole ``corridor assign`` process (read the files, solve to relative gap 1e-4, write
the flows) is set against AequilibraE 1.7.2's solve alone (its imports, graph and matrix
built before the clock starts), and both tools' flows against the best known: corridor's
own BFW solution at relative gap 1e-6, which AequilibraE's flows confirm independently.

    python benchmarks/unseen_done.py make DIR        # network, trips, reference flows
    python benchmarks/unseen_done.py aeq DIR         # one AequilibraE solve: prints JSON
    python benchmarks/unseen_done.py check DIR FLOWS # corridor's flows.csv against the reference

Time ``corridor assign --net DIR/Unseen_net.tntp --trips DIR/Unseen_trips.tntp --rgap 1e-4
--out FLOWS`` as a whole process, interleaved with ``aeq DIR`` (which prints its own solve
seconds), e.g. with ``/usr/bin/time`` around each, several pairs. Its default algorithm
(``auto``) is gradient projection on this network; add ``--algorithm bfw`` for the
Frank-Wolfe figure.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def make(folder: Path) -> None:
    from unseen_network import make as make_files

    from corridor.assignment import assign
    from corridor.io.tntp import read_network, read_trips

    net_path, trips_path = make_files(folder)
    net = read_network(net_path)
    demand = read_trips(trips_path, zones=net.n_zones)
    t0 = time.perf_counter()
    ref = assign(net, demand, algorithm="bfw", rgap=1e-6, max_iter=20_000, skims=False)
    np.save(folder / "reference.npy", ref.link_flow)
    print(json.dumps({"links": net.n_links, "zones": net.n_zones, "nodes": net.n_nodes,
                      "reference_gap": float(ref.relative_gap), "iterations": ref.iterations,
                      "seconds": time.perf_counter() - t0}))  # fmt: skip


def mean_rel_diff(flow: np.ndarray, best: np.ndarray) -> float:
    """Volume-weighted mean absolute relative difference (as in bench_assignment.py)."""
    return float(np.abs(flow - best).sum() / best.sum())


def aeq(folder: Path) -> None:
    from bench_assignment import aeq_prepare, aeq_run

    from corridor.io.tntp import read_network, read_trips

    net = read_network(folder / "Unseen_net.tntp")
    demand = read_trips(folder / "Unseen_trips.tntp", zones=net.n_zones)
    graph, matrix = aeq_prepare(net, demand)
    cpu0 = _cpu()
    seconds, flow, gaps = aeq_run(graph, matrix, net.n_links, 1e-4, 1000)
    cpu = _cpu() - cpu0
    best = np.load(folder / "reference.npy")
    print(json.dumps({"aeq_solve_s": seconds, "aeq_solve_cpu_s": cpu, "iterations": len(gaps) + 1,
                      "flow_diff": mean_rel_diff(flow, best)}))  # fmt: skip


def _cpu() -> float:
    """CPU seconds of this process so far, every thread (user + system)."""
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def check(folder: Path, flows: Path) -> None:
    import pandas as pd

    from corridor.io.tntp import read_network

    net = read_network(folder / "Unseen_net.tntp")
    table = pd.read_csv(flows)
    # flows.csv rows are the network's links in file order (from, to, volume, cost)
    assert (table["from"].to_numpy() == net.init_node).all()
    assert (table["to"].to_numpy() == net.term_node).all()
    best = np.load(folder / "reference.npy")
    print(json.dumps({"flow_diff": mean_rel_diff(table["volume"].to_numpy(), best)}))


if __name__ == "__main__":
    step, folder = sys.argv[1], Path(sys.argv[2])
    if step == "make":
        make(folder)
    elif step == "aeq":
        aeq(folder)
    else:
        check(folder, Path(sys.argv[3]))
