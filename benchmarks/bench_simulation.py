"""Benchmark: the simulation engine against SimPy on the same models, in one job.

1. M/M/c station (c = 3, lambda = 2.1/h, mu = 1/h): customers per second in SimPy,
   in ``corridor.simulation.simulate_station`` (warm, statistics included) and in the
   floor, a bare numba M/M/c loop (``floor_mmc`` below: numba's own generator, no
   statistics, no common random numbers); then the whole ``corridor queue`` process
   for 5 million customers, interleaved with SimPy runs so both see the same load.
2. A corridor chain (line -> 2-lane border -> port -> ferry that sails when full
   -> line), identical rules in SimPy and in the engine: shipments per second.
3. One simulated year of the default dataset at 2024 demand, 100 replications.

Prints a Markdown table; run ``python benchmarks/bench_simulation.py`` or
``make bench``.  Numbers depend on the machine; ratios are what matter.  The
machine is often shared, so the short timings (the chain, the default year) are
the best of a few runs on both sides: the least disturbed one.
"""

from __future__ import annotations

import json
import math
import statistics
import subprocess
import sys
import time

import numpy as np
from numba import njit

C, LAM, MU = 3, 2.1, 1.0
WHOLE = 5_000_000


@njit(cache=False)
def _floor_run(n: int, c: int, lam: float, mu: float, seed: int) -> float:  # pragma: no cover
    np.random.seed(seed)
    free = np.zeros(c)
    t = 0.0
    total = 0.0
    for _ in range(n):
        t += np.random.exponential(1.0 / lam)
        s = np.random.exponential(1.0 / mu)
        j = 0
        for k in range(1, c):
            if free[k] < free[j]:
                j = k
        start = max(t, free[j])
        free[j] = start + s
        total += start - t
    return total / n


def floor_mmc(customers: int, seed: int) -> float:
    """The floor: mean wait of M/M/c in a bare numba loop (compiled on first use)."""
    return float(_floor_run(customers, C, LAM, MU, seed))


def simpy_mmc(customers: int, seed: int) -> float:
    """Mean wait of an M/M/c queue in SimPy."""
    import simpy

    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    servers = simpy.Resource(env, capacity=C)
    waits: list[float] = []

    def customer(service: float) -> simpy.events.ProcessGenerator:
        arrive = env.now
        with servers.request() as req:
            yield req
            waits.append(env.now - arrive)
            yield env.timeout(service)

    def source() -> simpy.events.ProcessGenerator:
        for _ in range(customers):
            yield env.timeout(rng.exponential(1.0 / LAM))
            env.process(customer(rng.exponential(1.0 / MU)))

    env.process(source())
    env.run()
    return float(np.mean(waits))


# --- the corridor chain -----------------------------------------------------------
PER_YEAR = 4000.0  # shipments a year
SIZE = 20.0  # TEU per shipment
BORDER = (2, 3.0, 0.6)  # servers, mean service h, cv
PORT = (1, 1.5, 0.5)
FERRY = dict(capacity=160.0, crossing=20.0, cycle=60.0, vessels=4, max_wait=72.0)
LINE_A, LINE_B = 30.0, 20.0


def _lognormal(rng: np.random.Generator, mean: float, cv: float) -> float:
    s2 = np.log1p(cv * cv)
    return float(rng.lognormal(np.log(mean) - s2 / 2, np.sqrt(s2)))


