"""Headroom: how much more a corridor absorbs before time or cost cross a threshold.

The demand rows observed on ``corridor`` (of one commodity) are multiplied by
``m`` and the scenario is prepared again (:func:`corridor.loaded.prepare.prepare`,
the base year's calibration). At each ``m`` the corridor's carried paths give:

* the **absorbed** volume: what of those rows is carried on the corridor
  itself (paths of another corridor or unserved volume do not count);
* the volume-weighted **p90 door-to-door days** and **cost per unit** of those
  paths (:func:`corridor.paths.reliability.day_percentiles` of each path): USD
  per FEU for containers, per tonne for bulk, as in the analyze contract.

``m`` passes when the corridor carries the same share of its rows as at
``m = 1`` (the rest goes elsewhere by choice, not for want of room) and the
p90 and the cost stay within ``1 + max_p90_rise`` and ``1 + max_cost_rise`` of their
values at ``m = 1``. The largest passing ``m`` is found by bisection on
``[1, max_multiplier]`` to ``tolerance``; the **headroom** is the extra volume
``(m - 1) × demand``. The **binding element** is read at the first failing
``m``: the element that refused the corridor's volume if capacity failed,
else the most utilised capacity element on its paths. Bisection assumes the
criteria fail once and stay failed as ``m`` grows (queues only lengthen and
capacities only fill); the tests check that on small networks.

:func:`headrooms` does it for every corridor with observed demand of each
commodity (or those asked for): "the same for each corridor".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from corridor.errors import UnknownIdError
from corridor.loaded.calibration import Calibration, calibrate
from corridor.loaded.network import LoadedNetwork
from corridor.loaded.prepare import prepare
from corridor.model.network import Network
from corridor.model.scenario import Scenario, SetValue
from corridor.paths.reliability import day_percentiles
from corridor.paths.routes import build_route

#: Fall in the corridor's share of its own demand at which capacity counts as full.
SPILL = 1e-6


@dataclass(frozen=True)
class Point:
    """The corridor's state at one demand multiplier."""

    multiplier: float
    demand: float
    absorbed: float
    p90_days: float
    cost_usd: float
    utilisation: float
    binding: str | None
    refused_by: tuple[str, ...]


@dataclass(frozen=True)
class Headroom:
    """Result of :func:`headroom` (volumes per year in ``unit``)."""

    corridor: str
    commodity: str
    unit: str
    base: Point
    last_ok: Point
    first_failing: Point | None
    limit: str
    max_p90_rise: float
    max_cost_rise: float
    evaluations: int

    @property
    def multiplier(self) -> float:
        """Largest demand multiplier that passes."""
        return self.last_ok.multiplier

    @property
    def cost_key(self) -> str:
        """The cost's key in the JSON: per FEU for containers, per tonne for bulk."""
        return "cost_usd_per_t" if self.unit == "t" else "cost_usd_per_feu"

    @property
    def extra_per_year(self) -> float:
        """Extra volume the corridor absorbs beyond its base demand."""
        return self.last_ok.absorbed - self.base.absorbed

    def to_dict(self) -> dict[str, Any]:
        """JSON record."""
        f = self.first_failing
        return {
            "corridor": self.corridor,
            "commodity": self.commodity,
            "unit": self.unit,
            "base_demand_per_year": self.base.demand,
            "multiplier": self.multiplier,
            "extra_per_year": self.extra_per_year,
            "limit": self.limit,
            "binding_element": f.binding if f is not None else None,
            "thresholds": {
                "p90_days": self.base.p90_days * (1 + self.max_p90_rise),
                self.cost_key: self.base.cost_usd * (1 + self.max_cost_rise),
                "max_p90_rise": self.max_p90_rise,
                "max_cost_rise": self.max_cost_rise,
            },
            "base": _point(self.base, self.cost_key),
            "at_headroom": _point(self.last_ok, self.cost_key),
            "first_failing": _point(f, self.cost_key) if f is not None else None,
            "evaluations": self.evaluations,
        }


