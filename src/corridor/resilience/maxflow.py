"""Max-flow / min-cut capacity between two regions of a compiled network.

The kernel (:func:`max_flow`) is Dinic's algorithm in plain Python on arc
arrays; :func:`region_cut` builds its input from a loaded network:

* a super-source joined to the gates of every node in the origin region, and
  the gates of every node in the destination region joined to a super-sink
  (unlimited arcs); other gates are dropped, since a gate is an end of a
  journey and is never passed through;
* every edge the commodity's modes may use, with its element's capacity in
  the commodity's unit (:meth:`~corridor.capacity.elements.Capacities.use_per_unit`:
  tonnes for bulk where a tonne capacity is stated);
* an element that several edges share (a terminal's loading, unloading and
  transfer edges count against one capacity) is split into an ``in`` and an
  ``out`` vertex joined by one arc of its capacity, every edge of the element
  running into ``in`` and out of ``out``. This is exact for the shared
  capacity; it treats the terminal as a hub (any of its edges' tails reaches
  any of their heads), which adds no connection the compiled graph lacks as
  long as a terminal's mode changes connect all the modes it handles, as the
  compiler builds them.

The capacity is the full yearly capacity of the scenario's network, not the
room left after its loads: the most the region pair could move if it had the
network to itself.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from corridor.errors import UnknownIdError
from corridor.loaded.network import LoadedNetwork
from corridor.model.network import split_list
from corridor.paths.search import Constraints, masks

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class FlowResult:
    """A maximum flow: its value, the flow on each arc and the source side of a min cut."""

    value: float
    flow: FloatArray
    source_side: BoolArray

    def cut_arcs(self, tail: IntArray, head: IntArray) -> IntArray:
        """Arcs from the source side to the sink side (their capacities sum to ``value``)."""
        s = self.source_side
        out: IntArray = np.flatnonzero(s[tail] & ~s[head]).astype(np.int64)
        return out


def max_flow(
    n_vertices: int,
    tail: IntArray,
    head: IntArray,
    capacity: FloatArray,
    source: int,
    sink: int,
) -> FlowResult:
    """Maximum flow from ``source`` to ``sink`` (Dinic), with a minimum cut.

    Capacities may be ``inf``; if an unlimited path joins source and sink the
    value is ``inf`` and the cut is empty.

    Examples
    --------
    >>> import numpy as np
    >>> r = max_flow(4, np.array([0, 0, 1, 2]), np.array([1, 2, 3, 3]),
    ...              np.array([3.0, 2.0, 1.0, 5.0]), 0, 3)
    >>> float(r.value), r.source_side.tolist()
    (3.0, [True, True, False, False])
    """
    tail = np.asarray(tail, dtype=np.int64)
    head = np.asarray(head, dtype=np.int64)
    cap = np.asarray(capacity, dtype=np.float64)
    if source == sink:
        raise ValueError("source and sink must differ")
    if (cap < 0).any() or np.isnan(cap).any():
        raise ValueError("capacities must be non-negative numbers")
    m = len(tail)
    # residual arcs: 2k forward, 2k+1 backward
    to = np.empty(2 * m, dtype=np.int64)
    to[0::2], to[1::2] = head, tail
    res = np.empty(2 * m, dtype=np.float64)
    res[0::2], res[1::2] = cap, 0.0
    adj: list[list[int]] = [[] for _ in range(n_vertices)]
    for k in range(m):
        adj[int(tail[k])].append(2 * k)
        adj[int(head[k])].append(2 * k + 1)
    unlimited = _reach(adj, to, np.where(np.isinf(res), 1.0, 0.0), source, 0.0)
    if unlimited[sink]:
        return FlowResult(float("inf"), np.where(np.isinf(cap), np.inf, 0.0), unlimited)
    finite = cap[np.isfinite(cap)]
    eps = 1e-12 * max(float(finite.sum()) if finite.size else 1.0, 1.0)
    resid = res.tolist()
    targets = to.tolist()
    value = 0.0
    while True:
        level = _levels(adj, targets, resid, source, eps)
        if level[sink] < 0:
            break
        pointer = [0] * n_vertices
        while True:
            pushed = _augment(adj, targets, resid, level, pointer, source, sink, eps)
            if pushed <= 0:
                break
            value += pushed
    res = np.asarray(resid, dtype=np.float64)
    finite_cap = np.where(np.isinf(cap), 0.0, cap)
    flow = np.where(np.isinf(cap), res[1::2], finite_cap - res[0::2])
    side = _reach(adj, to, res, source, eps)
    return FlowResult(value, np.maximum(flow, 0.0), side)


def _levels(adj: list[list[int]], to: list[int], res: list[float], s: int, eps: float) -> list[int]:
    level = [-1] * len(adj)
    level[s] = 0
    queue = deque([s])
    while queue:
        v = queue.popleft()
        for a in adj[v]:
            w = to[a]
            if res[a] > eps and level[w] < 0:
                level[w] = level[v] + 1
                queue.append(w)
    return level


def _augment(
    adj: list[list[int]],
    to: list[int],
    res: list[float],
    level: list[int],
    pointer: list[int],
    s: int,
    t: int,
    eps: float,
) -> float:
    """One blocking-flow path by iterative DFS on the level graph; 0 when none is left."""
    path: list[int] = []
    v = s
    while True:
        if v == t:
            pushed = min(res[a] for a in path)
            for a in path:
                res[a] -= pushed
                res[a ^ 1] += pushed
            return pushed
        arcs = adj[v]
        while pointer[v] < len(arcs):
            a = arcs[pointer[v]]
            w = to[a]
            if res[a] > eps and level[w] == level[v] + 1:
                break
            pointer[v] += 1
        if pointer[v] < len(arcs):
            path.append(arcs[pointer[v]])
            v = to[arcs[pointer[v]]]
            continue
        if not path:
            return 0.0
        level[v] = -1  # dead end: never enter again in this phase
        a = path.pop()
        v = to[a ^ 1]
        pointer[v] += 1


def _reach(adj: list[list[int]], to: IntArray, res: FloatArray, s: int, eps: float) -> BoolArray:
    seen = np.zeros(len(adj), dtype=bool)
    seen[s] = True
    stack = [s]
    while stack:
        v = stack.pop()
        for a in adj[v]:
            w = int(to[a])
            if res[a] > eps and not seen[w]:
                seen[w] = True
                stack.append(w)
    return seen


@dataclass(frozen=True)
class RegionCut:
    """Max-flow capacity between two regions for one commodity, and its min cut.

    ``capacity`` is per year in the commodity's unit; ``cut`` holds the ids of
    the elements whose capacities sum to it (``cut_keys`` their
    ``(table, id, from, to)``); ``message`` says why it is zero or unlimited.
    """

    origin: str
    destination: str
    commodity: str
    unit: str
    capacity: float
    cut: tuple[str, ...]
    cut_keys: tuple[tuple[str, str, str, str], ...]
    message: str

    def to_dict(self) -> dict[str, object]:
        """JSON record (``capacity_per_year`` is ``None`` when unlimited)."""
        return {
            "origin_region": self.origin,
            "destination_region": self.destination,
            "commodity": self.commodity,
            "unit": self.unit,
            "capacity_per_year": self.capacity if np.isfinite(self.capacity) else None,
            "cut": list(self.cut),
            "cut_elements": [
                {"table": k[0], "id": k[1], "from": k[2], "to": k[3]} for k in self.cut_keys
            ],
            "message": self.message,
        }


def region_nodes(loaded: LoadedNetwork, region: str) -> list[str]:
    """Ids of the nodes in the countries of ``region`` (``regions.csv``)."""
    regions = loaded.network.tables["regions"]
    row = loaded.network.row("regions", region)
    if row is None:
        known = ", ".join(str(r) for r in regions["id"])
        raise UnknownIdError(f"unknown region '{region}' (known: {known})")
    countries = set(split_list(row["countries"]))
    g = loaded.graph
    return [n for n, c in zip(g.node_ids, g.node_country, strict=True) if c in countries]


def region_cut(
    loaded: LoadedNetwork, origin: str, destination: str, commodity: str = "containers"
) -> RegionCut:
    """Max-flow capacity and min cut from region ``origin`` to region ``destination``.

    See the module docs for the flow network.

    Examples
    --------
    >>> from corridor import load_network
    >>> from corridor.loaded.prepare import prepare
    >>> from corridor.resilience.disruptions import stress_scenario
    >>> no_russia = prepare(stress_scenario(load_network(), close=("RU", "BY")))
    >>> cut = region_cut(no_russia, "central_asia", "europe", "crude_oil")
    >>> "s_kmtf_tankers_aktau_sangachal" in cut.cut
    True
    """
    g = loaded.graph
    caps = loaded.capacities
    com = loaded.network.row("commodities", commodity)
    if com is None:
        raise UnknownIdError(f"unknown commodity '{commodity}'")
    unit = str(com["unit"])
    per_teu = float(com["tonnes_per_teu"])
    teu_per_unit, t_per_unit = (1.0, per_teu) if unit == "teu" else (1.0 / per_teu, 1.0)
    use = caps.use_per_unit(unit, teu_per_unit, t_per_unit)
    with np.errstate(divide="ignore"):
        units = np.where(use > 0, 1.0 / np.where(use > 0, use, 1.0), np.inf)
    sources = {g.gate(n) for n in region_nodes(loaded, origin)}
    sinks = {g.gate(n) for n in region_nodes(loaded, destination)}
    vertex_ok, _ = masks(g, Constraints(modes=frozenset(split_list(com["modes"]))))
    edge_ok = vertex_ok[g.tail] & vertex_ok[g.head] & np.isfinite(g.hours())
    gate = np.arange(g.n_vertices) < g.n_gates
    tails, heads = g.tail.astype(np.int64), g.head.astype(np.int64)
    keep_tail = ~gate[tails] | np.isin(tails, list(sources))
    keep_head = ~gate[heads] | np.isin(heads, list(sinks))
    edge_ok &= keep_tail & keep_head
    shared = np.bincount(caps.element_of[caps.element_of >= 0], minlength=caps.n) > 1

    n = g.n_vertices
    arc_tail: list[int] = []
    arc_head: list[int] = []
    arc_cap: list[float] = []
    arc_element: list[int] = []
    split: dict[int, int] = {}

    def arc(a: int, b: int, c: float, element: int = -1) -> None:
        arc_tail.append(a)
        arc_head.append(b)
        arc_cap.append(c)
        arc_element.append(element)

    for e in np.flatnonzero(edge_ok).tolist():
        i = int(caps.element_of[e])
        a, b = int(tails[e]), int(heads[e])
        if i < 0:
            arc(a, b, np.inf)
        elif not shared[i]:
            arc(a, b, float(units[i]), i)
        else:
            if i not in split:
                split[i] = n
                arc(n, n + 1, float(units[i]), i)
                n += 2
            arc(a, split[i], np.inf)
            arc(split[i] + 1, b, np.inf)
    source, sink = n, n + 1
    for v in sorted(sources):
        arc(source, v, np.inf)
    for v in sorted(sinks):
        arc(v, sink, np.inf)
    tail_a = np.asarray(arc_tail, dtype=np.int64)
    head_a = np.asarray(arc_head, dtype=np.int64)
    result = max_flow(n + 2, tail_a, head_a, np.asarray(arc_cap, dtype=np.float64), source, sink)
    what = f"{commodity} from {origin} to {destination}"
    if not np.isfinite(result.value):
        via = _unlimited_path(loaded, n + 2, tail_a, head_a, np.asarray(arc_cap), source, sink)
        return RegionCut(
            origin, destination, commodity, unit, result.value, (), (),
            f"unlimited: the dataset states no capacity on a route carrying {what} "
            f"(via {' → '.join(via)})",
        )  # fmt: skip
    elements = sorted(
        {
            arc_element[k]
            for k in result.cut_arcs(tail_a, head_a).tolist()
            if arc_element[k] >= 0 and arc_cap[k] > 0
        }
    )
    if result.value <= 0:
        return RegionCut(
            origin, destination, commodity, unit, 0.0, (), (),
            f"no open route carries {what}: every route is closed",
        )  # fmt: skip
    keys = tuple(caps.key[i] for i in elements)
    ids = tuple(dict.fromkeys(k[1] for k in keys))
    return RegionCut(origin, destination, commodity, unit, result.value, ids, keys, "")


def _unlimited_path(
    loaded: LoadedNetwork,
    n: int,
    tail: IntArray,
    head: IntArray,
    cap: FloatArray,
    source: int,
    sink: int,
) -> list[str]:
    """Node ids along one path of unlimited arcs from source to sink (breadth first)."""
    g = loaded.graph
    parent = {source: -1}
    queue = deque([source])
    out_arcs: list[list[int]] = [[] for _ in range(n)]
    for k in np.flatnonzero(np.isinf(cap)).tolist():
        out_arcs[int(tail[k])].append(k)
    while queue and sink not in parent:
        v = queue.popleft()
        for k in out_arcs[v]:
            w = int(head[k])
            if w not in parent:
                parent[w] = v
                queue.append(w)
    vertices = []
    v = parent.get(sink, -1)
    while v >= 0 and v != source:
        vertices.append(v)
        v = parent[v]
    nodes: list[str] = []
    for v in reversed(vertices):
        if v < g.n_vertices:
            node = g.node_ids[int(g.vertex_node[v])]
            if not nodes or nodes[-1] != node:
                nodes.append(node)
    return nodes
