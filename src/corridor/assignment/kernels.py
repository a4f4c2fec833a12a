"""Shortest-path trees and all-or-nothing loading (numba, compiled lazily and cached).

The shortest-path trees come from the package's one search kernel
(:func:`corridor.graph.kernel.dijkstra`, one layer: no via groups), which honours
the first-thru rule: a vertex below ``first_thru`` other than the origin is
settled but not expanded, so paths end there and never pass through. Links whose
cost is ``inf`` are not usable (a class's disallowed links).

One loading kernel, :func:`aon_load`, serves every size: the origins are split into
as many work chunks as the workspace has rows; with one row it runs on the calling
thread, with more the chunks run in parallel (``numba.prange``), each owning one row
of every workspace array (its own tree arrays and link-flow accumulator), and the
accumulators are summed at the end. Nothing is allocated inside the iteration loop.
The graph and the workspace travel as two small named tuples.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit, prange
from numpy.typing import NDArray

from corridor.graph.kernel import dijkstra

__all__ = ["Graph", "Work", "aon_load", "shortest_path_tree", "skim_trees", "workspace"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
Int32Array = NDArray[np.int32]


class Graph(NamedTuple):
    """The CSR arrays the kernels read (links sorted by tail)."""

    indptr: IntArray
    head: Int32Array
    tail: Int32Array
    first_thru: int


class Work(NamedTuple):
    """Scratch arrays of the kernels, one row per work chunk, allocated once per solve."""

    dist: FloatArray
    pred: IntArray
    order: IntArray
    heap: IntArray
    pos: IntArray
    load: FloatArray
    flow: FloatArray
    sp: FloatArray
    bad: IntArray


def workspace(n_nodes: int, n_links: int, n_chunks: int) -> Work:
    """Workspace for ``n_chunks`` chunks (``1``: run on the calling thread)."""
    return Work(
        dist=np.empty((n_chunks, n_nodes)),
        pred=np.empty((n_chunks, n_nodes), dtype=np.int64),
        order=np.empty((n_chunks, n_nodes), dtype=np.int64),
        heap=np.empty((n_chunks, n_nodes), dtype=np.int64),
        pos=np.empty((n_chunks, n_nodes), dtype=np.int64),
        load=np.zeros((n_chunks, n_nodes)),
        flow=np.zeros((n_chunks, n_links)),
        sp=np.zeros(n_chunks),
        bad=np.zeros(n_chunks, dtype=np.int64),
    )


@njit(cache=True)
def _one_layer(n: int) -> tuple[Int32Array, NDArray[np.bool_], IntArray]:  # pragma: no cover
    """The layer table, state mask and back-pointer array of a search without via groups."""
    return np.zeros((1, n), dtype=np.int32), np.zeros(0, dtype=np.bool_), np.empty(0, np.int64)


@njit(cache=True)
def _load_chunk(  # pragma: no cover - compiled
    c: int,
    n_chunks: int,
    g: Graph,
    cost: FloatArray,
    origins: Int32Array,
    wanted_count: IntArray,
    demand: FloatArray,
    ws: Work,
    flow: FloatArray,
) -> tuple[float, int]:
    """Load origins ``c, c + n_chunks, ...`` into ``flow`` (zeroed first), one tree each.

    A tree is loaded leaves-first: walking the settled vertices in reverse settling
    order, each passes its accumulated demand to the link into it and on to that
    link's tail, so every origin costs O(settled vertices).
    """
    n_zones = demand.shape[0]
    step, no_mask, back = _one_layer(g.indptr.shape[0] - 1)
    dist, pred, order, load = ws.dist[c], ws.pred[c], ws.order[c], ws.load[c]
    tail = g.tail
    flow[:] = 0.0
    sp = 0.0
    bad = 0
    for i in range(c, origins.shape[0], n_chunks):
        o = origins[i]
        row = demand[o]
        settled = dijkstra(
            o, g.indptr, g.head, cost, g.first_thru, step, no_mask, n_zones, row,
            wanted_count[o], dist, pred, back, order, ws.heap[c], ws.pos[c],
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
def aon_load(  # pragma: no cover - compiled
    g: Graph,
    cost: FloatArray,
    origins: Int32Array,
    wanted_count: IntArray,
    demand: FloatArray,
    ws: Work,
    flow_out: FloatArray,
) -> tuple[float, int]:
    """All-or-nothing: load ``demand`` on shortest paths at ``cost`` into ``flow_out``.

    ``origins`` lists the zones with demand and ``wanted_count[o]`` the number of
    destinations with positive demand from ``o``. With one workspace row the origins
    run on the calling thread, straight into ``flow_out``; with more, in parallel
    (module docs). Returns the shortest-path total cost ``sum_od demand * distance``
    and the number of OD pairs with demand but no path (their demand is not loaded).
    """
    n_chunks = ws.dist.shape[0]
    if n_chunks == 1:
        return _load_chunk(0, 1, g, cost, origins, wanted_count, demand, ws, flow_out)
    # parallel regions take arrays, not tuples: unpack here, pack again per chunk
    indptr, head, tail, first_thru = g
    dist, pred, order, heap, pos, load, flow, sp, bad = ws
    for c in prange(n_chunks):
        sp[c], bad[c] = _load_chunk(
            c, n_chunks, Graph(indptr, head, tail, first_thru), cost, origins, wanted_count,
            demand, Work(dist, pred, order, heap, pos, load, flow, sp, bad), flow[c],
        )  # fmt: skip
    # one parallel region per load: each region start can wait for a time slice on a
    # shared machine, and the sum is a few microseconds on one thread
    # (plain loops: an array expression here would become a parallel region itself)
    total_sp = 0.0
    total_bad = 0
    for c in range(n_chunks):
        total_sp += sp[c]
        total_bad += bad[c]
    for a in range(flow_out.shape[0]):
        s = flow[0, a]
        for c in range(1, n_chunks):
            s += flow[c, a]
        flow_out[a] = s
    return total_sp, total_bad


@njit(cache=True)
def _skim_chunk(  # pragma: no cover - compiled
    c: int,
    n_chunks: int,
    g: Graph,
    cost: FloatArray,
    time: FloatArray,
    length: FloatArray,
    n_zones: int,
    ws: Work,
    at: FloatArray,
    al: FloatArray,
    skim_cost: FloatArray,
    skim_time: FloatArray,
    skim_length: FloatArray,
) -> None:
    step, no_mask, back = _one_layer(g.indptr.shape[0] - 1)
    ones = np.ones(n_zones)
    dist, pred, order, tail = ws.dist[c], ws.pred[c], ws.order[c], g.tail
    for o in range(c, n_zones, n_chunks):
        settled = dijkstra(
            o, g.indptr, g.head, cost, g.first_thru, step, no_mask, n_zones, ones, n_zones - 1,
            dist, pred, back, order, ws.heap[c], ws.pos[c],
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
def skim_trees(  # pragma: no cover - compiled
    g: Graph,
    cost: FloatArray,
    time: FloatArray,
    length: FloatArray,
    n_zones: int,
    ws: Work,
    along: FloatArray,
    skim_cost: FloatArray,
    skim_time: FloatArray,
    skim_length: FloatArray,
) -> None:
    """Zone-to-zone skims along the shortest-path trees at ``cost``.

    Fills ``skim_cost`` with the least cost and ``skim_time`` / ``skim_length`` with
    the sums of ``time`` / ``length`` along that path (``inf`` where unreachable).
    Origins are split over the workspace's rows as in :func:`aon_load`; ``along``,
    of shape ``(rows, 2, vertices)``, holds each chunk's running time and length.
    """
    n_chunks = ws.dist.shape[0]
    if n_chunks == 1:
        _skim_chunk(0, 1, g, cost, time, length, n_zones, ws, along[0, 0], along[0, 1],
                    skim_cost, skim_time, skim_length)  # fmt: skip
        return
    indptr, head, tail, first_thru = g
    dist, pred, order, heap, pos, load, flow, sp, bad = ws
    for c in prange(n_chunks):
        _skim_chunk(
            c, n_chunks, Graph(indptr, head, tail, first_thru), cost, time, length, n_zones,
            Work(dist, pred, order, heap, pos, load, flow, sp, bad), along[c, 0], along[c, 1],
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
