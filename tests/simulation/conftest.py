"""Fixtures for the simulation tests: a small corridor dataset written to a temp folder."""

from __future__ import annotations

from pathlib import Path

import pytest

SIM_TINY = {
    "sources": "id,citation,year,reliability,method,url\nest,Test,2024,estimate,made up,\n",
    "nodes": """id,name,country,kind,lat,lon,source
a,Alpha,CN,city,34.0,108.0,est
b,Bravo,CN,border,45.2,82.5,est
c,Charlie,KZ,border,45.3,82.6,est
d,Delta,KZ,port,43.6,51.2,est
e,Echo,AZ,port,40.0,49.4,est
f,Foxtrot,GE,city,41.7,44.8,est
r,Romeo,RU,junction,55.0,60.0,est
""",
    "conditions": """condition,speed_factor,failures_per_1000km_year,repair_h,source
A,1.0,0.1,12,est
B,0.9,0.2,24,est
C,0.75,0.5,36,est
D,0.5,1.0,72,est
""",
    "links": """id,from,to,mode,length_km,speed_kmh,capacity_teu_per_year,capacity_t_per_year,\
tariff_usd_per_feu_km,condition,bidirectional,source
ab,a,b,rail_1435,500,50,inf,inf,1.0,A,true,est
cd,c,d,rail_1520,1000,50,200000,inf,1.0,B,true,est
ef,e,f,rail_1520,500,40,inf,inf,1.2,D,true,est
cr,c,r,rail_1520,800,60,inf,inf,0.8,A,true,est
rf,r,f,rail_1520,900,60,inf,inf,0.8,A,true,est
""",
    "borders": """id,name,from,to,from_mode,to_mode,dwell_h,dwell_cv,servers,fee_usd_per_feu,\
gauge_change,capacity_teu_per_year,bidirectional,source
bc,Bravo–Charlie,b,c,rail_1435,rail_1520,30,0.6,2,329,true,100000,true,est
""",
    "terminals": """id,node,kind,modes,handling_h,handling_cv,fee_usd_per_feu,berths,\
capacity_teu_per_year,source
ta,a,rail_terminal,rail_1435,6,0.3,100,2,inf,est
td,d,port,rail_1520;ferry,12,0.5,200,2,80000,est
te,e,port,ferry;rail_1520,10,0.5,150,2,inf,est
tf,f,rail_terminal,rail_1520,5,0.3,100,2,inf,est
""",
    "services": """id,name,from,to,mode,vessels,teu_per_sailing,crossing_h,distance_km,policy,\
headway_h,max_wait_h,port_turnaround_h,tariff_usd_per_feu,draft_limited,load_factor,\
bidirectional,source
fe,Ferry D–E,d,e,ferry,4,250,20,500,when_full,,120,24,900,true,0.7,true,est
""",
    "weather_closures": """id,hazard,applies_to,country,closures_per_year,mean_h,cv,peak_day,\
window_start_day,window_end_day,source
storm_ferries,storm,ferry_services,,14,30,0.6,15,,,est
""",
    "rolling_stock": """id,kind,country,terminal_h,turnaround_cv,max_utilisation,max_wait_share,\
source
wagons,wagon_pool,,24,0.3,0.85,0.25,est
locomotives_ge,locomotive_pool,GE,24,0.3,0.85,0.25,est
""",
    "commodities": """id,name,unit,tonnes_per_teu,value_usd_per_t,value_of_time_usd_per_feu_h,\
modes,source
containers,Containers,teu,10,5000,3,rail_1520;rail_1435;ferry,est
""",
    "corridors": """id,name,via,avoid_countries,avoid_nodes,shippers_avoid,description
middle,Middle,d,RU,,RU,via the ferry
northern,Northern,r,AZ,,AZ,via Russia
""",
    "demand": """id,origin,destination,commodity,volume_per_year,corridor,year,source
d1,a,f,containers,15000,middle,2024,est
d2,a,f,containers,20000,northern,2024,est
""",
    "od_pairs": "origin,destination,commodity\na,f,containers\n",
}


@pytest.fixture
def sim_network(tmp_path: Path):  # type: ignore[no-untyped-def]
    """The small two-corridor network (middle with a ferry, northern by rail)."""
    from corridor.model.network import load_network

    folder = tmp_path / "simtiny"
    folder.mkdir()
    for name, text in SIM_TINY.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return load_network(folder)
