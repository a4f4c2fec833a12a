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


# Wait quantiles come from a histogram with log-spaced bins read off the bits of a
# double: the exponent and the top _MANTISSA_BITS bits of the mantissa, so every bin
# spans a relative width of 2**-_MANTISSA_BITS (0.1 %) and no logarithm is taken.
# Bins cover waits from 2**-_LOW_EXP to 2**_HIGH_EXP hours; shorter positive waits
# share the first bin, longer ones the last (and the maximum is kept exactly).
_MANTISSA_BITS = 10
_LOW_EXP = 40
_HIGH_EXP = 40
_SHIFT = 52 - _MANTISSA_BITS
_FIRST_BIN = (1023 - _LOW_EXP) << _MANTISSA_BITS
_N_BINS = (_LOW_EXP + _HIGH_EXP) << _MANTISSA_BITS


@njit(cache=True)
def _station_stats(  # pragma: no cover - compiled
    arrival: np.ndarray,
    start: np.ndarray,
    service: np.ndarray,
    warm: int,
    waits: np.ndarray,
    wait_bits: np.ndarray,
    n_batches: int,
    sums: np.ndarray,
    batch: np.ndarray,
    hist: np.ndarray,
) -> None:
    """One pass over the customers, no sorting (the window is first to last measured arrival).

    ``sums`` gets: waits, positive waits, sojourns, the integral of the number in system
    over the window (each customer's time in system clipped to it), the servers' busy
    time in it (each service clipped), and the longest wait. ``waits`` are the measured
    customers' waits and ``wait_bits`` the same memory read as int64. ``batch`` gets the mean
    wait of ``n_batches`` consecutive batches and ``hist`` the wait histogram
    (zero waits in bin 0, positive waits from bin 1 on; see module constants).
    """
    n = arrival.shape[0]
    t0 = arrival[warm]
    t1 = arrival[n - 1]
    per_batch = (n - warm) // n_batches
    area = 0.0
    busy = 0.0
    for i in range(n):  # every customer, warm-up included, may be in the window
        a, s0 = arrival[i], start[i]
        d = s0 + service[i]
        if d > t0 and a < t1:
            area += min(d, t1) - max(a, t0)
            if s0 < t1:
                busy += min(d, t1) - max(s0, t0) if d > max(s0, t0) else 0.0
    wait_sum = 0.0
    positive = 0.0
    sojourn = 0.0
    longest = 0.0
    for j in range(n - warm):
        w = waits[j]
        wait_sum += w
        sojourn += w + service[warm + j]
        k = j // per_batch
        if k < n_batches:
            batch[k] += w
        if w > 0.0:
            positive += 1.0
            longest = max(longest, w)
            b = (wait_bits[j] >> _SHIFT) - _FIRST_BIN
            hist[1 + min(max(b, 0), _N_BINS - 1)] += 1
        else:
            hist[0] += 1
    for k in range(n_batches):
        batch[k] /= per_batch
    sums[0] = wait_sum
    sums[1] = positive
    sums[2] = sojourn
    sums[3] = area
    sums[4] = busy
    sums[5] = longest


def _bin_value(b: int) -> float:
    """The geometric middle of histogram bin ``b`` (``b >= 1``)."""
    lo = np.array([(b - 1 + _FIRST_BIN) << _SHIFT], dtype=np.int64).view(np.float64)[0]
    hi = np.array([(b + _FIRST_BIN) << _SHIFT], dtype=np.int64).view(np.float64)[0]
    return float(math.sqrt(lo * hi))


def histogram_quantiles(hist: np.ndarray, qs: tuple[float, ...], longest: float) -> list[float]:
    """Quantiles of the waits counted in ``hist`` (relative error about 0.05 %).

    A quantile whose rank falls among the zero waits is 0; otherwise it is the
    middle of the bin holding that rank, never above the longest wait.
    """
    cum = np.cumsum(hist)
    n = int(cum[-1])
    out = []
    for q in qs:
        rank = min(math.floor(q * (n - 1)) + 1, n)  # 1-based rank of the lower order stat
        b = int(np.searchsorted(cum, rank))
        out.append(0.0 if b == 0 else min(_bin_value(b), longest))
    return out


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
    sums = np.zeros(6)
    batch = np.zeros(_BATCHES)
    hist = np.zeros(_N_BINS + 1, dtype=np.int64)
    waits = start[warm:] - arrival[warm:]
    _station_stats(
        arrival, start, service, warm, waits, waits.view(np.int64), _BATCHES, sums, batch, hist
    )
    measured = total - warm
    horizon = float(arrival[-1] - arrival[warm])
    mean_w = float(sums[0]) / measured
    mean_sojourn = float(sums[2]) / measured
    half = _T19 * float(batch.std(ddof=1)) / math.sqrt(_BATCHES)
    p50, p90, p99 = histogram_quantiles(hist, (0.5, 0.9, 0.99), float(sums[5]))
    # Little's law, measured independently: time-average number in system over the
    # window against lambda_hat * W.
    lam_hat = (measured - 1) / horizon
    names = {0: "deterministic", EXPONENTIAL: "exponential", 2: "lognormal", 3: "gamma"}
    return StationResult(
        customers=int(customers),
        servers=int(servers),
        arrival_rate=float(arrival_rate),
        service_rate=float(service_rate),
        service_cv=float(service_cv),
        service_distribution=names[kind],
        warmup_customers=warm,
        utilisation=float(sums[4]) / (servers * horizon),
        utilisation_theory=arrival_rate / (servers * service_rate),
        mean_wait_h=mean_w,
        mean_wait_ci95_h=(mean_w - half, mean_w + half),
        p_wait=float(sums[1]) / measured,
        p50_wait_h=p50,
        p90_wait_h=p90,
        p99_wait_h=p99,
        max_wait_h=float(sums[5]),
        mean_sojourn_h=mean_sojourn,
        mean_in_system=float(sums[3]) / horizon,
        littles_law_in_system=lam_hat * mean_sojourn,
        theory=theory,
        seed=int(seed),
        waits=waits,
    )
