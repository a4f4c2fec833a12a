"""Queueing theory for one station: the references the simulation is checked against.

All rates are per hour and all times in hours.  ``c`` servers, arrival rate
``lam``, service rate per server ``mu`` (mean service ``1 / mu``), squared
coefficients of variation ``ca2`` (inter-arrival) and ``cs2`` (service).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from corridor.errors import CorridorError


def _check(c: int, lam: float, mu: float) -> float:
    if c < 1:
        raise CorridorError(f"servers must be >= 1, got {c}")
    if not (lam > 0 and math.isfinite(lam)):
        raise CorridorError(f"arrival rate must be positive and finite, got {lam}")
    if not (mu > 0 and math.isfinite(mu)):
        raise CorridorError(f"service rate must be positive and finite, got {mu}")
    rho = lam / (c * mu)
    if rho >= 1.0:
        raise CorridorError(
            f"unstable queue: utilisation rho = lam/(c*mu) = {rho:.3f} >= 1; "
            "add servers or raise the service rate"
        )
    return rho


def erlang_c(c: int, lam: float, mu: float) -> float:
    """Probability that an arrival waits in an M/M/c queue (Erlang C).

    Computed through the Erlang-B recursion, which is stable for large ``c``.

    Examples
    --------
    >>> round(erlang_c(1, 0.5, 1.0), 12)   # M/M/1: P(wait) = rho
    0.5
    >>> round(erlang_c(2, 1.0, 1.0), 6)
    0.333333
    """
    rho = _check(c, lam, mu)
    a = lam / mu
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b / (1.0 - rho * (1.0 - b))


def mmc_mean_wait(c: int, lam: float, mu: float) -> float:
    """Mean wait in queue of M/M/c: ``C(c, a) / (c mu - lam)``.

    Examples
    --------
    >>> round(mmc_mean_wait(1, 0.5, 1.0), 12)   # rho / (mu - lam)
    1.0
    """
    return erlang_c(c, lam, mu) / (c * mu - lam)


def mmc_wait_quantile(c: int, lam: float, mu: float, q: float) -> float:
    """Quantile ``q`` of the M/M/c wait: ``P(W > t) = C exp(-(c mu - lam) t)``.

    Examples
    --------
    >>> round(mmc_wait_quantile(1, 0.5, 1.0, 0.9), 6)   # ln(0.5 / 0.1) / 0.5
    3.218876
    """
    pc = erlang_c(c, lam, mu)
    if 1.0 - q >= pc:
        return 0.0
    return math.log(pc / (1.0 - q)) / (c * mu - lam)


def pollaczek_khinchine(lam: float, mu: float, cs2: float) -> float:
    """Exact mean wait in queue of M/G/1: ``rho (1 + cs2) / (2 (1 - rho)) / mu``.

    Examples
    --------
    >>> round(pollaczek_khinchine(0.5, 1.0, 0.0), 12)   # M/D/1: half of M/M/1
    0.5
    """
    rho = _check(1, lam, mu)
    return rho * (1.0 + cs2) / (2.0 * (1.0 - rho)) / mu


def kingman(lam: float, mu: float, ca2: float, cs2: float) -> float:
    """Kingman's G/G/1 approximation of the mean wait in queue.

    Examples
    --------
    >>> round(kingman(0.5, 1.0, 1.0, 1.0), 12)   # exact for M/M/1
    1.0
    """
    rho = _check(1, lam, mu)
    return rho / (1.0 - rho) * (ca2 + cs2) / 2.0 / mu


def allen_cunneen(c: int, lam: float, mu: float, ca2: float, cs2: float) -> float:
    """Allen-Cunneen G/G/c approximation: M/M/c wait scaled by ``(ca2 + cs2) / 2``.

    Examples
    --------
    >>> allen_cunneen(3, 2.0, 1.0, 1.0, 1.0) == mmc_mean_wait(3, 2.0, 1.0)
    True
    """
    return mmc_mean_wait(c, lam, mu) * (ca2 + cs2) / 2.0


@dataclass(frozen=True)
class Theory:
    """Theoretical mean wait of a station and the formula that gave it."""

    mean_wait_h: float
    name: str
    exact: bool
    p_wait: float | None = None
    p90_wait_h: float | None = None


def station_theory(c: int, lam: float, mu: float, cs: float, ca: float = 1.0) -> Theory:
    """The best available reference for a station with Poisson (or ``ca``) arrivals.

    Exact Pollaczek-Khinchine for one server and Poisson arrivals, exact Erlang-C
    for exponential service, Kingman (c = 1) or Allen-Cunneen (c > 1) otherwise.

    Examples
    --------
    >>> station_theory(2, 1.0, 1.0, 1.0).name
    'Erlang-C (M/M/c, exact)'
    >>> station_theory(1, 0.5, 1.0, 0.0).mean_wait_h
    0.5
    """
    cs2, ca2 = cs * cs, ca * ca
    _check(c, lam, mu)
    if ca2 == 1.0 and cs2 == 1.0:
        return Theory(
            mmc_mean_wait(c, lam, mu),
            "Erlang-C (M/M/c, exact)",
            True,
            erlang_c(c, lam, mu),
            mmc_wait_quantile(c, lam, mu, 0.9),
        )
    if c == 1 and ca2 == 1.0:
        return Theory(pollaczek_khinchine(lam, mu, cs2), "Pollaczek-Khinchine (M/G/1, exact)", True)
    if c == 1:
        return Theory(kingman(lam, mu, ca2, cs2), "Kingman (G/G/1, approximate)", False)
    return Theory(allen_cunneen(c, lam, mu, ca2, cs2), "Allen-Cunneen (G/G/c, approximate)", False)
