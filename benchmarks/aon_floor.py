"""The floor for one all-or-nothing load: a bare numba Dijkstra-and-load, nothing else.

Written for the benchmark only, with none of the package's generality (no layers, masks,
early exit or unreachable-pair count): a binary heap with a position index, the
first-thru rule, and the tree loaded leaves-first; origins in parallel with one link-flow
accumulator per thread, summed at the end. What the package's kernel costs beyond this
is the price of its generality.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numba import njit, prange


@njit(cache=True)
def _tree(o, indptr, head, cost, first_thru, dist, pred, order, heap, pos):  # type: ignore[no-untyped-def]
    n = indptr.shape[0] - 1
    for v in range(n):
        dist[v] = math.inf
        pos[v] = -1
    dist[o] = 0.0
    heap[0] = o
    pos[o] = 0
    size = 1
    settled = 0
    while size > 0:
        u = heap[0]
        size -= 1
        pos[u] = -2
        order[settled] = u
        settled += 1
        if size > 0:  # move the last leaf to the root and sift it down
            v = heap[size]
            key = dist[v]
            i = 0
            while True:
                ch = 2 * i + 1
                if ch >= size:
                    break
                if ch + 1 < size and dist[heap[ch + 1]] < dist[heap[ch]]:
                    ch += 1
                if dist[heap[ch]] >= key:
                    break
                heap[i] = heap[ch]
                pos[heap[i]] = i
                i = ch
            heap[i] = v
            pos[v] = i
        if u < first_thru and u != o:
            continue
        du = dist[u]
        for e in range(indptr[u], indptr[u + 1]):
            v = head[e]
            if pos[v] == -2:
                continue
            nd = du + cost[e]
            if nd < dist[v]:
                dist[v] = nd
                pred[v] = e
                i = pos[v]
                if i == -1:
                    i = size
                    size += 1
                while i > 0:  # sift up
                    p = (i - 1) >> 1
                    if dist[heap[p]] <= nd:
                        break
                    heap[i] = heap[p]
                    pos[heap[i]] = i
                    i = p
                heap[i] = v
                pos[v] = i
    return settled


@njit(cache=True, parallel=True)
def floor_load(indptr, head, tail, cost, first_thru, demand, flows):  # type: ignore[no-untyped-def]
    """Load ``demand`` on shortest paths; ``flows`` is ``(threads, links)`` scratch."""
    n = indptr.shape[0] - 1
    z = demand.shape[0]
    chunks = flows.shape[0]
    for c in prange(chunks):
        dist = np.empty(n)
        pred = np.empty(n, dtype=np.int64)
        order = np.empty(n, dtype=np.int64)
        heap = np.empty(n, dtype=np.int64)
        pos = np.empty(n, dtype=np.int64)
        load = np.zeros(n)
        flow = flows[c]
        flow[:] = 0.0
        for o in range(c, z, chunks):
            settled = _tree(o, indptr, head, cost, first_thru, dist, pred, order, heap, pos)
            for d in range(z):
                load[d] = demand[o, d] if d != o else 0.0
            for k in range(settled - 1, 0, -1):
                v = order[k]
                if load[v] != 0.0:
                    e = pred[v]
                    flow[e] += load[v]
                    load[tail[e]] += load[v]
                    load[v] = 0.0
    return flows.sum(axis=0)


def floor_flows(g, cost: np.ndarray, demand: np.ndarray, threads: int) -> np.ndarray:  # type: ignore[no-untyped-def]
    """All-or-nothing link flows (CSR order) of an assignment graph ``g`` at ``cost``."""
    flows = np.empty((threads, g.n_links))
    old = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        return floor_load(g.indptr, g.head, g.tail, cost, g.first_thru, demand, flows)  # type: ignore[no-any-return]
    finally:
        numba.set_num_threads(old)
