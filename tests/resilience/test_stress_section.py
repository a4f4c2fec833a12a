"""The stress section: every cut element drawn, closed routes said, numbers as in the JSON."""

from __future__ import annotations

import re
from pathlib import Path

from tiny_cases import BULK, tiny

from corridor.loaded.prepare import prepare
from corridor.report.stress_section import min_cut_svg, stress_section
from corridor.resilience.disruptions import stress_scenario
from corridor.resilience.maxflow import region_cut


def test_the_cut_is_drawn_element_by_element(tmp_path: Path) -> None:
    net = tiny(tmp_path / "t", **BULK)
    after = prepare(stress_scenario(net, close=("RU",)))
    cut = region_cut(after, "china", "caucasus", "ore").to_dict()
    svg = min_cut_svg(net, cut)
    drawn = re.findall(r'class="cut-element"[^>]*data-id="([^"]+)"', svg)
    assert sorted(drawn) == sorted(e["id"] for e in cut["cut_elements"]) and drawn
    assert f"{cut['capacity_per_year']:,.0f} t/yr" in svg


def test_section_marks_closed_routes_and_lists_headroom(tmp_path: Path) -> None:
    net = tiny(tmp_path / "t")
    route = {"origin": "a", "destination": "f", "commodity": "containers",
             "corridor": "northern", "time_days": 9.5, "cost_usd_per_feu": 3000.0}  # fmt: skip
    result = {
        "scenario": "close RU",
        "routes_before": [route],
        "routes_after": [],
        "exposure": {},
        "stranded": {},
        "min_cut": {},
        "headroom": [
            {
                "corridor": "middle",
                "commodity": "containers",
                "multiplier": 2.08,
                "extra_per_year": 10800.0,
                "unit": "teu",
                "limit": "capacity",
                "binding_element": "fe",
                "first_failing": {"multiplier": 2.09},
            }
        ],
    }
    page = stress_section(result, net)
    assert "<td>9.5</td><td>closed</td>" in page
    assert "<td>2.08–2.09</td><td>10,800 teu</td><td>capacity</td><td>fe</td>" in page