def simpy_chain(days: int, seed: int) -> int:
    """The chain in SimPy; returns the number of shipments delivered."""
    import simpy

    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    border = simpy.Resource(env, capacity=BORDER[0])
    port = simpy.Resource(env, capacity=PORT[0])
    berth = simpy.Resource(env, capacity=1)
    queue: list[list] = []  # [remaining TEU, event fired when the last TEU sails]
    signal = [env.event()]
    delivered = [0]

    def shipment() -> simpy.events.ProcessGenerator:
        yield env.timeout(_lognormal(rng, LINE_A, 0.05))
        for res, (_, mean, cv) in ((border, BORDER), (port, PORT)):
            with res.request() as req:
                yield req
                yield env.timeout(_lognormal(rng, mean, cv))
        sailed = env.event()
        queue.append([SIZE, sailed])
        signal[0].succeed()
        signal[0] = env.event()
        yield sailed
        yield env.timeout(FERRY["crossing"] + _lognormal(rng, LINE_B, 0.05))
        delivered[0] += 1

    def vessel() -> simpy.events.ProcessGenerator:
        cap = FERRY["capacity"]
        while True:
            with berth.request() as req:
                yield req
                load, deadline, boarded = 0.0, None, []
                while True:
                    while queue and load < cap:
                        take = min(queue[0][0], cap - load)
                        if load == 0.0:
                            deadline = env.now + FERRY["max_wait"]
                        load += take
                        queue[0][0] -= take
                        if queue[0][0] <= 1e-9:
                            boarded.append(queue.pop(0)[1])
                    if load >= cap - 1e-9 or (deadline is not None and env.now >= deadline):
                        break
                    yield (
                        signal[0]
                        if deadline is None
                        else (signal[0] | env.timeout(deadline - env.now))
                    )
                for ev in boarded:
                    ev.succeed()
            yield env.timeout(FERRY["cycle"])

    def source() -> simpy.events.ProcessGenerator:
        while env.now < days * 24.0:
            yield env.timeout(rng.exponential(8760.0 / PER_YEAR))
            env.process(shipment())

    env.process(source())
    for _ in range(FERRY["vessels"]):
        env.process(vessel())
    env.run(until=days * 24.0 + 24 * 60)
    return delivered[0]


def corridor_chain_model():  # type: ignore[no-untyped-def]
    from corridor.simulation.spec import Delay, Ferry, Flow, Station, compile_model

    border = Station("border", servers=BORDER[0], mean_service_h=BORDER[1], cv=BORDER[2])
    port = Station("port", servers=PORT[0], mean_service_h=PORT[1], cv=PORT[2])
    ferry = Ferry(
        "ferry",
        capacity_teu=FERRY["capacity"],
        crossing_h=FERRY["crossing"],
        cycle_h=FERRY["cycle"],
        vessels=int(FERRY["vessels"]),
        max_wait_h=FERRY["max_wait"],
    )
    route = (Delay(LINE_A), border, port, ferry, Delay(LINE_B))
    return compile_model([Flow(route, PER_YEAR, SIZE)])


