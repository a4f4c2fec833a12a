"""Service-time distributions given by their mean and coefficient of variation.

``kind`` codes used by the kernels: :data:`DETERMINISTIC`, :data:`EXPONENTIAL`,
:data:`LOGNORMAL`, :data:`GAMMA`.  Each draw is addressed by counters (see
:mod:`corridor.simulation.streams`), so a draw needs no generator state.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from corridor.errors import CorridorError
from corridor.simulation.streams import uniform

DETERMINISTIC = 0
EXPONENTIAL = 1
LOGNORMAL = 2
GAMMA = 3

NAMES = {
    "deterministic": DETERMINISTIC,
    "exponential": EXPONENTIAL,
    "lognormal": LOGNORMAL,
    "gamma": GAMMA,
}


def lognormal_params(mean: float, cv: float) -> tuple[float, float]:
    """Return ``(mu, sigma)`` of the log of a lognormal with this mean and CV.

    Examples
    --------
    >>> mu, sigma = lognormal_params(10.0, 0.5)
    >>> round(math.exp(mu + sigma**2 / 2), 9)
    10.0
    """
    sigma2 = math.log1p(cv * cv)
    return math.log(mean) - sigma2 / 2.0, math.sqrt(sigma2)


def gamma_params(mean: float, cv: float) -> tuple[float, float]:
    """Return ``(shape, scale)`` of a gamma distribution with this mean and CV.

    Examples
    --------
    >>> gamma_params(10.0, 0.5)
    (4.0, 2.5)
    """
    shape = 1.0 / (cv * cv)
    return shape, mean / shape


def choose_kind(cv: float, family: str = "lognormal") -> int:
    """Pick the kind code: CV 0 is deterministic, CV 1 exponential unless asked otherwise.

    ``family`` is ``"lognormal"``, ``"gamma"`` or ``"exponential"`` (the last
    requires ``cv == 1``).
    """
    if cv < 0 or not math.isfinite(cv):
        raise CorridorError(f"service CV must be a finite number >= 0, got {cv}")
    if family not in ("lognormal", "gamma", "exponential"):
        raise CorridorError(f"unknown service distribution {family!r}; use lognormal or gamma")
    if cv == 0.0:
        return DETERMINISTIC
    if family == "exponential" or (cv == 1.0 and family == "lognormal"):
        if cv != 1.0:
            raise CorridorError("an exponential service time has CV 1")
        return EXPONENTIAL
    return GAMMA if family == "gamma" else LOGNORMAL


@njit(cache=True)
def _normal(seed: int | np.uint64, stream: int, i: int, j: int) -> float:
    # Box-Muller on two draws that differ in the high bits of j.
    u1 = uniform(seed, stream, i, 2 * j)
    u2 = uniform(seed, stream, i, 2 * j + 1)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


@njit(cache=True)
def _gamma_unit(shape: float, seed: int | np.uint64, stream: int, i: int, j: int) -> float:
    # Marsaglia-Tsang; the attempt counter addresses fresh draws for each retry.
    boost = 1.0
    k = shape
    base = j * 64
    if k < 1.0:
        boost = uniform(seed, stream, i, base + 63) ** (1.0 / k)
        k += 1.0
    d = k - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    for attempt in range(30):
        x = _normal(seed, stream, i, base + attempt)
        v = 1.0 + c * x
        if v <= 0.0:
            continue
        v = v * v * v
        u = uniform(seed, stream + 1000, i, base + attempt)
        if math.log(u) < 0.5 * x * x + d - d * v + d * math.log(v):
            return d * v * boost
    return d * boost  # reached with probability < 1e-30


@njit(cache=True)
def draw(
    kind: int, mean: float, cv: float, seed: int | np.uint64, stream: int, i: int, j: int
) -> float:
    """One draw of the distribution ``kind`` with this mean and CV."""
    if kind == DETERMINISTIC or cv == 0.0 or mean <= 0.0:
        return mean
    if kind == EXPONENTIAL:
        return -mean * math.log(uniform(seed, stream, i, j))
    if kind == LOGNORMAL:
        s2 = math.log1p(cv * cv)
        return math.exp(math.log(mean) - 0.5 * s2 + math.sqrt(s2) * _normal(seed, stream, i, j))
    shape = 1.0 / (cv * cv)
    return _gamma_unit(shape, seed, stream, i, j) * mean / shape


@njit(cache=True)
def _draw_many(kind: int, mean: float, cv: float, n: int, seed: int) -> np.ndarray:
    out = np.empty(n)
    for i in range(n):
        out[i] = draw(kind, mean, cv, seed, 77, i, 0)
    return out


def sample(family: str, mean: float, cv: float, n: int, *, seed: int) -> np.ndarray:
    """Draw ``n`` values of a distribution with this mean and CV.

    Examples
    --------
    >>> x = sample("gamma", 2.0, 0.5, 100_000, seed=1)
    >>> bool(abs(x.mean() - 2.0) < 0.02)
    True
    """
    if not (mean > 0 and math.isfinite(mean)):
        raise CorridorError(f"mean must be positive and finite, got {mean}")
    kind = choose_kind(cv, family)
    return np.asarray(_draw_many(kind, float(mean), float(cv), int(n), int(seed)))
