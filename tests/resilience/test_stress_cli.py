"""`corridor stress --json`: the contract of its one object."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from corridor.cli import build_app

ROUTE_KEYS = {"corridor", "origin", "destination", "time_days", "cost_usd_per_feu", "transits",
              "legs", "bottlenecks"}  # fmt: skip


def test_stress_json_contract(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        build_app(),
        ["stress", "--close", "RU", "--close", "BY", "--commodity", "crude_oil", "--json",
         "--out", str(tmp_path)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert {"scenario", "routes_before", "routes_after", "exposure", "stranded", "min_cut"} <= set(
        out
    )
    assert out["routes_before"] and all(set(r) >= ROUTE_KEYS for r in out["routes_before"])
    assert not any("RU" in r["transits"] for r in out["routes_after"])
    crude = out["exposure"]["crude_oil"]
    assert crude["before"]["transit_country_shares"]["RU"] > 0.9
    assert "RU" not in crude["after"]["transit_country_shares"]
    assert {"hhi_routes", "hhi_transit_countries"} <= set(crude["after"])
    assert out["stranded"]["crude_oil"]["volume_per_year"] > 50e6
    cut = out["min_cut"]["central_asia->europe"]["crude_oil"]
    assert "s_kmtf_tankers_aktau_sangachal" in cut["cut"]
    assert cut["capacity_per_year"] > 0
    assert json.loads((tmp_path / "stress.json").read_text()) == out


def test_stress_bad_input_is_one_line_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        build_app(), ["stress", "--outage", "p_cpc", "--out", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "expected ELEMENT:DAYS" in result.output


def test_report_carries_a_stress_test_unless_told_not_to(tmp_path: Path) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from tiny_cases import BULK, tiny

    tiny(tmp_path / "t", **BULK)
    app = build_app()
    bad = CliRunner().invoke(
        app, ["report", "--dataset", str(tmp_path / "t"), "--stress-close", "XX",
              "--out", str(tmp_path / "bad.html")],
    )  # fmt: skip
    assert bad.exit_code == 2 and len(bad.output.strip().splitlines()) == 1, bad.output
    assert not (tmp_path / "bad.html").exists()  # refused before any run
    for flags, shown in (([], True), (["--no-stress"], False)):
        out = tmp_path / f"report{len(flags)}.html"
        ok = CliRunner().invoke(
            app, ["report", "--dataset", str(tmp_path / "t"), "--out", str(out), *flags]
        )
        assert ok.exit_code == 0, ok.output
        page = out.read_text()
        assert ('<section id="stress"' in page) is shown
        assert ("close RU" in page) is shown


def test_headroom_of_every_corridor_of_a_commodity_from_the_cli(tmp_path: Path) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from tiny_cases import tiny, with_tonnes

    demand = (
        "id,origin,destination,commodity,volume_per_year,corridor,year,source\n"
        "o1,a,f,ore,20000,middle,2024,est\no2,a,f,ore,20000,northern,2024,est\n"
        "d1,a,f,containers,10000,middle,2024,est\n"
    )
    tiny(tmp_path / "t", **{**with_tonnes("60000", "50000"), "demand": demand})
    result = CliRunner().invoke(
        build_app(),
        ["stress", "--dataset", str(tmp_path / "t"), "--commodity", "ore", "--headroom", "all",
         "--max-p90-rise", "100", "--max-cost-rise", "100", "--json", "--no-store",
         "--out", str(tmp_path / "o")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["headroom"]
    # the containers' corridor is not asked for; each ore corridor is, with its binding element
    assert [(h["commodity"], h["corridor"]) for h in rows] == [
        ("ore", "middle"),
        ("ore", "northern"),
    ]
    assert all(h["unit"] == "t" and h["binding_element"] for h in rows)
