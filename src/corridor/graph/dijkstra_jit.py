"""The compiled (numba) binary-heap Dijkstra behind :func:`corridor.graph.shortest.shortest_tree`.

Imported only for graphs large enough to pay numba's start-up cost.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@njit(cache=True, inline="always")
def _push(  # pragma: no cover - compiled
    hkey: FloatArray, hval: IntArray, size: int, key: float, value: int
) -> int:
    """Push onto a binary min-heap stored in two arrays; return the new size."""
    i = size
    hkey[i] = key
    hval[i] = value
    while i > 0:
        p = (i - 1) >> 1
        if hkey[p] <= hkey[i]:
            break
        hkey[p], hkey[i] = hkey[i], hkey[p]
        hval[p], hval[i] = hval[i], hval[p]
        i = p
    return size + 1


@njit(cache=True)
def dijkstra(  # pragma: no cover - compiled
    indptr: IntArray,
    head: npt.NDArray[np.int32],
    weight: FloatArray,
    edge_ok: BoolArray,
    vertex_ok: BoolArray,
    n_gates: int,
    dist: FloatArray,
    pred: IntArray,
    is_target: BoolArray,
    n_targets: int,
) -> None:
    n = dist.shape[0]
    m = head.shape[0]
    cap = m + n + 1
    hkey = np.empty(cap, dtype=np.float64)
    hval = np.empty(cap, dtype=np.int64)
    size = 0
    done = np.zeros(n, dtype=np.bool_)
    seed = np.zeros(n, dtype=np.bool_)
    for v in range(n):
        pred[v] = -1
        if dist[v] < np.inf:
            seed[v] = True
            size = _push(hkey, hval, size, dist[v], v)
    while size > 0:
        d = hkey[0]
        u = hval[0]
        size -= 1
        hkey[0] = hkey[size]
        hval[0] = hval[size]
        i = 0
        while True:
            left = 2 * i + 1
            if left >= size:
                break
            c = left
            if left + 1 < size and hkey[left + 1] < hkey[left]:
                c = left + 1
            if hkey[i] <= hkey[c]:
                break
            hkey[c], hkey[i] = hkey[i], hkey[c]
            hval[c], hval[i] = hval[i], hval[c]
            i = c
        if done[u] or d > dist[u]:
            continue
        done[u] = True
        if is_target[u]:
            n_targets -= 1
            if n_targets == 0:
                break
        if u < n_gates and not seed[u]:
            continue
        for e in range(indptr[u], indptr[u + 1]):
            if not edge_ok[e]:
                continue
            v = head[e]
            if not vertex_ok[v] or done[v]:
                continue
            nd = d + weight[e]
            if nd < dist[v]:
                dist[v] = nd
                pred[v] = e
                size = _push(hkey, hval, size, nd, v)