def _point(p: Point, cost_key: str) -> dict[str, Any]:
    return {
        "multiplier": p.multiplier,
        "demand_per_year": p.demand,
        "absorbed_per_year": p.absorbed,
        "p90_days": p.p90_days if np.isfinite(p.p90_days) else None,
        cost_key: p.cost_usd if np.isfinite(p.cost_usd) else None,
        "max_utilisation": p.utilisation,
        "binding": p.binding,
        "refused_by": list(p.refused_by),
    }


def measure(loaded: LoadedNetwork, corridor: str, commodity: str, multiplier: float) -> Point:
    """The corridor's absorbed volume, p90, cost per unit and most utilised element
    (module docs)."""
    g = loaded.graph
    com = loaded.network.row("commodities", commodity)
    # a route's cost_usd is per FEU(-equivalent); bulk's unit is the tonne
    per_unit = 1.0 if com is None or com["unit"] == "teu" else 2.0 * float(com["tonnes_per_teu"])
    caps = loaded.capacities
    util = loaded.utilisation
    demand = absorbed = p90 = cost = 0.0
    used: set[int] = set()
    refused: list[str] = []
    for f in loaded.flows:
        s = f.segment
        if s.commodity != commodity or s.corridor != corridor:
            continue
        demand += s.volume
        refused += [r for r in f.refused_by if r not in refused]
        for edges, volume in f.paths:
            if loaded.corridor_of(edges, prefer=corridor) != corridor:
                continue
            r = build_route(
                g, edges, corridor=corridor, origin=s.origin, destination=s.destination,
                commodity=commodity, value_of_time=s.value_of_time,
            )  # fmt: skip
            absorbed += volume
            p90 += volume * day_percentiles(r, (90,))[0]
            cost += volume * r.cost_usd / per_unit
            el = caps.element_of[list(edges)]
            used |= {int(i) for i in el[el >= 0] if caps.limited()[int(i)]}
    top = max(used, key=lambda i: util[i], default=None)
    return Point(
        multiplier=multiplier,
        demand=demand,
        absorbed=absorbed,
        p90_days=p90 / absorbed if absorbed else float("nan"),
        cost_usd=cost / absorbed if absorbed else float("nan"),
        utilisation=float(util[top]) if top is not None else 0.0,
        binding=caps.key[top][1] if top is not None else None,
        refused_by=tuple(refused),
    )


def scaled(scenario: Network | Scenario, corridor: str, commodity: str, m: float) -> Scenario:
    """``scenario`` with the demand rows observed on ``corridor`` (of ``commodity``) × ``m``."""
    s = scenario if isinstance(scenario, Scenario) else Scenario("base", scenario)
    d = s.base.demand
    rows = d[(d["corridor"] == corridor) & (d["commodity"] == commodity)]
    if rows.empty:
        raise UnknownIdError(
            f"headroom: no demand of {commodity} is observed on corridor '{corridor}'"
        )
    changes = tuple(SetValue("demand", str(i), "volume_per_year", "scale", m) for i in rows["id"])
    return s.with_changes(*changes, name=f"{s.name}; {corridor} {commodity} x{m:g}")


