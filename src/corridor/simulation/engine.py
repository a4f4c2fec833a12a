"""The compiled discrete-event core: shipments moving along routes, replications in parallel.

A model is a set of *flows* (shipments released by a seasonal Poisson process,
each following one route), *routes* (lists of legs) and three kinds of leg:

``DELAY``
    moving on a line (or any infinite-server dwell): a random time, stopped
    while the element is closed (infrastructure failure, repair).
``STATION``
    a multi-server FCFS queue (border crossing, terminal) - the same
    :func:`~corridor.simulation.queue.take_server` rule as ``corridor queue``.
    A *pool* of wagon sets or locomotives is a station whose customers leave
    when their service starts (the unit they took is busy for its turnaround).
``FERRY``
    a batch server (:mod:`corridor.simulation.ferry`); two directions may
    share one fleet.

Events are processed in time order from a binary heap; at a station the FCFS
rule fixes the departure at the arrival, so one event per shipment and leg is
enough, plus ferry wake-ups.  Every random draw is addressed by
``(replication seed, purpose, flow and shipment number, leg)`` so two models
that agree on a flow or a leg use the same draws (common random numbers);
legs are numbered without the pools and closures by the name of their
process, so adding a pool or a closure process leaves the other draws alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from numba import njit, prange

from corridor.simulation import streams
from corridor.simulation.distributions import LOGNORMAL, draw
from corridor.simulation.ferry import SCHEDULED, advance, closed_until
from corridor.simulation.queue import take_server

DELAY = 0
STATION = 1
FERRY = 2

HOURS_PER_YEAR = 8760.0
#: Waiting-time histogram: bin 0 holds zero waits, bin 1 (0, 0.1 h), then geometric
#: bins up to 20,000 h.
HIST_BINS = 160
HIST_MIN_H = 0.1
HIST_RATIO = (20_000.0 / HIST_MIN_H) ** (1.0 / (HIST_BINS - 2))
_LOG_RATIO = math.log(HIST_RATIO)
MAX_LEGS = 128
_KEY = 1 << 24  # shipments per flow and replication are numbered below this
#: Closures keep being drawn this long after the last release (shipments still travel).
TAIL_H = 200 * 24.0


def hist_edges() -> npt.NDArray[np.float64]:
    """Edges (hours) of the waiting-time histogram bins, ``HIST_BINS + 1`` values.

    Bin 0 is the point mass at zero (edges 0, 0).
    """
    geo = HIST_MIN_H * HIST_RATIO ** np.arange(HIST_BINS - 2)
    return np.concatenate(([0.0, 0.0], geo, [np.inf]))


class Arrays(NamedTuple):
    """The model as contiguous arrays (built by :mod:`corridor.simulation.spec`)."""

    fl_route: npt.NDArray[np.int64]
    fl_rate: npt.NDArray[np.float64]  # shipments per hour, yearly mean
    fl_amp: npt.NDArray[np.float64]  # seasonal amplitude (0 = flat)
    fl_peak_h: npt.NDArray[np.float64]  # hour of the year when demand peaks
    fl_size: npt.NDArray[np.float64]  # TEU per shipment
    rt_ptr: npt.NDArray[np.int64]
    lg_type: npt.NDArray[np.int64]
    lg_res: npt.NDArray[np.int64]
    lg_mean: npt.NDArray[np.float64]
    lg_cv: npt.NDArray[np.float64]
    lg_closure: npt.NDArray[np.int64]  # closure element (-1 = never closed)
    lg_draw: npt.NDArray[np.int64]  # index of the leg in draw addresses
    st_ptr: npt.NDArray[np.int64]  # servers of station s: st_ptr[s]:st_ptr[s+1]
    st_mean: npt.NDArray[np.float64]
    st_cv: npt.NDArray[np.float64]
    st_kind: npt.NDArray[np.int64]
    st_pool: npt.NDArray[np.int64]  # 1: a pool (leave when service starts)
    fe_policy: npt.NDArray[np.int64]
    fe_ship0: npt.NDArray[np.int64]  # ships of ferry v: fe_ship0[v]:fe_ship1[v]
    fe_ship1: npt.NDArray[np.int64]
    fe_partner: npt.NDArray[np.int64]  # the other direction of a shared fleet, or -1
    fe_home: npt.NDArray[np.int64]  # 1: idle ships rest at this direction's port
    sh_port: npt.NDArray[np.int64]  # direction each ship starts at
    fe_capacity: npt.NDArray[np.float64]
    fe_cycle: npt.NDArray[np.float64]
    fe_crossing: npt.NDArray[np.float64]
    fe_max_wait: npt.NDArray[np.float64]
    fe_headway: npt.NDArray[np.float64]
    fe_closure: npt.NDArray[np.int64]
    ce_ptr: npt.NDArray[np.int64]  # processes of closure element e: ce_ptr[e]:ce_ptr[e+1]
    cl_key: npt.NDArray[np.int64]  # stream key of each process (from its name)
    cl_rate: npt.NDArray[np.float64]  # closures per hour (inside the window, if any)
    cl_mean_h: npt.NDArray[np.float64]
    cl_cv: npt.NDArray[np.float64]
    cl_amp: npt.NDArray[np.float64]  # seasonal amplitude of the closure rate
    cl_peak_h: npt.NDArray[np.float64]
    cl_win0_h: npt.NDArray[np.float64]  # season window [win0, win1) in hours of the year
    cl_win1_h: npt.NDArray[np.float64]  # (equal: no window)


@dataclass(frozen=True)
class Raw:
    """Per-replication outputs of :func:`run`."""

    release_h: npt.NDArray[np.float64]  # (replications, slots), NaN where unused
    done_h: npt.NDArray[np.float64]
    slot_flow: npt.NDArray[np.int64]
    res_count: npt.NDArray[np.float64]  # (replications, resources)
    res_wait: npt.NDArray[np.float64]
    res_wait2: npt.NDArray[np.float64]
    res_sojourn: npt.NDArray[np.float64]
    res_busy: npt.NDArray[np.float64]
    res_teu: npt.NDArray[np.float64]
    res_sailings: npt.NDArray[np.float64]
    res_hist: npt.NDArray[np.int64]  # (replications, resources, HIST_BINS): waits
    res_hist_sojourn: npt.NDArray[np.int64]  # the same for wait + service (dwell)
    res_area: npt.NDArray[np.float64]  # (replications, resources, days): shipment-hours
    events: npt.NDArray[np.int64]
    closures: npt.NDArray[np.int64]


@njit(cache=True)
def _seasonal(amp: float, peak_h: float, t: float) -> float:
    return 1.0 + amp * math.cos(2.0 * math.pi * (t - peak_h) / HOURS_PER_YEAR)


@njit(cache=True)
def _push(
    ht: np.ndarray, hc: np.ndarray, n: int, t: float, c: int
) -> tuple[np.ndarray, np.ndarray, int]:
    if n == ht.shape[0]:
        ht2 = np.empty(2 * n + 16)
        hc2 = np.empty(2 * n + 16, dtype=np.int64)
        ht2[:n] = ht[:n]
        hc2[:n] = hc[:n]
        ht, hc = ht2, hc2
    i = n
    while i > 0:
        p = (i - 1) >> 1
        if ht[p] < t or (ht[p] == t and hc[p] <= c):
            break
        ht[i] = ht[p]
        hc[i] = hc[p]
        i = p
    ht[i] = t
    hc[i] = c
    return ht, hc, n + 1


@njit(cache=True)
def _pop(ht: np.ndarray, hc: np.ndarray, n: int) -> tuple[float, int, int]:
    t0 = ht[0]
    c0 = hc[0]
    n -= 1
    t = ht[n]
    c = hc[n]
    i = 0
    while True:
        j = 2 * i + 1
        if j >= n:
            break
        if j + 1 < n and (ht[j + 1] < ht[j] or (ht[j + 1] == ht[j] and hc[j + 1] < hc[j])):
            j += 1
        if t < ht[j] or (t == ht[j] and c <= hc[j]):
            break
        ht[i] = ht[j]
        hc[i] = hc[j]
        i = j
    if n > 0:
        ht[i] = t
        hc[i] = c
    return t0, c0, n


@njit(cache=True)
def _hist_bin(w: float) -> int:
    if w <= 1e-9:
        return 0
    if w < HIST_MIN_H:
        return 1
    b = 2 + int(math.log(w / HIST_MIN_H) / _LOG_RATIO)
    return b if b < HIST_BINS else HIST_BINS - 1


@njit(cache=True)
def _add_area(area: np.ndarray, a: float, d: float) -> None:
    # Shipment-hours in system on each day of [0, days): the queue-length series.
    days = area.shape[0]
    if d <= 0.0 or a >= days * 24.0:
        return
    t = max(a, 0.0)
    end = min(d, days * 24.0)
    while t < end:
        day = int(t // 24.0)
        nxt = min(end, (day + 1) * 24.0)
        area[day] += nxt - t
        t = nxt


@njit(cache=True)
def _travel(
    t: float, h: float, cl_ptr: np.ndarray, cl_start: np.ndarray, cl_end: np.ndarray, e: int
) -> float:
    # Move for h hours from t, standing still while element e is closed.
    if e < 0:
        return t + h
    t = closed_until(cl_ptr, cl_start, cl_end, e, t)
    remaining = h
    while True:
        nxt = math.inf
        for k in range(cl_ptr[e], cl_ptr[e + 1]):
            if t < cl_start[k] < nxt:
                nxt = cl_start[k]
        if t + remaining <= nxt:
            return t + remaining
        remaining -= nxt - t
        t = closed_until(cl_ptr, cl_start, cl_end, e, nxt)


@njit(cache=True)
def _in_window(w0: float, w1: float, t: float) -> bool:
    if w0 == w1:
        return True
    h = t - math.floor(t / HOURS_PER_YEAR) * HOURS_PER_YEAR
    if w0 < w1:
        return w0 <= h < w1
    return h >= w0 or h < w1


@njit(cache=True)
def _closures(
    rs: np.uint64, m: Arrays, t0: float, t1: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # Intervals of every closure element: the union of its processes' closures.
    n_el = m.ce_ptr.shape[0] - 1
    ptr = np.zeros(n_el + 1, dtype=np.int64)
    start = np.empty(0)
    end = np.empty(0)
    for fill in range(2):
        if fill == 1:
            start = np.empty(ptr[n_el])
            end = np.empty(ptr[n_el])
        for e in range(n_el):
            pos = ptr[e]
            for p in range(m.ce_ptr[e], m.ce_ptr[e + 1]):
                rmax = m.cl_rate[p] * (1.0 + abs(m.cl_amp[p]))
                if rmax <= 0.0:
                    continue
                key = m.cl_key[p]
                t = t0
                k = 0
                while True:
                    t += -math.log(streams.uniform(rs, streams.CLOSURE, key, k)) / rmax
                    if t >= t1:
                        break
                    keep = 0.0
                    if _in_window(m.cl_win0_h[p], m.cl_win1_h[p], t):
                        keep = m.cl_rate[p] * _seasonal(m.cl_amp[p], m.cl_peak_h[p], t) / rmax
                    if streams.uniform(rs, streams.THINNING + 100, key, k) < keep:
                        if fill == 1:
                            start[pos] = t
                            end[pos] = t + draw(
                                LOGNORMAL,
                                m.cl_mean_h[p],
                                m.cl_cv[p],
                                rs,
                                streams.CLOSURE_LENGTH,
                                key,
                                k,
                            )
                        pos += 1
                    k += 1
            if fill == 0:
                ptr[e + 1] = pos
    return ptr, start, end


def closure_intervals(
    m: Arrays, *, seed: int, replication: int = 0, days: int = 365, warmup_days: float = 30.0
) -> list[npt.NDArray[np.float64]]:
    """The closures one replication of :func:`run` draws, as the engine sees them.

    One ``(n, 2)`` array of (start, end) hours per closure element, in the
    order of the model's elements; starts lie in ``[-warmup, days + tail)``.
    """
    rs = np.uint64(streams.substream(int(seed), int(replication)))
    ptr, start, end = _closures(rs, m, -float(warmup_days) * 24.0, days * 24.0 + TAIL_H)
    return [
        np.column_stack((start[ptr[e] : ptr[e + 1]], end[ptr[e] : ptr[e + 1]]))
        for e in range(ptr.shape[0] - 1)
    ]


@njit(cache=True)
def _replication(
    rep: int,
    seed: int,
    m: Arrays,
    days: int,
    warmup_h: float,
    slot0: np.ndarray,
    slot_cap: np.ndarray,
    qptr: np.ndarray,
    release: np.ndarray,
    done: np.ndarray,
    r_count: np.ndarray,
    r_wait: np.ndarray,
    r_wait2: np.ndarray,
    r_soj: np.ndarray,
    r_busy: np.ndarray,
    r_teu: np.ndarray,
    r_sail: np.ndarray,
    r_hist: np.ndarray,
    r_hist2: np.ndarray,
    r_area: np.ndarray,
) -> tuple[int, int]:
    rs = streams.substream(seed, rep)
    horizon = days * 24.0
    n_st = m.st_mean.shape[0]
    n_fe = m.fe_policy.shape[0]
    cl_ptr, cl_start, cl_end = _closures(rs, m, -warmup_h, horizon + TAIL_H)
    n_slots = release.shape[0]
    slot_j = np.full(n_slots, -1, dtype=np.int64)
    slot_f = np.full(n_slots, -1, dtype=np.int64)
    ht = np.empty(n_slots + 64)
    hc = np.empty(n_slots + 64, dtype=np.int64)
    nh = 0
    # Release shipments: thinning of a Poisson process at the peak rate.
    for f in range(m.fl_route.shape[0]):
        rmax = m.fl_rate[f] * (1.0 + abs(m.fl_amp[f]))
        if rmax <= 0.0:
            continue
        t = -warmup_h
        k = 0
        j = 0
        while j < slot_cap[f]:
            t += -math.log(streams.uniform(rs, streams.ARRIVAL, f, k)) / rmax
            if t >= horizon:
                break
            keep = m.fl_rate[f] * _seasonal(m.fl_amp[f], m.fl_peak_h[f], t) / rmax
            if streams.uniform(rs, streams.THINNING, f, k) < keep:
                s = slot0[f] + j
                release[s] = t
                slot_j[s] = j
                slot_f[s] = f
                ht, hc, nh = _push(ht, hc, nh, t, s * MAX_LEGS)
                j += 1
            k += 1
    # Per-replication state.
    free = np.full(m.st_ptr[n_st], -warmup_h)
    ready = np.full(m.sh_port.shape[0], -warmup_h)
    port = m.sh_port.copy()
    head = qptr[:-1].copy()
    tail = qptr[:-1].copy()
    boarded = qptr[:-1].copy()
    load = np.zeros(n_fe)
    qteu = np.zeros(n_fe)
    first_load = np.full(n_fe, math.inf)
    next_dep = np.empty(n_fe)
    for v in range(n_fe):
        next_dep[v] = math.ceil(-warmup_h / m.fe_headway[v]) * m.fe_headway[v]
    wake = np.full(n_fe, math.inf)
    q_slot = np.empty(qptr[n_fe], dtype=np.int64)
    q_leg = np.empty(qptr[n_fe], dtype=np.int64)
    q_arr = np.empty(qptr[n_fe])
    q_rem = np.empty(qptr[n_fe])
    max_v = 2
    for v in range(n_fe):
        max_v = max(max_v, m.fe_ship1[v] - m.fe_ship0[v] + 2)
    s_from = np.empty(max_v, dtype=np.int64)
    s_to = np.empty(max_v, dtype=np.int64)
    s_load = np.empty(max_v)
    events = 0
    while nh > 0:
        t, code, nh = _pop(ht, hc, nh)
        events += 1
        if code < 0:
            v = -code - 1
            if wake[v] <= t:
                wake[v] = math.inf
        else:
            s = code // MAX_LEGS
            leg = code % MAX_LEGS
            f = slot_f[s]
            r = m.fl_route[f]
            first = m.rt_ptr[r]
            if first + leg == m.rt_ptr[r + 1]:
                done[s] = t
                continue
            g = first + leg
            key = f * _KEY + slot_j[s]
            typ = m.lg_type[g]
            if typ == 0:
                h = draw(LOGNORMAL, m.lg_mean[g], m.lg_cv[g], rs, streams.DELAY, key, m.lg_draw[g])
                t2 = _travel(t, h, cl_ptr, cl_start, cl_end, m.lg_closure[g])
                ht, hc, nh = _push(ht, hc, nh, t2, code + 1)
                continue
            res = m.lg_res[g]
            if typ == 1:
                t_in = closed_until(cl_ptr, cl_start, cl_end, m.lg_closure[g], t)
                pool = m.st_pool[res] == 1
                sv = draw(
                    m.st_kind[res],
                    m.st_mean[res],
                    m.st_cv[res],
                    rs,
                    streams.POOL if pool else streams.SERVICE,
                    key,
                    m.lg_draw[g],
                )
                start = take_server(free, m.st_ptr[res], m.st_ptr[res + 1], t_in, sv)
                dep = start if pool else start + sv
                _add_area(r_area[res], t, dep)
                if 0.0 <= t < horizon:
                    w = start - t
                    r_count[res] += 1.0
                    r_wait[res] += w
                    r_wait2[res] += w * w
                    r_soj[res] += dep - t
                    r_busy[res] += sv
                    r_teu[res] += m.fl_size[f]
                    r_hist[res, _hist_bin(w)] += 1
                    r_hist2[res, _hist_bin(dep - t)] += 1
                ht, hc, nh = _push(ht, hc, nh, dep, code + 1)
                continue
            v = res
            if m.fe_policy[v] == SCHEDULED and head[v] == tail[v]:
                hw = m.fe_headway[v]
                next_dep[v] = max(next_dep[v], math.ceil(t / hw - 1e-12) * hw)
            p = tail[v]
            q_slot[p] = s
            q_leg[p] = leg
            q_arr[p] = t
            q_rem[p] = m.fl_size[f]
            qteu[v] += m.fl_size[f]
            tail[v] = p + 1
        # Let the ferry (and the other direction of its fleet) do what it can now.
        x = v
        for it in range(2 * max_v + 4):
            n_sail, wake_at, moved = advance(
                x,
                t,
                m,
                ready,
                port,
                head,
                tail,
                boarded,
                load,
                qteu,
                first_load,
                next_dep,
                q_rem,
                cl_ptr,
                cl_start,
                cl_end,
                s_from,
                s_to,
                s_load,
            )
            res = n_st + x
            for i in range(n_sail):
                if 0.0 <= t < horizon:
                    r_sail[res] += 1.0
                    r_busy[res] += s_load[i]  # TEU carried; utilisation = / (sailings x capacity)
                for p in range(s_from[i], s_to[i]):
                    a = q_arr[p]
                    _add_area(r_area[res], a, t)
                    if 0.0 <= a < horizon:
                        w = t - a
                        f2 = slot_f[q_slot[p]]
                        r_count[res] += 1.0
                        r_wait[res] += w
                        r_wait2[res] += w * w
                        r_soj[res] += w
                        r_teu[res] += m.fl_size[f2]
                        r_hist[res, _hist_bin(w)] += 1
                        r_hist2[res, _hist_bin(w)] += 1
                    ht, hc, nh = _push(
                        ht, hc, nh, t + m.fe_crossing[x], q_slot[p] * MAX_LEGS + q_leg[p] + 1
                    )
            if wake_at < wake[x]:
                wake[x] = wake_at
                ht, hc, nh = _push(ht, hc, nh, wake_at, -x - 1)
            # A ship leaving one port changes what the other may do: alternate until
            # neither direction moves a ship (each move sends a ship away, so this ends).
            if m.fe_partner[x] < 0 or (it > 0 and moved == 0):
                break
            x = m.fe_partner[x]
    return events, int(cl_ptr[-1])


@njit(cache=True, parallel=True)
def _run(
    seed: int,
    m: Arrays,
    days: int,
    warmup_h: float,
    slot0: np.ndarray,
    slot_cap: np.ndarray,
    qptr: np.ndarray,
    release: np.ndarray,
    done: np.ndarray,
    r_count: np.ndarray,
    r_wait: np.ndarray,
    r_wait2: np.ndarray,
    r_soj: np.ndarray,
    r_busy: np.ndarray,
    r_teu: np.ndarray,
    r_sail: np.ndarray,
    r_hist: np.ndarray,
    r_hist2: np.ndarray,
    r_area: np.ndarray,
    events: np.ndarray,
    closures: np.ndarray,
    rep0: int,
) -> None:
    for i in prange(release.shape[0]):
        ev, nc = _replication(
            rep0 + i,
            seed,
            m,
            days,
            warmup_h,
            slot0,
            slot_cap,
            qptr,
            release[i],
            done[i],
            r_count[i],
            r_wait[i],
            r_wait2[i],
            r_soj[i],
            r_busy[i],
            r_teu[i],
            r_sail[i],
            r_hist[i],
            r_hist2[i],
            r_area[i],
        )
        events[i] = ev
        closures[i] = nc


def slot_layout(
    m: Arrays, days: int, warmup_h: float
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Shipment slots per flow: the Poisson count plus ten standard deviations."""
    expected = m.fl_rate * (days * 24.0 + warmup_h) * (1.0 + np.abs(m.fl_amp))
    cap = np.ceil(expected + 10.0 * np.sqrt(expected) + 20.0).astype(np.int64)
    cap[m.fl_rate <= 0] = 0
    if (cap >= _KEY).any():
        raise ValueError("a flow releases more than 16 million shipments in one replication")
    slot0 = np.zeros(cap.shape[0], dtype=np.int64)
    np.cumsum(cap[:-1], out=slot0[1:])
    return slot0, cap


