"""Storms, winter road closures and rolling-stock pools come from dataset tables.

The expected values of the default dataset are the figures the simulation used
before they moved out of ``simulation/build.py`` (written down by hand from the
old constants: storms 14 a year of 30 h, CV 0.6, peak day 15; snow in KZ 6 x 24 h
from day 319 to 90, GE 4 x 12 h from 334 to 74, AZ 2 x 8 h from 334 to 59, TR
3 x 10 h from 334 to 74; pools with 24 h at the terminal, CV 0.3, after every
gauge change and on entering Georgia).
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from corridor.errors import DataError
from corridor.graph.compiled import EDGE_KINDS
from corridor.loaded.prepare import prepare
from corridor.model.network import Network, load_network
from corridor.model.scenario import Closure, Scenario, SetValue
from corridor.simulation.build import Built, build_model
from corridor.simulation.spec import ClosureProcess, Delay, Ferry, Pool

SERVICE, LINK = EDGE_KINDS.index("service"), EDGE_KINDS.index("link")


#: The Azerbaijan-Georgia rail border closed: the Caspian freight crosses Georgia
#: by road (in the base, trucks resting make rail the choice everywhere).
RAIL_CLOSED = Closure("borders", "b_boyukkesik_gardabani")


@pytest.fixture(scope="module")
def default() -> Network:
    return load_network()


@pytest.fixture(scope="module")
def built(default: Network) -> Built:
    # the Azerbaijan-Georgia rail border closed: the Caspian freight then crosses
    # Georgia by road, so the model has road legs with their winter closures
    return build_model(Scenario("rail-closed", default, (RAIL_CLOSED,)))


def _legs(built: Built) -> dict[str, object]:
    return {getattr(leg, "name", ""): leg for f in built.model.flows for leg in f.route}


def test_default_storms_and_snow_are_the_old_figures(built: Built, default: Network) -> None:
    legs = _legs(built)
    ferries = [x for x in legs.values() if isinstance(x, Ferry)]
    assert any("s_kmtf_aktau_alat" in f.name for f in ferries)
    for f in ferries:
        assert f.closure == ClosureProcess(
            f"storm:{f.name.split(':')[1]}", 14.0, 30.0, 0.6, 1.0, 15.0, None
        )
    country = dict(zip(default.nodes["id"], default.nodes["country"], strict=True))
    links = default.links.to_pandas().set_index("id")
    old = {
        "KZ": (6.0, 24.0, (319.0, 90.0)),
        "GE": (4.0, 12.0, (334.0, 74.0)),
        "AZ": (2.0, 8.0, (334.0, 59.0)),
        "TR": (3.0, 10.0, (334.0, 74.0)),
    }
    seen = set()
    for name, leg in legs.items():
        if not (isinstance(leg, Delay) and name.startswith("link:")):
            continue
        row = links.loc[name[5:]]
        ends = (country[row["from"]], country[row["to"]])
        first = next((c for c in ends if c in old), None)
        if row["mode"] != "road" or first is None:
            assert leg.winter is None, name
            continue
        n, mean_h, window = old[first]
        w = leg.winter
        assert w is not None
        assert (w.per_year, w.mean_h, w.cv, w.amplitude, w.window) == (n, mean_h, 1.0, 0.0, window)
        seen.add(first)
    assert {"AZ", "GE"} <= seen


def test_default_pools_are_the_old_rule(default: Network) -> None:
    built = build_model(default)
    pools = {k: v for k, v in _legs(built).items() if isinstance(v, Pool)}
    dostyk = [p for k, p in pools.items() if "b_alashankou_dostyk" in k]
    assert dostyk and all(p.kind == "wagon_pool" for p in dostyk)
    assert any(p.kind == "locomotive_pool" for p in pools.values())
    for key, p in pools.items():
        assert p.cv == 0.3
        fig = built.stations[key[len("pool:") :]]
        # old rule: turnaround = 2 x haul + 24 h; units keep utilisation <= 0.85
        assert p.turnaround_h >= 24.0
        assert p.units >= fig["arrivals_per_h"] * p.turnaround_h / 0.85 - 1e-9


def test_a_changed_row_changes_the_simulation(default: Network, built: Built) -> None:
    changed = Scenario(
        "changed-rows",
        default,
        (
            RAIL_CLOSED,
            SetValue("weather_closures", "storm_ferries", "closures_per_year", "scale", "2"),
            SetValue("weather_closures", "snow_ge", "mean_h", "set", "48"),
            SetValue("rolling_stock", "wagons_gauge_change", "terminal_h", "add", "24"),
        ),
    )
    after = _legs(build_model(changed))
    before = _legs(built)
    ferry = next(k for k in after if k.startswith("service:s_kmtf_aktau_alat"))
    assert after[ferry].closure.per_year == 28.0  # type: ignore[attr-defined]
    road = "link:rd_tbilisi_samtredia"  # the Rikoti pass road, Georgian snow
    assert after[road].winter.mean_h == 48.0  # type: ignore[attr-defined]
    # the snow's expected wait moves into the static hours and out again: same moving mean
    assert after[road].mean_h == pytest.approx(before[road].mean_h)  # type: ignore[attr-defined]
    key = next(k for k, v in before.items() if isinstance(v, Pool) and v.kind == "wagon_pool")
    assert after[key].turnaround_h == pytest.approx(before[key].turnaround_h + 24.0)  # type: ignore[attr-defined]


def test_static_model_counts_the_expected_weather_wait(default: Network) -> None:
    base = prepare(default)
    calm = prepare(
        Scenario(
            "calm",
            default,
            (
                SetValue("weather_closures", "storm_ferries", "closures_per_year", "set", "0"),
                SetValue("weather_closures", "snow_kz", "closures_per_year", "set", "0"),
            ),
        )
    )
    g0, g1 = base.graph, calm.graph
    services = list(default.services["id"])
    links = list(default.links["id"])
    # p m (1 + c^2) / 2 by hand: storms 14 x 30 h, CV 0.6 -> 420/8760 x 30 x 1.36/2
    storm = 14 * 30 / 8760 * 30 * 1.36 / 2
    snow_kz = 6 * 24 / 8760 * 24 * 2 / 2
    e = next(
        i
        for i in range(g0.n_edges)
        if g0.kind[i] == SERVICE and services[g0.element[i]] == "s_kmtf_aktau_alat"
    )
    assert g0.hours_waiting[e] - g1.hours_waiting[e] == pytest.approx(storm, rel=1e-9)
    r = next(
        i
        for i in range(g0.n_edges)
        if g0.kind[i] == LINK and links[g0.element[i]] == "rd_almaty_shymkent"
    )
    assert g0.hours_waiting[r] - g1.hours_waiting[r] == pytest.approx(snow_kz, rel=1e-9)
    assert math.isclose(storm, 0.978082, rel_tol=1e-5)


def test_a_window_without_its_end_is_refused(tmp_path: Path) -> None:
    from tiny_network import TINY

    folder = tmp_path / "tiny"
    folder.mkdir()
    for name, text in TINY.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    (folder / "weather_closures.csv").write_text(
        "id,hazard,applies_to,country,closures_per_year,mean_h,window_start_day,source\n"
        "w,snow,road_links,KZ,3,10,300,est\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError, match="row 2, column 'window_end_day'"):
        load_network(folder)