def headroom(
    scenario: Network | Scenario,
    corridor: str = "middle",
    *,
    commodity: str = "containers",
    max_p90_rise: float = 0.25,
    max_cost_rise: float = 0.10,
    max_multiplier: float = 4.0,
    tolerance: float = 0.05,
    calibration: Calibration | None = None,
    progress: Callable[[float], None] | None = None,
) -> Headroom:
    """Largest extra volume ``corridor`` absorbs within the thresholds (module docs).

    Examples
    --------
    >>> from corridor import load_network
    >>> h = headroom(load_network(), "middle", max_multiplier=1.5, tolerance=0.25)
    >>> h.multiplier >= 1.0 and h.limit in ("capacity", "p90", "cost", "none")
    True
    """
    if max_multiplier <= 1 or tolerance <= 0:
        raise UnknownIdError("headroom: max_multiplier must exceed 1 and tolerance be positive")
    base_net = scenario.base if isinstance(scenario, Scenario) else scenario
    cal = calibration if calibration is not None else calibrate(base_net)
    com = base_net.row("commodities", commodity)
    if com is None:
        raise UnknownIdError(f"headroom: unknown commodity '{commodity}'")
    evaluations = 0

    def at(m: float) -> Point:
        nonlocal evaluations
        evaluations += 1
        if progress is not None:
            progress(m)
        loaded = prepare(scaled(scenario, corridor, commodity, m), calibration=cal)
        return measure(loaded, corridor, commodity, m)

    base = at(1.0)

    share = base.absorbed / base.demand if base.demand > 0 else 0.0

    def failure(p: Point) -> str | None:
        if p.absorbed < (share - SPILL) * p.demand:
            return "capacity"
        if p.p90_days > base.p90_days * (1 + max_p90_rise) * (1 + 1e-12):
            return "p90"
        if p.cost_usd > base.cost_usd * (1 + max_cost_rise) * (1 + 1e-12):
            return "cost"
        return None

    def result(ok: Point, bad: Point | None, limit: str) -> Headroom:
        return Headroom(
            corridor, commodity, str(com["unit"]), base, ok, bad, limit,
            max_p90_rise, max_cost_rise, evaluations,
        )  # fmt: skip

    if base.absorbed <= 0:
        return result(base, base, "capacity")
    top = at(max_multiplier)
    if failure(top) is None:
        return result(top, None, "none")
    lo, hi = base, top
    while hi.multiplier - lo.multiplier > tolerance:
        mid = at(0.5 * (lo.multiplier + hi.multiplier))
        if failure(mid) is None:
            lo = mid
        else:
            hi = mid
    limit = failure(hi)
    assert limit is not None
    if limit == "capacity" and hi.refused_by:
        hi = Point(**{**hi.__dict__, "binding": hi.refused_by[0]})
    return result(lo, hi, limit)


def observed(network: Network, commodity: str | None = None) -> list[tuple[str, str]]:
    """``(commodity, corridor)`` pairs with observed demand, in the demand table's order.

    Examples
    --------
    >>> from corridor import load_network
    >>> observed(load_network(), "crude_oil")
    [('crude_oil', 'cpc'), ('crude_oil', 'trans_caspian_btc'), ('crude_oil', 'kcp')]
    """
    d = network.demand
    rows = d if commodity is None else d[d["commodity"] == commodity]
    pairs = zip(rows["commodity"], rows["corridor"], strict=True)
    return list(dict.fromkeys((str(c), str(k)) for c, k in pairs if k))


def headrooms(
    scenario: Network | Scenario,
    corridors: tuple[str, ...] = ("all",),
    *,
    commodity: str | None = None,
    max_p90_rise: float = 0.25,
    max_cost_rise: float = 0.10,
    max_multiplier: float = 4.0,
    tolerance: float = 0.05,
    calibration: Calibration | None = None,
    progress: Callable[[str, str, float], None] | None = None,
) -> list[Headroom]:
    """:func:`headroom` of each corridor, for each commodity, with observed demand.

    ``corridors`` ``("all",)`` takes every corridor with observed demand of the
    commodity; ``commodity`` ``None`` every commodity with such demand (with
    named corridors: the commodities observed on them). ``progress`` is told
    ``(commodity, corridor, multiplier)`` at each evaluation.

    Examples
    --------
    >>> from corridor import load_network
    >>> hs = headrooms(load_network(), ("middle",), commodity="containers",
    ...                max_multiplier=1.2, tolerance=0.2)
    >>> [(h.commodity, h.corridor) for h in hs]
    [('containers', 'middle')]
    """
    base = scenario.base if isinstance(scenario, Scenario) else scenario
    cal = calibration if calibration is not None else calibrate(base)
    pairs = observed(base, commodity)
    if corridors != ("all",):
        pairs = [p for p in pairs if p[1] in corridors]
        for c in corridors:
            if not any(k == c for _com, k in pairs):
                what = commodity or "any commodity"
                raise UnknownIdError(f"headroom: no demand of {what} is observed on corridor '{c}'")
    out = []
    for com, corridor in pairs:

        def step(m: float, com: str = com, corridor: str = corridor) -> None:
            if progress is not None:
                progress(com, corridor, m)

        out.append(
            headroom(
                scenario,
                corridor,
                commodity=com,
                max_p90_rise=max_p90_rise,
                max_cost_rise=max_cost_rise,
                max_multiplier=max_multiplier,
                tolerance=tolerance,
                calibration=cal,
                progress=step,
            )
        )
    return out
