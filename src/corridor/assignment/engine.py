"""Static user-equilibrium assignment: MSA, Frank-Wolfe, conjugate and bi-conjugate FW,
and gradient projection over path sets.

Iterate ``k`` holds class flows ``x_k``; ``x_1`` is the all-or-nothing load at
free-flow costs. Each iteration refreshes link costs at ``x_k``, loads every class
all-or-nothing on its shortest paths (``y_k``), measures the relative gap of
``x_k`` and, unless it is small enough, moves towards a target ``s_k``:

- ``msa``: ``s_k = y_k``, step ``1 / (k + 1)``;
- ``fw``: ``s_k = y_k``, exact line search on the objective;
- ``cfw``: ``s_k`` a combination of ``y_k`` and ``s_{k-1}`` conjugate to the last
  direction (Mitradjieva & Lindberg 2013), exact line search;
- ``bfw``: ``s_k`` a combination of ``y_k``, ``s_{k-1}`` and ``s_{k-2}`` conjugate to
  the last two directions (same paper), exact line search.

A conjugate direction that does not descend, or a full step (which collapses the
history), restarts the sequence with a Frank-Wolfe step.

- ``gp``: path-based, gradient projection with column generation
  (:mod:`corridor.assignment.paths`): each OD pair keeps its used paths and moves
  flow between them, so far fewer shortest-path trees reach a small gap. Its
  iterate ``x_1`` is the same all-or-nothing load and its gap the same definition
  (costs at ``x_k``, trees grown at those costs). It does not handle capacity
  groups (links sharing one volume-delay function).
- ``auto`` (the default): ``gp`` unless the graph has capacity groups, else ``bfw``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numba
import numpy as np
from numpy.typing import NDArray

from corridor.assignment import kernels, paths, steps, vdf
from corridor.assignment.classes import TrafficClass
from corridor.assignment.graph import AssignmentGraph, from_tntp
from corridor.assignment.result import AssignmentResult
from corridor.errors import NoRouteError
from corridor.io.tntp import TntpNetwork

__all__ = ["ALGORITHMS", "assign"]

FloatArray = NDArray[np.float64]

#: Accepted values of ``algorithm``.
ALGORITHMS = ("auto", "gp", "bfw", "cfw", "fw", "msa")
#: Sweeps of path moves over every OD pair per ``gp`` iteration (one set of trees).
GP_SWEEPS = 1
_CONJUGATE_MAX = 0.99999
_FULL_STEP = 1.0 - 1e-12
# Origin-links (origins with demand x links) per all-or-nothing load from which the
# origins run in parallel; below it the parallel region costs more than it saves.
PARALLEL_WORK = 2_000_000
# The same for gp, whose trees make one parallel region per iteration (not one per
# class load, and ten times fewer iterations): a stalled region start costs less.
GP_PARALLEL_WORK = 200_000

Progress = Callable[[int, float], None]


def _class_arrays(
    graph: AssignmentGraph,
    classes: Sequence[TrafficClass],
    toll_factor: float,
    distance_factor: float,
) -> tuple[FloatArray, FloatArray, NDArray[np.bool_], FloatArray]:
    """Stacked demand, fixed generalised cost (time units, CSR order), mask and PCE."""
    z, m = graph.n_zones, graph.n_links
    base = toll_factor * graph.toll + distance_factor * graph.length
    demand = np.empty((len(classes), z, z))
    fixed = np.empty((len(classes), m))
    allowed = np.ones((len(classes), m), dtype=np.bool_)
    for k, cls in enumerate(classes):
        d = np.asarray(cls.demand, dtype=np.float64)
        if d.shape != (z, z):
            raise ValueError(f"class {cls.name!r}: demand must be ({z}, {z}), got {d.shape}")
        if not np.all(np.isfinite(d)) or np.any(d < 0):
            raise ValueError(f"class {cls.name!r}: demand must be finite and non-negative")
        demand[k] = d
        np.fill_diagonal(demand[k], 0.0)
        fixed[k] = base
        if cls.fixed_cost is not None:
            extra = np.asarray(cls.fixed_cost, dtype=np.float64)
            if extra.shape != (m,) or not np.all(np.isfinite(extra)):
                raise ValueError(f"class {cls.name!r}: fixed_cost must be {m} finite numbers")
            fixed[k] += graph.from_source_order(extra) / cls.value_of_time
        if cls.link_mask is not None:
            mask = np.asarray(cls.link_mask, dtype=np.bool_)
            if mask.shape != (m,):
                raise ValueError(f"class {cls.name!r}: link_mask must have {m} entries")
            allowed[k] = graph.from_source_order(mask)
    if np.any(fixed < 0):
        raise ValueError("generalised fixed costs must be non-negative (shortest paths need it)")
    fixed[~allowed] = 0.0
    pce = np.array([c.pce for c in classes], dtype=np.float64)
    return demand, fixed, allowed, pce


def _first_unreachable(
    graph: AssignmentGraph, cost: FloatArray, demand: FloatArray
) -> tuple[int, int]:
    for o in range(graph.n_zones):
        if not np.any(demand[o] > 0):
            continue
        dist, _ = kernels.shortest_path_tree(
            graph.indptr, graph.head, cost, o, first_thru=graph.first_thru
        )
        bad = np.flatnonzero((demand[o] > 0) & ~np.isfinite(dist[: graph.n_zones]))
        bad = bad[bad != o]
        if bad.size:
            return o, int(bad[0])
    return -1, -1


def assign(
    graph_or_network: AssignmentGraph | TntpNetwork,
    demand: FloatArray | None = None,
    *,
    algorithm: str = "auto",
    rgap: float = 1e-4,
    max_iter: int = 1000,
    toll_factor: float = 0.0,
    distance_factor: float = 0.0,
    classes: Sequence[TrafficClass] | None = None,
    skims: bool = True,
    parallel: bool | None = None,
    progress: Progress | None = None,
) -> AssignmentResult:
    """Solve the static user equilibrium with shared capacity.

    Parameters
    ----------
    graph_or_network
        An :class:`AssignmentGraph` or a TNTP network (converted with BPR costs).
    demand
        ``(zones, zones)`` OD matrix of a single class; leave ``None`` when giving
        ``classes``.
    algorithm
        ``"auto"`` (``"gp"`` where it applies, else ``"bfw"``), ``"gp"`` (gradient
        projection over path sets; not with capacity groups), ``"bfw"`` (bi-conjugate
        Frank-Wolfe), ``"cfw"``, ``"fw"`` or ``"msa"``.
    rgap
        Stop at the first iterate whose relative gap is at or below this.
    max_iter
        Stop after this many iterates regardless.
    toll_factor, distance_factor
        Generalised cost = time + toll_factor * toll + distance_factor * length
        (TNTP convention), for every class.
    classes
        Traffic classes sharing capacity; ``None`` means one class with ``demand``,
        PCE 1 and value of time 1.
    skims
        Compute zone-to-zone skims at the final costs.
    parallel
        Run origins on all numba threads; ``None`` decides by size (parallel from
        ``PARALLEL_WORK`` origin-links per load, ``GP_PARALLEL_WORK`` for ``gp``).
        The flows do not depend on it.
    progress
        Called as ``progress(iteration, gap)`` after each gap is measured.

    Returns
    -------
    AssignmentResult

    Raises
    ------
    ValueError
        On an unknown algorithm, ``"gp"`` on a graph with capacity groups, or
        inconsistent demand / class data.
    corridor.errors.NoRouteError
        If some OD pair with demand has no path.

    Examples
    --------
    Two routes from zone 1 to zone 2, through thru-vertex 3 (time ``2 + v / 10``) or
    4 (time ``3 + w / 5``), with ``v + w = 25``:

    >>> import numpy as np
    >>> from corridor.assignment.graph import build_graph
    >>> g = build_graph(n_nodes=4, n_zones=2, first_thru=2,
    ...     tail=np.array([0, 2, 0, 3]), head=np.array([2, 1, 3, 1]),
    ...     free_flow_time=np.array([1.0, 1.0, 1.0, 2.0]),
    ...     capacity=np.array([10.0, np.inf, 10.0, np.inf]),
    ...     alpha=np.array([1.0, 0.0, 2.0, 0.0]), beta=np.array([1.0, 0.0, 1.0, 0.0]))
    >>> r = assign(g, np.array([[0.0, 25.0], [0.0, 0.0]]), rgap=1e-12)
    >>> np.round(r.link_flow, 6).tolist()
    [20.0, 20.0, 5.0, 5.0]
    """
    if algorithm not in ALGORITHMS:
        raise ValueError(f"algorithm must be one of {', '.join(ALGORITHMS)}; got {algorithm!r}")
    if not rgap >= 0 or max_iter < 1:
        raise ValueError("need rgap >= 0 and max_iter >= 1")
    graph = (
        from_tntp(graph_or_network)
        if isinstance(graph_or_network, TntpNetwork)
        else graph_or_network
    )
    shared = graph.n_groups < graph.n_links
    if algorithm == "auto":
        algorithm = "bfw" if shared else "gp"
    elif algorithm == "gp" and shared:
        raise ValueError("algorithm 'gp' does not handle capacity groups; use 'bfw' or 'auto'")
    if classes is None:
        if demand is None:
            raise ValueError("give either demand or classes")
        classes = [TrafficClass("all", np.asarray(demand, dtype=np.float64))]
    elif demand is not None:
        raise ValueError("give either demand or classes, not both")
    if len(classes) == 0:
        raise ValueError("need at least one traffic class")
    od, fixed, allowed, pce = _class_arrays(graph, classes, toll_factor, distance_factor)

    n_classes, m, n = len(classes), graph.n_links, graph.n_nodes
    g = graph
    wanted = (od > 0).sum(axis=2).astype(np.int64)  # (classes, zones)
    origins = [np.flatnonzero(wanted[k] > 0).astype(np.int32) for k in range(n_classes)]
    work = sum(len(o) for o in origins) * m
    gp_parallel = work >= GP_PARALLEL_WORK if parallel is None else parallel
    if parallel is None:
        parallel = work >= PARALLEL_WORK
    threads = numba.get_num_threads() if parallel else 1
    gp_threads = numba.get_num_threads() if gp_parallel else 1
    ws = kernels.workspace(n, m, threads)
    kg = kernels.Graph(g.indptr, g.head, g.tail, g.first_thru)

    if algorithm == "gp":
        x, volume, time, cost, gaps, aecs, objectives, step_sizes = _solve_gp(
            g, classes, od, fixed, allowed, pce, wanted, kg, gp_threads, rgap, max_iter, progress
        )
    else:
        x, volume, time, cost, gaps, aecs, objectives, step_sizes = _solve_fw(
            g, classes, od, fixed, allowed, pce, wanted, origins, kg, ws, algorithm,
            rgap, max_iter, progress,
        )  # fmt: skip

    skim_cost = skim_time = skim_distance = None
    if skims:
        z = g.n_zones
        skim_cost = np.empty((n_classes, z, z))
        skim_time = np.empty((n_classes, z, z))
        skim_distance = np.empty((n_classes, z, z))
        along = np.empty((threads, 2, n))
        for k in range(n_classes):
            kernels.skim_trees(
                kg, cost[k], time, g.length, z, ws, along,
                skim_cost[k], skim_time[k], skim_distance[k],
            )  # fmt: skip

    gap_arr = np.asarray(gaps)
    return AssignmentResult(
        graph=g,
        algorithm=algorithm,
        rgap_target=rgap,
        class_names=tuple(c.name for c in classes),
        link_flow=g.to_source_order(volume),
        class_flow=g.to_source_order(x),
        link_time=g.to_source_order(time),
        link_cost=g.to_source_order(cost),
        skim_cost=skim_cost,
        skim_time=skim_time,
        skim_distance=skim_distance,
        gap=gap_arr,
        average_excess_cost=np.asarray(aecs),
        objective=np.asarray(objectives),
        step_size=np.asarray(step_sizes[: len(gaps)]),
        converged=bool(gap_arr[-1] <= rgap),
    )


_Solution = tuple[
    FloatArray, FloatArray, FloatArray, FloatArray, list[float], list[float], list[float],
    list[float],
]  # fmt: skip


def _solve_fw(
    g: AssignmentGraph,
    classes: Sequence[TrafficClass],
    od: FloatArray,
    fixed: FloatArray,
    allowed: NDArray[np.bool_],
    pce: FloatArray,
    wanted: NDArray[np.int64],
    origins: list[NDArray[np.int32]],
    kg: kernels.Graph,
    ws: kernels.Work,
    algorithm: str,
    rgap: float,
    max_iter: int,
    progress: Progress | None,
) -> _Solution:
    """The linear-approximation algorithms (module docs): MSA, FW, CFW, BFW."""
    n_classes, m = len(classes), g.n_links
    total_demand = float((pce[:, None, None] * od).sum())
    x = np.zeros((n_classes, m))
    y = np.zeros((n_classes, m))
    s = np.zeros((n_classes, m))
    s_prev = np.zeros((n_classes, m))
    volume = np.zeros(m)
    dvol = np.zeros(m)
    gvol = np.zeros(m)  # volume of each link's capacity group
    gdir = np.zeros(m)
    gscratch = np.zeros(m)
    time = np.empty(m)
    cost = np.empty((n_classes, m))
    products = np.zeros(4)

    def load_all() -> float:
        """AON for every class at ``cost`` into ``y``; return the shortest-path total."""
        sp_total = 0.0
        for k in range(n_classes):
            sp, bad = kernels.aon_load(kg, cost[k], origins[k], wanted[k], od[k], ws, y[k])
            if bad:
                o, d = _first_unreachable(g, cost[k], od[k])
                raise NoRouteError(
                    f"class {classes[k].name!r}: no path from zone {g.node_ids[o]} "
                    f"to zone {g.node_ids[d]} ({bad} OD pairs with demand have none)"
                )
            sp_total += pce[k] * sp
        return sp_total

    def refresh() -> None:
        steps.refresh_costs(
            gvol, g.free_flow_time, g.capacity, g.alpha, g.beta, g.vdf, fixed, allowed, time, cost
        )

    def search() -> float:
        """Exact line search from x towards s (-1 if s does not descend)."""
        slope = steps.direction(x, s, pce, fixed, dvol)
        steps.group_volume(dvol, g.group, gscratch, gdir)
        return float(
            steps.line_search(
                gvol, gdir, dvol, g.free_flow_time, g.capacity, g.alpha, g.beta, g.vdf, slope
            )
        )

    gaps: list[float] = []
    aecs: list[float] = []
    objectives: list[float] = []
    step_sizes: list[float] = []

    refresh()
    load_all()
    x[:] = y
    steps.aggregate(x, pce, volume)
    steps.group_volume(volume, g.group, gscratch, gvol)
    step_sizes.append(1.0)
    restart = True  # the next direction is a plain Frank-Wolfe step
    n_conjugate = 0  # directions since the last restart
    tau = 1.0
    while True:
        refresh()
        sptt = load_all()
        tstt = steps.total_cost(x, cost, pce, allowed)
        excess = max(tstt - sptt, 0.0)
        gap = excess / tstt if tstt > 0 else 0.0
        gaps.append(gap)
        aecs.append(excess / total_demand if total_demand > 0 else 0.0)
        objectives.append(
            steps.grouped_integral(
                gvol, g.group_rep, g.free_flow_time, g.capacity, g.alpha, g.beta, g.vdf
            )
            + steps.fixed_cost_total(x, fixed, pce)
        )
        if progress is not None:
            progress(len(gaps), gap)
        if gap <= rgap or len(gaps) >= max_iter:
            break

        if algorithm in ("msa", "fw") or restart:
            s[:] = y
            n_conjugate = 0
        elif algorithm == "cfw" or n_conjugate == 1:
            steps.conjugate_products(
                gvol, g.free_flow_time, g.capacity, g.alpha, g.beta, g.vdf,
                x, y, s, s_prev, pce, tau, products,
            )  # fmt: skip
            num, den = products[0], products[0] - products[1]
            a = max(num / den, 0.0) if den != 0.0 else 0.0
            if a >= _CONJUGATE_MAX:
                # The target would repeat the last one (a stalled direction): restart.
                s[:] = y
                n_conjugate = 0
            else:
                steps.combine_targets(y, s, s_prev, 1.0 - a, a, 0.0)
        else:
            steps.conjugate_products(
                gvol, g.free_flow_time, g.capacity, g.alpha, g.beta, g.vdf,
                x, y, s, s_prev, pce, tau, products,
            )  # fmt: skip
            mu = max(-products[2] / products[3], 0.0) if products[3] != 0.0 else 0.0
            nu = (
                max(-products[0] / products[1] + mu * tau / (1.0 - tau), 0.0)
                if products[1] != 0.0
                else 0.0
            )
            b0 = 1.0 / (1.0 + mu + nu)
            steps.combine_targets(y, s, s_prev, b0, nu * b0, mu * b0)

        if algorithm == "msa":
            tau = 1.0 / (len(gaps) + 1)
        else:
            tau = search()
            if tau < 0.0 and n_conjugate > 0:
                # The conjugate target does not descend: take a Frank-Wolfe step instead.
                s[:] = y
                n_conjugate = 0
                tau = search()
            if tau < 0.0:
                # Not even the all-or-nothing direction descends: x is optimal to rounding.
                break
        steps.take_step(x, s, tau)
        steps.aggregate(x, pce, volume)
        steps.group_volume(volume, g.group, gscratch, gvol)
        step_sizes.append(tau)
        n_conjugate += 1
        restart = tau >= _FULL_STEP

    return x, volume, time, cost, gaps, aecs, objectives, step_sizes


def _solve_gp(
    g: AssignmentGraph,
    classes: Sequence[TrafficClass],
    od: FloatArray,
    fixed: FloatArray,
    allowed: NDArray[np.bool_],
    pce: FloatArray,
    wanted: NDArray[np.int64],
    kg: kernels.Graph,
    threads: int,
    rgap: float,
    max_iter: int,
    progress: Progress | None,
) -> _Solution:
    """Gradient projection over path sets (:mod:`corridor.assignment.paths`); the
    trees run on ``threads`` threads (the result is the same for any number)."""
    n_classes, m = len(classes), g.n_links
    total_demand = float((pce[:, None, None] * od).sum())
    k_idx, o_idx, d_idx = np.nonzero(od > 0)  # sorted by class, then origin
    blocks = np.flatnonzero(np.r_[True, (np.diff(k_idx) != 0) | (np.diff(o_idx) != 0)])
    pairs = paths.Pairs(
        block_class=k_idx[blocks].astype(np.int64),
        block_origin=o_idx[blocks].astype(np.int64),
        block_start=np.r_[blocks, k_idx.size].astype(np.int64),
        dest=d_idx.astype(np.int64),
        demand=od[k_idx, o_idx, d_idx],
        pair_class=k_idx.astype(np.int64),
    )
    n_pairs = int(k_idx.size)
    pool = paths.new_pool(n_pairs, 16 * n_pairs)
    spare = paths.new_pool(0, 0)
    ws = kernels.workspace(g.n_nodes, m, min(threads, blocks.size))
    trees_out = paths.new_trees(blocks.size, g.n_nodes, n_pairs)
    mark = np.empty(m, dtype=np.int64)
    x = np.zeros((n_classes, m))
    volume = np.zeros(m)
    time = np.empty(m)
    slope = np.empty(m)
    cost = np.empty((n_classes, m))
    t0, cap, alpha, beta, kind = g.free_flow_time, g.capacity, g.alpha, g.beta, g.vdf
    gaps: list[float] = []
    aecs: list[float] = []
    objectives: list[float] = []

    def trees(first: bool) -> float:
        nonlocal pool
        steps.refresh_costs(volume, t0, cap, alpha, beta, kind, fixed, allowed, time, cost)
        pool, sptt, bad = paths.generate(
            kg, cost, pairs, wanted, od, pce, ws, trees_out, pool, x, first
        )
        for k in range(n_classes if bad else 0):
            o, d = _first_unreachable(g, cost[k], od[k])
            if o >= 0:
                raise NoRouteError(
                    f"class {classes[k].name!r}: no path from zone {g.node_ids[o]} "
                    f"to zone {g.node_ids[d]} ({bad} OD pairs with demand have none)"
                )
        return float(sptt)

    trees(first=True)  # all-or-nothing at free-flow costs: iterate 1
    while True:
        steps.aggregate(x, pce, volume)
        sptt = trees(first=False)
        tstt = steps.total_cost(x, cost, pce, allowed)
        excess = max(tstt - sptt, 0.0)
        gap = excess / tstt if tstt > 0 else 0.0
        gaps.append(gap)
        aecs.append(excess / total_demand if total_demand > 0 else 0.0)
        objectives.append(
            vdf.integral_sum(volume, t0, cap, alpha, beta, kind)
            + steps.fixed_cost_total(x, fixed, pce)
        )
        if progress is not None:
            progress(len(gaps), gap)
        if gap <= rgap or len(gaps) >= max_iter:
            break
        vdf.derivatives_array(volume, t0, cap, alpha, beta, kind, slope)
        paths.equilibrate(
            pairs, pool, pce, fixed, x, volume, time, slope, t0, cap, alpha, beta, kind, mark,
            GP_SWEEPS,
        )  # fmt: skip
        pool, spare = paths.compact(pairs, pool, spare, x), pool  # x from the path flows
    # the loop ends right after a gap was measured, with ``time`` and ``cost`` at ``x``
    return x, volume, time, cost, gaps, aecs, objectives, [math.nan] * len(gaps)
