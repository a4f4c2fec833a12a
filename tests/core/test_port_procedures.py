"""Port customs as procedures (port_procedures.csv), against hand-computed dwell at Alat.

Alat's customs are a part of its handling time: 24 h observed per transfer,
two station servers (``station_servers``), CV 0.8. Its row: 0.6 h of documents,
40 % of consignments opened for 3 h (1.8 h, the CPMM 2022 Baku port time). A
scanner (``i_alat_scanner``) scans the inspected ones in 0.25 h and opens a
quarter: 0.4 × (3 − (0.25 + 0.25 × 3)) = 0.8 h less service, which the queue at
the port's utilisation multiplies. The formulas are those of
:mod:`corridor.capacity.delay` (Sakasegawa), written out here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import pytest

from corridor.errors import DataError
from corridor.graph.compiled import CompiledNetwork
from corridor.loaded.calibration import calibrate
from corridor.loaded.prepare import prepare
from corridor.model.network import Network, load_network
from corridor.model.scenario import Intervention, Scenario


def _q(rho: float, servers: float) -> float:
    return rho ** (math.sqrt(2 * (servers + 1)) - 1) / (1 - rho)


def _alat(g: CompiledNetwork) -> float:
    hours = {
        round(float(g.hours_waiting[e]), 9)
        for e in range(g.n_edges)
        if g.element_id(e) == "t_alat" and g.kind[e] >= 3
    }
    assert len(hours) == 1  # one handling figure for every transfer at the port
    return hours.pop()


def _rho(loaded: object) -> float:
    return next(r["utilisation"] for r in loaded.capacity_table() if r["id"] == "t_alat")  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def base() -> Network:
    return load_network()


def test_alat_scanner_cuts_the_ports_service_by_its_customs_change(base: Network) -> None:
    rho0 = next(o.utilisation for k, o in calibrate(base).observed.items() if k[1] == "t_alat")
    k = (1 + 0.8**2) / (2 * 2)  # two servers, CV 0.8
    service = 24.0 / (1 + k * _q(min(rho0, 0.95), 2))
    before = prepare(base)
    after = prepare(Scenario("alat scanner", base, (Intervention("i_alat_scanner"),)))
    assert _alat(before.graph) == pytest.approx(service * (1 + k * _q(_rho(before), 2)))
    cut = 0.4 * (3.0 - (0.25 + 0.25 * 3.0))
    assert cut == pytest.approx(0.8)
    expected = (service - cut) * (1 + k * _q(_rho(after), 2))
    assert _alat(after.graph) == pytest.approx(expected, rel=1e-6)
    assert _alat(before.graph) - _alat(after.graph) > 1.0  # the queue multiplies 0.8 h


def test_a_port_without_customs_rows_keeps_its_handling(base: Network) -> None:
    # Batumi has no port_procedures row: the scanner at Alat does not touch it
    g0 = prepare(base).graph
    g1 = prepare(Scenario("s", base, (Intervention("i_alat_scanner"),))).graph
    b0 = [float(g0.hours_waiting[e]) for e in range(g0.n_edges) if g0.element_id(e) == "t_batumi"]
    b1 = [float(g1.hours_waiting[e]) for e in range(g1.n_edges) if g1.element_id(e) == "t_batumi"]
    assert b0 and b0 == pytest.approx(b1)


PORT = """id,terminal,documents_h,documents_cv,inspection_share,inspection_h,scanner,scan_h,\
scan_referral_share,source
pd,td,2,1,0.5,4,true,,0.25,est
"""


def test_a_port_scanner_without_its_figures_is_refused(tiny_dataset: Callable[..., Path]) -> None:
    with pytest.raises(DataError, match=r"port_procedures\.csv, row 2, column 'scan_h'"):
        load_network(tiny_dataset(port_procedures=PORT))
    with pytest.raises(DataError, match="row 2, column 'terminal'"):
        load_network(tiny_dataset(port_procedures=PORT.replace("pd,td,", "pd,tz,")))
