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
at ρ = ½, growing without bound towards capacity like a Kingman queue. The
loaded network never puts more than the capacity on a service; at capacity
(ρ = 1) the wait is the wait at :data:`RHO_FULL`, so that it stays finite.

:func:`departure_wait` is the one formula, on arrays; it is what the loaded
network, the equilibrium and the simulation's checks use.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

HOURS_PER_YEAR = 8760.0
#: Utilisation at which a full element's wait is evaluated (the wait at ρ = 1 is infinite).
RHO_FULL = 0.99


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


def departure_wait(
    *,
    when_full: npt.NDArray[np.bool_],
    sailing_teu: FloatArray,
    fleet_cycle_h: FloatArray,
    headway_h: FloatArray,
    max_wait_h: FloatArray,
    capacity_teu: FloatArray,
    flow_teu: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Mean wait, its CV and the departure cycle of services at yearly flows (module docs).

    All arguments are arrays of one entry per service (direction);
    ``sailing_teu`` is the usable TEU of one sailing (after the load factor).
    """
    rate = flow_teu / HOURS_PER_YEAR
    with np.errstate(divide="ignore", invalid="ignore"):
        fill = np.where(rate > 0, sailing_teu / rate, np.inf)
        rho = np.where(capacity_teu > 0, flow_teu / capacity_teu, RHO_FULL)
    cycle = np.where(
        when_full,
        np.maximum(np.minimum(fill, max_wait_h), fleet_cycle_h),
        np.maximum(headway_h, fleet_cycle_h),
    )
    rho = np.minimum(rho, RHO_FULL)
    base = cycle / 2.0
    queue = 0.5 * cycle * np.maximum(rho - 0.5, 0.0) / (1.0 - rho)
    mean = base + queue
    # uniform wait has cv 1/sqrt(3); a queue term makes the tail heavier
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = np.where(mean > 0, (base / np.sqrt(3.0) + queue) / mean, 0.0)
    return mean, cv, cycle


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
    """Expected wait for a departure of one service at a given yearly flow (module docs).

    Examples
    --------
    >>> w = expected_wait(policy="scheduled", vessels=4, teu_per_sailing=100, load_factor=1,
    ...                   crossing_h=20, port_turnaround_h=4, headway_h=168, max_wait_h=0,
    ...                   flow_teu_per_year=0)
    >>> round(w.mean_h, 1)
    84.0
    """
    one = np.ones(1)
    cap = capacity_teu_per_year(
        vessels, teu_per_sailing, load_factor, crossing_h, port_turnaround_h
    )
    mean, cv, cycle = departure_wait(
        when_full=np.array([policy != "scheduled"]),
        sailing_teu=one * teu_per_sailing * load_factor,
        fleet_cycle_h=one * round_trip_h(crossing_h, port_turnaround_h) / max(vessels, 1),
        headway_h=one * headway_h,
        max_wait_h=one * max_wait_h,
        capacity_teu=one * cap,
        flow_teu=one * flow_teu_per_year,
    )
    return ServiceWait(mean_h=float(mean[0]), cv=float(cv[0]), cycle_h=float(cycle[0]))
