"""One multi-server FCFS station: the kernel shared with the corridor engine.

:func:`take_server` is the whole FCFS rule: a customer who arrives at ``t`` (in
arrival order) takes the server that frees first and starts at
``max(t, free_at)``.  The corridor engine calls it for every border and
terminal; :func:`simulate_station` runs one station with Poisson arrivals for
``corridor queue`` and the validation against Erlang-C and Pollaczek-Khinchine.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numba import njit

from corridor.errors import CorridorError
from corridor.simulation import streams
from corridor.simulation.distributions import EXPONENTIAL, choose_kind, draw
from corridor.simulation.theory import Theory, station_theory

# 97.5 % quantile of Student's t with 19 degrees of freedom (20 batch means).
_T19 = 2.093024054408263
_BATCHES = 20


@njit(cache=True)
def take_server(free: np.ndarray, lo: int, hi: int, t: float, s: float) -> float:
    """Serve a customer arriving at ``t`` for ``s`` hours on servers ``free[lo:hi]``.

    ``free`` holds the time each server next becomes free; the customer takes
    the earliest (lowest index on ties) and the function returns its start time.
    Callers must present customers in order of arrival (FCFS).
    """
    j = lo
    best = free[lo]
    for k in range(lo + 1, hi):
        if free[k] < best:
            best = free[k]
            j = k
    start = t if t > best else best
    free[j] = start + s
    return start


@njit(cache=True)
def _station_chunk(
    seed: int,
    i0: int,
    lam: float,
    kind: int,
    mean_s: float,
    cv: float,
    clock: np.ndarray,
    free: np.ndarray,
    arrival: np.ndarray,
    start: np.ndarray,
    service: np.ndarray,
) -> None:
    # Customers i0 .. i0 + len(arrival) - 1; clock[0] carries the last arrival time.
    c = free.shape[0]
    t = clock[0]
    for k in range(arrival.shape[0]):
        i = i0 + k
        t += -math.log(streams.uniform(seed, streams.ARRIVAL, i, 0)) / lam
        s = draw(kind, mean_s, cv, seed, streams.SERVICE, i, 0)
        arrival[k] = t
        service[k] = s
        start[k] = take_server(free, 0, c, t, s)
    clock[0] = t


@njit(cache=True)
def _number_in_system_area(arrival: np.ndarray, depart: np.ndarray, t0: float, t1: float) -> float:
    # Integral of the number in system over [t0, t1], by sweeping sorted events.
    ev = np.concatenate((arrival, depart))
    sign = np.concatenate((np.ones(arrival.shape[0]), -np.ones(depart.shape[0])))
    order = np.argsort(ev, kind="mergesort")
    n = 0.0
    area = 0.0
    last = t0
    for k in order:
        t = ev[k]
        if t > t1:
            break
        if t > t0:
            area += n * (t - last)
            last = t
        n += sign[k]
    area += n * (t1 - last)
    return area


@dataclass(frozen=True)
class StationResult:
    """Measured statistics of one simulated station, with the theory beside them."""

    customers: int
    servers: int
    arrival_rate: float
    service_rate: float
    service_cv: float
    service_distribution: str
    warmup_customers: int
    utilisation: float
    utilisation_theory: float
    mean_wait_h: float
    mean_wait_ci95_h: tuple[float, float]
    p_wait: float
    p50_wait_h: float
    p90_wait_h: float
    p99_wait_h: float
    max_wait_h: float
    mean_sojourn_h: float
    mean_in_system: float
    littles_law_in_system: float
    theory: Theory
    seed: int
    waits: np.ndarray = field(repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dictionary (waits omitted)."""
        t = self.theory
        rel = (self.mean_wait_h - t.mean_wait_h) / t.mean_wait_h if t.mean_wait_h > 0 else None
        return {
            "customers": self.customers,
            "servers": self.servers,
            "arrival_rate_per_h": self.arrival_rate,
            "service_rate_per_h": self.service_rate,
            "service_cv": self.service_cv,
            "service_distribution": self.service_distribution,
            "seed": self.seed,
            "warmup_customers": self.warmup_customers,
            "utilisation": self.utilisation,
            "utilisation_theory": self.utilisation_theory,
            "mean_wait_h": self.mean_wait_h,
            "mean_wait_ci95_h": list(self.mean_wait_ci95_h),
            "p_wait": self.p_wait,
            "p50_wait_h": self.p50_wait_h,
            "p90_wait_h": self.p90_wait_h,
            "p99_wait_h": self.p99_wait_h,
            "max_wait_h": self.max_wait_h,
            "mean_sojourn_h": self.mean_sojourn_h,
            "mean_in_system": self.mean_in_system,
            "littles_law_in_system": self.littles_law_in_system,
            "theory": t.name,
            "theory_exact": t.exact,
            "theory_mean_wait_h": t.mean_wait_h,
            "theory_p_wait": t.p_wait,
            "theory_p90_wait_h": t.p90_wait_h,
            "relative_error_mean_wait": rel,
        }


