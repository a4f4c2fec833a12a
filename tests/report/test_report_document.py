"""The HTML report: self-contained, sections present exactly when their data is."""

from __future__ import annotations

import itertools
import re
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest

from corridor.report import render_report, write_report
from corridor.report.mapsvg import load_base_map, map_svg, project
from corridor.report.tables import used_sources


class _Collect(HTMLParser):
    """Collects tags with their attributes, and table cells by data-key."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _parse(text: str) -> _Collect:
    p = _Collect()
    p.feed(text)
    return p


def _simulation(analysis: dict[str, Any]) -> dict[str, Any]:
    rng = np.random.default_rng(7)
    return {
        "replications": 50,
        "routes": [
            {
                "corridor": r["corridor"],
                "origin": r["origin"],
                "destination": r["destination"],
                "samples_days": rng.gamma(25.0, r["time_days"] / 25.0, 50).tolist(),
            }
            for r in analysis["routes"]
        ],
    }


def test_no_reference_to_another_host(analysis: dict[str, Any], network: Any) -> None:
    text = render_report(analysis, network, simulation=_simulation(analysis))
    for tag, attrs in _parse(text).tags:
        for key in ("src", "href", "xlink:href", "action", "data"):
            value = attrs.get(key) or ""
            assert not re.match(r"^\s*([a-z]+:)?//", value), (tag, key, value)
            assert not value.startswith(("http:", "https:")), (tag, key, value)
    assert "@import" not in text and "url(http" not in text


def test_sections_appear_only_with_their_data(analysis: dict[str, Any], network: Any) -> None:
    bare = render_report(analysis, network)
    ids = {a.get("id") for t, a in _parse(bare).tags if t == "section"}
    always = {"summary", "maps", "breakdown", "pairs", "tcd", "sources"}
    assert ids == always
    detailed = render_report(analysis, network, detail=True)
    assert {a.get("id") for t, a in _parse(detailed).tags if t == "section"} == always | {"legs"}
    full = render_report(
        analysis,
        network,
        simulation=_simulation(analysis),
        appraisal={"ranking": [{"id": "aktau_cranes", "bcr": 3.1, "npv_usd": 1.2e8}]},
        stress=[{"closure": "RU", "extra_days": 4.2}],
    )
    ids = {a.get("id") for t, a in _parse(full).tags if t == "section"}
    assert ids == always | {"simulation", "appraisal", "stress"}
    assert "aktau_cranes" in full and "extra_days" in full
    # One distribution chart per OD pair, one curve per simulated route.
    assert full.count('class="dist"') == 2
    assert full.count('class="ecdf"') == len(analysis["routes"])
    without_network = render_report(analysis, None, detail=True)
    ids = {a.get("id") for t, a in _parse(without_network).tags if t == "section"}
    assert ids == {"summary", "breakdown", "pairs", "tcd", "legs"}


def test_route_table_carries_the_json_numbers(analysis: dict[str, Any], network: Any) -> None:
    text = render_report(analysis, network, detail=True)
    pairs = text[text.index('<section id="pairs"') :]
    tags = _parse(pairs).tags
    rows = [a for t, a in tags if t == "tr" and a.get("data-route") is not None]
    assert [r["data-corridor"] for r in rows] == [r["corridor"] for r in analysis["routes"]]
    cells = [a for t, a in tags if t == "td" and a.get("data-key") == "time_days"]
    # The legs tables also have no time_days column, so the first cells are the routes table.
    got = [float(c["data-value"] or "nan") for c in cells[: len(analysis["routes"])]]
    assert got == [r["time_days"] for r in analysis["routes"]]


def test_map_draws_countries_routes_waits_and_bottlenecks(
    analysis: dict[str, Any], network: Any
) -> None:
    routes = analysis["routes"][:3]
    svg = map_svg(network, routes, closed_countries=["RU"], closed_nodes=["brest"])
    tags = _parse(svg).tags
    countries = [a for t, a in tags if t == "path" and "land" in (a.get("class") or "")]
    assert len(countries) > 100 and all(a.get("d") for a in countries)
    assert [a["data-iso"] for a in countries if "closed" in (a.get("class") or "")] == ["RU"]
    lines = [a for t, a in tags if t == "path" and a.get("class") == "route"]
    assert [a["data-corridor"] for a in lines] == [r["corridor"] for r in routes]
    # Circle radius grows with the waiting time it stands for.
    waits = sorted(
        (float(a["data-hours"] or 0), float(a["r"] or 0)) for t, a in tags if t == "circle"
    )
    assert len(waits) >= 4
    assert all(r1 <= r2 for (_, r1), (_, r2) in itertools.pairwise(waits))
    marks = [a["data-id"] for t, a in tags if t == "path" and a.get("class") == "bottleneck"]
    assert marks == [r["bottlenecks"][0]["id"] for r in routes]


def test_projection_keeps_order_and_the_base_map_covers_the_corridor() -> None:
    west, east = project(10.0, 45.0), project(60.0, 45.0)
    north, south = project(40.0, 60.0), project(40.0, 10.0)
    assert west[0] < east[0] and north[1] < south[1]
    isos = {iso for iso, _name, _d in load_base_map().countries}
    assert {"CN", "KZ", "RU", "AZ", "GE", "TR", "IR", "DE", "NL", "JP", "EG", "ZA"} <= isos
    asset = Path(__file__).parents[2] / "src/corridor/report/assets/countries.json"
    assert asset.stat().st_size < 1_000_000


def test_sources_used_by_the_routes(analysis: dict[str, Any], network: Any) -> None:
    leg_id = analysis["routes"][0]["legs"][1]["id"]
    links = network.links.assign(id=network.links["id"], source="")
    links.loc[0, ["id", "source"]] = [leg_id, "wb2023;est-gc"]
    net = SimpleNamespace(**{**vars(network), "links": links})
    used = used_sources(net, analysis["routes"])
    assert used == {"wb2023": [leg_id], "est-gc": [leg_id]}
    text = render_report(analysis, net, detail=True)
    assert re.search(r'<tr data-source="est-gc" class="used">', text)
    summary = render_report(analysis, net)  # the summary edition tallies the used ones
    assert "est-gc" in summary and "wb2023" in summary


def test_write_report_is_atomic(analysis: dict[str, Any], network: Any, tmp_path: Path) -> None:
    out = write_report(analysis, network, tmp_path / "r.html")
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]
    broken = SimpleNamespace(nodes=pd.DataFrame({"id": ["xian"], "name": ["Xi'an"]}), sources=None)
    with pytest.raises(KeyError):  # nodes without coordinates
        write_report(analysis, broken, tmp_path / "r.html")
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]


def test_same_route_is_drawn_once_and_noted(analysis: dict[str, Any], network: Any) -> None:
    middle = analysis["routes"][0]
    dup = {**middle, "corridor": "middle_black_sea", "same_route_as": "middle"}
    routes = [middle, dup, *analysis["routes"][1:]]
    text = render_report({**analysis, "routes": routes}, network, detail=True)
    tags = _parse(text).tags
    lines = [a["data-corridor"] for t, a in tags if t == "path" and a.get("class") == "route"]
    # On the map and in both chart panels the duplicate is not drawn.
    assert "middle_black_sea" not in lines
    alone = _parse(render_report(analysis, network, detail=True)).tags
    assert lines == [
        a["data-corridor"] for t, a in alone if t == "path" and a.get("class") == "route"
    ]
    rows = [a for t, a in tags if t == "tr" and a.get("data-route") is not None]
    assert [r["data-corridor"] for r in rows] == [r["corridor"] for r in routes]
    assert [r.get("data-same-route-as") for r in rows][:2] == [None, "middle"]
    assert "same route as Middle Corridor" in text
    assert "Middle Corridor (same route: Middle via Black Sea)" in text


def test_capacity_section_lists_the_most_utilised_first(
    analysis: dict[str, Any], network: Any
) -> None:
    caps = [
        {"id": f"e{i}", "kind": "border", "from": "khorgos", "to": "altynkol",
         "capacity_teu_per_year": 1e5, "flow_teu_per_year": u * 1e5, "utilisation": u}
        for i, u in enumerate([0.97, 0.9, 0.89, *[0.5 - 0.01 * i for i in range(20)]])
    ]  # fmt: skip
    text = render_report({**analysis, "capacities": caps}, network)
    tags = _parse(text).tags
    ids = [a.get("id") for t, a in tags if t == "section"]
    assert ids[:2] == ["summary", "maps"] and "capacity" in ids
    rows = [a for t, a in tags if t == "tr" and (a.get("data-id") or "").startswith("e")]
    assert [r["data-id"] for r in rows] == [c["id"] for c in caps[:15]]
    assert [r.get("class") == "high" for r in rows][:4] == [True, True, False, False]
    util = [a for t, a in tags if t == "td" and a.get("data-key") == "utilisation"]
    assert [float(a["data-value"] or "nan") for a in util] == [c["utilisation"] for c in caps[:15]]
    # Each element is marked once on the dashboard's map (both directions share an id), ranked.
    svg = map_svg(network, analysis["routes"], capacities=caps)
    marks = [a for t, a in _parse(svg).tags if t == "g" and "cap" in (a.get("class") or "").split()]
    assert [m["data-id"] for m in marks] == ["e0", "e1", "e2", "e3", "e4"]
    assert "u-high" in (marks[0].get("class") or "")
    assert "capacity" not in {a.get("id") for t, a in _parse(render_report(analysis, network)).tags}
