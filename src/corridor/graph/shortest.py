"""Validated entry points to the one search kernel (:mod:`corridor.graph.kernel`).

:func:`shortest_tree` grows a full tree (k alternatives, reachability);
:func:`best_walk` finds the least-weight walk from a source to a target through
ordered via groups, exactly, on the layered state space. Masks of usable
edges and vertices are folded into the weights (``inf`` = unusable). Vertices
below ``n_gates`` are gates: a path may start or end at one but never pass
through it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def masked_weight(
    head: npt.NDArray[np.int32],
    weight: FloatArray,
    edge_ok: BoolArray | None = None,
    vertex_ok: BoolArray | None = None,
) -> FloatArray:
    """Weights with ``inf`` on edges that are masked or enter a masked vertex."""
    if head.shape[0] and float(np.min(weight)) < 0:
        raise ValueError("Dijkstra needs non-negative weights")
    ok = np.ones(head.shape[0], dtype=bool) if edge_ok is None else edge_ok.copy()
    if vertex_ok is not None:
        ok &= vertex_ok[head]
    return np.where(ok, np.asarray(weight, dtype=np.float64), np.inf)


def shortest_tree(
    indptr: IntArray,
    head: npt.NDArray[np.int32],
    weight: FloatArray,
    source: int,
    *,
    n_gates: int = 0,
    edge_ok: BoolArray | None = None,
    vertex_ok: BoolArray | None = None,
) -> tuple[FloatArray, IntArray]:
    """Shortest distances and predecessor edges from ``source`` to every vertex.

    Returns ``dist`` (``inf`` if unreachable) and ``pred``, the edge entering
    each vertex on its shortest path (``-1`` for the source and unreachable
    vertices).

    Examples
    --------
    >>> import numpy as np
    >>> indptr = np.array([0, 2, 3, 3]); head = np.array([1, 2, 2], dtype=np.int32)
    >>> dist, pred = shortest_tree(indptr, head, np.array([1.0, 5.0, 1.0]), 0)
    >>> dist.tolist(), pred.tolist()
    ([0.0, 1.0, 2.0], [-1, 0, 2])
    """
    n = indptr.shape[0] - 1
    if weight.shape[0] != head.shape[0]:
        raise ValueError(f"weight has {weight.shape[0]} entries for {head.shape[0]} edges")
    from corridor.graph.kernel import dijkstra  # numba: loaded when a search runs

    cost = masked_weight(head, weight, edge_ok, vertex_ok)
    dist = np.empty(n)
    pred = np.empty(n, dtype=np.int64)
    dijkstra(
        int(source),
        np.ascontiguousarray(indptr, dtype=np.int64),
        np.ascontiguousarray(head, dtype=np.int32),
        cost,
        int(n_gates),
        np.zeros((1, n), dtype=np.int32),
        np.zeros(0, dtype=np.bool_),
        0,
        np.zeros(1),
        -1,
        dist,
        pred,
        np.empty(0, dtype=np.int64),
        np.empty(n, dtype=np.int64),
        np.empty(n, dtype=np.int64),
        np.empty(n, dtype=np.int64),
    )
    return dist, pred


def best_walk(
    indptr: IntArray,
    head: npt.NDArray[np.int32],
    tail: npt.NDArray[np.int32],
    weight: FloatArray,
    source: int,
    target: int,
    *,
    n_gates: int = 0,
    groups: Sequence[npt.NDArray[np.intp]] = (),
    edge_ok: BoolArray | None = None,
    vertex_ok: BoolArray | None = None,
    state_ok: BoolArray | None = None,
    masked: bool = False,
) -> tuple[float, list[int], list[int]] | None:
    """Least-weight walk from ``source`` to gate ``target`` through the groups in order.

    Exact: the walk is a shortest path of the layered graph (module docs of
    :mod:`corridor.graph.kernel`). ``masked=True`` says ``weight`` already
    holds ``inf`` on unusable edges (no masks are applied then); ``state_ok``
    (``layers × n`` flattened, layer-major) allows a vertex in some layers only.
    Returns the weight, the edges and the layer on arrival at each edge's head,
    or ``None`` when no walk satisfies the constraints.

    Examples
    --------
    >>> import numpy as np
    >>> # 0 -> 1 -> 2 directly (cost 2) or through 3 (cost 4)
    >>> indptr = np.array([0, 2, 3, 3, 4])
    >>> head = np.array([1, 3, 2, 2], dtype=np.int32)
    >>> tail = np.array([0, 0, 1, 3], dtype=np.int32)
    >>> w = np.array([1.0, 2.0, 1.0, 2.0])
    >>> best_walk(indptr, head, tail, w, 0, 2)
    (2.0, [0, 2], [0, 0])
    >>> best_walk(indptr, head, tail, w, 0, 2, groups=[np.array([3])])
    (4.0, [1, 3], [1, 1])
    """
    n = indptr.shape[0] - 1
    if target >= max(n_gates, 1) and n_gates > 0:
        raise ValueError("the target of a walk must be a gate")
    from corridor.graph.kernel import dijkstra, layer_steps  # numba: loaded when a search runs

    cost = weight if masked else masked_weight(head, weight, edge_ok, vertex_ok)
    step = layer_steps(n, list(groups)) if len(groups) else np.zeros((1, n), dtype=np.int32)
    states = step.shape[0] * n
    dist = np.empty(states)
    pred = np.empty(states, dtype=np.int64)
    back = np.empty(states, dtype=np.int64)
    wanted = np.zeros(max(n_gates, target + 1))
    wanted[target] = 1.0
    dijkstra(
        int(source),
        np.ascontiguousarray(indptr, dtype=np.int64),
        np.ascontiguousarray(head, dtype=np.int32),
        np.ascontiguousarray(cost, dtype=np.float64),
        int(n_gates),
        step,
        np.zeros(0, dtype=np.bool_) if state_ok is None else state_ok,
        wanted.shape[0],
        wanted,
        1,
        dist,
        pred,
        back,
        np.empty(states, dtype=np.int64),
        np.empty(states, dtype=np.int64),
        np.empty(states, dtype=np.int64),
    )
    s = (step.shape[0] - 1) * n + target
    if not np.isfinite(dist[s]):
        return None
    total = float(dist[s])
    edges: list[int] = []
    layer: list[int] = []
    layered = step.shape[0] > 1
    while pred[s] >= 0:
        e = int(pred[s])
        edges.append(e)
        layer.append(s // n)
        s = int(back[s]) if layered else int(tail[e])
    edges.reverse()
    layer.reverse()
    return total, edges, layer


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
