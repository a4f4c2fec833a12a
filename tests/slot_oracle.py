"""Capacity use per element recomputed from a loaded network's paths, in plain Python.

The rule of :mod:`corridor.capacity.elements`, written out again without its
arrays: a commodity measured in TEU counts in TEU where the element states a TEU
capacity, else in tonnes; one measured in tonnes counts in tonnes where the
element states a tonne capacity, else in TEU; the two shares add up.
"""

from __future__ import annotations

import math

from corridor.loaded.network import LoadedNetwork
from corridor.loaded.segments import Segment


def use_of_one_unit(s: Segment, cap_teu: float, cap_t: float) -> float:
    """Share of an element's capacity one unit of segment ``s`` takes."""
    if s.unit == "teu":
        own, other, per_other = cap_teu, cap_t, s.t_per_unit
    else:
        own, other, per_other = cap_t, cap_teu, s.teu_per_unit
    if math.isfinite(own):
        return math.inf if own == 0 else 1.0 / own
    if math.isfinite(other):
        return math.inf if other == 0 else per_other / other
    return 0.0


def element_use(run: LoadedNetwork) -> list[float]:
    """Per capacity element, the share of its capacity the paths use."""
    caps = run.capacities
    g = run.graph
    use = [0.0] * caps.n
    for f in run.flows:
        for edges, volume in f.paths:
            for e in edges:
                i = int(caps.element_of[e])
                if i < 0 or volume <= 0:
                    continue
                first = int(caps.first_edge[i])
                cap_teu = float(g.capacity_teu_per_year[first])
                cap_t = float(g.capacity_t_per_year[first])
                use[i] += volume * use_of_one_unit(f.segment, cap_teu, cap_t)
    return use
