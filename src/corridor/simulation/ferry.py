"""Batch servers: ships that sail when full (or when the max wait expires) or on a timetable.

State of one ferry direction ``v`` lives in arrays owned by the engine
(:mod:`corridor.simulation.engine`); this module holds the rules:

``when_full``
    Ships load at the berth in the order they became ready, one at a time;
    cargo boards first come, first served, in TEU, and a shipment (a train of
    containers) may be split over two ships: it departs with the ship that takes
    its last TEU.  The ship at the berth sails as soon as it is full
    (``capacity`` = ``teu_per_sailing × load_factor``: the Caspian draft limit), or
    ``max_wait_h`` after it took its first cargo, whichever comes first.  An empty
    ship waits for cargo.

    *One direction with its own fleet* (``partner == -1``): ``vessels`` ships
    cycle between the ports; a ship is ready to load again ``cycle_h`` after it
    sailed (round trip: crossing + port call there + return + port call here).

    *Two directions sharing a fleet* (``partner >= 0``): a ship that sails from
    this port is ready at the other port ``cycle_h / 2`` later (crossing + port
    call) and loads there by the same rules, so it must come back before it can
    sail this way again; the round trip and the imbalance of the two flows
    decide how many ships each port sees.  The other port is *short of
    ships* when the TEU waiting there exceed the room on the ships already
    there or on their way (``capacity × ships − load on its berth``); then

    - the berth ship does not wait for more cargo: it sails with what it has;
    - an idle ship (empty, nothing left to load at its port) sails there in
      ballast.

    Otherwise an idle ship at the far port (``home == 0``) sails home in
    ballast at once, and one at the home port waits for cargo.

    With no cargo in one direction the fleet therefore behaves exactly like
    the one-direction model (every return trip is in ballast).
``scheduled``
    Departures at every multiple of ``headway_h``; each takes up to ``capacity``
    TEU, first come, first served (the fleet is not modelled: a timetable is
    kept by construction).

Weather closures (Caspian storms) hold a ship that is due to sail, loaded or in
ballast, until the closure ends; loading continues meanwhile.
"""

from __future__ import annotations

import math
from typing import Any

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
def _sail(v: int, k: int, now: float, m: Any, ready: np.ndarray, port: np.ndarray) -> None:
    # Ship k leaves the port of direction v (loaded or in ballast).
    u = m.fe_partner[v]
    if u < 0:
        ready[k] = now + m.fe_cycle[v]
    else:
        ready[k] = now + 0.5 * m.fe_cycle[v]
        port[k] = u


@njit(cache=True)
def _short_of_ships(u: int, m: Any, port: np.ndarray, qteu: np.ndarray, load: np.ndarray) -> bool:
    # More TEU wait at the port of direction u than its ships (there or on their
    # way) have room for.
    ships = 0
    for j in range(m.fe_ship0[u], m.fe_ship1[u]):
        if port[j] == u:
            ships += 1
    room: float = m.fe_capacity[u] * ships - load[u]
    return bool(qteu[u] > room + _EPS)


