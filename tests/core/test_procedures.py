"""Border posts as procedures (corridor.capacity.procedures), against hand-computed dwell.

The tiny network's only border, ``bc`` (30 h observed, CV 0.6, capacity
100,000 TEU a year), carries all 30,000 TEU of the demand a→f, so its observed
and loaded utilisation is 0.3. Its two posts are described below; every
expected figure is worked out here from the formulas in the module docs, with
nothing taken from the code under test.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import pytest

from corridor.loaded.prepare import prepare
from corridor.model.network import load_network
from corridor.model.scenario import Scenario, SetValue

PROCEDURES = """id,border,side,documents_h,documents_cv,inspection_share,inspection_h,lanes,\
opening_h_per_day,joint_control,source
px,bc,exit,4,0.6,0.5,6,1,24,,est
pn,bc,entry,2,0.6,0.2,10,2,18,false,est
"""
RHO = 0.3
DWELL = 30.0


def q(rho: float, servers: float) -> float:
    return rho ** (math.sqrt(2 * (servers + 1)) - 1) / (1 - rho)


def posts(
    *,
    exit_docs: float = 4.0,
    exit_inspection: float = 6.0,
    exit_share: float = 0.5,
    entry_open: float = 18.0,
    entry_days: float = 7.0,
    entry_cv: float = 0.6,
    entry_lanes: int = 2,
    joint: bool = False,
) -> float:
    """Hours at both posts at utilisation RHO (module docs of corridor.capacity.procedures)."""
    exit_s = (0.0 if joint else exit_docs) + exit_share * exit_inspection
    exit_h = exit_s * (1 + (1 + 0.6**2) / 2 * q(RHO, 1))
    entry_s = 2.0 + 0.2 * 10.0
    share = entry_days * entry_open / 168
    # each closed spell of L hours is met with probability L/168 and lasts L/2 on average
    nights = entry_days * (24 - entry_open) ** 2
    weekend = (24 * (7 - entry_days)) ** 2
    wait_open = (nights + weekend) / 336
    k = (1 + entry_cv**2) / (2 * entry_lanes)
    entry_h = wait_open + entry_s * (1 + k * q(RHO / share, entry_lanes))
    return exit_h + entry_h


def border_wait(folder: Path, *changes: SetValue) -> float:
    base = load_network(folder)
    loaded = prepare(Scenario("s", base, changes) if changes else base)
    g = loaded.graph
    waits = [
        float(g.hours_waiting[e])
        for e in range(g.n_edges)
        if g.element_id(e) == "bc" and g.node_ids[int(g.vertex_node[g.tail[e]])] == "b"
    ]
    assert len(waits) == 1
    util = loaded.capacity_table()
    assert any(r["id"] == "bc" and r["utilisation"] == pytest.approx(RHO) for r in util)
    return waits[0]


@pytest.fixture
def folder(tiny_dataset: Callable[..., Path]) -> Path:
    return tiny_dataset(border_procedures=PROCEDURES)


def test_the_base_reproduces_the_observed_dwell(folder: Path) -> None:
    assert border_wait(folder) == pytest.approx(DWELL)


def test_a_scanner_cuts_the_inspection_term_only(folder: Path) -> None:
    rest = DWELL - posts()
    got = border_wait(folder, SetValue("border_procedures", "px", "inspection_h", "scale", 0.25))
    assert got == pytest.approx(rest + posts(exit_inspection=1.5))
    assert DWELL - got == pytest.approx(posts() - posts(exit_inspection=1.5))
    assert got < DWELL - 1.0  # about 2.8 h saved, not a rounding


def test_round_the_clock_opening_removes_the_wait_for_the_post_and_its_squeeze(
    folder: Path,
) -> None:
    rest = DWELL - posts()
    got = border_wait(folder, SetValue("border_procedures", "pn", "opening_h_per_day", "set", 24))
    assert got == pytest.approx(rest + posts(entry_open=24.0))


def test_joint_control_drops_the_exit_documents(folder: Path) -> None:
    rest = DWELL - posts()
    got = border_wait(folder, SetValue("border_procedures", "pn", "joint_control", "set", "true"))
    assert got == pytest.approx(rest + posts(joint=True))
    # "false" must not be read as True
    same = border_wait(folder, SetValue("border_procedures", "pn", "joint_control", "set", "false"))
    assert same == pytest.approx(DWELL)


def test_training_lowers_the_queue_through_the_document_variability(folder: Path) -> None:
    rest = DWELL - posts()
    got = border_wait(folder, SetValue("border_procedures", "pn", "documents_cv", "set", 0.2))
    assert got == pytest.approx(rest + posts(entry_cv=0.2))
    assert got < DWELL


def test_procedures_that_explain_more_than_the_observation_are_scaled_to_it(
    tiny_dataset: Callable[..., Path],
) -> None:
    heavy = PROCEDURES.replace("px,bc,exit,4,", "px,bc,exit,40,")
    folder = tiny_dataset(border_procedures=heavy)
    assert border_wait(folder) == pytest.approx(DWELL)
    # halving the exit documents then saves the scaled share of the hours they explain
    explained = posts(exit_docs=40.0)
    cut = posts(exit_docs=20.0)
    got = border_wait(folder, SetValue("border_procedures", "px", "documents_h", "scale", 0.5))
    assert got == pytest.approx(DWELL * cut / explained)


def test_a_border_without_procedures_keeps_its_queue_curve(
    tiny_dataset: Callable[..., Path],
) -> None:
    # no procedure rows: the border is the G/G/c queue of corridor.capacity.delay
    folder = tiny_dataset()
    assert border_wait(folder) == pytest.approx(DWELL)
    servers, cv = 2, 0.6
    k = (1 + cv**2) / (2 * servers)
    service = DWELL / (1 + k * q(RHO, servers))
    doubled = border_wait(folder, SetValue("borders", "bc", "servers", "set", 4))
    k4 = (1 + cv**2) / (2 * 4)
    # the service time is derived with the base's servers; more servers shorten the queue
    assert doubled == pytest.approx(service * (1 + k4 * q(RHO, 4)))


def test_risk_management_cuts_the_share_inspected(folder: Path) -> None:
    rest = DWELL - posts()
    got = border_wait(folder, SetValue("border_procedures", "px", "inspection_share", "set", 0.1))
    assert got == pytest.approx(rest + posts(exit_share=0.1))
    # 0.4 of 6 h less service at a one-lane post at rho 0.3: 2.4 h x (1 + 0.68 x 0.3/0.7)
    assert DWELL - got == pytest.approx(2.4 * (1 + 0.68 * 0.3 / 0.7))


def test_training_cuts_the_document_time(folder: Path) -> None:
    rest = DWELL - posts()
    got = border_wait(folder, SetValue("border_procedures", "px", "documents_h", "scale", 0.7))
    assert got == pytest.approx(rest + posts(exit_docs=2.8))


def test_a_post_closed_at_weekends_waits_them_out(folder: Path) -> None:
    rest = DWELL - posts()
    got = border_wait(folder, SetValue("border_procedures", "pn", "open_days_per_week", "set", 5))
    assert got == pytest.approx(rest + posts(entry_days=5.0))
    # the weekend alone: 48 h met with probability 48/168, waited out for 24 h on average
    assert got - DWELL > 48 / 168 * 24


def test_more_lanes_shorten_the_queue_only(folder: Path) -> None:
    rest = DWELL - posts()
    got = border_wait(folder, SetValue("border_procedures", "pn", "lanes", "set", 4))
    assert got == pytest.approx(rest + posts(entry_lanes=4))
    assert got < DWELL


def test_a_post_open_more_than_seven_days_is_refused(tiny_dataset: Callable[..., Path]) -> None:
    from corridor.errors import DataError

    bad = PROCEDURES.replace("id,border,side,", "id,border,side,").replace(
        "opening_h_per_day,joint_control", "opening_h_per_day,open_days_per_week,joint_control"
    )
    bad = bad.replace("1,24,,est", "1,24,7,,est").replace("2,18,false,est", "2,18,8,false,est")
    with pytest.raises(DataError, match="row 3, column 'open_days_per_week'"):
        load_network(tiny_dataset(border_procedures=bad))


SCANNED = """id,border,side,documents_h,documents_cv,inspection_share,inspection_h,scanner,scan_h,\
scan_referral_share,lanes,opening_h_per_day,joint_control,source
px,bc,exit,4,0.6,0.5,6,false,0.5,0.2,1,24,,est
pn,bc,entry,2,0.6,0.2,10,,,,2,18,false,est
"""


def test_a_scanner_scans_the_selected_units_and_opens_only_the_referred_ones(
    tiny_dataset: Callable[..., Path],
) -> None:
    folder = tiny_dataset(border_procedures=SCANNED)
    assert border_wait(folder) == pytest.approx(DWELL)  # no scanner yet: as PROCEDURES
    rest = DWELL - posts()
    got = border_wait(folder, SetValue("border_procedures", "px", "scanner", "set", "true"))
    # half the trains selected; each scanned in 0.5 h, a fifth of them then opened for 6 h
    assert got == pytest.approx(rest + posts(exit_inspection=0.5 + 0.2 * 6.0))
    # exit service 4 + 0.5 x 6 = 7 h falls to 4 + 0.5 x 1.7 = 4.85 h at a one-lane post, rho 0.3
    assert DWELL - got == pytest.approx(2.15 * (1 + 0.68 * 0.3 / 0.7))
    # a scanner that refers every unit and takes time of its own is slower than none
    slow = border_wait(
        folder,
        SetValue("border_procedures", "px", "scanner", "set", "true"),
        SetValue("border_procedures", "px", "scan_referral_share", "set", 1.0),
    )
    assert slow > DWELL


def test_a_scanner_without_its_figures_is_refused(tiny_dataset: Callable[..., Path]) -> None:
    from corridor.errors import DataError

    bad = SCANNED.replace("6,false,0.5,0.2,", "6,true,,0.2,")
    with pytest.raises(DataError, match="row 2, column 'scan_h'"):
        load_network(tiny_dataset(border_procedures=bad))
    # installing one by intervention on a post without them names the row
    folder = tiny_dataset(border_procedures=SCANNED)
    with pytest.raises(DataError, match=r"row 'pn'.*scan_h"):
        border_wait(folder, SetValue("border_procedures", "pn", "scanner", "set", "true"))


def test_station_servers_are_the_servers_of_the_queue_curve(
    tiny_dataset: Callable[..., Path],
) -> None:
    # the figure the simulation's station takes is the curve's servers too
    folder = tiny_dataset()
    k2 = (1 + 0.6**2) / (2 * 2)
    service = DWELL / (1 + k2 * q(RHO, 2))
    got = border_wait(folder, SetValue("borders", "bc", "station_servers", "set", 6))
    k6 = (1 + 0.6**2) / (2 * 6)
    assert got == pytest.approx(service * (1 + k6 * q(RHO, 6)))
    assert got < DWELL - 1.0
