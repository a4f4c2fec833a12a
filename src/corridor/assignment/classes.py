"""Traffic classes (commodities) that share link capacity.

A class has its own demand, a capacity factor (``pce``: capacity units per demand
unit, e.g. TEU per unit, PCE per truck), a value of time and the links it may use.
Its route choice minimises ``value_of_time * time + money``, which ranks paths the
same as the generalised time ``time + money / value_of_time``; the engine works in
that time unit, so the equilibrium of all classes together is the minimum of one
convex objective (the Beckmann integral of the shared PCE volume plus each class's
linear fixed cost weighted by its PCE).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

__all__ = ["TrafficClass"]


@dataclass(frozen=True, eq=False)
class TrafficClass:
    """One commodity or vehicle class of an assignment.

    Parameters
    ----------
    name
        Label used in results.
    demand
        ``(zones, zones)`` origin-destination matrix in the class's own unit.
    pce
        Capacity units taken by one demand unit (TEU per unit, PCE per truck).
    value_of_time
        Money per demand unit per time unit; converts ``fixed_cost`` to time.
    fixed_cost
        Money per demand unit on each link (source order), e.g. tariffs and fees;
        ``None`` for none.
    link_mask
        Boolean per link (source order): ``True`` where the class may travel;
        ``None`` for every link.

    Examples
    --------
    >>> import numpy as np
    >>> TrafficClass("containers", np.zeros((2, 2)), pce=1.0, value_of_time=2.0).pce
    1.0
    """

    name: str
    demand: FloatArray
    pce: float = 1.0
    value_of_time: float = 1.0
    fixed_cost: FloatArray | None = None
    link_mask: NDArray[np.bool_] | None = None

    def __post_init__(self) -> None:
        if not (np.isfinite(self.pce) and self.pce > 0):
            raise ValueError(f"class {self.name!r}: pce must be positive, got {self.pce}")
        if not (np.isfinite(self.value_of_time) and self.value_of_time > 0):
            raise ValueError(
                f"class {self.name!r}: value_of_time must be positive, got {self.value_of_time}"
            )
