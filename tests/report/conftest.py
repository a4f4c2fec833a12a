"""Hand-built inputs in the shape of the ``corridor analyze --json`` contract.

They let the report and chart tests run on a dict whose every number is known,
independently of how the model computes routes. Totals are summed from the
legs here, so the contract's invariant (legs sum to totals) holds.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest

# (from, to, kind, mode, km, hours_moving, hours_waiting, cost_usd, capacity)
Leg = tuple[str, str, str, str, float, float, float, float, float]

_MIDDLE: list[Leg] = [
    ("xian", "xian", "access", "rail_1435", 0, 0, 24, 350, 4e5),
    ("xian", "khorgos", "link", "rail_1435", 2900, 72, 0, 1400, 5e5),
    ("khorgos", "altynkol", "border", "rail_1520", 0, 0, 60, 600, 3.5e5),
    ("altynkol", "aktau", "link", "rail_1520", 3000, 80, 0, 1500, 6e5),
    ("aktau", "aktau", "transfer", "ferry", 0, 0, 30, 300, 2e5),
    ("aktau", "alat", "service", "ferry", 430, 20, 110, 1500, 1.2e5),
    ("alat", "alat", "transfer", "rail_1520", 0, 0, 24, 250, 2e5),
    ("alat", "tbilisi", "link", "rail_1520", 500, 14, 0, 600, 4e5),
    ("tbilisi", "poti", "link", "rail_1520", 320, 9, 0, 350, 4e5),
    ("poti", "poti", "transfer", "sea", 0, 0, 48, 400, 2.5e5),
    ("poti", "constanta", "service", "sea", 1100, 40, 72, 1300, 3e5),
    ("constanta", "constanta", "transfer", "rail_1435", 0, 0, 36, 350, 5e5),
    ("constanta", "duisburg", "link", "rail_1435", 2200, 60, 0, 1700, 8e5),
    ("duisburg", "duisburg", "egress", "rail_1435", 0, 0, 12, 200, 1e6),
]
_NORTHERN: list[Leg] = [
    ("xian", "xian", "access", "rail_1435", 0, 0, 24, 350, 4e5),
    ("xian", "alashankou", "link", "rail_1435", 2600, 65, 0, 1300, 5e5),
    ("alashankou", "dostyk", "border", "rail_1520", 0, 0, 48, 550, 4e5),
    ("dostyk", "brest", "link", "rail_1520", 5600, 150, 0, 2600, 1.5e6),
    ("brest", "malaszewicze", "border", "rail_1435", 0, 0, 72, 700, 3e5),
    ("malaszewicze", "duisburg", "link", "rail_1435", 1100, 30, 0, 900, 8e5),
    ("duisburg", "duisburg", "egress", "rail_1435", 0, 0, 12, 200, 1e6),
]
_SEA: list[Leg] = [
    ("xian", "shanghai", "access", "rail_1435", 1500, 40, 24, 900, 1e6),
    ("shanghai", "shanghai", "transfer", "sea", 0, 0, 72, 450, 4e7),
    ("shanghai", "rotterdam", "service", "sea", 19500, 720, 0, 2100, 1e8),
    ("rotterdam", "rotterdam", "transfer", "rail_1435", 0, 0, 60, 400, 1.5e7),
    ("rotterdam", "duisburg", "egress", "rail_1435", 230, 8, 0, 300, 1e6),
]
_ALMATY_YOKOHAMA: list[Leg] = [
    ("almaty", "khorgos", "link", "rail_1520", 350, 10, 0, 250, 6e5),
    ("khorgos", "altynkol", "border", "rail_1435", 0, 0, 60, 600, 3.5e5),
    ("altynkol", "lianyungang", "link", "rail_1435", 4100, 100, 0, 1900, 5e5),
    ("lianyungang", "lianyungang", "transfer", "sea", 0, 0, 48, 400, 5e6),
    ("lianyungang", "yokohama", "service", "sea", 1900, 80, 24, 900, 1e7),
]

COUNTRIES = {
    "xian": "CN",
    "khorgos": "CN",
    "alashankou": "CN",
    "shanghai": "CN",
    "lianyungang": "CN",
    "altynkol": "KZ",
    "dostyk": "KZ",
    "aktau": "KZ",
    "almaty": "KZ",
    "alat": "AZ",
    "tbilisi": "GE",
    "poti": "GE",
    "constanta": "RO",
    "brest": "BY",
    "malaszewicze": "PL",
    "duisburg": "DE",
    "rotterdam": "NL",
    "yokohama": "JP",
    "tengiz": "KZ",
    "ceyhan": "TR",
    "trieste": "IT",
}
COORDS = {
    "xian": (34.27, 108.94),
    "khorgos": (44.21, 80.41),
    "alashankou": (45.17, 82.56),
    "altynkol": (44.18, 80.30),
    "dostyk": (45.25, 82.48),
    "aktau": (43.65, 51.17),
    "almaty": (43.24, 76.89),
    "alat": (39.95, 49.41),
    "tbilisi": (41.72, 44.79),
    "poti": (42.15, 41.67),
    "constanta": (44.17, 28.64),
    "brest": (52.10, 23.70),
    "malaszewicze": (52.03, 23.53),
    "duisburg": (51.43, 6.76),
    "shanghai": (31.23, 121.47),
    "rotterdam": (51.92, 4.48),
    "lianyungang": (34.60, 119.22),
    "yokohama": (35.44, 139.64),
    "tengiz": (46.15, 53.38),
    "ceyhan": (36.88, 35.93),
    "trieste": (45.65, 13.77),
}


def make_route(
    corridor: str, legs: list[Leg], *, p10: float = 0.85, p90: float = 1.3
) -> dict[str, Any]:
    """One route dict of the contract, totals summed from ``legs``."""
    out_legs = [
        {
            "from": a,
            "to": b,
            "id": f"{a}_{b}" if a != b else f"{a}_{kind}",
            "kind": kind,
            "mode": mode,
            "distance_km": km,
            "hours_moving": hm,
            "hours_waiting": hw,
            "cost_usd": c,
            "capacity_teu_per_year": cap,
        }
        for a, b, kind, mode, km, hm, hw, c, cap in legs
    ]
    days = sum(leg["hours_moving"] + leg["hours_waiting"] for leg in out_legs) / 24
    countries: list[str] = []
    for leg in out_legs:
        for node in (leg["from"], leg["to"]):
            if COUNTRIES[node] not in countries:
                countries.append(COUNTRIES[node])
    tight = min(out_legs, key=lambda leg: leg["capacity_teu_per_year"])
    return {
        "corridor": corridor,
        "origin": out_legs[0]["from"],
        "destination": out_legs[-1]["to"],
        "distance_km": sum(leg["distance_km"] for leg in out_legs),
        "time_days": days,
        "time_days_p10": days * p10,
        "time_days_p90": days * p90,
        "cost_usd_per_feu": sum(leg["cost_usd"] for leg in out_legs),
        "countries": countries,
        "transits": countries[1:-1],
        "legs": out_legs,
        "bottlenecks": [
            {
                "id": tight["id"],
                "kind": "border" if tight["kind"] == "border" else "service",
                "capacity_teu_per_year": tight["capacity_teu_per_year"],
                "utilisation": 0.93,
            }
        ],
    }


def sample_analysis() -> dict[str, Any]:
    """Two OD pairs, four routes, in the ``analyze --json`` shape."""
    return {
        "dataset": "fixture",
        "scenario": "base",
        "routes": [
            make_route("middle", _MIDDLE),
            make_route("northern", _NORTHERN),
            make_route("sea_suez", _SEA),
            make_route("middle", _ALMATY_YOKOHAMA),
        ],
    }


#: Tonnes of crude in one TEU in :func:`sample_bulk_analysis` (the dataset's figure).
CRUDE_T_PER_TEU = 25.0

_CRUDE: list[Leg] = [
    ("tengiz", "aktau", "link", "rail_1520", 600, 12, 8, 800, 3e5),
    ("aktau", "aktau", "transfer", "sea", 0, 0, 24, 100, 1e5),
    ("aktau", "alat", "service", "sea", 440, 22, 900, 1500, 8.6e4),
    ("alat", "ceyhan", "link", "pipeline", 1768, 295, 0, 2157, 0),
    ("ceyhan", "trieste", "link", "sea", 2800, 95, 10, 600, 0),
]


def make_bulk_route(corridor: str = "trans_caspian_btc") -> dict[str, Any]:
    """A crude-oil route: TEU capacities on rail and the tanker, tonnes on the pipeline.

    ``cost_usd_per_t`` is the per-FEU total over the tonnes of an FEU
    (2 TEU), as the analysis defines it; the pipeline binds in tonnes.
    """
    route = make_route(corridor, _CRUDE)
    for leg in route["legs"]:
        leg["capacity_t_per_year"] = None
        if leg["mode"] == "pipeline":
            leg["capacity_teu_per_year"], leg["capacity_t_per_year"] = None, 5.98e7
        elif leg["capacity_teu_per_year"] == 0:
            leg["capacity_teu_per_year"] = None
    tanker = route["legs"][2]
    route.update(
        commodity="crude_oil",
        unit="t",
        cost_usd_per_t=route["cost_usd_per_feu"] / (2 * CRUDE_T_PER_TEU),
        bottlenecks=[
            {"id": tanker["id"], "name": "Caspian tankers <crude>", "kind": "service",
             "from": "aktau", "to": "alat", "capacity_teu_per_year": 8.6e4,
             "capacity_t_per_year": None, "flow_teu_per_year": 8.6e4,
             "flow_t_per_year": 8.6e4 * CRUDE_T_PER_TEU, "utilisation": 1.0,
             "binding_unit": "teu"},
            {"id": "alat_ceyhan", "name": "BTC pipeline", "kind": "link", "from": "alat",
             "to": "ceyhan", "capacity_teu_per_year": None, "capacity_t_per_year": 5.98e7,
             "flow_teu_per_year": 8.6e4, "flow_t_per_year": 2.15e6, "utilisation": 0.036,
             "binding_unit": "t"},
        ],
    )  # fmt: skip
    return route


def sample_bulk_analysis() -> dict[str, Any]:
    """One container pair and one crude-oil pair, with demand not carried and a closure."""
    crude = make_bulk_route()
    return {
        "dataset": "fixture",
        "scenario": "closed",
        "routes": [make_route("middle", _MIDDLE), crude],
        "capacities": [crude["bottlenecks"][0], crude["bottlenecks"][1]],
        "unrouted_demand": [
            {"segment": "crude_oil/cpc/tengiz-trieste", "origin": "tengiz",
             "destination": "trieste", "commodity": "crude_oil", "corridor": "cpc",
             "volume_per_year": 5.3e7, "unit": "t", "share_of_demand": 0.96,
             "teu_per_year": 5.3e7 / CRUDE_T_PER_TEU, "t_per_year": 5.3e7,
             "refused_by": [crude["bottlenecks"][0]["id"]],
             "reason": "capacity full on every open route"},
            {"segment": "containers/middle/xian-duisburg", "origin": "xian",
             "destination": "duisburg", "commodity": "containers", "corridor": "middle",
             "volume_per_year": 1200.0, "unit": "teu", "share_of_demand": 0.1,
             "teu_per_year": 1200.0, "t_per_year": 12000.0, "refused_by": [],
             "reason": "no open route"},
        ],
        "not_offered": [
            {"origin": "xian", "destination": "duisburg", "commodity": "containers",
             "corridor": "northern", "status": "closed",
             "reason": "no route satisfies corridor 'northern' in this scenario"},
            {"origin": "xian", "destination": "duisburg", "commodity": "containers",
             "corridor": "cpc", "status": "not_applicable",
             "reason": "CPC pipeline carries crude_oil only"},
        ],
    }  # fmt: skip


def sample_network() -> SimpleNamespace:
    """Node, link and source tables for the nodes used by :func:`sample_analysis`."""
    nodes = pd.DataFrame(
        [
            {
                "id": n,
                "name": n.title(),
                "country": COUNTRIES[n],
                "kind": "city",
                "lat": lat,
                "lon": lon,
            }
            for n, (lat, lon) in COORDS.items()
        ]
    )
    links = pd.DataFrame(
        [
            {"id": f"{a}-{b}", "from": a, "to": b, "mode": mode}
            for route in (_MIDDLE, _NORTHERN, _SEA, _ALMATY_YOKOHAMA, _CRUDE)
            for a, b, _kind, mode, *_ in route
            if a != b
        ]
    ).drop_duplicates("id")
    sources = pd.DataFrame(
        [
            {
                "id": "wb2023",
                "citation": "World Bank, Middle Trade and Transport Corridor",
                "year": 2023,
                "reliability": "A",
                "method": "",
                "url": "https://openknowledge.worldbank.org/",
            },
            {
                "id": "est-gc",
                "citation": "Great-circle distance x 1.2",
                "year": 2024,
                "reliability": "estimate",
                "method": "great-circle x circuity 1.2",
                "url": "",
            },
        ]
    )
    empty = pd.DataFrame()
    return SimpleNamespace(
        name="fixture",
        nodes=nodes,
        links=links,
        borders=empty,
        terminals=empty,
        services=empty,
        sources=sources,
    )


@pytest.fixture
def analysis() -> dict[str, Any]:
    return sample_analysis()


@pytest.fixture
def bulk_analysis() -> dict[str, Any]:
    return sample_bulk_analysis()


@pytest.fixture
def crude_t_per_teu() -> float:
    return CRUDE_T_PER_TEU


@pytest.fixture
def network() -> SimpleNamespace:
    return sample_network()
