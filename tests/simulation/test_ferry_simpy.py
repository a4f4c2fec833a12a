"""The batch ferry against a straightforward SimPy model of the same rules."""

from __future__ import annotations

import numpy as np
import pytest
import simpy
from scipy import stats

from corridor.simulation import engine
from corridor.simulation.spec import Ferry, Flow, compile_model

RATE_PER_H = 0.05  # shipments per hour
SIZE_TEU = 60.0  # a shipment may be split over two ships
CAPACITY = 157.0
VESSELS = 3
CYCLE_H = 90.0
MAX_WAIT_H = 48.0
DAYS = 3000


def simpy_ferry_waits(seed: int, days: int, max_wait_h: float = MAX_WAIT_H) -> np.ndarray:
    """Ships sail when full or MAX_WAIT_H after their first cargo; FCFS; split shipments."""
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    berth = simpy.Resource(env, capacity=1)
    queue: list[list[float]] = []  # [arrival time, remaining TEU]
    waits: list[float] = []
    signal = [env.event()]

    def arrivals() -> simpy.events.ProcessGenerator:
        while env.now < days * 24.0:
            yield env.timeout(rng.exponential(1.0 / RATE_PER_H))
            queue.append([env.now, SIZE_TEU])
            signal[0].succeed()
            signal[0] = env.event()

    def vessel() -> simpy.events.ProcessGenerator:
        while True:
            with berth.request() as req:
                yield req
                load, deadline, boarded = 0.0, None, []
                while True:
                    while queue and load < CAPACITY:
                        take = min(queue[0][1], CAPACITY - load)
                        if load == 0.0:
                            deadline = env.now + max_wait_h
                        load += take
                        queue[0][1] -= take
                        if queue[0][1] <= 1e-9:
                            boarded.append(queue.pop(0)[0])
                    if load >= CAPACITY - 1e-9 or (deadline is not None and env.now >= deadline):
                        break
                    if deadline is None:
                        yield signal[0]
                    else:
                        yield signal[0] | env.timeout(deadline - env.now)
                waits.extend(env.now - a for a in boarded)
            yield env.timeout(CYCLE_H)

    env.process(arrivals())
    for _ in range(VESSELS):
        env.process(vessel())
    env.run(until=days * 24.0 + 2000.0)
    return np.asarray(waits)


def engine_ferry_waits(seed: int, days: int) -> np.ndarray:
    ferry = Ferry(
        "f",
        capacity_teu=CAPACITY,
        crossing_h=10.0,
        cycle_h=CYCLE_H,
        vessels=VESSELS,
        max_wait_h=MAX_WAIT_H,
    )
    model = compile_model([Flow((ferry,), RATE_PER_H * 8760.0, teu_per_shipment=SIZE_TEU)])
    raw = engine.run(model.arrays, days=days, replications=1, seed=seed, warmup_days=0.0)
    ok = ~np.isnan(raw.release_h[0])
    return (raw.done_h[0, ok] - raw.release_h[0, ok]) - 10.0


def test_ferry_waits_match_simpy_two_sample_ks() -> None:
    ours = engine_ferry_waits(3, DAYS)
    theirs = simpy_ferry_waits(3, DAYS)
    assert (ours >= -1e-9).all() and (ours <= MAX_WAIT_H + CYCLE_H * 3).all()
    # Every 10th shipment: successive waits are correlated (same ship).
    a, b = ours[::10], theirs[::10]
    assert len(a) > 300 and len(b) > 300
    result = stats.ks_2samp(a, b)
    assert result.pvalue > 0.01, (result, a.mean(), b.mean())
    assert a.mean() == pytest.approx(b.mean(), rel=0.1)


def test_ks_detects_a_different_max_wait() -> None:
    # The comparison has power: halving the max wait in SimPy must be rejected.
    ours = engine_ferry_waits(3, DAYS)
    theirs = simpy_ferry_waits(3, DAYS, max_wait_h=MAX_WAIT_H / 2)
    assert stats.ks_2samp(ours[::10], theirs[::10]).pvalue < 0.01