@njit(cache=True)
def advance(
    v: int,
    now: float,
    m: Any,
    ready: np.ndarray,
    port: np.ndarray,
    head: np.ndarray,
    tail: np.ndarray,
    boarded: np.ndarray,
    load: np.ndarray,
    qteu: np.ndarray,
    first_load: np.ndarray,
    next_dep: np.ndarray,
    q_rem: np.ndarray,
    cl_ptr: np.ndarray,
    cl_start: np.ndarray,
    cl_end: np.ndarray,
    sailed_from: np.ndarray,
    sailed_to: np.ndarray,
    sailed_load: np.ndarray,
) -> tuple[int, float, int]:
    """Let ferry direction ``v`` do everything it can at time ``now``.

    ``m`` is the engine's :class:`~corridor.simulation.engine.Arrays`.  Returns
    ``(n_sailings, wake_at, moved)``: the loaded sailings made now are written to
    ``sailed_from[:n]``/``sailed_to[:n]`` (FIFO positions of the shipments whose
    last TEU left on each) and ``sailed_load``; ``wake_at`` is when the ferry must
    be looked at again (``inf`` if only a new arrival can change anything);
    ``moved`` counts the ships that left, in ballast included.
    """
    n_sail = 0
    moved = 0
    cap = m.fe_capacity[v]
    u = m.fe_partner[v]
    closure = m.fe_closure[v]
    while True:
        if m.fe_policy[v] == SCHEDULED:
            if head[v] == tail[v]:
                return n_sail, math.inf, moved
            if next_dep[v] > now + _EPS:
                return n_sail, next_dep[v], moved
            t_open = closed_until(cl_ptr, cl_start, cl_end, closure, now)
            if t_open > now:
                return n_sail, t_open, moved
            room = cap
            while head[v] < tail[v] and room > _EPS:
                take = min(q_rem[head[v]], room)
                q_rem[head[v]] -= take
                qteu[v] -= take
                room -= take
                if q_rem[head[v]] <= _EPS:
                    head[v] += 1
            sailed_from[n_sail] = boarded[v]
            sailed_to[n_sail] = head[v]
            sailed_load[n_sail] = cap - room
            n_sail += 1
            moved += 1
            boarded[v] = head[v]
            next_dep[v] = (math.floor(now / m.fe_headway[v] + _EPS) + 1.0) * m.fe_headway[v]
            continue
        if u < 0 and head[v] == tail[v] and load[v] <= _EPS:
            return n_sail, math.inf, moved
        # when_full: the ship at the berth is the one here that became ready first
        k = -1
        k2 = -1  # the next ready ship (idle while the berth ship loads)
        nxt = math.inf
        for j in range(m.fe_ship0[v], m.fe_ship1[v]):
            if port[j] != v:
                continue
            if ready[j] > now + _EPS:
                nxt = min(nxt, ready[j])
            elif k < 0 or ready[j] < ready[k]:
                k2 = k
                k = j
            elif k2 < 0 or ready[j] < ready[k2]:
                k2 = j
        if k < 0:
            return n_sail, nxt, moved
        while head[v] < tail[v] and load[v] < cap - _EPS:
            take = min(q_rem[head[v]], cap - load[v])
            if load[v] <= _EPS:
                first_load[v] = now
            load[v] += take
            qteu[v] -= take
            q_rem[head[v]] -= take
            if q_rem[head[v]] <= _EPS:
                head[v] += 1
        full = load[v] >= cap - _EPS
        due = load[v] > _EPS and now >= first_load[v] + m.fe_max_wait[v] - _EPS
        short = u >= 0 and _short_of_ships(u, m, port, qteu, load)
        if full or due or (short and load[v] > _EPS):
            t_open = closed_until(cl_ptr, cl_start, cl_end, closure, now)
            if t_open > now:
                return n_sail, t_open, moved
            sailed_from[n_sail] = boarded[v]
            sailed_to[n_sail] = head[v]
            sailed_load[n_sail] = load[v]
            n_sail += 1
            moved += 1
            boarded[v] = head[v]
            load[v] = 0.0
            first_load[v] = math.inf
            _sail(v, k, now, m, ready, port)
            continue
        wake = first_load[v] + m.fe_max_wait[v] if load[v] > _EPS else math.inf
        if u < 0:
            return n_sail, wake, moved
        # Shared fleet: reposition one idle ship, then look again.
        idle = k if load[v] <= _EPS else k2
        if idle >= 0 and (short or m.fe_home[v] == 0):
            t_open = closed_until(cl_ptr, cl_start, cl_end, closure, now)
            if t_open > now:
                return n_sail, min(wake, t_open), moved
            moved += 1
            _sail(v, idle, now, m, ready, port)
            continue
        return n_sail, min(wake, nxt), moved
