"""The outcome of an equilibrium assignment: flows, costs, skims and convergence history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from corridor.assignment.graph import AssignmentGraph

if TYPE_CHECKING:
    import pandas as pd

FloatArray = NDArray[np.float64]

__all__ = ["AssignmentResult"]


@dataclass(frozen=True, eq=False)
class AssignmentResult:
    """Link flows and costs at the last iterate, with the convergence history.

    Link arrays are in the source order of the links (the TNTP file's row order,
    the compiled network's edge order), not the graph's CSR order.

    Attributes
    ----------
    graph
        The assignment graph that was solved.
    class_names
        One name per traffic class.
    link_flow
        Total link volume in capacity units (``sum_k pce_k * class_flow[k]``).
    class_flow
        ``(n_classes, n_links)`` volume of each class in its own demand unit.
    link_time
        Link time at ``link_flow`` (the volume-delay function value).
    link_cost
        ``(n_classes, n_links)`` generalised cost per class in time units: link time
        plus toll/distance terms plus ``fixed_cost / value_of_time`` (``inf`` where
        the class may not travel).
    skim_cost, skim_time, skim_distance
        ``(n_classes, zones, zones)`` least generalised cost between zones at the
        final link costs, and the time and length along that path (``inf`` where
        no path exists); ``None`` if skims were not requested.
    gap
        Relative gap of each iterate: (total system cost - shortest-path total cost)
        / total system cost, costs PCE-weighted.
    average_excess_cost
        (total system cost - shortest-path total cost) / total PCE demand, per iterate.
    objective
        Objective of each iterate: Beckmann integral of ``link_flow`` plus the
        PCE-weighted fixed-cost term (the pure Beckmann integral for TNTP).
    step_size
        Step taken from each iterate to the next (the first iterate is the
        all-or-nothing load).
    converged
        Whether the last gap is at or below ``rgap_target``.
    """

    graph: AssignmentGraph
    algorithm: str
    rgap_target: float
    class_names: tuple[str, ...]
    link_flow: FloatArray
    class_flow: FloatArray
    link_time: FloatArray
    link_cost: FloatArray
    skim_cost: FloatArray | None
    skim_time: FloatArray | None
    skim_distance: FloatArray | None
    gap: FloatArray
    average_excess_cost: FloatArray
    objective: FloatArray
    step_size: FloatArray
    converged: bool

    @property
    def iterations(self) -> int:
        """Number of iterates computed (the first is the all-or-nothing load)."""
        return int(self.gap.shape[0])

    @property
    def relative_gap(self) -> float:
        """Relative gap of the returned flows."""
        return float(self.gap[-1])

    def iterations_to(self, rgap: float) -> int | None:
        """First iterate (1-based) whose relative gap is at or below ``rgap``, if any."""
        hits = np.flatnonzero(self.gap <= rgap)
        return int(hits[0]) + 1 if hits.size else None

    def group_flow(self) -> FloatArray:
        """Volume of each link's capacity group (source order); equals ``link_flow``
        for links with a capacity of their own."""
        g = self.graph
        csr = g.from_source_order(self.link_flow)
        sums = np.bincount(g.group, weights=csr, minlength=g.n_links).astype(np.float64)
        return g.to_source_order(np.ascontiguousarray(sums[g.group]))

    def utilisation(self) -> FloatArray:
        """Group volume over capacity per link (source order); 0 where not capacitated."""
        cap = self.graph.to_source_order(self.graph.capacity)
        finite = np.isfinite(cap) & (cap > 0)
        return np.where(finite, self.group_flow() / np.where(finite, cap, 1.0), 0.0)

    def over_capacity(self, rho: float = 1.0) -> NDArray[np.int64]:
        """Links (source order) whose capacity group carries more than ``rho`` x capacity."""
        return np.flatnonzero(self.utilisation() > rho)

    def flow_columns(self, class_index: int = 0) -> dict[str, NDArray[np.int64] | FloatArray]:
        """The columns of :meth:`to_frame` as arrays (no pandas needed)."""
        g = self.graph
        tail = g.to_source_order(g.tail)
        head = g.to_source_order(g.head)
        return {
            "from": g.node_ids[tail],
            "to": g.node_ids[head],
            "volume": self.link_flow,
            "cost": self.link_cost[class_index],
        }

    def to_frame(self, class_index: int = 0) -> pd.DataFrame:
        """Link table ``from, to, volume, cost`` (TNTP flow-file columns).

        ``volume`` is the total link volume in capacity units and ``cost`` the
        generalised cost of class ``class_index``; ``from`` and ``to`` are the
        graph's external node ids.
        """
        import pandas as pd

        return pd.DataFrame(self.flow_columns(class_index))