def ferry_queue_layout(m: Arrays, slot_cap: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """FIFO segment of each ferry: room for every shipment of every flow that uses it."""
    n_fe = m.fe_policy.shape[0]
    room = np.zeros(n_fe, dtype=np.int64)
    for f, r in enumerate(m.fl_route):
        legs = slice(m.rt_ptr[r], m.rt_ptr[r + 1])
        for typ, res in zip(m.lg_type[legs], m.lg_res[legs], strict=True):
            if typ == FERRY:
                room[res] += slot_cap[f]
    qptr = np.zeros(n_fe + 1, dtype=np.int64)
    np.cumsum(room, out=qptr[1:])
    return qptr


def run(
    m: Arrays,
    *,
    days: int,
    replications: int,
    seed: int,
    warmup_days: float = 30.0,
    first_replication: int = 0,
) -> Raw:
    """Run ``replications`` independent replications of ``days`` days (in parallel).

    Shipments are released from ``-warmup_days`` so that queues are loaded at
    day 0; statistics count shipments released (and node arrivals) in
    ``[0, days)``, and every shipment is followed to its destination.
    """
    warmup_h = float(warmup_days) * 24.0
    slot0, cap = slot_layout(m, days, warmup_h)
    qptr = ferry_queue_layout(m, cap)
    n_slots = int(cap.sum())
    n_res = int(m.st_mean.shape[0] + m.fe_policy.shape[0])
    reps = int(replications)
    release = np.full((reps, n_slots), np.nan)
    done = np.full((reps, n_slots), np.nan)
    count, wait, wait2, soj, busy, teu, sail = (np.zeros((reps, n_res)) for _ in range(7))
    hist = np.zeros((reps, n_res, HIST_BINS), dtype=np.int64)
    hist2 = np.zeros((reps, n_res, HIST_BINS), dtype=np.int64)
    area = np.zeros((reps, n_res, int(days)))
    events = np.zeros(reps, dtype=np.int64)
    closures = np.zeros(reps, dtype=np.int64)
    _run(
        int(seed),
        m,
        int(days),
        warmup_h,
        slot0,
        cap,
        qptr,
        release,
        done,
        count,
        wait,
        wait2,
        soj,
        busy,
        teu,
        sail,
        hist,
        hist2,
        area,
        events,
        closures,
        int(first_replication),
    )
    slot_flow = np.repeat(np.arange(cap.shape[0], dtype=np.int64), cap)
    return Raw(
        release,
        done,
        slot_flow,
        count,
        wait,
        wait2,
        soj,
        busy,
        teu,
        sail,
        hist,
        hist2,
        area,
        events,
        closures,
    )
