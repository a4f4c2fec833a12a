"""The stress section: every cut element drawn, closed routes said, numbers as in the JSON."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tiny_cases import BULK, tiny

from corridor.loaded.prepare import prepare
from corridor.report.stress_section import changed, min_cut_svg, stress_section
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


def test_the_report_shows_the_stress_json_and_every_bar_is_the_whole_demand(
    tmp_path: Path,
) -> None:
    from corridor.analysis import analyze
    from corridor.report.document import render_report
    from corridor.resilience.stress import stress

    net = tiny(tmp_path / "t", **BULK)
    result = stress(stress_scenario(net, close=("RU",)), cut_commodities=("containers", "ore"))
    page = render_report(analyze(prepare(net)), net, stress=result)
    section = page[page.index('<section id="stress"') :]
    section = section[: section.index("</section>")]
    # stranded a year, as in the JSON, for every commodity with demand
    shown = dict(re.findall(r'data-commodity="([^"]+)" data-stranded="([^"]+)"', section))
    assert {k: float(v) for k, v in shown.items()} == {
        c: x["after"]["stranded_per_year"] for c, x in result["exposure"].items()
    }
    assert result["stranded"]["ore"]["volume_per_year"] > 0  # the ore has no way round
    # each bar (a run of rects between labels) covers the commodity's whole demand, and the
    # grey part is the stranded volume over the demand
    svg = section[section.index('class="bars stress-shares"') :]
    bars = re.split(r"<text [^>]*text-anchor=\"end\"", svg)[1:]
    moved = [c for c, x in result["exposure"].items() if changed(x)]
    assert moved == ["containers"]  # Russia's line closed: the ore was on the middle already
    assert len(bars) == 2 * len(moved)
    for i, bar in enumerate(bars):
        shares = dict(re.findall(r'data-part="([^"]+)" data-share="([^"]+)"', bar))
        assert abs(sum(float(s) for s in shares.values()) - 1.0) < 1e-9
        c = moved[i // 2]
        demand = result["exposure"][c]["before"]["demand_per_year"]
        stranded = (
            result["exposure"][c]["before"]["stranded_per_year"]
            if i % 2 == 0
            else result["stranded"][c]["volume_per_year"]
        )
        assert float(shares.get("stranded", 0.0)) == pytest.approx(stranded / demand)
    assert "northern" in re.findall(r'data-part="([^"]+)"', bars[0])
    assert "northern" not in re.findall(r'data-part="([^"]+)"', bars[1])
    # every element of every cut is named in the cut table
    for per in result["min_cut"].values():
        for cut in per.values():
            for element in cut["cut"]:
                assert element in section


def test_bulk_routes_cost_per_tonne_containers_per_feu(tmp_path: Path) -> None:
    net = tiny(tmp_path / "t", **BULK)
    boxes = {"origin": "a", "destination": "f", "commodity": "containers", "unit": "teu",
             "corridor": "middle", "time_days": 9.5, "cost_usd_per_feu": 3000.0}  # fmt: skip
    ore = {**boxes, "commodity": "ore", "unit": "t", "cost_usd_per_feu": 5000.0,
           "cost_usd_per_t": 100.0}  # fmt: skip
    page = stress_section(
        {"scenario": "s", "routes_before": [boxes, ore], "routes_after": [boxes, ore],
         "exposure": {}, "stranded": {}, "min_cut": {}, "headroom": []},
        net,
    )  # fmt: skip
    assert page.count("<td>$3,000/FEU</td>") == 2  # before and after
    assert page.count("<td>$100.0/t</td>") == 2 and "$5,000/FEU" not in page


def test_a_route_through_a_full_element_says_so(tmp_path: Path) -> None:
    net = tiny(tmp_path / "t", **BULK)
    before = {"origin": "a", "destination": "f", "commodity": "ore", "unit": "t",
              "corridor": "middle", "time_days": 25.6, "cost_usd_per_t": 90.0,
              "bottlenecks": [{"id": "fe", "utilisation": 0.6}]}  # fmt: skip
    full = [{"id": "fe", "utilisation": 1.0}, {"id": "td", "utilisation": 0.9}]
    after = {**before, "time_days": 271.4, "bottlenecks": full}
    page = stress_section(
        {"scenario": "s", "routes_before": [before], "routes_after": [after],
         "exposure": {}, "stranded": {}, "min_cut": {}, "headroom": []},
        net,
    )  # fmt: skip
    assert "<td>25.6</td><td>271.4 (full: fe)</td>" in page
