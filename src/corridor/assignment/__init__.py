"""Capacity-constrained equilibrium assignment (static user equilibrium).

Public entry: :func:`assign` on an :class:`AssignmentGraph` (or a TNTP network)
with one demand matrix or several :class:`TrafficClass` commodities sharing
capacity. Kernels compile lazily on first use (numba, cached on disk).
The Eurasian freight network has its own engine, with hard capacities and
shipper segments: :mod:`corridor.loaded` (its growth sweep in
:mod:`corridor.loaded.growth`).
"""

from __future__ import annotations

from corridor.assignment.classes import TrafficClass
from corridor.assignment.engine import ALGORITHMS, assign
from corridor.assignment.graph import VDF_BPR, VDF_QUEUE, AssignmentGraph, build_graph, from_tntp
from corridor.assignment.result import AssignmentResult
from corridor.assignment.vdf import beckmann_objective, link_times, queue_parameters

__all__ = [
    "ALGORITHMS",
    "VDF_BPR",
    "VDF_QUEUE",
    "AssignmentGraph",
    "AssignmentResult",
    "TrafficClass",
    "assign",
    "beckmann_objective",
    "build_graph",
    "from_tntp",
    "link_times",
    "queue_parameters",
]