def simulate_station(
    servers: int,
    arrival_rate: float,
    service_rate: float,
    *,
    service_cv: float = 1.0,
    distribution: str = "lognormal",
    customers: int = 100_000,
    warmup: int | None = None,
    seed: int = 1,
    chunk: int = 1_000_000,
    progress: Callable[[int], None] | None = None,
) -> StationResult:
    """Simulate an FCFS station with ``servers`` servers and Poisson arrivals.

    Parameters
    ----------
    servers
        Parallel servers (lanes, tracks, scanners, berths).
    arrival_rate, service_rate
        Arrivals per hour, and services per hour per server.
    service_cv
        Coefficient of variation of the service time: 1 gives exponential
        service (M/M/c), 0 deterministic, other values ``distribution``.
    distribution
        ``"lognormal"`` or ``"gamma"`` for ``service_cv`` other than 0 and 1.
    customers
        Customers measured after the warm-up.
    warmup
        Customers simulated first and discarded (default ``customers // 50``).
    seed
        Seed of the counter-based random streams.
    chunk, progress
        The kernel runs ``chunk`` customers at a time and calls
        ``progress(done)`` after each chunk.

    Returns
    -------
    StationResult

    Examples
    --------
    >>> r = simulate_station(2, 1.0, 1.0, customers=20_000, seed=3)
    >>> r.theory.name
    'Erlang-C (M/M/c, exact)'
    >>> bool(abs(r.mean_wait_h / r.theory.mean_wait_h - 1) < 0.15)
    True
    """
    if servers < 1 or int(servers) != servers:
        raise CorridorError(f"servers must be a whole number >= 1, got {servers}")
    if customers < _BATCHES:
        raise CorridorError(f"customers must be at least {_BATCHES}, got {customers}")
    theory = station_theory(int(servers), arrival_rate, service_rate, service_cv)
    kind = choose_kind(service_cv, distribution)
    warm = customers // 50 if warmup is None else int(warmup)
    if warm < 0:
        raise CorridorError(f"warmup must be >= 0, got {warmup}")
    total = warm + int(customers)
    arrival = np.empty(total)
    start = np.empty(total)
    service = np.empty(total)
    free = np.zeros(int(servers))
    clock = np.zeros(1)
    mean_s = 1.0 / service_rate
    done = 0
    while done < total:
        hi = min(total, done + chunk)
        _station_chunk(
            int(seed),
            done,
            float(arrival_rate),
            kind,
            mean_s,
            float(service_cv),
            clock,
            free,
            arrival[done:hi],
            start[done:hi],
            service[done:hi],
        )
        done = hi
        if progress is not None:
            progress(done)
    a, s0, sv = arrival[warm:], start[warm:], service[warm:]
    waits = s0 - a
    depart = s0 + sv
    t0, t1 = float(a[0]), float(a[-1])
    horizon = t1 - t0
    n_in_window = a.shape[0] - 1
    # Little's law, measured independently: time-average number in system over
    # the arrival window (event sweep) against lambda_hat * W.
    area = _number_in_system_area(arrival, start + service, t0, t1)
    mean_in_system = area / horizon
    sojourn = waits + sv
    lam_hat = n_in_window / horizon
    busy = float(np.minimum(depart, t1).clip(min=t0).sum() - np.maximum(s0, t0).clip(max=t1).sum())
    batch = waits[: (waits.shape[0] // _BATCHES) * _BATCHES].reshape(_BATCHES, -1).mean(axis=1)
    half = _T19 * float(batch.std(ddof=1)) / math.sqrt(_BATCHES)
    mean_w = float(waits.mean())
    p50, p90, p99 = (float(v) for v in np.quantile(waits, [0.5, 0.9, 0.99]))
    names = {0: "deterministic", EXPONENTIAL: "exponential", 2: "lognormal", 3: "gamma"}
    return StationResult(
        customers=int(customers),
        servers=int(servers),
        arrival_rate=float(arrival_rate),
        service_rate=float(service_rate),
        service_cv=float(service_cv),
        service_distribution=names[kind],
        warmup_customers=warm,
        utilisation=busy / (servers * horizon),
        utilisation_theory=arrival_rate / (servers * service_rate),
        mean_wait_h=mean_w,
        mean_wait_ci95_h=(mean_w - half, mean_w + half),
        p_wait=float((waits > 0).mean()),
        p50_wait_h=p50,
        p90_wait_h=p90,
        p99_wait_h=p99,
        max_wait_h=float(waits.max()),
        mean_sojourn_h=float(sojourn.mean()),
        mean_in_system=mean_in_system,
        littles_law_in_system=lam_hat * float(sojourn.mean()),
        theory=theory,
        seed=int(seed),
        waits=waits,
    )
