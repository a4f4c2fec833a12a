"""The array-level assignment graph: links in CSR order by tail, with their cost-function data.

Every kernel of :mod:`corridor.assignment` reads only these arrays. Links are stored
sorted by tail vertex (``indptr[v]:indptr[v + 1]`` are the links leaving ``v``);
``link_index`` maps each stored link back to its row in the source table so results
come back in the caller's order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

from corridor.errors import DataError
from corridor.io.tntp import TntpNetwork

__all__ = ["VDF_BPR", "VDF_QUEUE", "AssignmentGraph", "build_graph", "from_tntp"]

#: Volume-delay function codes stored per link in :attr:`AssignmentGraph.vdf`.
VDF_BPR = 0
VDF_QUEUE = 1

FloatArray = NDArray[np.float64]
_T = TypeVar("_T", bound=np.generic)


@dataclass(frozen=True, eq=False)
class AssignmentGraph:
    """Contiguous link arrays for assignment, in CSR order by tail vertex.

    Vertices are ``0..n_nodes - 1``; zones are ``0..n_zones - 1``. A vertex below
    ``first_thru`` is a path end only: a path may start or end there but never pass
    through it (TNTP ``<FIRST THRU NODE>`` minus one).

    Per link: ``free_flow_time`` (time units), ``capacity`` (flow units; ``0`` or
    ``inf`` means the cost is constant), ``alpha`` and ``beta`` (BPR ``b`` and
    ``power``; for queue links the scale and exponent from
    :func:`corridor.assignment.vdf.queue_parameters`), ``vdf`` (``VDF_BPR`` or
    ``VDF_QUEUE``), ``toll`` and ``length`` (added to the cost through the toll and
    distance factors of :func:`corridor.assignment.assign`).

    ``group`` numbers the capacity each link uses: links of one group (a terminal's
    loading, unloading and transfer edges) share one volume-delay function, evaluated
    at their summed volume; ``group_rep`` marks one link per group. Without shared
    capacities every link is its own group.
    """

    n_nodes: int
    n_zones: int
    first_thru: int
    indptr: NDArray[np.int64]
    tail: NDArray[np.int32]
    head: NDArray[np.int32]
    free_flow_time: FloatArray
    capacity: FloatArray
    alpha: FloatArray
    beta: FloatArray
    vdf: NDArray[np.int8]
    toll: FloatArray
    length: FloatArray
    link_index: NDArray[np.int64]
    node_ids: NDArray[np.int64]
    group: NDArray[np.int64]
    group_rep: NDArray[np.bool_]

    @property
    def n_groups(self) -> int:
        """Number of capacity groups."""
        return int(self.group_rep.sum())

    @property
    def n_links(self) -> int:
        """Number of directed links."""
        return int(self.head.shape[0])

    def to_source_order(self, values: NDArray[_T]) -> NDArray[_T]:
        """Reorder per-link ``values`` (last axis, CSR order) to the source table's order."""
        out = np.empty_like(values)
        out[..., self.link_index] = values
        return out

    def from_source_order(self, values: NDArray[_T]) -> NDArray[_T]:
        """Reorder per-link ``values`` (last axis, source order) to CSR order."""
        return np.ascontiguousarray(values[..., self.link_index])


