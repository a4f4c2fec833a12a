"""A when-full ship waits for its commercial load: the draft changes what it can take, not that."""

from __future__ import annotations

import numpy as np
import pytest

from corridor.capacity.delay import delay_curves
from corridor.capacity.elements import capacities
from corridor.graph.compiled import compile_network
from corridor.loaded.calibration import Calibration, calibrate
from corridor.model.network import Network, load_network
from corridor.model.scenario import Scenario, SetValue

FEEDER = "s_kmtf_aktau_alat"  # 6 ships of 225 TEU, load factor 0.7: 157.5 TEU a sailing


@pytest.fixture(scope="module")
def base() -> tuple[Network, Calibration]:
    net = load_network()
    return net, calibrate(net)


def _feeder(net: Network, cal: Calibration) -> tuple[float, float, float]:
    """(commercial load the ship waits for, capacity TEU a year, mean wait at 40,000 TEU)."""
    g = compile_network(net)
    caps = capacities(g)
    curves = delay_curves(g, caps, cal.observed)
    j = next(
        k for k, e in enumerate(curves.service_edges) if caps.key[caps.element_of[e]][1] == FEEDER
    )
    e = int(curves.service_edges[j])
    flow = np.zeros(g.n_edges)
    flow[e] = 40_000.0
    wait, _ = curves.waits_at(np.array([e]), np.zeros(1), flow[[e]])
    return float(curves.sailing_teu[j]), float(curves.service_capacity_teu[j]), float(wait[0])


def _with(net: Network, attribute: str, op: str, value: float) -> Network:
    return Scenario("x", net, (SetValue("services", FEEDER, attribute, op, value),)).apply()


def test_dredging_raises_capacity_without_a_longer_wait(base: tuple[Network, Calibration]) -> None:
    net, cal = base
    load0, cap0, wait0 = _feeder(net, cal)
    load1, cap1, wait1 = _feeder(_with(net, "load_factor", "set", 1.0), cal)
    assert load0 == pytest.approx(225 * 0.7)  # by hand: 157.5 TEU
    assert load1 == pytest.approx(load0)  # the operator still sails at 157.5 TEU
    assert cap1 == pytest.approx(cap0 / 0.7)  # a sailing takes 225 TEU instead of 157.5
    assert wait1 <= wait0 + 1e-9  # the same flow, more room: never a longer wait


def test_low_water_keeps_the_load_and_a_bigger_ship_scales_it(
    base: tuple[Network, Calibration],
) -> None:
    net, cal = base
    load0, cap0, wait0 = _feeder(net, cal)
    low = _feeder(_with(net, "load_factor", "scale", 0.8), cal)
    assert low[0] == pytest.approx(load0) and low[1] == pytest.approx(0.8 * cap0)
    assert low[2] >= wait0 - 1e-9  # less room, the same load to wait for
    big = _feeder(_with(net, "teu_per_sailing", "set", 450.0), cal)
    assert big[0] == pytest.approx(2 * load0)  # a ship twice the size waits for twice the load
