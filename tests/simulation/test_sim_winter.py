"""Winter road closures: only inside their window, and they lengthen road transit (CRN)."""

from __future__ import annotations

import numpy as np
import pytest

from corridor.model.network import load_network
from corridor.model.scenario import Closure, Scenario
from corridor.simulation import engine
from corridor.simulation.build import build_model
from corridor.simulation.spec import ClosureProcess, Delay, Flow, Station, compile_model

WINDOW = (334.0, 74.0)  # 1 December to 14 March


def _road(winter: bool) -> list[Flow]:
    failure = ClosureProcess("link:road", per_year=2.0, mean_h=24.0)
    snow = ClosureProcess("winter:road", per_year=10.0, mean_h=18.0, window=WINDOW)
    road = Delay(30.0, cv=0.1, closure=failure, winter=snow if winter else None)
    border = Station("border", servers=4, mean_service_h=3.0, cv=0.5)
    return [Flow((road, border, Delay(12.0)), 2000.0, 2.0, labels={"corridor": "road"})]


def _day_of_year(h: np.ndarray) -> np.ndarray:
    return np.mod(h, 8760.0) / 24.0


def test_winter_closures_start_only_inside_the_window() -> None:
    m = compile_model(_road(winter=True)).arrays
    starts = []
    for rep in range(20):
        (both,) = engine.closure_intervals(m, seed=1, replication=rep, days=730, warmup_days=0)
        starts.append(both[:, 0])
    # The element's intervals are the failures and the snow; tell them apart
    # by running the failures alone with the same draws.
    plain = compile_model(_road(winter=False)).arrays
    snow = []
    for rep in range(20):
        (fail,) = engine.closure_intervals(plain, seed=1, replication=rep, days=730, warmup_days=0)
        assert np.isin(fail[:, 0], starts[rep]).all()  # the failures are unchanged
        snow.append(np.setdiff1d(starts[rep], fail[:, 0]))
    day = _day_of_year(np.concatenate(snow))
    assert ((day >= WINDOW[0]) | (day < WINDOW[1])).all()
    # 10 a winter: the draws cover 730 days plus the engine's tail, i.e. the end
    # of one winter and two whole ones (282 window days, a winter has 104).
    hours = np.arange(0.0, 730 * 24.0 + engine.TAIL_H, 1.0)
    window_days = (((hours / 24.0) % 365 >= WINDOW[0]) | ((hours / 24.0) % 365 < WINDOW[1])).sum()
    expected = 10.0 * window_days / 24.0 / 104.0
    assert np.mean([len(x) for x in snow]) == pytest.approx(expected, rel=0.1)
    # Failures happen all year round: the window is not an accident of the seed.
    fail_day = _day_of_year(
        np.concatenate(
            [engine.closure_intervals(plain, seed=1, replication=r)[0][:, 0] for r in range(20)]
        )
    )
    assert ((fail_day > 120) & (fail_day < 300)).any()


def test_winter_closures_lengthen_road_transit_in_winter_only() -> None:
    a = engine.run(compile_model(_road(winter=False)).arrays, days=365, replications=8, seed=3)
    b = engine.run(compile_model(_road(winter=True)).arrays, days=365, replications=8, seed=3)
    used = a.release_h >= 0
    np.testing.assert_array_equal(used, b.release_h >= 0)  # same releases (CRN)
    ta = (a.done_h - a.release_h)[used]
    tb = (b.done_h - b.release_h)[used]
    day = _day_of_year(a.release_h[used])
    summer = (day > 110) & (day < 320)  # well clear of the window and the ~2-day trip
    winter = (day >= WINDOW[0] + 2) | (day < WINDOW[1] - 2)
    # Same draws: summer trips are identical, winter trips are never shorter.
    np.testing.assert_array_equal(ta[summer], tb[summer])
    assert (tb >= ta - 1e-9).mean() > 0.99  # the border's FCFS may reorder a few
    assert tb[winter].mean() > ta[winter].mean() + 1.0
    assert tb[winter].mean() - ta[winter].mean() > 10 * abs(tb[summer].mean() - ta[summer].mean())


def test_build_gives_road_links_in_winter_countries_their_closures() -> None:
    # with the Azerbaijan-Georgia rail border closed the Caspian freight crosses
    # Georgia by road (in the base, trucks resting make rail the choice)
    net = load_network()
    built = build_model(
        Scenario("rail-closed", net, (Closure("borders", "b_boyukkesik_gardabani"),))
    )
    winter = {
        leg.name: leg.winter
        for f in built.model.flows
        for leg in f.route
        if isinstance(leg, Delay) and leg.winter is not None
    }
    assert "link:rd_tbilisi_samtredia" in winter  # the Rikoti pass road
    w = winter["link:rd_tbilisi_samtredia"]
    # weather_closures row snow_ge: 4 a winter of 12 h, 1 Dec - 15 Mar
    assert (w.per_year, w.mean_h, w.window) == (4.0, 12.0, (334.0, 74.0))
    rail = [
        leg
        for f in built.model.flows
        for leg in f.route
        if isinstance(leg, Delay) and leg.name.startswith("link:r_")
    ]
    assert rail and all(leg.winter is None for leg in rail)
