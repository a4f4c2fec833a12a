"""Shipper segments: who may use what, and the value of time their choice reveals.

A single value of time per commodity cannot explain the 2024 split of
China–Europe containers: at an inventory-cost value of time (about 2 USD per
FEU-hour) every container would go by sea, yet some shippers pay for the
Northern route and others for the dearer Middle Corridor. The dataset records
the corridor each flow was observed on (``demand.corridor``), so each such
flow becomes a segment:

* its **choice set** excludes the countries its shippers refuse
  (``corridors.shippers_avoid``: a shipper on the Middle Corridor avoids
  Russia, Belarus and Iran, but may still ship by sea; a shipper on the
  Northern route refuses nothing). The corridor's own definition (``via``,
  ``avoid_countries``, which draw the corridor) is *not* imposed, so the
  segment can divert when its corridor congests or closes;
* its **value of time** is revealed by the choice: the smallest value, at or
  above the commodity's, at which the observed route is the least
  generalised-cost route of the choice set at the observed waits, and then
  the geometric middle of the interval of values where it stays optimal (so
  the base reproduces the observation with a margin either side). Where no
  upper end exists (the Northern route is both faster and cheaper than the
  Middle), the value is 1.5 times the lower end: the least time-sensitive
  shippers that still choose the corridor, which under-states diversion to
  dearer, faster routes when it closes.

Flows without a corridor keep the commodity's value of time and free choice.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from corridor.graph.compiled import CompiledNetwork
from corridor.model.network import split_list
from corridor.paths.routes import BEST, corridor_constraints
from corridor.paths.search import Constraints, Search, masks

#: Values of time searched (USD per FEU-hour), geometric grid.
_GRID = tuple(float(v) for v in np.geomspace(0.05, 2000.0, 48))


@dataclass(frozen=True)
class Segment:
    """Shippers of one commodity between two places, observed on one corridor.

    ``volume`` is a year's demand in the commodity's ``unit``; ``teu_per_unit``
    and ``t_per_unit`` convert it for capacities. ``edge_ok`` is the choice set:
    the edges the segment may use (its corridor's avoided countries and nodes,
    its commodity's modes).
    """

    commodity: str
    corridor: str
    origin: str
    destination: str
    demand_ids: tuple[str, ...]
    volume: float
    unit: str
    teu_per_unit: float
    t_per_unit: float
    value_of_time: float
    revealed: bool
    edge_ok: npt.NDArray[np.bool_]

    @property
    def name(self) -> str:
        """Segment label, e.g. ``containers/middle/xian-duisburg``."""
        return f"{self.commodity}/{self.corridor}/{self.origin}-{self.destination}"

    @property
    def teu_per_year(self) -> float:
        """Yearly demand in TEU-equivalents."""
        return self.volume * self.teu_per_unit


def revealed_value_of_time(
    g: CompiledNetwork,
    origin: str,
    destination: str,
    *,
    corridor: Constraints,
    choice: Constraints,
    floor: float,
) -> tuple[float, bool]:
    """Value of time at which the observed corridor holds the best route (module docs).

    ``corridor`` holds the corridor's full constraints (with its via nodes),
    ``choice`` what the shipper accepts. Returns the value and whether the
    observation could be reproduced; if the corridor never holds the best
    route, the value where it comes closest is returned with ``False``.
    """
    edge_hours = g.hours()
    in_corridor = Search(g, origin, destination, corridor)
    in_choice = Search(g, origin, destination, choice)

    def cost(v: float, search: Search) -> float:
        best = search.path(g.cost_usd + v * edge_hours)
        if best is None:
            return math.inf
        return float(g.cost_usd[best].sum() + v * edge_hours[best].sum())

    def gap(v: float) -> float:
        cheapest = cost(v, in_choice)
        return (cost(v, in_corridor) - cheapest) / max(cheapest, 1e-9)

    grid = [v for v in _GRID if v >= floor] or [floor]
    gaps = [gap(v) for v in grid]
    ok = [i for i, x in enumerate(gaps) if x <= 1e-9]
    if not ok:
        return grid[int(np.argmin(gaps))], False
    first, last = ok[0], ok[-1]

    def boundary(inside: float, outside: float) -> float:
        for _ in range(25):
            mid = math.sqrt(inside * outside)
            if gap(mid) <= 1e-9:
                inside = mid
            else:
                outside = mid
        return inside

    lo = floor if first == 0 else boundary(grid[first], grid[first - 1])
    hi = None if last == len(grid) - 1 else boundary(grid[last], grid[last + 1])
    value = math.sqrt(lo * hi) if hi is not None else lo * 1.5
    return max(value, floor), True


def shipper_segments(
    g: CompiledNetwork,
    *,
    growth: float = 1.0,
    value_of_time: Mapping[str, tuple[float, bool]] | None = None,
) -> list[Segment]:
    """One segment per (commodity, observed corridor, origin, destination) of the demand.

    Values of time are revealed on ``g`` (module docs) unless ``value_of_time``
    gives them by segment name (a scenario reuses its base year's); segments
    it does not name keep their commodity's value.
    """
    net = g.network
    demand = net.demand
    groups: dict[tuple[str, str, str, str], list[int]] = {}
    for i, (commodity, corridor, origin, destination) in enumerate(
        zip(demand["commodity"], demand["corridor"], demand["origin"], demand["destination"],
            strict=True)
    ):  # fmt: skip
        groups.setdefault((commodity, corridor or BEST, origin, destination), []).append(i)
    volumes = demand["volume_per_year"]
    out = []
    usable = np.isfinite(g.hours())
    for (commodity, corridor, origin, destination), rows in groups.items():
        c = net.row("commodities", str(commodity))
        assert c is not None
        floor = float(c["value_of_time_usd_per_feu_h"])
        base = Constraints() if corridor == BEST else corridor_constraints(net, str(corridor))
        row = net.row("corridors", str(corridor)) if corridor != BEST else None
        refused = split_list(row.get("shippers_avoid")) if row else []
        choice = Constraints(
            avoid_countries=frozenset(refused), modes=frozenset(split_list(c["modes"]))
        )
        name = f"{commodity}/{corridor}/{origin}-{destination}"
        value, revealed = floor, False
        if value_of_time is not None:
            value, revealed = value_of_time.get(name, (floor, False))
        elif corridor != BEST:
            value, revealed = revealed_value_of_time(
                g, str(origin), str(destination), floor=floor, choice=choice,
                corridor=Constraints(
                    avoid_countries=base.avoid_countries, avoid_nodes=base.avoid_nodes,
                    via=base.via, modes=choice.modes,
                ),
            )  # fmt: skip
        vertex_ok, _ = masks(g, choice, keep_nodes=[str(origin), str(destination)])
        per_teu = float(c["tonnes_per_teu"])
        unit = str(c["unit"])
        out.append(
            Segment(
                commodity=str(commodity),
                corridor=str(corridor),
                origin=str(origin),
                destination=str(destination),
                demand_ids=tuple(str(demand["id"][i]) for i in rows),
                volume=growth * float(np.sum(volumes[rows])),
                unit=unit,
                teu_per_unit=1.0 if unit == "teu" else 1.0 / per_teu,
                t_per_unit=per_teu if unit == "teu" else 1.0,
                value_of_time=value,
                revealed=revealed,
                edge_ok=vertex_ok[g.tail] & vertex_ok[g.head] & usable,
            )
        )
    return out