def build_graph(
    *,
    n_nodes: int,
    n_zones: int,
    first_thru: int,
    tail: NDArray[np.integer],
    head: NDArray[np.integer],
    free_flow_time: FloatArray,
    capacity: FloatArray,
    alpha: FloatArray,
    beta: FloatArray,
    vdf: NDArray[np.integer] | None = None,
    toll: FloatArray | None = None,
    length: FloatArray | None = None,
    node_ids: NDArray[np.integer] | None = None,
    capacity_group: NDArray[np.integer] | None = None,
    source: str = "<graph>",
) -> AssignmentGraph:
    """Validate link arrays (0-based vertices, any order) and sort them into an AssignmentGraph.

    Parameters
    ----------
    n_nodes, n_zones, first_thru
        Vertex count, zone count (zones are vertices ``0..n_zones - 1``) and the first
        vertex that may carry through traffic.
    tail, head
        0-based end vertices of each link.
    free_flow_time, capacity, alpha, beta
        Cost-function data per link (see :class:`AssignmentGraph`).
    vdf, toll, length
        Optional per-link VDF code (default BPR), toll and length (default 0).
    node_ids
        External label of each vertex (default ``1..n_nodes``).
    capacity_group
        Label per link of the capacity it uses (default: its own). Links sharing a
        label must have the same free-flow time, capacity, alpha, beta and VDF.
    source
        Name used in error messages.

    Returns
    -------
    AssignmentGraph

    Raises
    ------
    corridor.errors.DataError
        On mismatched lengths, vertices out of range or negative / non-finite data.
    """
    m = int(np.asarray(tail).shape[0])

    def arr(values: object, default: float, label: str) -> FloatArray:
        out = np.full(m, default) if values is None else np.asarray(values, dtype=np.float64)
        if out.shape != (m,):
            raise DataError(source, f"'{label}' has {out.shape} entries, expected ({m},)")
        return out

    tail_a = np.asarray(tail, dtype=np.int64)
    head_a = np.asarray(head, dtype=np.int64)
    if head_a.shape != (m,):
        raise DataError(source, "'head' and 'tail' differ in length")
    if m and (tail_a.min() < 0 or head_a.min() < 0 or max(tail_a.max(), head_a.max()) >= n_nodes):
        raise DataError(source, f"link end vertex outside 0..{n_nodes - 1}")
    if not 0 <= n_zones <= n_nodes:
        raise DataError(source, f"n_zones={n_zones} must be within 0..n_nodes={n_nodes}")
    fft = arr(free_flow_time, 0.0, "free_flow_time")
    cap = arr(capacity, np.inf, "capacity")
    alp = arr(alpha, 0.0, "alpha")
    bet = arr(beta, 0.0, "beta")
    tol = arr(toll, 0.0, "toll")
    lng = arr(length, 0.0, "length")
    for label, values in (("free_flow_time", fft), ("alpha", alp), ("beta", bet)):
        if not np.all(np.isfinite(values)) or np.any(values < 0):
            raise DataError(source, f"'{label}' must be finite and non-negative")
    if np.any(np.isnan(cap)) or np.any(cap < 0):
        raise DataError(source, "'capacity' must be non-negative")
    kind = np.zeros(m, dtype=np.int8) if vdf is None else np.asarray(vdf, dtype=np.int8)
    if kind.shape != (m,) or np.any((kind != VDF_BPR) & (kind != VDF_QUEUE)):
        raise DataError(source, "'vdf' must hold VDF_BPR or VDF_QUEUE per link")
    ids = (
        np.arange(1, n_nodes + 1, dtype=np.int64)
        if node_ids is None
        else np.asarray(node_ids, dtype=np.int64)
    )

    if capacity_group is None:
        labels = np.arange(m, dtype=np.int64)
    else:
        labels = np.asarray(capacity_group)
        if labels.shape != (m,):
            raise DataError(source, f"'capacity_group' must have {m} entries")
    _, first, group = np.unique(labels, return_index=True, return_inverse=True)
    group = group.astype(np.int64).reshape(m)
    for label, column in (("free_flow_time", fft), ("capacity", cap), ("alpha", alp),
                          ("beta", bet), ("vdf", kind)):  # fmt: skip
        if np.any(column != column[first][group]):
            raise DataError(source, f"links sharing a capacity group differ in '{label}'")
    rep = np.zeros(m, dtype=np.bool_)
    rep[first] = True

    order = np.argsort(tail_a, kind="stable")
    counts = np.bincount(tail_a, minlength=n_nodes)
    indptr = np.zeros(n_nodes + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    return AssignmentGraph(
        n_nodes=n_nodes,
        n_zones=n_zones,
        first_thru=max(0, first_thru),
        indptr=indptr,
        tail=np.ascontiguousarray(tail_a[order], dtype=np.int32),
        head=np.ascontiguousarray(head_a[order], dtype=np.int32),
        free_flow_time=np.ascontiguousarray(fft[order]),
        capacity=np.ascontiguousarray(cap[order]),
        alpha=np.ascontiguousarray(alp[order]),
        beta=np.ascontiguousarray(bet[order]),
        vdf=np.ascontiguousarray(kind[order]),
        toll=np.ascontiguousarray(tol[order]),
        length=np.ascontiguousarray(lng[order]),
        link_index=order.astype(np.int64),
        node_ids=ids,
        group=np.ascontiguousarray(group[order]),
        group_rep=np.ascontiguousarray(rep[order]),
    )


def from_tntp(network: TntpNetwork) -> AssignmentGraph:
    """Build the assignment graph of a TNTP network (BPR on every link).

    Parameters
    ----------
    network
        As read by :func:`corridor.io.tntp.read_network`.

    Returns
    -------
    AssignmentGraph
        Vertices are the TNTP node numbers minus one; ``first_thru`` is
        ``<FIRST THRU NODE> - 1``.
    """
    return build_graph(
        n_nodes=network.n_nodes,
        n_zones=network.n_zones,
        first_thru=network.first_thru_node - 1,
        tail=network.init_node - 1,
        head=network.term_node - 1,
        free_flow_time=network.free_flow_time,
        capacity=network.capacity,
        alpha=network.b,
        beta=network.power,
        toll=network.toll,
        length=network.length,
        source=network.source,
    )
