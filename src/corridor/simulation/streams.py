"""Counter-based random streams: a uniform number is a hash of (seed, stream, i, j).

Every random draw in the simulation is addressed by what it is for (arrival of
flow ``i`` number ``j``, service of shipment ``i`` at leg ``j``, ...), not by the
order in which draws happen.  Two scenarios run with the same seed therefore see
the same draws wherever their models agree (common random numbers), replications
can run in parallel without sharing a generator, and nothing is global.  The hash
is SplitMix64's finaliser, which passes BigCrush when fed a counter.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_TWO_M53 = 1.0 / 9007199254740992.0

# Stream ids: one per purpose, so that purposes never share draws.
ARRIVAL = 1
SERVICE = 2
DELAY = 3
CLOSURE = 4
CLOSURE_LENGTH = 5
THINNING = 6
POOL = 7


@njit(cache=True)
def _mix(z: np.uint64) -> np.uint64:
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(cache=True)
def uniform(seed: int | np.uint64, stream: int, i: int, j: int) -> float:
    """Uniform draw on (0, 1) addressed by ``(seed, stream, i, j)``.

    Examples
    --------
    >>> u = uniform(1, 2, 3, 4)
    >>> 0.0 < u < 1.0 and u == uniform(1, 2, 3, 4)
    True
    """
    h = _mix(np.uint64(seed) + _GOLDEN)
    h = _mix(h ^ (np.uint64(stream) * _GOLDEN))
    h = _mix(h ^ np.uint64(i))
    h = _mix(h ^ (np.uint64(j) * _M1))
    return (float(h >> _S11) + 0.5) * _TWO_M53


@njit(cache=True)
def substream(seed: int, replication: int) -> np.uint64:
    """Seed of one replication, derived from the run's seed.

    Examples
    --------
    >>> int(substream(1, 0)) != int(substream(1, 1))
    True
    """
    return _mix(_mix(np.uint64(seed) ^ _M2) + np.uint64(replication) * _GOLDEN)
