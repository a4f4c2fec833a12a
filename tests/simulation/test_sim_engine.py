"""The corridor engine: theory through the engine, Little's law, seeds, CRN, properties."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.simulation import engine, theory
from corridor.simulation.spec import ClosureProcess, Delay, Ferry, Flow, Station, compile_model


def _corridor_like(service_h: float = 20.0, per_year: float = 350.0) -> list[Flow]:
    storm = ClosureProcess("storm", per_year=12, mean_h=30, cv=0.5, amplitude=1.0)
    failure = ClosureProcess("bridge", per_year=3, mean_h=36)
    border = Station("border", servers=2, mean_service_h=service_h, cv=0.6)
    port = Station("port", servers=1, mean_service_h=6.0, cv=0.5)
    ferry = Ferry(
        "ferry",
        capacity_teu=160,
        crossing_h=20,
        cycle_h=88,
        vessels=3,
        max_wait_h=120,
        closure=storm,
    )
    west = (Delay(40.0, closure=failure), border, Delay(30.0), port, ferry, Delay(25.0))
    east = (Delay(10.0), port, Delay(12.0))
    return [
        Flow(west, per_year, 88.0, amplitude=0.15, labels={"corridor": "w"}),
        Flow(east, 300.0, 2.0, labels={"corridor": "e"}),
    ]


def test_station_in_the_engine_matches_erlang_c() -> None:
    st_ = Station("s", servers=3, mean_service_h=1.0, cv=1.0, distribution="exponential")
    model = compile_model([Flow((st_,), 2.1 * 8760.0, 1.0)])
    raw = engine.run(model.arrays, days=365, replications=40, seed=1, warmup_days=5)
    mean_wait = raw.res_wait.sum() / raw.res_count.sum()
    assert raw.res_count.sum() > 700_000
    assert mean_wait == pytest.approx(theory.mmc_mean_wait(3, 2.1, 1.0), rel=0.03)
    busy = raw.res_busy.sum() / (raw.res_count.shape[0] * 365 * 24 * 3)
    assert busy == pytest.approx(0.7, rel=0.01)


def test_littles_law_on_every_node() -> None:
    model = compile_model(_corridor_like())
    days = 365
    raw = engine.run(model.arrays, days=days, replications=8, seed=2)
    hours = days * 24.0 * raw.res_count.shape[0]
    for r, res in enumerate(model.resources):
        lam = raw.res_count[:, r].sum() / hours
        w = raw.res_sojourn[:, r].sum() / raw.res_count[:, r].sum()
        l_time_avg = raw.res_area[:, r, :].sum() / hours
        assert l_time_avg == pytest.approx(lam * w, rel=0.03), res.name


def test_same_seed_same_result() -> None:
    model = compile_model(_corridor_like())
    a = engine.run(model.arrays, days=120, replications=3, seed=5)
    b = engine.run(model.arrays, days=120, replications=3, seed=5)
    c = engine.run(model.arrays, days=120, replications=3, seed=6)
    np.testing.assert_array_equal(a.done_h, b.done_h)
    np.testing.assert_array_equal(a.res_hist, b.res_hist)
    assert not np.array_equal(a.done_h, c.done_h, equal_nan=True)


def test_replications_do_not_depend_on_batching() -> None:
    model = compile_model(_corridor_like())
    whole = engine.run(model.arrays, days=90, replications=4, seed=5)
    part = engine.run(model.arrays, days=90, replications=2, seed=5, first_replication=2)
    np.testing.assert_array_equal(whole.done_h[2:], part.done_h)


def _mean_days(raw: engine.Raw) -> np.ndarray:
    d = raw.done_h - raw.release_h
    ok = raw.release_h >= 0
    return np.array([d[i, ok[i]].mean() for i in range(d.shape[0])]) / 24.0


def test_common_random_numbers_reduce_the_noise_of_a_difference() -> None:
    base = compile_model(_corridor_like(service_h=20.0)).arrays
    better = compile_model(_corridor_like(service_h=16.0)).arrays
    reps = 16
    a = _mean_days(engine.run(base, days=365, replications=reps, seed=1))
    b_crn = _mean_days(engine.run(better, days=365, replications=reps, seed=1))
    b_ind = _mean_days(engine.run(better, days=365, replications=reps, seed=2))
    var_crn = np.var(a - b_crn, ddof=1)
    var_ind = np.var(a - b_ind, ddof=1)
    assert (a - b_crn).mean() > 0  # faster border, shorter trips
    assert var_crn < 0.25 * var_ind


def test_all_shipments_arrive_and_take_at_least_the_fixed_time() -> None:
    model = compile_model(_corridor_like())
    raw = engine.run(model.arrays, days=200, replications=2, seed=3)
    used = ~np.isnan(raw.release_h)
    assert not np.isnan(raw.done_h[used]).any()
    assert (raw.done_h[used] >= raw.release_h[used]).all()


@settings(max_examples=25, deadline=None)
@given(
    servers=st.integers(1, 3),
    service=st.floats(0.1, 3.0),
    per_year=st.floats(100.0, 3000.0),
    vessels=st.integers(1, 3),
    capacity=st.floats(5.0, 50.0),
    size=st.floats(1.0, 30.0),
    policy=st.sampled_from(["when_full", "scheduled"]),
    seed=st.integers(0, 2**31),
)
def test_engine_properties(
    servers: int,
    service: float,
    per_year: float,
    vessels: int,
    capacity: float,
    size: float,
    policy: str,
    seed: int,
) -> None:
    moving = 7.0
    ferry = Ferry(
        "f",
        capacity_teu=capacity,
        crossing_h=5.0,
        cycle_h=12.0,
        vessels=vessels,
        policy=policy,
        max_wait_h=30.0,
        headway_h=24.0,
    )
    s = Station("s", servers=servers, mean_service_h=service, cv=0.8)
    model = compile_model([Flow((Delay(moving, cv=0.0), s, ferry), per_year, size)])
    raw = engine.run(model.arrays, days=40, replications=1, seed=seed, warmup_days=0)
    used = ~np.isnan(raw.release_h[0])
    trip = raw.done_h[0, used] - raw.release_h[0, used]
    assert not np.isnan(trip).any()
    assert (trip >= moving + 5.0 - 1e-9).all()  # departures >= arrivals at every leg
    assert (raw.res_wait >= 0).all()
    # A ferry carries no more than its capacity per sailing.
    sail = raw.res_sailings[0, 1]
    if sail > 0:
        assert raw.res_busy[0, 1] <= sail * capacity + 1e-6


def test_engine_without_jit_matches_compiled() -> None:
    code = (
        f"import sys; sys.path.insert(0, {os.path.dirname(__file__)!r})\n"
        "from test_sim_engine import _corridor_like\n"
        "from corridor.simulation import engine\n"
        "from corridor.simulation.spec import compile_model\n"
        "raw = engine.run(compile_model(_corridor_like()).arrays, days=30, replications=1,"
        " seed=4)\n"
        "import numpy as np; print(repr(float(np.nansum(raw.done_h))))\n"
    )
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    raw = engine.run(compile_model(_corridor_like()).arrays, days=30, replications=1, seed=4)
    assert float(out) == pytest.approx(float(np.nansum(raw.done_h)), rel=1e-12)
