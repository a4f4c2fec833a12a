"""Bridges, tunnels and passes (corridor.graph.structures) against hand-computed cases.

The tiny network's link ``cd`` (rail, 1,000 km at 50 km/h in condition B,
i.e. 45 km/h; 10 h of technical stops; 200,000 TEU a year) carries the
structures below. Every expected figure is worked out here from the formulas
in the module docs, with nothing taken from the code under test.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from corridor.errors import DataError
from corridor.graph.compiled import EDGE_KINDS, CompiledNetwork, compile_network
from corridor.loaded.prepare import prepare
from corridor.model.network import load_network
from corridor.model.scenario import Closure, Intervention, Scenario, load_scenario

HEADER = (
    "id,name,link,kind,condition,length_km,speed_limit_kmh,load_limit_factor,"
    "closures_per_year,repair_days,detour_h,rehab_capex_usd,source\n"
)
LINK_SPEED = 50.0 * 0.9  # cd in condition B
STOPS_H = 10.0
CAPACITY = 200_000.0


def structures(*rows: str) -> str:
    return HEADER + "".join(r + "\n" for r in rows)


def link_edges(g: CompiledNetwork, link_id: str) -> np.ndarray:
    ids = np.asarray(g.element_ids)
    return np.flatnonzero((g.kind == EDGE_KINDS.index("link")) & (ids == link_id))


def compiled(folder: Path) -> CompiledNetwork:
    return compile_network(load_network(folder))


@pytest.fixture
def base(tiny_dataset: Callable[..., Path]) -> CompiledNetwork:
    return compiled(tiny_dataset())


def test_speed_limit_adds_length_times_inverse_speed_difference(
    tiny_dataset: Callable[..., Path], base: CompiledNetwork
) -> None:
    g = compiled(tiny_dataset(structures=structures("s1,Bridge,cd,bridge,B,10,20,,,,,,est")))
    e, e0 = link_edges(g, "cd"), link_edges(base, "cd")
    assert len(e) == 2  # both directions
    expected = 10.0 * (1 / 20.0 - 1 / LINK_SPEED)  # 0.2778 h
    assert g.hours_moving[e] - base.hours_moving[e0] == pytest.approx([expected] * 2, rel=1e-12)
    assert g.hours_waiting[e] == pytest.approx(base.hours_waiting[e0])
    assert g.capacity_teu_per_year[e] == pytest.approx([CAPACITY] * 2)


def test_poor_structure_condition_slows_its_section(tiny_dataset: Callable[..., Path]) -> None:
    # condition D (speed factor 0.5): 25 km/h on 10 km of a 45 km/h link, no posted limit
    g = compiled(tiny_dataset(structures=structures("s1,Bridge,cd,bridge,D,10,,,,,,,est")))
    e = link_edges(g, "cd")
    assert g.hours_moving[e][0] == pytest.approx(1000 / 45 + 10 * (1 / 25 - 1 / 45))


def test_limit_above_link_speed_does_nothing(
    tiny_dataset: Callable[..., Path], base: CompiledNetwork
) -> None:
    g = compiled(tiny_dataset(structures=structures("s1,Bridge,cd,bridge,A,10,80,,,,,,est")))
    assert g.hours_moving[link_edges(g, "cd")][0] == base.hours_moving[link_edges(base, "cd")][0]


def test_load_limit_scales_capacity_in_teu_and_tonnes(tiny_dataset: Callable[..., Path]) -> None:
    g = compiled(tiny_dataset(structures=structures("s1,Bridge,cd,bridge,B,1,,0.5,,,,,est")))
    e = link_edges(g, "cd")
    assert g.capacity_teu_per_year[e] == pytest.approx([100_000.0] * 2)
    assert np.isinf(g.capacity_t_per_year[e]).all()  # unlimited stays unlimited


def test_closures_without_detour_add_expected_wait_and_cut_capacity(
    tiny_dataset: Callable[..., Path],
) -> None:
    # 2 closures a year of 3.65 days: closed 2 x 3.65 / 365 = 2 % of the year,
    # a unit waits the whole residual repair (3.65 x 24 = 87.6 h) with p = 0.02
    g = compiled(tiny_dataset(structures=structures("s1,Bridge,cd,bridge,B,1,,,2,3.65,,,est")))
    e = link_edges(g, "cd")
    assert g.hours_waiting[e] == pytest.approx([STOPS_H + 0.02 * 87.6] * 2)
    assert g.capacity_teu_per_year[e] == pytest.approx([CAPACITY * 0.98] * 2)
    # the wait is 0 with probability 0.98 and exponential(87.6 h) otherwise
    sd = math.sqrt((0.3 * STOPS_H) ** 2 + 2 * 0.02 * 87.6**2 - (0.02 * 87.6) ** 2)
    assert g.hours_waiting_cv[e][0] == pytest.approx(sd / (STOPS_H + 1.752))


def test_detour_shorter_than_repair_is_taken_and_keeps_capacity(
    tiny_dataset: Callable[..., Path],
) -> None:
    g = compiled(tiny_dataset(structures=structures("s1,Bridge,cd,bridge,B,1,,,2,3.65,10,,est")))
    e = link_edges(g, "cd")
    assert g.hours_waiting[e][0] == pytest.approx(STOPS_H + 0.02 * 10.0)
    assert g.capacity_teu_per_year[e][0] == pytest.approx(CAPACITY)


def test_detour_longer_than_repair_is_not_taken(tiny_dataset: Callable[..., Path]) -> None:
    # repairs of 6 h: waiting 6 h beats a 10-hour detour
    g = compiled(tiny_dataset(structures=structures("s1,Bridge,cd,bridge,B,1,,,73,0.25,10,,est")))
    e = link_edges(g, "cd")
    p = 73 * 0.25 / 365  # 0.05
    assert g.hours_waiting[e][0] == pytest.approx(STOPS_H + p * 6.0)
    assert g.capacity_teu_per_year[e][0] == pytest.approx(CAPACITY * (1 - p))


def test_several_structures_combine(tiny_dataset: Callable[..., Path]) -> None:
    g = compiled(
        tiny_dataset(
            structures=structures(
                "s1,Bridge,cd,bridge,B,10,20,0.5,2,3.65,,,est",
                "s2,Tunnel,cd,tunnel,B,5,30,0.8,,,,,est",
            )
        )
    )
    e = link_edges(g, "cd")
    moving = 1000 / LINK_SPEED + 10 * (1 / 20 - 1 / LINK_SPEED) + 5 * (1 / 30 - 1 / LINK_SPEED)
    assert g.hours_moving[e][0] == pytest.approx(moving)
    assert g.hours_waiting[e][0] == pytest.approx(STOPS_H + 1.752)
    assert g.capacity_teu_per_year[e][0] == pytest.approx(CAPACITY * 0.5 * 0.98 * 0.8)


def test_closed_all_year_without_detour_closes_the_link(tiny_dataset: Callable[..., Path]) -> None:
    g = compiled(tiny_dataset(structures=structures("s1,Bridge,ef,bridge,C,1,,,1,365,,,est")))
    e = link_edges(g, "ef")
    assert (g.capacity_teu_per_year[e] == 0).all()  # an unlimited link, closed


REHAB = """id,name,component,target,attribute,operation,value,capex_usd,opex_usd_per_year,\
lifetime_years,source
i_limit,Lift the limit,structures,s1,speed_limit_kmh,set,nan,1000000,,50,est
i_load,Lift the load limit,structures,s1,load_limit_factor,set,1,0,,50,est
i_closures,No more closures,structures,s1,closures_per_year,set,0,0,,50,est
"""


def test_rehabilitation_removes_exactly_the_effects(
    tiny_dataset: Callable[..., Path], base: CompiledNetwork
) -> None:
    net = load_network(
        tiny_dataset(
            structures=structures("s1,Bridge,cd,bridge,B,10,20,0.5,2,3.65,,,est"),
            interventions=REHAB,
        )
    )
    rehab = Scenario(
        "rehab", net, (Intervention("i_limit"), Intervention("i_load"), Intervention("i_closures"))
    )
    g = compile_network(rehab.apply())
    for col in ("hours_moving", "hours_waiting", "hours_waiting_cv", "capacity_teu_per_year"):
        assert np.array_equal(getattr(g, col), getattr(base, col)), col
    # each intervention alone removes its own effect only
    g1 = compile_network(Scenario("limit", net, (Intervention("i_limit"),)).apply())
    e = link_edges(g1, "cd")
    assert g1.hours_moving[e][0] == pytest.approx(1000 / LINK_SPEED)
    assert g1.capacity_teu_per_year[e][0] == pytest.approx(CAPACITY * 0.5 * 0.98)


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("s1,Bridge,zz,bridge,B,1,,,,,,,est", "link"),
        ("s1,Bridge,cd,bridge,B,1,,0,,,,,est", "load_limit_factor"),
        ("s1,Bridge,cd,bridge,B,1,,1.5,,,,,est", "load_limit_factor"),
        ("s1,Bridge,cd,bridge,B,1,0,,,,,,est", "speed_limit_kmh"),
        ("s1,Bridge,cd,bridge,B,1,,,-1,,,,est", "closures_per_year"),
        ("s1,Bridge,cd,bridge,B,1,,,,inf,,,est", "repair_days"),
        ("s1,Bridge,cd,viaduct,B,1,,,,,,,est", "kind"),
        ("s1,Bridge,cd,bridge,E,1,,,,,,,est", "condition"),
    ],
)
def test_validation_names_the_bad_cell(
    tiny_dataset: Callable[..., Path], row: str, column: str
) -> None:
    with pytest.raises(DataError) as err:
        load_network(tiny_dataset(structures=structures(row)))
    assert column in str(err.value)


def test_bridge_closed_slows_or_diverts_never_speeds_up() -> None:
    net = load_network()
    scenario = load_scenario("bridge-closed", net)
    g0, g1 = compile_network(net), compile_network(scenario.apply())
    e0, e1 = link_edges(g0, "rd_tsiteli_khidi_tbilisi"), link_edges(g1, "rd_tsiteli_khidi_tbilisi")
    # Red Bridge: 0.5 closures a year of a day, 9-hour detour -> closed all year
    added = 9.0 - 9.0 * 0.5 / 365
    assert g1.hours_waiting[e1] - g0.hours_waiting[e0] == pytest.approx([added] * 2)
    # with the Azerbaijan-Georgia rail border closed, freight between the two must
    # cross by road over the bridge (in the base no flow is on it: trucks rest)
    rail = Closure("borders", "b_boyukkesik_gardabani")
    base = prepare(Scenario("rail-closed", net, (rail,)))
    closed = prepare(Scenario("both", net, (rail, *scenario.changes)))
    hours0 = base.graph.hours_moving + base.graph.hours_waiting
    hours1 = closed.graph.hours_moving + closed.graph.hours_waiting
    on_bridge = set(link_edges(base.graph, "rd_tsiteli_khidi_tbilisi").tolist())
    affected = 0
    for f0, f1 in zip(base.flows, closed.flows, strict=True):
        assert f0.segment.name == f1.segment.name
        used = sum(v for edges, v in f0.paths if on_bridge & set(edges))
        if used == 0:
            continue
        affected += 1
        served0 = sum(v for _, v in f0.paths)
        served1 = sum(v for _, v in f1.paths)
        mean0 = sum(v * hours0[list(edges)].sum() for edges, v in f0.paths) / served0
        mean1 = sum(v * hours1[list(edges)].sum() for edges, v in f1.paths) / max(served1, 1e-12)
        assert served1 < served0 - 1e-9 or mean1 > mean0 - 1e-9, f0.segment.name
    assert affected > 0
    flow0 = base.edge_flow_teu[link_edges(base.graph, "rd_tsiteli_khidi_tbilisi")].sum()
    flow1 = closed.edge_flow_teu[link_edges(closed.graph, "rd_tsiteli_khidi_tbilisi")].sum()
    assert flow0 > 0
    assert flow1 <= flow0 + 1e-6


def test_istiqlol_tunnel_completion_on_the_default_dataset() -> None:
    base = load_network()
    done = Scenario(
        "istiqlol",
        base,
        tuple(
            Intervention(i)
            for i in (
                "i_istiqlol_tunnel_completion",
                "i_istiqlol_tunnel_completion_limit",
                "i_istiqlol_tunnel_completion_closures",
            )
        ),
    ).apply()

    def hours(net: object) -> tuple[float, float]:
        g = compile_network(net)  # type: ignore[arg-type]
        e = next(
            i
            for i in range(g.n_edges)
            if g.kind[i] == EDGE_KINDS.index("link") and g.element_id(i) == "rd_khujand_dushanbe"
        )
        return float(g.hours_moving[e]), float(g.hours_waiting[e])

    (m0, w0), (m1, w1) = hours(base), hours(done)
    # link: 46.7 km/h x 0.75 (C); the tunnel: 46.7 x 0.55 (D) capped at 20 km/h over 5 km
    assert m0 - m1 == pytest.approx(5 * (1 / 20 - 1 / (46.7 * 0.75)))
    # closures waited out: 6 a year of 12 h before, 1 a year after (p = n x 0.5 / 365)
    assert w0 - w1 == pytest.approx((6 - 1) * 0.5 / 365 * 12)