def main() -> None:
    """Run everything and print the table."""
    from corridor.simulation import engine
    from corridor.simulation.queue import simulate_station
    from corridor.simulation.theory import mmc_mean_wait

    rows: list[tuple[str, str, str, str]] = []
    # 1. M/M/c
    n_simpy = 1_000_000
    t0 = time.perf_counter()
    w_simpy = simpy_mmc(n_simpy, 1)
    t_simpy = time.perf_counter() - t0
    simulate_station(C, LAM, MU, customers=10_000, seed=1)  # compile / load the cache
    n_ours = 1_000_000
    t0 = time.perf_counter()
    r = simulate_station(C, LAM, MU, customers=n_ours, seed=1)
    t_ours = time.perf_counter() - t0
    exact = mmc_mean_wait(C, LAM, MU)
    rate_simpy, rate_ours = n_simpy / t_simpy, (n_ours + n_ours // 50) / t_ours
    rows.append(
        (
            "M/M/3, rho 0.7: customers/s",
            f"{rate_simpy:,.0f}",
            f"{rate_ours:,.0f}",
            f"{rate_ours / rate_simpy:,.0f}×",
        )
    )
    rows.append(
        (
            "M/M/3 mean wait vs Erlang-C " + f"({exact:.4f} h)",
            f"{(w_simpy / exact - 1) * 100:+.2f} %",
            f"{(r.mean_wait_h / exact - 1) * 100:+.2f} %",
            "",
        )
    )
    floor_mmc(1000, 1)  # compile
    t_floor = math.inf
    for seed in (1, 2, 3):
        t0 = time.perf_counter()
        floor_mmc(n_ours, seed)
        t_floor = min(t_floor, time.perf_counter() - t0)
    rate_floor = n_ours / t_floor
    rows.append(
        (
            "M/M/3: bare numba loop (floor), customers/s; corridor / floor",
            "",
            f"{rate_floor:,.0f}",
            f"{rate_ours / rate_floor:.2f}",
        )
    )
    cmd = [sys.executable, "-m", "corridor", "queue", "--servers", str(C), "--arrival-rate",
           str(LAM), "--service-rate", str(MU), "--customers", str(WHOLE), "--json"]  # fmt: skip
    subprocess.run(cmd, check=True, capture_output=True)  # warm
    proc_times, simpy_rates, errors = [], [], []
    for seed in (1, 2, 3):  # interleaved: SimPy, then the whole command
        t0 = time.perf_counter()
        simpy_mmc(200_000, seed)
        simpy_rates.append(200_000 / (time.perf_counter() - t0))
        t0 = time.perf_counter()
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        proc_times.append(time.perf_counter() - t0)
        errors.append(json.loads(out)["mean_wait_h"] / exact - 1)
    t_proc = statistics.median(proc_times)
    rate_proc = (WHOLE + WHOLE // 50) / t_proc
    rate_simpy_i = statistics.median(simpy_rates)
    rows.append(
        (
            f"{WHOLE:,} customers, whole `corridor queue` process: customers/s (s); "
            "SimPy interleaved",
            f"{rate_simpy_i:,.0f}",
            f"{rate_proc:,.0f} ({t_proc:.2f} s; mean wait {errors[0] * 100:+.2f} % vs Erlang-C)",
            f"{rate_proc / rate_simpy_i:.0f}×",
        )
    )

    # 2. the corridor chain, one replication of 10 years
    days = 3650
    model = corridor_chain_model()
    engine.run(model.arrays, days=30, replications=1, seed=1)
    t_a = t_b = math.inf
    for _ in range(3):  # interleaved, so that both sides see the same machine load
        t0 = time.perf_counter()
        n_a = simpy_chain(days, 1)
        t_a = min(t_a, time.perf_counter() - t0)
        for _ in range(3):
            t0 = time.perf_counter()
            raw = engine.run(model.arrays, days=days, replications=1, seed=1, warmup_days=0)
            t_b = min(t_b, time.perf_counter() - t0)
    n_b = int(np.isfinite(raw.done_h).sum())
    rows.append(
        (
            "corridor chain (line, border, port, ferry, line): shipments/s",
            f"{n_a / t_a:,.0f}",
            f"{n_b / t_b:,.0f}",
            f"{(n_b / t_b) / (n_a / t_a):,.0f}×",
        )
    )
    reps = 100
    t0 = time.perf_counter()
    raw = engine.run(model.arrays, days=365, replications=reps, seed=1)
    t_c = time.perf_counter() - t0
    rows.append(
        (f"corridor chain, 1 year × {reps} replications (s), 2 cores", "", f"{t_c:.2f}", "")
    )

    # 3. the default dataset
    try:
        from corridor import load_network
        from corridor.simulation.api import simulate

        net = load_network()
        simulate(net, days=30, replications=2, seed=1)
        t_d = math.inf
        for _ in range(3):
            t0 = time.perf_counter()
            res = simulate(net, days=365, replications=100, seed=1)
            t_d = min(t_d, time.perf_counter() - t0)
        rows.append(
            (
                f"{net.name}, 2024 demand: 1 year × 100 replications (s), best of 3",
                "",
                f"{t_d:.2f} ({res.events / t_d:,.0f} events/s)",
                "",
            )
        )
    except Exception as exc:  # the dataset may not be installed in every checkout
        rows.append(("default dataset, 1 year × 100 replications", "", f"n/a: {exc}", ""))

    print("| measure | SimPy | corridor | ratio |")
    print("|---|---:|---:|---:|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
