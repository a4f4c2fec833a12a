"""The tiny dataset (tests/tiny_network.py) with a bulk commodity and regions, for hand checks.

Hand-checkable facts of :data:`BULK`: the line ``cd`` has 20,000 TEU or 100,000 t of
train paths a year (5 t of bulk per TEU of containers); the ore (80,000 t, 25 t per
TEU, no road) has no route around it; regions ``china`` = CN, ``central_asia`` = KZ,
``caucasus`` = AZ and GE.
"""

from __future__ import annotations

from pathlib import Path

from corridor.model.network import Network, load_network
from tiny_network import TINY

BULK = {
    "links": TINY["links"].replace(
        "cd,c,d,rail_1520,1000,50,10,200000,inf", "cd,c,d,rail_1520,1000,50,10,20000,100000"
    ),
    "commodities": TINY["commodities"] + "ore,Ore,t,25,100,0.1,rail_1520;rail_1435;ferry,est\n",
    "demand": TINY["demand"] + "d3,a,f,ore,80000,middle,2024,est\n",
    "od_pairs": TINY["od_pairs"] + "a,f,ore\n",
    "services": TINY["services"].replace(
        "fe,Ferry D–E,d,e,ferry,3,100,", "fe,Ferry D–E,d,e,ferry,30,100,"
    ),
    "regions": "id,name,countries\nchina,China,CN\ncentral_asia,Central Asia,KZ\n"
    "caucasus,Caucasus,AZ;GE\nrussia,Russia,RU\n",
    "weather_closures": "id,hazard,applies_to,country,closures_per_year,mean_h,cv,peak_day,"
    "window_start_day,window_end_day,source\n"
    "storm_ferries,storm,ferry_services,,14,30,0.6,15,,,est\n"
    "snow_ge,snow,road_links,GE,4,12,1,,334,74,est\n",
}


def tiny(folder: Path, **replace: str) -> Network:
    """The tiny dataset written to ``folder`` with ``replace``d tables, loaded."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in {**TINY, **replace}.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return load_network(folder)


def with_tonnes(border_t: str, terminal_t: str, base: dict[str, str] = BULK) -> dict[str, str]:
    """``base`` tables with a tonne capacity on border bc (b ↔ c) and on port terminal td."""
    borders = base.get("borders") or TINY["borders"]
    terminals = TINY["terminals"]
    return {
        **base,
        "borders": borders.replace(
            "capacity_teu_per_year,bidirectional",
            "capacity_teu_per_year,capacity_t_per_year,bidirectional",
        ).replace("329,true,100000,true", f"329,true,100000,{border_t},true"),
        "terminals": terminals.replace(
            "capacity_teu_per_year,source", "capacity_teu_per_year,capacity_t_per_year,source"
        )
        .replace("100,2,inf,est", "100,2,inf,inf,est")
        .replace("200,2,80000,est", f"200,2,80000,{terminal_t},est")
        .replace("150,2,inf,est", "150,2,inf,inf,est"),
    }
