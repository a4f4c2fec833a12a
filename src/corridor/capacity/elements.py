"""Capacity elements of a compiled network: what each edge's flow counts against.

A line-haul link, a border crossing and a ship service have a capacity per
direction (one element per directed edge); a terminal's loading, unloading and
transfer edges share the terminal's one capacity. Each element may be limited
in TEU, in tonnes, or both; utilisation is the larger of the two ratios. This
module is the only place that ratio is computed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from corridor.graph.compiled import EDGE_KINDS, CompiledNetwork

FloatArray = npt.NDArray[np.float64]
_TERMINAL_KINDS = tuple(EDGE_KINDS.index(k) for k in ("transfer", "access", "egress"))


@dataclass(frozen=True, eq=False)
class Capacities:
    """Capacity elements of one compiled network.

    ``element_of[e]`` is the element edge ``e`` loads (``-1``: free junction
    access, no capacity). ``key[i]`` identifies element ``i`` across scenarios of
    one dataset: ``("terminals", id, node, node)`` or ``(table, id, from, to)``.
    """

    element_of: npt.NDArray[np.int64]
    capacity_teu: FloatArray
    capacity_t: FloatArray
    key: tuple[tuple[str, str, str, str], ...]
    kind: tuple[str, ...]
    first_edge: npt.NDArray[np.int64]

    @property
    def n(self) -> int:
        """Number of elements."""
        return len(self.key)

    def element_flows(
        self, edge_flow_teu: FloatArray, edge_flow_t: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        """Yearly TEU and tonnes through each element from per-edge flows."""
        ok = self.element_of >= 0
        teu = np.bincount(self.element_of[ok], weights=edge_flow_teu[ok], minlength=self.n)
        t = np.bincount(self.element_of[ok], weights=edge_flow_t[ok], minlength=self.n)
        return teu.astype(np.float64), t.astype(np.float64)

    def utilisation(self, flow_teu: FloatArray, flow_t: FloatArray) -> FloatArray:
        """Per element: the larger of flow / capacity in TEU and in tonnes (0 if unlimited).

        An element of capacity 0 (closed) that carries flow is at an enormous
        utilisation; carrying nothing, at 0.
        """
        out: FloatArray = np.maximum(flow_teu * self._inverse_teu, flow_t * self._inverse_t)
        return out

    @cached_property
    def _inverse_teu(self) -> FloatArray:
        return _inverse(self.capacity_teu)

    @cached_property
    def _inverse_t(self) -> FloatArray:
        return _inverse(self.capacity_t)

    def limited(self) -> npt.NDArray[np.bool_]:
        """Elements with a finite capacity in TEU or tonnes."""
        return np.isfinite(self.capacity_teu) | np.isfinite(self.capacity_t)

    def record(
        self, i: int, flow_teu: FloatArray, flow_t: FloatArray, names: dict[str, str]
    ) -> dict[str, Any]:
        """One element as a JSON record (the contract's bottleneck fields)."""
        _table, elem_id, frm, to = self.key[i]
        cap_teu, cap_t = float(self.capacity_teu[i]), float(self.capacity_t[i])
        u_teu = flow_teu[i] / cap_teu if np.isfinite(cap_teu) and cap_teu > 0 else 0.0
        u_t = flow_t[i] / cap_t if np.isfinite(cap_t) and cap_t > 0 else 0.0
        return {
            "id": elem_id,
            "name": names.get(elem_id, elem_id),
            "kind": self.kind[i],
            "from": frm,
            "to": to,
            "capacity_teu_per_year": cap_teu if np.isfinite(cap_teu) else None,
            "capacity_t_per_year": cap_t if np.isfinite(cap_t) else None,
            "flow_teu_per_year": float(flow_teu[i]),
            "flow_t_per_year": float(flow_t[i]),
            "utilisation": float(max(u_teu, u_t)),
            "binding_unit": "t" if u_t > u_teu else "teu",
        }


def _inverse(capacity: FloatArray) -> FloatArray:
    """1 / capacity; 0 where unlimited, a huge number where the capacity is 0."""
    with np.errstate(divide="ignore"):
        inv = np.where(capacity > 0, 1.0 / capacity, 1e300)
    out: FloatArray = np.where(np.isfinite(capacity), inv, 0.0)
    return out


def capacities(g: CompiledNetwork) -> Capacities:
    """The capacity elements of ``g`` (see module docs).

    Examples
    --------
    >>> from corridor import load_network
    >>> from corridor.graph.compiled import compile_network
    >>> caps = capacities(compile_network(load_network()))
    >>> caps.key[caps.element_of[caps.first_edge[0]]] == caps.key[0]
    True
    """
    terminals = g.network.terminals
    t_id = [str(x) for x in terminals["id"]]
    t_node = [str(x) for x in terminals["node"]]
    t_port = [k == "port" for k in terminals["kind"]]
    element_of = np.full(g.n_edges, -1, dtype=np.int64)
    index: dict[tuple[str, str, str, str], int] = {}
    kinds: list[str] = []
    first: list[int] = []
    ids = g.element_ids
    kind_codes = g.kind.tolist()
    for e, row in enumerate(g.element.tolist()):
        if row < 0:
            continue
        k = kind_codes[e]
        if k in _TERMINAL_KINDS:
            key = ("terminals", t_id[row], t_node[row], t_node[row])
            kind = "port" if t_port[row] else "terminal"
        else:
            frm = g.node_ids[int(g.vertex_node[g.tail[e]])]
            to = g.node_ids[int(g.vertex_node[g.head[e]])]
            kind = EDGE_KINDS[k]
            key = (kind + "s", ids[e], frm, to)
        if key not in index:
            index[key] = len(index)
            kinds.append(kind)
            first.append(e)
        element_of[e] = index[key]
    first_edge = np.asarray(first, dtype=np.int64)
    cap_teu = np.asarray(g.capacity_teu_per_year, dtype=np.float64)[first_edge]
    cap_t = np.asarray(g.capacity_t_per_year, dtype=np.float64)[first_edge]
    return Capacities(
        element_of=element_of,
        capacity_teu=np.where(cap_teu > 0, cap_teu, 0.0),
        capacity_t=np.where(cap_t > 0, cap_t, 0.0),
        key=tuple(index),
        kind=tuple(kinds),
        first_edge=first_edge,
    )
