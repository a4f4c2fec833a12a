"""Single-source (or multi-seed) shortest paths over CSR arrays.

The kernel is a binary-heap Dijkstra compiled with numba. Vertices below
``n_gates`` are gates (TNTP zones below the first thru node): a path may start
or end at one but never pass through it.
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
def _dijkstra(  # pragma: no cover - compiled
    indptr: IntArray,
    head: npt.NDArray[np.int32],
    weight: FloatArray,
    edge_ok: BoolArray,
    vertex_ok: BoolArray,
    n_gates: int,
    dist: FloatArray,
    pred: IntArray,
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


def shortest_tree(
    indptr: IntArray,
    head: npt.NDArray[np.int32],
    weight: FloatArray,
    seeds: dict[int, float],
    *,
    n_gates: int = 0,
    edge_ok: BoolArray | None = None,
    vertex_ok: BoolArray | None = None,
) -> tuple[FloatArray, IntArray]:
    """Shortest distances and predecessor edges from one or more seeded vertices.

    Parameters
    ----------
    indptr, head
        CSR adjacency: the edges leaving vertex ``u`` are ``indptr[u]:indptr[u+1]``.
    weight
        Non-negative weight per edge.
    seeds
        Start vertices with their initial distance (usually ``{source: 0.0}``).
    n_gates
        Vertices ``0 .. n_gates-1`` may start or end a path but not be passed through.
    edge_ok, vertex_ok
        Masks of usable edges and vertices (default: all usable).

    Returns
    -------
    dist, pred
        ``dist[v]`` (``inf`` if unreachable) and the edge entering ``v`` on its
        shortest path (``-1`` for seeds and unreachable vertices).

    Examples
    --------
    >>> import numpy as np
    >>> indptr = np.array([0, 2, 3, 3]); head = np.array([1, 2, 2], dtype=np.int32)
    >>> dist, pred = shortest_tree(indptr, head, np.array([1.0, 5.0, 1.0]), {0: 0.0})
    >>> dist.tolist(), pred.tolist()
    ([0.0, 1.0, 2.0], [-1, 0, 2])
    """
    n = indptr.shape[0] - 1
    m = head.shape[0]
    if weight.shape[0] != m:
        raise ValueError(f"weight has {weight.shape[0]} entries for {m} edges")
    if m and float(np.min(weight)) < 0:
        raise ValueError("Dijkstra needs non-negative weights")
    dist = np.full(n, np.inf)
    for v, d0 in seeds.items():
        dist[v] = min(dist[v], d0)
    pred = np.empty(n, dtype=np.int64)
    _dijkstra(
        np.ascontiguousarray(indptr, dtype=np.int64),
        np.ascontiguousarray(head, dtype=np.int32),
        np.ascontiguousarray(weight, dtype=np.float64),
        np.ones(m, dtype=np.bool_) if edge_ok is None else edge_ok,
        np.ones(n, dtype=np.bool_) if vertex_ok is None else vertex_ok,
        n_gates,
        dist,
        pred,
    )
    return dist, pred


def trace_back(tail: npt.NDArray[np.int32], pred: IntArray, vertex: int) -> tuple[list[int], int]:
    """Edges of the tree path ending at ``vertex``, in order, and the vertex it starts from.

    Examples
    --------
    >>> import numpy as np
    >>> trace_back(np.array([0, 1], dtype=np.int32), np.array([-1, 0, 1]), 2)
    ([0, 1], 0)
    """
    edges: list[int] = []
    v = vertex
    while pred[v] >= 0:
        e = int(pred[v])
        edges.append(e)
        v = int(tail[e])
    edges.reverse()
    return edges, v
