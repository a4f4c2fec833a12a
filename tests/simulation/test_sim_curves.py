"""Stations against the delay curve they come from, with queue theory computed here.

The loaded network says a border with ``c`` servers, service CV ``cv`` and
utilisation ``rho`` holds a unit ``s (1 + k q(rho))`` hours, ``k = (1 + cv²)/(2c)``,
``q = rho^(sqrt(2(c+1)) - 1)/(1 - rho)``, with ``s`` derived from the observed
dwell at the observed load.  The simulated station must reproduce it.  The
expected values below come from the dataset's numbers and textbook formulas,
not from the code under test.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from corridor.loaded.prepare import prepare
from corridor.model.network import Network, load_network
from corridor.simulation import engine
from corridor.simulation.build import TRAIN_TEU, build_model
from corridor.simulation.spec import Station

HOURS = 8760.0
T95 = 1.980  # Student t, 119 degrees of freedom


def _border_network(tmp: Path, *, servers: int, cv: float, dwell: float, cap: float, teu: float):  # type: ignore[no-untyped-def]
    """Two cities, one border (no gauge change, no pool), no failures, unlimited terminals."""
    tables = {
        "sources": "id,citation,year,reliability,method,url\nest,Test,2024,estimate,made up,\n",
        "nodes": "id,name,country,kind,lat,lon,source\na,A,CN,city,34,108,est\n"
        "b,B,CN,border,45.2,82.5,est\nc,C,KZ,border,45.3,82.6,est\nf,F,KZ,city,43,77,est\n",
        "conditions": "condition,speed_factor,failures_per_1000km_year,repair_h,source\n"
        "A,1.0,0,12,est\n",
        "links": "id,from,to,mode,length_km,speed_kmh,capacity_teu_per_year,"
        "capacity_t_per_year,tariff_usd_per_feu_km,condition,bidirectional,source\n"
        "ab,a,b,rail_1520,500,50,inf,inf,1.0,A,true,est\n"
        "cf,c,f,rail_1520,500,50,inf,inf,1.0,A,true,est\n",
        "borders": "id,name,from,to,from_mode,to_mode,dwell_h,dwell_cv,servers,"
        "fee_usd_per_feu,gauge_change,capacity_teu_per_year,bidirectional,source\n"
        f"bc,B-C,b,c,rail_1520,rail_1520,{dwell},{cv},{servers},100,false,{cap},"
        "false,est\n",
        "terminals": "id,node,kind,modes,handling_h,handling_cv,fee_usd_per_feu,berths,"
        "capacity_teu_per_year,source\n"
        "ta,a,rail_terminal,rail_1520,6,0.3,100,2,inf,est\n"
        "tf,f,rail_terminal,rail_1520,5,0.3,100,2,inf,est\n",
        "services": "id,name,from,to,mode,vessels,teu_per_sailing,crossing_h,distance_km,"
        "policy,headway_h,max_wait_h,port_turnaround_h,tariff_usd_per_feu,draft_limited,"
        "load_factor,bidirectional,source\n",
        "commodities": "id,name,unit,tonnes_per_teu,value_usd_per_t,"
        "value_of_time_usd_per_feu_h,modes,source\n"
        "containers,Containers,teu,10,5000,3,rail_1520,est\n",
        "corridors": "id,name,via,avoid_countries,avoid_nodes,description\n"
        "direct,Direct,b,,,the border\n",
        "demand": "id,origin,destination,commodity,volume_per_year,corridor,year,source\n"
        f"d1,a,f,containers,{teu},direct,2024,est\n",
        "od_pairs": "origin,destination,commodity\na,f,containers\n",
    }
    folder = tmp / f"border{servers}"
    folder.mkdir()
    for name, text in tables.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return load_network(folder)


def _sakasegawa_dwell(s: float, c: int, cv: float, rho: float) -> float:
    k = (1.0 + cv * cv) / (2.0 * c)
    return s * (1.0 + k * rho ** (math.sqrt(2.0 * (c + 1.0)) - 1.0) / (1.0 - rho))


def _station_sojourns(net: Network, growth: float, reps: int = 40) -> tuple[Station, np.ndarray]:
    """The border station and its mean dwell per replication (stationary Poisson releases)."""
    built = build_model(prepare(net, growth=growth), seasonal_amplitude=0.0)
    names = [r.name for r in built.model.resources]
    i = names.index("border:bc:b>c")
    raw = engine.run(built.model.arrays, days=365, replications=reps, seed=7, warmup_days=60)
    station = built.model.resources[i]
    assert isinstance(station, Station)
    return station, raw.res_sojourn[:, i] / raw.res_count[:, i]


def test_mm1_station_is_the_curve_within_the_confidence_interval(tmp_path: Path) -> None:
    # Observed: dwell 20 h at rho0 = 0.4 with one exponential server.  M/M/1:
    # dwell = s / (1 - rho), so s = 12 h; capacity = one 88-TEU train per 12 h,
    # so servers, service and capacity agree.  At 1.5 x demand rho = 0.6 and
    # the mean dwell is s / (1 - rho) = 30 h: exact for M/M/1, and for any
    # M/G/1 with service CV 1 (Pollaczek-Khinchine: the mean depends on cs2 only).
    s, rho0 = 12.0, 0.4
    cap = HOURS * TRAIN_TEU / s
    net = _border_network(
        tmp_path, servers=1, cv=1.0, dwell=s / (1 - rho0), cap=cap, teu=rho0 * cap
    )
    station, per_rep = _station_sojourns(net, growth=1.5, reps=120)
    assert station.servers == 1
    assert station.mean_service_h == pytest.approx(s, rel=1e-6)
    expected = s / (1.0 - 1.5 * rho0)
    mean = per_rep.mean()
    half = T95 * per_rep.std(ddof=1) / math.sqrt(per_rep.size)
    assert half < 0.05 * expected  # narrow enough to reject a wrong model
    assert abs(mean - expected) <= half, (mean, expected, half)


def test_mgc_station_agrees_with_the_curve(tmp_path: Path) -> None:
    # Three servers, lognormal service CV 0.6: the curve (Sakasegawa) is an
    # approximation of M/G/c, within a few per cent of it at these loads.
    c, cv, rho0 = 3, 0.6, 0.5
    s = 24.0
    cap = HOURS * TRAIN_TEU * c / s
    dwell = _sakasegawa_dwell(s, c, cv, rho0)
    net = _border_network(tmp_path, servers=c, cv=cv, dwell=dwell, cap=cap, teu=rho0 * cap)
    station, per_rep = _station_sojourns(net, growth=1.6)
    assert (station.servers, station.cv) == (c, cv)
    assert station.mean_service_h == pytest.approx(s, rel=1e-6)
    expected = _sakasegawa_dwell(s, c, cv, 1.6 * rho0)
    assert per_rep.mean() == pytest.approx(expected, rel=0.06)


def test_a_station_whose_data_disagree_still_gives_the_curve(tmp_path: Path) -> None:
    # One "server", a 40 h dwell and a capacity of 1,000 trains a year: the
    # shipments cannot pass one at a time, so the simulation raises the servers
    # and keeps the curve's mean dwell at the loaded utilisation.
    c, cv, rho0, dwell = 1, 0.8, 0.3, 40.0
    cap = 1000 * TRAIN_TEU
    net = _border_network(tmp_path, servers=c, cv=cv, dwell=dwell, cap=cap, teu=rho0 * cap)
    station, per_rep = _station_sojourns(net, growth=2.0)
    k = (1 + cv * cv) / 2
    s = dwell / (1 + k * rho0 / (1 - rho0))  # the curve's service time (c = 1)
    expected = s * (1 + k * 2 * rho0 / (1 - 2 * rho0))
    assert station.servers > c
    assert per_rep.mean() == pytest.approx(expected, rel=0.06)
