"""Single-source (or multi-seed) shortest paths over CSR arrays.

Two kernels compute the same binary-heap Dijkstra: one compiled with numba
(:mod:`corridor.graph.dijkstra_jit`) for large graphs, and one in plain
Python (``heapq``) for small ones, where loading numba costs more than the
searches themselves (the default dataset has under a thousand edges). Each is
the other's oracle in the tests, with NetworkX as the outside reference.
Vertices below ``n_gates`` are gates (TNTP zones below the first thru node): a
path may start or end at one but never pass through it.
"""

from __future__ import annotations

import heapq

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: Graphs with fewer edges than this use the plain-Python kernel under ``method="auto"``.
SMALL_GRAPH_EDGES = 20_000


def shortest_tree(
    indptr: IntArray,
    head: npt.NDArray[np.int32],
    weight: FloatArray,
    seeds: dict[int, float],
    *,
    n_gates: int = 0,
    edge_ok: BoolArray | None = None,
    vertex_ok: BoolArray | None = None,
    targets: npt.ArrayLike | None = None,
    method: str = "auto",
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
    targets
        If given, stop once every one of these vertices is settled: only their
        distances (and the paths to them) are then final.
    method
        ``"jit"`` (numba), ``"python"`` or ``"auto"`` (Python below
        :data:`SMALL_GRAPH_EDGES` edges).

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
    e_ok = np.ones(m, dtype=np.bool_) if edge_ok is None else edge_ok
    v_ok = np.ones(n, dtype=np.bool_) if vertex_ok is None else vertex_ok
    is_target = np.zeros(n, dtype=np.bool_)
    if targets is not None:
        is_target[np.asarray(targets, dtype=np.int64)] = True
    n_targets = int(is_target.sum()) if targets is not None else -1
    if method not in ("auto", "jit", "python"):
        raise ValueError(f"method must be auto, jit or python, not {method!r}")
    if method == "python" or (method == "auto" and m < SMALL_GRAPH_EDGES):
        _dijkstra_python(
            indptr, head, weight, e_ok, v_ok, n_gates, dist, pred, set(seeds), is_target, n_targets
        )
        return dist, pred
    from corridor.graph.dijkstra_jit import dijkstra

    dijkstra(
        np.ascontiguousarray(indptr, dtype=np.int64),
        np.ascontiguousarray(head, dtype=np.int32),
        np.ascontiguousarray(weight, dtype=np.float64),
        e_ok,
        v_ok,
        n_gates,
        dist,
        pred,
        is_target,
        n_targets,
    )
    return dist, pred


def _dijkstra_python(
    indptr: IntArray,
    head: npt.NDArray[np.int32],
    weight: FloatArray,
    edge_ok: BoolArray,
    vertex_ok: BoolArray,
    n_gates: int,
    dist: FloatArray,
    pred: IntArray,
    seeds: set[int],
    is_target: BoolArray,
    n_targets: int,
) -> None:
    """The same search as the compiled kernel, on Python lists with ``heapq``."""
    starts = indptr.tolist()
    heads = head.tolist()
    weights = weight.tolist()
    e_ok = edge_ok.tolist()
    v_ok = vertex_ok.tolist()
    d = dist.tolist()
    p = [-1] * len(d)
    target = is_target.tolist()
    heap = [(d[v], v) for v in seeds]
    heapq.heapify(heap)
    done = [False] * len(d)
    while heap:
        du, u = heapq.heappop(heap)
        if done[u] or du > d[u]:
            continue
        done[u] = True
        if target[u]:
            n_targets -= 1
            if n_targets == 0:
                break
        if u < n_gates and u not in seeds:
            continue
        for e in range(starts[u], starts[u + 1]):
            if not e_ok[e]:
                continue
            v = heads[e]
            if not v_ok[v] or done[v]:
                continue
            nd = du + weights[e]
            if nd < d[v]:
                d[v] = nd
                p[v] = e
                heapq.heappush(heap, (nd, v))
    dist[:] = d
    pred[:] = p


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
