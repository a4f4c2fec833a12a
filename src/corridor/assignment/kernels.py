"""Shortest-path trees and all-or-nothing loading (numba, compiled lazily and cached).

The shortest-path trees come from the package's one search kernel
(:func:`corridor.graph.kernel.dijkstra`, one layer: no via groups), which honours
the first-thru rule: a vertex below ``first_thru`` other than the origin is
settled but not expanded, so paths end there and never pass through. Links whose
cost is ``inf`` are not usable (a class's disallowed links).

The loading and skimming kernels run origins in parallel (``numba.prange`` over
work chunks, origins strided across chunks); each chunk owns one row of every
workspace array, so nothing is allocated inside the iteration loop.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange
from numpy.typing import NDArray

from corridor.graph.kernel import dijkstra

__all__ = ["Workspace", "aon_load", "aon_load_serial", "shortest_path_tree", "skim_trees"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
Int32Array = NDArray[np.int32]


class Workspace:
    """Per-chunk scratch arrays of the loading and skimming kernels, allocated once.

    Parameters
    ----------
    n_nodes, n_links
        Size of the graph.
    n_chunks
        Number of parallel work chunks (usually ``numba.get_num_threads()``).
    """

    def __init__(self, n_nodes: int, n_links: int, n_chunks: int) -> None:
        self.n_chunks = n_chunks
        self.dist = np.empty((n_chunks, n_nodes))
        self.pred = np.empty((n_chunks, n_nodes), dtype=np.int64)
        self.order = np.empty((n_chunks, n_nodes), dtype=np.int64)
        self.heap = np.empty((n_chunks, n_nodes), dtype=np.int64)
        self.pos = np.empty((n_chunks, n_nodes), dtype=np.int64)
        self.load = np.zeros((n_chunks, n_nodes))
        self.flow = np.zeros((n_chunks, n_links))
        self.sp_cost = np.zeros(n_chunks)
        self.unreachable = np.zeros(n_chunks, dtype=np.int64)


@njit(cache=True)
def _one_layer(n: int) -> tuple[Int32Array, NDArray[np.bool_], IntArray]:  # pragma: no cover
    """The layer table, state mask and back-pointer array of a search without via groups."""
    return np.zeros((1, n), dtype=np.int32), np.zeros(0, dtype=np.bool_), np.empty(0, np.int64)


@njit(cache=True)
def _load_chunk(
    c: int,
    n_chunks: int,
    indptr: IntArray,
    head: Int32Array,
    tail: Int32Array,
    cost: FloatArray,
    first_thru: int,
    origins: Int32Array,
    wanted_count: IntArray,
    demand: FloatArray,
    dist: FloatArray,
    pred: IntArray,
    order: IntArray,
    heap: IntArray,
    pos: IntArray,
    load: FloatArray,
    flow: FloatArray,
) -> tuple[float, int]:
    """Load origins ``c, c + n_chunks, ...`` into ``flow`` (zeroed first), one tree each.

    A tree is loaded leaves-first: walking the settled vertices in reverse settling
    order, each passes its accumulated demand to the link into it and on to that
    link's tail, so every origin costs O(settled vertices).
    """
    n_zones = demand.shape[0]
    step, no_mask, back = _one_layer(indptr.shape[0] - 1)
    flow[:] = 0.0
    sp = 0.0
    bad = 0
    for i in range(c, origins.shape[0], n_chunks):
        o = origins[i]
        row = demand[o]
        settled = dijkstra(
            o, indptr, head, cost, first_thru, step, no_mask, n_zones, row, wanted_count[o],
            dist, pred, back, order, heap, pos,
        )  # fmt: skip
        for k in range(settled - 1, 0, -1):
            v = order[k]
            if v < n_zones:
                load[v] += row[v]
                sp += row[v] * dist[v]
            amount = load[v]
            if amount != 0.0:
                e = pred[v]
                flow[e] += amount
                load[tail[e]] += amount
                load[v] = 0.0
        load[o] = 0.0
        for d in range(n_zones):
            if d != o and row[d] > 0.0 and dist[d] == math.inf:
                bad += 1
    return sp, bad


@njit(cache=True, parallel=True)
def aon_load(
    indptr: IntArray,
    head: Int32Array,
    tail: Int32Array,
    cost: FloatArray,
    first_thru: int,
    origins: Int32Array,
    wanted_count: IntArray,
    demand: FloatArray,
    dist: FloatArray,
    pred: IntArray,
    order: IntArray,
    heap: IntArray,
    pos: IntArray,
    load: FloatArray,
    chunk_flow: FloatArray,
    chunk_sp: FloatArray,
    chunk_bad: IntArray,
    flow_out: FloatArray,
) -> tuple[float, int]:
    """All-or-nothing: load ``demand`` on shortest paths at ``cost`` into ``flow_out``.

    Origins run in parallel, strided over the chunks (rows of the workspace arrays).
    ``origins`` lists the zones with demand and ``wanted_count[o]`` the number of
    destinations with positive demand from ``o``. Returns the shortest-path total
    cost ``sum_od demand * distance`` and the number of OD pairs with demand but no
    path (their demand is not loaded).
    """
    n_chunks = dist.shape[0]
    for c in prange(n_chunks):
        sp, bad = _load_chunk(
            c, n_chunks, indptr, head, tail, cost, first_thru, origins, wanted_count, demand,
            dist[c], pred[c], order[c], heap[c], pos[c], load[c], chunk_flow[c],
        )  # fmt: skip
        chunk_sp[c] = sp
        chunk_bad[c] = bad
    for a in prange(flow_out.shape[0]):
        s = 0.0
        for c in range(n_chunks):
            s += chunk_flow[c, a]
        flow_out[a] = s
    return chunk_sp.sum(), chunk_bad.sum()


@njit(cache=True)
def aon_load_serial(
    indptr: IntArray,
    head: Int32Array,
    tail: Int32Array,
    cost: FloatArray,
    first_thru: int,
    origins: Int32Array,
    wanted_count: IntArray,
    demand: FloatArray,
    dist: FloatArray,
    pred: IntArray,
    order: IntArray,
    heap: IntArray,
    pos: IntArray,
    load: FloatArray,
    chunk_flow: FloatArray,
    chunk_sp: FloatArray,
    chunk_bad: IntArray,
    flow_out: FloatArray,
) -> tuple[float, int]:
    """:func:`aon_load` on one thread (workspace row 0), for graphs too small to split.

    Starting a parallel region costs little on an idle machine but up to a
    scheduler time slice when the cores are shared; below a few million
    origin-links the serial loop is faster.
    """
    return _load_chunk(
        0, 1, indptr, head, tail, cost, first_thru, origins, wanted_count, demand,
        dist[0], pred[0], order[0], heap[0], pos[0], load[0], flow_out,
    )  # fmt: skip


@njit(cache=True)
def _skim_chunk(
    c: int,
    n_chunks: int,
    indptr: IntArray,
    head: Int32Array,
    tail: Int32Array,
    cost: FloatArray,
    time: FloatArray,
    length: FloatArray,
    first_thru: int,
    n_zones: int,
    ones: FloatArray,
    dist: FloatArray,
    pred: IntArray,
    order: IntArray,
    heap: IntArray,
    pos: IntArray,
    at: FloatArray,
    al: FloatArray,
    skim_cost: FloatArray,
    skim_time: FloatArray,
    skim_length: FloatArray,
) -> None:
    step, no_mask, back = _one_layer(indptr.shape[0] - 1)
    for o in range(c, n_zones, n_chunks):
        settled = dijkstra(
            o, indptr, head, cost, first_thru, step, no_mask, n_zones, ones, n_zones - 1,
            dist, pred, back, order, heap, pos,
        )  # fmt: skip
        at[o] = 0.0
        al[o] = 0.0
        for k in range(1, settled):
            v = order[k]
            e = pred[v]
            at[v] = at[tail[e]] + time[e]
            al[v] = al[tail[e]] + length[e]
        for d in range(n_zones):
            if dist[d] == math.inf:
                skim_cost[o, d] = math.inf
                skim_time[o, d] = math.inf
                skim_length[o, d] = math.inf
            else:
                skim_cost[o, d] = dist[d]
                skim_time[o, d] = at[d]
                skim_length[o, d] = al[d]


@njit(cache=True, parallel=True)
def skim_trees(
    indptr: IntArray,
    head: Int32Array,
    tail: Int32Array,
    cost: FloatArray,
    time: FloatArray,
    length: FloatArray,
    first_thru: int,
    n_zones: int,
    dist: FloatArray,
    pred: IntArray,
    order: IntArray,
    heap: IntArray,
    pos: IntArray,
    aux: FloatArray,
    aux2: FloatArray,
    skim_cost: FloatArray,
    skim_time: FloatArray,
    skim_length: FloatArray,
) -> None:
    """Zone-to-zone skims along the shortest-path trees at ``cost``, origins in parallel.

    Fills ``skim_cost`` with the least cost and ``skim_time`` / ``skim_length`` with
    the sums of ``time`` / ``length`` along that path (``inf`` where unreachable).
    ``aux`` and ``aux2`` are ``(n_chunks, n_nodes)`` scratch arrays. With one
    workspace row this runs on one thread.
    """
    n_chunks = dist.shape[0]
    ones = np.ones(n_zones)
    for c in prange(n_chunks):
        _skim_chunk(
            c, n_chunks, indptr, head, tail, cost, time, length, first_thru, n_zones, ones,
            dist[c], pred[c], order[c], heap[c], pos[c], aux[c], aux2[c],
            skim_cost, skim_time, skim_length,
        )  # fmt: skip


def shortest_path_tree(
    indptr: IntArray,
    head: Int32Array,
    cost: FloatArray,
    origin: int,
    *,
    first_thru: int = 0,
) -> tuple[FloatArray, IntArray]:
    """Full shortest-path tree from ``origin`` on a CSR graph.

    Parameters
    ----------
    indptr, head
        CSR arrays (links sorted by tail).
    cost
        Non-negative link costs; ``inf`` marks an unusable link.
    origin
        Start vertex.
    first_thru
        Vertices below it (other than ``origin``) are never passed through.

    Returns
    -------
    dist, pred
        Distance of every vertex (``inf`` if unreachable) and the CSR index of the link
        into it on the tree (``-1`` for the origin and unreachable vertices).

    Examples
    --------
    >>> import numpy as np
    >>> indptr = np.array([0, 1, 2, 2]); head = np.array([1, 2], dtype=np.int32)
    >>> dist, pred = shortest_path_tree(indptr, head, np.array([1.0, 2.5]), 0)
    >>> dist.tolist(), pred.tolist()
    ([0.0, 1.0, 3.5], [-1, 0, 1])
    """
    from corridor.graph.shortest import shortest_tree

    return shortest_tree(
        np.asarray(indptr, dtype=np.int64),
        np.asarray(head, dtype=np.int32),
        np.asarray(cost, dtype=np.float64),
        int(origin),
        n_gates=int(first_thru),
    )
