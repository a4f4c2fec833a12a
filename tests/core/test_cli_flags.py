# ruff: noqa: E501  (CSV rows of the intervention table)
"""Scenario changes from flags (--close, --intervention), `corridor nodes`, --format and the
difference from the base, as a user meets them."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from corridor.analysis import analyze
from corridor.model.network import load_network
from corridor.model.scenario import Closure, Intervention, Scenario, parse_closure, with_flags
from corridor.report.units import money_text

runner = CliRunner()

INTERVENTIONS = """id,name,component,target,attribute,operation,value,capex_usd,opex_usd_per_year,lifetime_years,measure,kind,country,build_years,funders,source
i_ferry,One more ferry,services,fe,vessels,add,1,2500000,,25,,vessels,AZ,1,,est
i_port_a,Port works part A,terminals,td,handling_h,scale,0.5,1000000,,25,i_port,port_cranes_berths,KZ,1,,est
i_port_b,Port works part B,terminals,td,capacity_teu_per_year,scale,2,1000000,,25,i_port,port_cranes_berths,KZ,1,,est
"""


def run(*args: str) -> tuple[int, str]:
    from corridor.cli import build_app

    result = runner.invoke(build_app(), list(args))
    return result.exit_code, result.output


def test_close_flags_equal_the_typed_closures(
    tiny_dataset: Callable[..., Path], tmp_path: Path
) -> None:
    folder = tiny_dataset()
    code, out = run("analyze", "--dataset", str(folder), "--close", "RU", "--json",
                    "--out", str(tmp_path / "run"))  # fmt: skip
    assert code == 0, out
    flagged = json.loads(out)
    base = load_network(str(folder))
    typed = analyze(Scenario("typed", base, (Closure("countries", "RU"),)))
    # the flag is the typed closure: same routes, same numbers
    strip = [{k: v for k, v in r.items()} for r in typed["routes"]]
    assert flagged["routes"] == strip
    assert flagged["scenario"] == "base + close RU"
    closed = [x for x in flagged["not_offered"] if x["status"] == "closed"]
    assert [x["corridor"] for x in closed] == ["northern"]
    # the difference against an independent base run
    plain = analyze(base)
    before = {r["corridor"]: r for r in plain["routes"]}
    diff = {d["corridor"]: d for d in flagged["difference_from_base"]}
    assert diff["northern"]["status"] == "closed" and diff["northern"]["status_base"] == "open"
    assert diff["northern"]["time_days_base"] == pytest.approx(before["northern"]["time_days"])
    after = {r["corridor"]: r for r in flagged["routes"]}
    assert diff["middle"]["delta_days"] == pytest.approx(
        after["middle"]["time_days"] - before["middle"]["time_days"]
    )


def test_table_shows_closed_with_reason_and_the_difference(
    tiny_dataset: Callable[..., Path], tmp_path: Path
) -> None:
    code, out = run("analyze", "--dataset", str(tiny_dataset()), "--close", "RU",
                    "--out", str(tmp_path / "run"), "--no-charts")  # fmt: skip
    assert code == 0, out
    northern = next(line for line in out.splitlines() if "northern" in line)
    assert "closed" in northern and "no route satisfies corridor 'northern'" in northern
    assert "Δ days vs base" in out
    # piped output is never cut at 80 columns: the long line is whole
    assert len(northern) > 80 and "…" not in out


def test_intervention_flag_and_measure(tiny_dataset: Callable[..., Path]) -> None:
    base = load_network(str(tiny_dataset(interventions=INTERVENTIONS)))
    s = with_flags(Scenario("base", base), interventions=["i_ferry", "i_port"])
    assert s.changes == (Intervention("i_ferry"), Intervention("i_port_a"),
                         Intervention("i_port_b"))  # fmt: skip
    net = s.apply()
    assert net.services.to_pandas().set_index("id").loc["fe", "vessels"] == 4
    assert net.terminals.to_pandas().set_index("id").loc["td", "handling_h"] == 6


def test_parse_closure_forms_and_suggestions(tiny_dataset: Callable[..., Path]) -> None:
    from corridor.errors import UnknownIdError

    net = load_network(str(tiny_dataset()))
    assert parse_closure(net, "KZ") == Closure("countries", "KZ")
    assert parse_closure(net, "d") == Closure("nodes", "d")
    assert parse_closure(net, "fe") == Closure("services", "fe")
    assert parse_closure(net, "borders:bc") == Closure("borders", "bc")
    with pytest.raises(UnknownIdError, match="did you mean: cd"):
        parse_closure(net, "cdd")
    with pytest.raises(UnknownIdError, match="cannot close a 'bridges'"):
        parse_closure(net, "bridges:x")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--intervention", "i_fery"], "did you mean: i_ferry"),
        (["--close", "XX1"], "not a country code"),
        (["--format", "xml"], "--format xml: expected one of table, csv, json"),
    ],
)
def test_bad_flags_are_one_line(
    tiny_dataset: Callable[..., Path], tmp_path: Path, args: list[str], needle: str
) -> None:
    folder = tiny_dataset(interventions=INTERVENTIONS)
    code, out = run("analyze", "--dataset", str(folder), "--out", str(tmp_path / "o"), *args)
    assert code == 2
    assert needle in out and "Traceback" not in out
    assert not (tmp_path / "o").exists()


def test_format_csv_has_the_json_numbers(tiny_dataset: Callable[..., Path], tmp_path: Path) -> None:
    folder = str(tiny_dataset())
    code, out = run("analyze", "--dataset", folder, "--close", "RU", "--format", "csv",
                    "--out", str(tmp_path / "run"))  # fmt: skip
    assert code == 0, out
    rows = list(csv.DictReader(io.StringIO(out)))
    saved = json.loads((tmp_path / "run" / "analysis.json").read_text())
    by = {r["corridor"]: r for r in rows}
    for r in saved["routes"]:
        assert float(by[r["corridor"]]["time_days"]) == pytest.approx(r["time_days"], abs=0.01)
    assert by["northern"]["status"] == "closed" and by["northern"]["reason"]
    code, out = run("routes", "--dataset", folder, "--origin", "a", "--destination", "f",
                    "--format", "csv")  # fmt: skip
    legs = list(csv.DictReader(io.StringIO(out)))
    assert {leg["corridor"] for leg in legs} == {"middle", "northern"}
    assert any(leg["name"] == "Delta port" for leg in legs)


def test_nodes_search_and_country(tiny_dataset: Callable[..., Path]) -> None:
    folder = str(tiny_dataset())
    code, out = run("nodes", "--dataset", folder, "--country", "kz", "--format", "json")
    assert code == 0, out
    assert [n["id"] for n in json.loads(out)] == ["c", "d"]
    code, out = run("nodes", "--dataset", folder, "--search", "FOXT", "--format", "csv")
    assert out.splitlines()[1] == "f,Foxtrot,GE,city"
    code, out = run("nodes", "--dataset", folder, "--search", "zulu")
    assert code == 2 and "no node matches 'zulu'" in out


def test_nodes_search_ignores_accents(tiny_dataset: Callable[..., Path]) -> None:
    from tiny_network import TINY

    folder = tiny_dataset(nodes=TINY["nodes"].replace("Foxtrot", "Föxtröt"))
    code, out = run("nodes", "--dataset", str(folder), "--search", "foxtrot", "--format", "csv")
    assert code == 0 and out.splitlines()[1] == "f,Föxtröt,GE,city"


def test_datasets_lists_scenario_descriptions() -> None:
    code, out = run("datasets")
    assert code == 0
    line = next(x for x in out.splitlines() if x.strip().startswith("russia-belarus-closed:"))
    assert "Russia" in line.split(":", 1)[1]


@given(st.floats(min_value=1e4, max_value=9.99e11))
def test_money_text_keeps_three_significant_figures(x: float) -> None:
    text = money_text(x)
    scale = {"k": 1e3, "M": 1e6, "B": 1e9}[text[-1]]
    back = float(text[1:-1]) * scale
    assert abs(back - x) <= 0.005 * x  # 3 significant figures: within half a percent
    assert 1 <= float(text[1:-1]) < 1000 or text[-1] == "B"
