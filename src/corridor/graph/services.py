"""Ship services: yearly capacity and the expected wait for a departure.

A service sails between two ports with ``vessels`` ships. One round trip takes
``2 × (crossing_h + port_turnaround_h)``, so the service can offer at most
``vessels × 8760 / round_trip`` sailings a year per direction, each carrying
``teu_per_sailing × load_factor`` TEU.

Wait for a departure, for a unit arriving at a random moment:

* ``scheduled``: ships leave every ``headway_h`` (but not more often than the
  fleet allows); the wait is uniform on ``[0, headway)``, mean headway/2.
* ``when_full``: a ship leaves when it is full or ``max_wait_h`` after it
  opened for loading. With cargo arriving at ``λ`` TEU/h, one ship fills in
  ``K/λ`` hours, so the departure cycle is ``T = min(K/λ, max_wait_h)``, and no
  shorter than the fleet allows. A unit waits on average ``T/2``.

Near capacity a queue of cargo forms that no ship can take; the extra wait is
added as ``cycle/2 × (ρ - 0.5)/(1 - ρ)`` for utilisation ρ above one half: zero
at ρ = ½, growing without bound towards capacity like a Kingman queue (ρ is
capped at 0.98 so that the number stays finite; the assignment module owns the
full volume-delay treatment beyond capacity).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

HOURS_PER_YEAR = 8760.0
_RHO_CAP = 0.98


@dataclass(frozen=True)
class ServiceWait:
    """Mean wait (h), its coefficient of variation, and the departure cycle (h)."""

    mean_h: float
    cv: float
    cycle_h: float


def round_trip_h(crossing_h: float, port_turnaround_h: float) -> float:
    """Hours for one ship to sail out and back, including both port calls."""
    return 2.0 * (crossing_h + port_turnaround_h)


def sailings_per_year(vessels: int, crossing_h: float, port_turnaround_h: float) -> float:
    """Most sailings per direction and year that the fleet can make."""
    return vessels * HOURS_PER_YEAR / round_trip_h(crossing_h, port_turnaround_h)


def capacity_teu_per_year(
    vessels: int,
    teu_per_sailing: float,
    load_factor: float,
    crossing_h: float,
    port_turnaround_h: float,
) -> float:
    """Yearly capacity per direction in TEU.

    Examples
    --------
    >>> capacity_teu_per_year(2, 100.0, 1.0, 20.0, 23.8)
    20000.0
    """
    return sailings_per_year(vessels, crossing_h, port_turnaround_h) * teu_per_sailing * load_factor


def expected_wait(
    *,
    policy: str,
    vessels: int,
    teu_per_sailing: float,
    load_factor: float,
    crossing_h: float,
    port_turnaround_h: float,
    headway_h: float,
    max_wait_h: float,
    flow_teu_per_year: float,
) -> ServiceWait:
    """Expected wait for a departure at a given yearly flow (see module docs).

    Examples
    --------
    >>> w = expected_wait(policy="scheduled", vessels=4, teu_per_sailing=100, load_factor=1,
    ...                   crossing_h=20, port_turnaround_h=4, headway_h=168, max_wait_h=0,
    ...                   flow_teu_per_year=0)
    >>> round(w.mean_h, 1)
    84.0
    """
    fleet_cycle = round_trip_h(crossing_h, port_turnaround_h) / max(vessels, 1)
    if policy == "scheduled":
        cycle = max(headway_h, fleet_cycle)
    else:
        load = teu_per_sailing * load_factor
        rate = flow_teu_per_year / HOURS_PER_YEAR
        fill = load / rate if rate > 0 else math.inf
        cycle = max(min(fill, max_wait_h), fleet_cycle)
    cap = capacity_teu_per_year(
        vessels, teu_per_sailing, load_factor, crossing_h, port_turnaround_h
    )
    rho = min(flow_teu_per_year / cap, _RHO_CAP) if cap > 0 else _RHO_CAP
    base = cycle / 2.0
    queue = 0.5 * cycle * max(rho - 0.5, 0.0) / (1.0 - rho)
    mean = base + queue
    # uniform wait has cv 1/sqrt(3); a queue term makes the tail heavier
    cv = (1.0 / math.sqrt(3.0)) * (base / mean) + 1.0 * (queue / mean)
    return ServiceWait(mean_h=mean, cv=cv, cycle_h=cycle)
