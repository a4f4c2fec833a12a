"""Japan-funded and other border measures of the default dataset act through their own terms.

Expected savings are worked out by hand from the rows of ``border_procedures.csv``
and ``interventions.csv``. The crossings have no capacity, so no queue term
moves and the measures' savings add up: the formulas are those of
:mod:`corridor.capacity.procedures`.
"""

from __future__ import annotations

import math

import pytest

from corridor.graph.compiled import CompiledNetwork
from corridor.loaded.prepare import prepare
from corridor.model.network import load_network
from corridor.model.scenario import Intervention, Scenario, SetValue

MEASURES = (
    "i_spitamen_scanner",
    "i_kg_customs_training",
    "i_kg_customs_training_cv",
    "i_kg_customs_training_irk",
    "i_kg_customs_training_irk_cv",
    "i_kg_china_weekend_opening",  # Torugart only; Irkeshtam has its own row
    "i_red_bridge_scanner",
)


@pytest.fixture(scope="module")
def graphs() -> tuple[CompiledNetwork, CompiledNetwork]:
    base = load_network()
    after = Scenario("measures", base, tuple(Intervention(i) for i in MEASURES))
    return prepare(base).graph, prepare(after).graph


def _wait(g: CompiledNetwork, border: str, tail: str) -> float:
    (hours,) = [
        float(g.hours_waiting[e])
        for e in range(g.n_edges)
        if g.element_id(e) == border and g.node_ids[int(g.vertex_node[g.tail[e]])] == tail
    ]
    return hours


def test_base_keeps_the_observed_dwell(graphs: tuple[CompiledNetwork, CompiledNetwork]) -> None:
    base, _ = graphs
    # CAREC road average 9.9 h + 6.9 h weekend closure (borders.csv), reproduced
    assert _wait(base, "b_torugartcn_torugart", "torugart_cn") == pytest.approx(16.8)
    assert _wait(base, "b_oybek_fotehobod", "oybek") == pytest.approx(9.9)


def test_spitamen_scanner_cuts_the_tajik_inspection(
    graphs: tuple[CompiledNetwork, CompiledNetwork],
) -> None:
    before, after = (_wait(g, "b_oybek_fotehobod", "oybek") for g in graphs)
    # bp_fotehobod_tj_entry: 0.4 of trucks inspected; by hand 3 h, with the scanner
    # 0.25 h to scan and a quarter of them still opened for 3 h
    assert before - after == pytest.approx(0.4 * (3.0 - (0.25 + 0.25 * 3.0)))


def test_training_and_weekend_opening_at_the_kyrgyz_china_posts(
    graphs: tuple[CompiledNetwork, CompiledNetwork],
) -> None:
    training = 1.5 * 0.3  # 1.5 h of documents at the KG entry, 30 % less
    weekend = 48.0 * 48.0 / 336.0  # a 48-h closure met with p 48/168, 24 h left on average
    before, after = (_wait(g, "b_torugartcn_torugart", "torugart_cn") for g in graphs)
    assert before - after == pytest.approx(training + weekend)
    before, after = (_wait(g, "b_irkeshtamcn_irkeshtam", "irkeshtam_cn") for g in graphs)
    assert before - after == pytest.approx(training)


def test_red_bridge_scanner_is_installed_by_its_flag(
    graphs: tuple[CompiledNetwork, CompiledNetwork],
) -> None:
    before, after = (_wait(g, "b_qirmizikorpu_tsitelikhidi", "qirmizi_korpu") for g in graphs)
    # bp_redbridge_az_exit: 0.4 of trucks inspected, 4 h by hand; scanned in 0.25 h, a
    # quarter of them still opened: 0.4 x (4 - 1.25) = 1.1 h
    assert before == pytest.approx(15.4)
    assert before - after == pytest.approx(1.1)
    # the other direction has its own posts and no scanner
    back = [_wait(g, "b_tsitelikhidi_qirmizikorpu", "tsiteli_khidi") for g in graphs]
    assert back[0] == pytest.approx(back[1])


def test_each_direction_has_its_own_posts() -> None:
    base = load_network()
    g = prepare(base).graph
    # Sarpi: CPMM's Georgian outbound 20.8 h one way, Georgian inbound 1.6 h + Turkish exit 1.1 h
    assert _wait(g, "b_sarpi_sarp", "sarpi") == pytest.approx(20.8)
    assert _wait(g, "b_sarp_sarpi", "sarp") == pytest.approx(2.7)
    # halving the documents at the Chinese entry post (eastbound, 8 h) moves only eastbound
    half = Scenario(
        "cn entry", base, (SetValue("border_procedures", "bp_alashankou_entry", "documents_h",
                                    "scale", 0.5),)
    )  # fmt: skip
    loaded = prepare(half)
    rho = next(
        r["utilisation"]
        for r in loaded.capacity_table()
        if r["id"] == "b_dostyk_alashankou" and r["from"] == "dostyk"
    )
    lanes, cv = 4, 0.8
    k = (1 + cv**2) / (2 * lanes)
    q = rho ** (math.sqrt(2 * (lanes + 1)) - 1) / (1 - rho)
    east_before, east_after = (_wait(x, "b_dostyk_alashankou", "dostyk") for x in (g, loaded.graph))
    assert east_before == pytest.approx(60.5)
    assert east_before - east_after == pytest.approx(4.0 * (1 + k * q), rel=1e-3)
    west = [_wait(x, "b_alashankou_dostyk", "alashankou") for x in (g, loaded.graph)]
    # westbound keeps its posts; only the loads shift a little (a faster eastbound leg)
    assert west[0] == pytest.approx(108.5, abs=0.05)
    assert abs(west[1] - west[0]) < 0.05
