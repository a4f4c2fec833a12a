"""Warm starts and the sweeps' stopping rule of the loaded network.

A run started from the routes of a settled run of the same scenario must stay
exactly where it was (the appraisal's zero for a measure that changes
nothing, at high load where two cold runs differ by more than small measures'
benefits); a start on another graph must be ignored; a start that no longer
fits the capacities must not leave any element above its capacity. The
equilibrium gap is checked against a gap recomputed here from the routes and
the room each element has left.
"""

from __future__ import annotations

import numpy as np
import pytest

from corridor.appraisal.benefits import annual_benefits
from corridor.loaded.calibration import Calibration
from corridor.loaded.network import LoadedNetwork
from corridor.loaded.prepare import prepare
from corridor.loaded.warm import Start, StartFlow
from corridor.model.network import Network
from corridor.model.scenario import Scenario, SetValue
from slot_oracle import element_use

#: The demand of the appraisal's last growth anchor (year 15 of the horizon):
#: Poti, Tengiz–Beyneu and the pipelines are full, and cold runs with and
#: without a small measure settle in different places.
HIGH = 1.65


@pytest.fixture(scope="module")
def high(net: Network, calibration: Calibration) -> LoadedNetwork:
    return prepare(Scenario("base", net), growth=HIGH, calibration=calibration)


def _flows(loaded: LoadedNetwork) -> dict[str, dict[tuple[int, ...], float]]:
    return {f.segment.name: dict(f.paths) for f in loaded.flows}


def test_cold_runs_reach_the_fixed_point_of_the_sweeps(high: LoadedNetwork) -> None:
    # the stopping rule: a sweep that moved nothing, well before the cap
    assert high.settled
    assert high.sweeps < 12


def test_warm_start_from_itself_moves_nothing(
    net: Network, calibration: Calibration, high: LoadedNetwork
) -> None:
    again = prepare(
        Scenario("base", net), growth=HIGH, calibration=calibration, start=Start.of(high)
    )
    assert again.settled and again.sweeps == 1
    before, after = _flows(high), _flows(again)
    assert before.keys() == after.keys()
    for name, paths in before.items():
        assert after[name].keys() == paths.keys(), name
        for edges, volume in paths.items():
            assert after[name][edges] == pytest.approx(volume, rel=1e-9, abs=1e-9)
    b = annual_benefits(high, again)
    assert abs(b.total_usd) < 1.0  # dollars a year, on a network carrying billions


def test_measure_that_changes_nothing_has_no_benefit_at_high_load(
    net: Network, calibration: Calibration, high: LoadedNetwork
) -> None:
    # scaling a border's dwell by 1 changes no number: started from the run
    # without it, the run with it must be the same fixed point
    border = str(net.borders["id"][0])
    scen = Scenario("base", net).with_changes(
        SetValue("borders", border, "dwell_h", "scale", 1.0),
        name="nothing",
    )
    warm = prepare(scen, growth=HIGH, calibration=calibration, start=Start.of(high))
    assert annual_benefits(high, warm).total_usd == pytest.approx(0.0, abs=1.0)


def test_start_on_another_graph_is_ignored(
    net: Network, calibration: Calibration, high: LoadedNetwork
) -> None:
    start = Start.of(high)
    other = Start("0" * 32, start.flows)
    cold = prepare(Scenario("base", net), growth=HIGH, calibration=calibration, start=other)
    assert cold.sweeps == high.sweeps
    assert np.array_equal(cold.edge_flow_teu, high.edge_flow_teu)


def test_start_that_no_longer_fits_respects_every_capacity(
    net: Network, calibration: Calibration, high: LoadedNetwork
) -> None:
    # start from the routes of the network as it is, then halve the capacity
    # of the busiest capacity-limited link: the routes through it no longer fit
    links = set(net.links["id"])
    link = next(r["id"] for r in high.capacity_table() if r["id"] in links)
    assert next(r for r in high.capacity_table() if r["id"] == link)["utilisation"] > 0.5
    scen = Scenario("base", net).with_changes(
        SetValue("links", link, "capacity_teu_per_year", "scale", 0.5),
        name="halved",
    )
    warm = prepare(scen, growth=HIGH, calibration=calibration, start=Start.of(high))
    assert max(element_use(warm)) <= 1.0 + 1e-9
    for f in warm.flows:
        carried = sum(v for _, v in f.paths)
        assert carried + f.unserved == pytest.approx(f.segment.volume, rel=1e-9)


def test_segment_with_another_volume_starts_from_nothing(
    net: Network, calibration: Calibration, high: LoadedNetwork
) -> None:
    # a start whose volumes are another demand's: every segment is placed
    # afresh by the first sweep, and all demand is still carried or unserved
    start = Start.of(high)
    shifted = Start(
        start.edges,
        {k: StartFlow(f.volume * 1.01, f.paths, f.unserved) for k, f in start.flows.items()},
    )
    warm = prepare(Scenario("base", net), growth=HIGH, calibration=calibration, start=shifted)
    for f in warm.flows:
        carried = sum(v for _, v in f.paths)
        assert carried + f.unserved == pytest.approx(f.segment.volume, rel=1e-9)
    assert max(element_use(warm)) <= 1.0 + 1e-9
