"""Capacity elements of a compiled network: what each edge's flow counts against.

A line-haul link, a border crossing and a ship service have a capacity per
direction (one element per directed edge); a terminal's loading, unloading and
transfer edges share the terminal's one capacity. Each element may be limited
in TEU, in tonnes, or both. This module is the only place utilisation is
computed:

* a commodity measured in TEU (containers) counts in TEU where the element
  states a TEU capacity, else in tonnes at its ``tonnes_per_teu``; a commodity
  measured in tonnes (bulk) counts in tonnes where the element states a tonne
  capacity, else in TEU-equivalents at its ``tonnes_per_teu``;
* utilisation = counted TEU / TEU capacity + counted tonnes / tonne capacity.
  An element that states both (a rail line's train paths: so many container
  trains or so many bulk trains a year) shares them between containers and
  bulk; an element that states one counts everything in it.

So bulk is carried and limited in tonnes wherever a tonne capacity is stated,
and a container-sized conversion never limits it there.
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

    def utilisation(
        self, flow_teu: FloatArray, flow_t: FloatArray, box_teu: FloatArray, bulk_t: FloatArray
    ) -> FloatArray:
        """Per element: the share of its capacity the flows use (module docs; 0 if unlimited).

        ``flow_teu`` and ``flow_t`` hold every commodity in TEU and in tonnes;
        ``box_teu`` the TEU of the commodities measured in TEU, ``bulk_t`` the
        tonnes of those measured in tonnes. An element of capacity 0 (closed)
        that carries flow is at an enormous utilisation; carrying nothing, at 0.

        Examples
        --------
        >>> import numpy as np
        >>> caps = Capacities(np.zeros(0, dtype=np.int64), np.array([100.0]),
        ...                   np.array([2000.0]), (("links", "l", "a", "b"),), ("link",),
        ...                   np.zeros(1, dtype=np.int64))
        >>> # 30 TEU of containers (300 t) and 500 t of bulk (20 TEU-equivalents)
        >>> caps.utilisation(np.array([50.0]), np.array([800.0]), np.array([30.0]),
        ...                  np.array([500.0])).tolist()
        [0.55]
        """
        teu, t = _counted(self.capacity_teu, self.capacity_t, flow_teu, flow_t, box_teu, bulk_t)
        out: FloatArray = teu * self._inverse_teu + t * self._inverse_t
        return out

    def use_per_unit(self, unit: str, teu_per_unit: float, t_per_unit: float) -> FloatArray:
        """Per element, the utilisation one unit of a commodity measured in ``unit`` adds.

        ``1 / use_per_unit`` is the element's capacity in the commodity's unit
        when it carries nothing else (``inf`` where unlimited).

        Examples
        --------
        >>> import numpy as np
        >>> caps = Capacities(np.zeros(0, dtype=np.int64), np.array([100.0, 100.0]),
        ...                   np.array([2000.0, np.inf]), (("links", "l", "a", "b"),) * 2,
        ...                   ("link", "link"), np.zeros(2, dtype=np.int64))
        >>> (1 / caps.use_per_unit("t", 1 / 25, 1.0)).tolist()  # tonnes of bulk
        [2000.0, 2500.0]
        """
        if unit == "teu":
            per: FloatArray = np.where(
                np.isfinite(self.capacity_teu), self._inverse_teu, t_per_unit * self._inverse_t
            )
        else:
            per = np.where(
                np.isfinite(self.capacity_t), self._inverse_t, teu_per_unit * self._inverse_teu
            )
        return per

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
        self,
        i: int,
        flows: tuple[FloatArray, FloatArray, FloatArray, FloatArray],
        names: dict[str, str],
    ) -> dict[str, Any]:
        """One element as a JSON record (the contract's bottleneck fields).

        ``flows`` are the four arrays of :meth:`utilisation`; ``binding_unit``
        names the unit whose counted flow uses more of the capacity.
        """
        flow_teu, flow_t, box_teu, bulk_t = (f[i : i + 1] for f in flows)
        _table, elem_id, frm, to = self.key[i]
        cap_teu, cap_t = float(self.capacity_teu[i]), float(self.capacity_t[i])
        teu, t = _counted(self.capacity_teu[i : i + 1], self.capacity_t[i : i + 1],
                          flow_teu, flow_t, box_teu, bulk_t)  # fmt: skip
        u_teu = float(teu[0] * self._inverse_teu[i])
        u_t = float(t[0] * self._inverse_t[i])
        return {
            "id": elem_id,
            "name": names.get(elem_id, elem_id),
            "kind": self.kind[i],
            "from": frm,
            "to": to,
            "capacity_teu_per_year": cap_teu if np.isfinite(cap_teu) else None,
            "capacity_t_per_year": cap_t if np.isfinite(cap_t) else None,
            "flow_teu_per_year": float(flow_teu[0]),
            "flow_t_per_year": float(flow_t[0]),
            "utilisation": u_teu + u_t,
            "binding_unit": "t" if u_t > u_teu else "teu",
        }


def _counted(
    cap_teu: FloatArray,
    cap_t: FloatArray,
    flow_teu: FloatArray,
    flow_t: FloatArray,
    box_teu: FloatArray,
    bulk_t: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """TEU and tonnes counted against each element (module docs)."""
    fin_teu, fin_t = np.isfinite(cap_teu), np.isfinite(cap_t)
    teu = np.where(fin_teu, box_teu, 0.0) + np.where(fin_t, 0.0, flow_teu - box_teu)
    t = np.where(fin_t, bulk_t, 0.0) + np.where(fin_teu, 0.0, flow_t - bulk_t)
    return np.maximum(teu, 0.0), np.maximum(t, 0.0)


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
