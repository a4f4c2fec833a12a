"""Batch servers: ships that sail when full (or when the max wait expires) or on a timetable.

State of one ferry direction ``v`` lives in arrays owned by the engine
(:mod:`corridor.simulation.engine`); this module holds the rules:

``when_full``
    ``vessels`` ships cycle between the ports; a ship is ready to load again
    ``cycle_h`` after it sailed (round trip: crossing + port call there + return
    + port call here).  Ships load in the order they became ready, one at a time;
    cargo boards first come, first served, in TEU, and a shipment (a train of
    containers) may be split over two ships: it departs with the ship that takes
    its last TEU.  The ship at the berth sails as soon as it is full
    (``capacity`` = ``teu_per_sailing × load_factor``: the Caspian draft limit), or
    ``max_wait_h`` after it took its first cargo, whichever comes first.  An empty
    ship waits for cargo.
``scheduled``
    Departures at every multiple of ``headway_h``; each takes up to ``capacity``
    TEU, first come, first served.

Weather closures (Caspian storms) hold a ship that is due to sail until the
closure ends; loading continues meanwhile.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

WHEN_FULL = 0
SCHEDULED = 1
_EPS = 1e-9


@njit(cache=True)
def closed_until(
    cl_ptr: np.ndarray, cl_start: np.ndarray, cl_end: np.ndarray, e: int, t: float
) -> float:
    """End of the closure of element ``e`` that covers ``t`` (``t`` itself if open).

    Overlapping closures chain: the result is the first open moment at or after ``t``.
    """
    if e < 0:
        return t
    moved = True
    while moved:
        moved = False
        for k in range(cl_ptr[e], cl_ptr[e + 1]):
            if cl_start[k] <= t < cl_end[k]:
                t = cl_end[k]
                moved = True
    return t


@njit(cache=True)
def advance(
    v: int,
    now: float,
    policy: np.ndarray,
    capacity: np.ndarray,
    cycle_h: np.ndarray,
    max_wait_h: np.ndarray,
    headway_h: np.ndarray,
    closure: np.ndarray,
    vptr: np.ndarray,
    ready: np.ndarray,
    head: np.ndarray,
    tail: np.ndarray,
    boarded: np.ndarray,
    load: np.ndarray,
    first_load: np.ndarray,
    next_dep: np.ndarray,
    q_rem: np.ndarray,
    cl_ptr: np.ndarray,
    cl_start: np.ndarray,
    cl_end: np.ndarray,
    sailed_from: np.ndarray,
    sailed_to: np.ndarray,
    sailed_load: np.ndarray,
) -> tuple[int, float]:
    """Let ferry ``v`` do everything it can at time ``now``.

    Returns ``(n_sailings, wake_at)``: the sailings made now are written to
    ``sailed_from[:n]``/``sailed_to[:n]`` (FIFO positions of the shipments whose
    last TEU left on each) and ``sailed_load``; ``wake_at`` is when the ferry must
    be looked at again (``inf`` if only a new arrival can change anything).
    """
    n_sail = 0
    cap = capacity[v]
    while True:
        if head[v] == tail[v] and load[v] <= _EPS:
            return n_sail, math.inf
        if policy[v] == SCHEDULED:
            if next_dep[v] > now + _EPS:
                return n_sail, next_dep[v]
            t_open = closed_until(cl_ptr, cl_start, cl_end, closure[v], now)
            if t_open > now:
                return n_sail, t_open
            room = cap
            while head[v] < tail[v] and room > _EPS:
                take = min(q_rem[head[v]], room)
                q_rem[head[v]] -= take
                room -= take
                if q_rem[head[v]] <= _EPS:
                    head[v] += 1
            sailed_from[n_sail] = boarded[v]
            sailed_to[n_sail] = head[v]
            sailed_load[n_sail] = cap - room
            n_sail += 1
            boarded[v] = head[v]
            next_dep[v] = (math.floor(now / headway_h[v] + _EPS) + 1.0) * headway_h[v]
            continue
        # when_full: the ship at the berth is the one that became ready first
        k = vptr[v]
        for j in range(vptr[v] + 1, vptr[v + 1]):
            if ready[j] < ready[k]:
                k = j
        if ready[k] > now + _EPS:
            return n_sail, ready[k]
        while head[v] < tail[v] and load[v] < cap - _EPS:
            take = min(q_rem[head[v]], cap - load[v])
            if load[v] <= _EPS:
                first_load[v] = now
            load[v] += take
            q_rem[head[v]] -= take
            if q_rem[head[v]] <= _EPS:
                head[v] += 1
        full = load[v] >= cap - _EPS
        due = load[v] > _EPS and now >= first_load[v] + max_wait_h[v] - _EPS
        if not (full or due):
            return n_sail, first_load[v] + max_wait_h[v] if load[v] > _EPS else math.inf
        t_open = closed_until(cl_ptr, cl_start, cl_end, closure[v], now)
        if t_open > now:
            return n_sail, t_open
        sailed_from[n_sail] = boarded[v]
        sailed_to[n_sail] = head[v]
        sailed_load[n_sail] = load[v]
        n_sail += 1
        boarded[v] = head[v]
        ready[k] = now + cycle_h[v]
        load[v] = 0.0
        first_load[v] = math.inf
