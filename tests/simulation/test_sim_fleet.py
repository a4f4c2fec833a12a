"""Two ferry directions sharing one fleet, against a SimPy model of the same rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import simpy
from scipy import stats

from corridor.model.network import Network
from corridor.model.table import Table
from corridor.simulation import engine
from corridor.simulation.api import simulate
from corridor.simulation.build import build_model
from corridor.simulation.spec import Ferry, Flow, compile_model

RATE_AB, RATE_BA = 0.08, 0.03  # shipments per hour: a heavy and a light direction
SIZE_TEU = 25.0
CAPACITY = 100.0
VESSELS = 3
HALF_H = 30.0  # crossing + port call at the other end
CROSSING_H = 10.0
MAX_WAIT_H = 48.0
DAYS = 3000
EPS = 1e-9


def simpy_fleet_waits(
    seed: int, days: int, vessels: int = VESSELS
) -> tuple[np.ndarray, np.ndarray]:
    """Waits for a departure at port A (home) and B, ships shared by both directions.

    Each port loads its ready ships one at a time in the order they arrived; the
    berth ship sails when full or MAX_WAIT_H after its first cargo, or at once if
    the other port is short of ships (more TEU waiting there than room on the
    ships at or bound for it).  An idle ship (empty, nothing left to load) sails
    to the other port if it is short of ships; otherwise at B it sails home at
    once and at A it waits.
    """
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    queue: list[list[list[float]]] = [[], []]  # per port: [arrival, remaining TEU]
    load, first = [0.0, 0.0], [np.inf, np.inf]
    boarded: list[list[float]] = [[], []]
    ready: list[list[int]] = [[], []]
    assigned = [vessels, 0]
    waits: list[list[float]] = [[], []]
    change = [env.event()]

    def poke() -> None:
        ev = change[0]
        change[0] = env.event()
        ev.succeed()

    def source(p: int, rate: float) -> simpy.events.ProcessGenerator:
        while env.now < days * 24.0:
            yield env.timeout(rng.exponential(1.0 / rate))
            queue[p].append([env.now, SIZE_TEU])
            poke()

    def ship(k: int) -> simpy.events.ProcessGenerator:
        p = 0
        while True:
            ready[p].append(k)
            while True:
                berth = ready[p][0] == k
                q = 1 - p
                short = sum(x[1] for x in queue[q]) > CAPACITY * assigned[q] - load[q] + EPS
                if berth:
                    while queue[p] and load[p] < CAPACITY - EPS:
                        take = min(queue[p][0][1], CAPACITY - load[p])
                        if load[p] <= EPS:
                            first[p] = env.now
                        load[p] += take
                        queue[p][0][1] -= take
                        if queue[p][0][1] <= EPS:
                            boarded[p].append(queue[p].pop(0)[0])
                    full = load[p] >= CAPACITY - EPS
                    due = load[p] > EPS and env.now >= first[p] + MAX_WAIT_H - EPS
                    if full or due or (short and load[p] > EPS):
                        waits[p].extend(env.now - a for a in boarded[p])
                        boarded[p], load[p], first[p] = [], 0.0, np.inf
                        break
                idle = not (berth and load[p] > EPS) and not queue[p]
                if idle and (short or p == 1):
                    break  # in ballast to where cargo waits, or home
                if berth and load[p] > EPS:
                    yield change[0] | env.timeout(first[p] + MAX_WAIT_H - env.now)
                else:
                    yield change[0]
            ready[p].remove(k)
            assigned[p] -= 1
            assigned[1 - p] += 1
            poke()
            yield env.timeout(HALF_H)
            p = 1 - p

    env.process(source(0, RATE_AB))
    env.process(source(1, RATE_BA))
    for k in range(vessels):
        env.process(ship(k))
    env.run(until=days * 24.0 + 3000.0)
    return np.asarray(waits[0]), np.asarray(waits[1])


def _fleet(fleet: str = "x", rate_ab: float = RATE_AB) -> list[Flow]:
    def direction(name: str, home: bool) -> Ferry:
        return Ferry(
            name,
            capacity_teu=CAPACITY,
            crossing_h=CROSSING_H,
            cycle_h=2 * HALF_H,
            vessels=VESSELS,
            max_wait_h=MAX_WAIT_H,
            fleet=fleet,
            home=home,
        )

    return [
        Flow((direction("ab", True),), rate_ab * 8760.0, SIZE_TEU),
        Flow((direction("ba", False),), RATE_BA * 8760.0, SIZE_TEU),
    ]


def engine_fleet_waits(
    seed: int, days: int, fleet: str = "x", rate_ab: float = RATE_AB
) -> tuple[np.ndarray, np.ndarray]:
    model = compile_model(_fleet(fleet, rate_ab))
    raw = engine.run(model.arrays, days=days, replications=1, seed=seed, warmup_days=0.0)
    out = []
    for f in range(2):
        lo, hi = np.searchsorted(raw.slot_flow, [f, f + 1])
        rel, done = raw.release_h[0, lo:hi], raw.done_h[0, lo:hi]
        ok = ~np.isnan(rel)
        out.append(done[ok] - rel[ok] - CROSSING_H)
    return out[0], out[1]


def test_shared_fleet_matches_simpy_two_sample_ks() -> None:
    ours = engine_fleet_waits(5, DAYS)
    theirs = simpy_fleet_waits(5, DAYS)
    for a, b in zip(ours, theirs, strict=True):
        assert (a >= -1e-9).all() and (a <= MAX_WAIT_H + 4 * HALF_H * VESSELS).all()
        assert a.mean() == pytest.approx(b.mean(), rel=0.05)
        # Every 10th shipment: successive waits are correlated (same ship).
        assert len(a[::10]) > 200 and len(b[::10]) > 200
        result = stats.ks_2samp(a[::10], b[::10])
        assert result.pvalue > 0.01, (result, a.mean(), b.mean())


def test_ks_detects_one_ship_fewer() -> None:
    # The comparison has power: a fleet of 2 instead of 3 in SimPy must be rejected
    # (the light direction sees it most: fewer ships wait there for cargo).
    ours = engine_fleet_waits(5, DAYS)
    theirs = simpy_fleet_waits(5, DAYS, vessels=VESSELS - 1)
    p = [stats.ks_2samp(a[::10], b[::10]).pvalue for a, b in zip(ours, theirs, strict=True)]
    assert min(p) < 0.01


def test_sharing_the_fleet_lengthens_the_waits() -> None:
    # With a fleet per direction each side has all the ships; shared, the heavy
    # direction loses the ships that wait for cargo at the light end.
    shared = engine_fleet_waits(5, 1000, rate_ab=0.14)
    separate = engine_fleet_waits(5, 1000, fleet="", rate_ab=0.14)
    assert shared[0].mean() > separate[0].mean() * 1.1
    assert shared[1].mean() > separate[1].mean()


def test_one_direction_alone_in_its_fleet_is_the_old_model() -> None:
    alone = compile_model(_fleet()[:1])
    plain = compile_model(_fleet(fleet="")[:1])
    a = engine.run(alone.arrays, days=365, replications=2, seed=1)
    b = engine.run(plain.arrays, days=365, replications=2, seed=1)
    np.testing.assert_array_equal(a.done_h, b.done_h)


def test_build_shares_the_fleet_of_a_two_way_service(sim_network: Network) -> None:
    rows = sim_network.demand.to_pandas()
    back = rows.iloc[[0]].assign(id="d3", origin="f", destination="a", volume_per_year=6000.0)
    both = pd.concat([rows, back], ignore_index=True)
    net = sim_network.with_tables(demand=Table.from_pandas(both))
    built = build_model(net)
    ferries = {x.name: x for x in built.model.resources if isinstance(x, Ferry)}
    assert set(ferries) == {"service:fe:d>e", "service:fe:e>d"}
    assert {x.fleet for x in ferries.values()} == {"fleet:fe"}
    assert ferries["service:fe:d>e"].home and not ferries["service:fe:e>d"].home
    r = simulate(net, days=120, replications=4, seed=1)
    ids = {n.id for n in r.nodes}
    assert set(ferries) <= ids
    assert any("fleet:fe" in n for n in r.notes)


def mixed_model() -> list[Flow]:
    """A pool, a winter-closed road and a shared fleet, for the no-JIT comparison."""
    from corridor.simulation.spec import ClosureProcess, Delay, Pool, Station

    snow = ClosureProcess("winter:r", 20.0, 12.0, window=(0.0, 60.0))
    border = Station("b", servers=2, mean_service_h=5.0, cv=0.5)
    pool = Pool("p", units=2, turnaround_h=20.0)
    ab, ba = (f.route[0] for f in _fleet())
    return [
        Flow((Delay(10.0, winter=snow), border, pool, ab), 700.0, SIZE_TEU),
        Flow((ba, Delay(5.0)), 300.0, SIZE_TEU),
    ]


def test_new_legs_without_jit_match_compiled() -> None:
    import os
    import subprocess
    import sys

    code = (
        f"import sys; sys.path.insert(0, {os.path.dirname(__file__)!r})\n"
        "from test_sim_fleet import mixed_model\n"
        "from corridor.simulation import engine\n"
        "from corridor.simulation.spec import compile_model\n"
        "raw = engine.run(compile_model(mixed_model()).arrays, days=60, replications=1,"
        " seed=4)\n"
        "import numpy as np; print(repr(float(np.nansum(raw.done_h))))\n"
    )
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    raw = engine.run(compile_model(mixed_model()).arrays, days=60, replications=1, seed=4)
    assert float(out) == pytest.approx(float(np.nansum(raw.done_h)), rel=1e-12)
    assert raw.res_wait.sum() > 0
