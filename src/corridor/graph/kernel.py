"""The one shortest-path kernel (numba): indexed binary heap over a layered state space.

Every search in the package runs here: door-to-door routes with via groups,
the loaded-network fixed point, k alternatives, and the all-or-nothing loading
of the equilibrium engine (:mod:`corridor.assignment.kernels`).

State ``s = k * n + v`` is vertex ``v`` in layer ``k``. Layer ``k`` means "the
first ``k`` via groups have been passed"; entering ``v`` from layer ``k`` moves
to layer ``step[k, v]`` (``k + 1`` when ``v`` belongs to group ``k``, repeated
while the next group also contains ``v``). With one layer this is plain
Dijkstra; with ``G`` groups it is exact for ordered via constraints, because
every walk through the groups in order is a path of the layered graph.

Vertices below ``first_thru`` (gates, TNTP zones) other than the origin are
settled but never expanded: a path may end at one but not pass through it.
Edges with cost ``inf`` are unusable (masks are folded into the cost).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
Int32Array = NDArray[np.int32]

_UNSEEN = -1
_SETTLED = -2


@njit(cache=True)
def _sift_up(  # pragma: no cover - compiled
    heap: IntArray, pos: IntArray, dist: FloatArray, i: int
) -> None:
    v = heap[i]
    key = dist[v]
    while i > 0:
        parent = (i - 1) >> 1
        p = heap[parent]
        if dist[p] <= key:
            break
        heap[i] = p
        pos[p] = i
        i = parent
    heap[i] = v
    pos[v] = i


@njit(cache=True)
def _sift_down(  # pragma: no cover - compiled
    heap: IntArray, pos: IntArray, dist: FloatArray, size: int
) -> None:
    v = heap[0]
    key = dist[v]
    i = 0
    while True:
        child = 2 * i + 1
        if child >= size:
            break
        right = child + 1
        if right < size and dist[heap[right]] < dist[heap[child]]:
            child = right
        c = heap[child]
        if dist[c] >= key:
            break
        heap[i] = c
        pos[c] = i
        i = child
    heap[i] = v
    pos[v] = i


@njit(cache=True)
def dijkstra(  # pragma: no cover - compiled
    origin: int,
    indptr: IntArray,
    head: Int32Array,
    cost: FloatArray,
    first_thru: int,
    step: Int32Array,
    state_ok: NDArray[np.bool_],
    n_zones: int,
    wanted: FloatArray,
    n_wanted: int,
    dist: FloatArray,
    pred: IntArray,
    back: IntArray,
    order: IntArray,
    heap: IntArray,
    pos: IntArray,
) -> int:
    """Grow the shortest-path tree from vertex ``origin``; return the number of settled states.

    ``step`` has shape ``(layers, n)`` (see module docs); ``dist``, ``pred``,
    ``order``, ``heap`` and ``pos`` have ``layers * n`` entries. The search
    stops once ``n_wanted`` zones ``z < n_zones`` with ``wanted[z] > 0`` are
    settled in the last layer (``n_wanted < 0``: settle everything reachable).
    On return ``order`` holds the settled states in settling order, ``dist``
    their distances and ``pred`` the edge into each (``-1`` for the origin and
    unreached states). With more than one layer ``back`` holds each state's
    predecessor state, so a walk can be traced across layers (with one layer
    it is not written: the predecessor is the edge's tail). ``state_ok``, if
    not empty, masks states (a vertex allowed in some layers only).
    """
    n = indptr.shape[0] - 1
    layers = step.shape[0]
    last = layers - 1
    masked = state_ok.shape[0] > 0
    n_states = layers * n
    for s in range(n_states):
        dist[s] = math.inf
        pred[s] = -1
        pos[s] = _UNSEEN
    start = step[0, origin] * n + origin if layers > 1 else origin
    dist[start] = 0.0
    heap[0] = start
    pos[start] = 0
    size = 1
    settled = 0
    found = 0
    while size > 0:
        s = heap[0]
        size -= 1
        if size > 0:
            heap[0] = heap[size]
            pos[heap[0]] = 0
            _sift_down(heap, pos, dist, size)
        pos[s] = _SETTLED
        order[settled] = s
        settled += 1
        k = s // n if layers > 1 else 0
        u = s - k * n
        if k == last and u < n_zones and u != origin and wanted[u] > 0.0:
            found += 1
            if found == n_wanted:
                break
        if u < first_thru and u != origin:
            continue
        du = dist[s]
        for e in range(indptr[u], indptr[u + 1]):
            c = cost[e]
            if c == math.inf:
                continue
            v = head[e]
            t = step[k, v] * n + v if layers > 1 else v
            if masked and not state_ok[t]:
                continue
            p = pos[t]
            if p == _SETTLED:
                continue
            nd = du + c
            if nd < dist[t]:
                dist[t] = nd
                pred[t] = e
                if layers > 1:
                    back[t] = s
                if p == _UNSEEN:
                    heap[size] = t
                    pos[t] = size
                    size += 1
                    _sift_up(heap, pos, dist, size - 1)
                else:
                    _sift_up(heap, pos, dist, p)
    return settled


def layer_steps(n: int, groups: list[NDArray[np.intp]]) -> Int32Array:
    """The ``step`` table of :func:`dijkstra` for ordered via groups of vertices.

    Examples
    --------
    >>> import numpy as np
    >>> layer_steps(3, [np.array([1]), np.array([1, 2])]).tolist()
    [[0, 2, 0], [1, 2, 2], [2, 2, 2]]
    """
    layers = len(groups) + 1
    step = np.empty((layers, n), dtype=np.int32)
    member = np.zeros((layers, n), dtype=bool)
    for k, group in enumerate(groups):
        member[k, np.asarray(group, dtype=np.intp)] = True
    for k in range(layers):
        row = np.full(n, k, dtype=np.int32)
        for j in range(k, layers - 1):
            # vertices in groups k .. j pass all of them on arrival
            row[(row == j) & member[j]] = j + 1
        step[k] = row
    return step
