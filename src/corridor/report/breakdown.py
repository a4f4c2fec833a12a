"""Where a route's time and money go, by kind of leg.

Time (hours) splits into four kinds:

* ``moving``: every leg's moving time, with the technical stops of land
  links (crew and locomotive changes, counted in a link's waiting);
* ``borders``: waiting at border crossings (documents, inspection, queue,
  gauge change at a border);
* ``ports_transfers``: handling at terminals and ports, transshipment,
  access and egress, and a liner's port calls on the way;
* ``ferry_liner_waits``: waiting for a ship service to sail (ferries and
  feeders that sail when full or on a timetable).

Cost (USD per FEU, or per tonne for bulk) splits into ``line_haul`` (rail,
road and pipeline tariffs), ``sea_ferry`` (ship services and sea legs),
``borders`` and ``ports_transfers``. Both splits sum to the route's totals:
every leg goes to exactly one kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from corridor.report.units import usd_scale

__all__ = ["COST_KINDS", "TIME_KINDS", "cost_by_kind", "time_by_kind"]

#: Time kinds in drawing order, with their labels.
TIME_KINDS = {
    "moving": "Moving (with technical stops)",
    "borders": "Borders",
    "ports_transfers": "Ports and transfers",
    "ferry_liner_waits": "Ferry and liner waits",
}
#: Cost kinds in drawing order, with their labels.
COST_KINDS = {
    "line_haul": "Rail, road and pipeline tariffs",
    "sea_ferry": "Sea and ferry freight",
    "borders": "Border fees",
    "ports_transfers": "Ports and transfers",
}


def _wait_kind(leg: Mapping[str, Any]) -> str:
    kind, mode = leg.get("kind"), leg.get("mode")
    if kind == "border":
        return "borders"
    if kind == "service":
        return "ferry_liner_waits"
    if kind == "link":
        return "ports_transfers" if mode == "sea" else "moving"
    return "ports_transfers"


def time_by_kind(route: Mapping[str, Any]) -> dict[str, float]:
    """Hours of the route by kind (:data:`TIME_KINDS`), summing to its door-to-door hours.

    Examples
    --------
    >>> legs = [{"kind": "link", "mode": "rail_1520", "hours_moving": 20, "hours_waiting": 2},
    ...         {"kind": "border", "mode": "rail_1520", "hours_moving": 0, "hours_waiting": 30},
    ...         {"kind": "service", "mode": "ferry", "hours_moving": 21, "hours_waiting": 60}]
    >>> time_by_kind({"legs": legs})
    {'moving': 43.0, 'borders': 30.0, 'ports_transfers': 0.0, 'ferry_liner_waits': 60.0}
    """
    out = dict.fromkeys(TIME_KINDS, 0.0)
    for leg in route.get("legs") or []:
        out["moving"] += float(leg.get("hours_moving") or 0.0)
        out[_wait_kind(leg)] += float(leg.get("hours_waiting") or 0.0)
    return out


def _cost_kind(leg: Mapping[str, Any]) -> str:
    kind, mode = leg.get("kind"), leg.get("mode")
    if kind == "border":
        return "borders"
    if kind == "service" or (kind == "link" and mode == "sea"):
        return "sea_ferry"
    if kind == "link":
        return "line_haul"
    return "ports_transfers"


def cost_by_kind(route: Mapping[str, Any]) -> dict[str, float]:
    """Cost of the route by kind (:data:`COST_KINDS`) in its unit (USD per FEU or per t).

    Examples
    --------
    >>> legs = [{"kind": "link", "mode": "rail_1520", "cost_usd": 900},
    ...         {"kind": "border", "mode": "rail_1520", "cost_usd": 300},
    ...         {"kind": "service", "mode": "ferry", "cost_usd": 1400}]
    >>> cost_by_kind({"unit": "teu", "legs": legs})
    {'line_haul': 900.0, 'sea_ferry': 1400.0, 'borders': 300.0, 'ports_transfers': 0.0}
    """
    scale = usd_scale(route) or 0.0
    out = dict.fromkeys(COST_KINDS, 0.0)
    for leg in route.get("legs") or []:
        out[_cost_kind(leg)] += float(leg.get("cost_usd") or 0.0) * scale
    return out
