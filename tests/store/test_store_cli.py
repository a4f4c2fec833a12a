"""The store from the command line: record, save, resolve, list, show, diff (SQLite)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from corridor.cli import GROUPS, build_app

runner = CliRunner()

CLOSE_RU = {
    "name": "no-russia",
    "description": "Russia closed",
    "changes": [{"type": "closure", "component": "countries", "id": "RU"}],
}


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(build_app(), list(args))
    return result.exit_code, result.output


@pytest.fixture
def env(tiny_dataset: Callable[..., Path], tmp_path: Path) -> dict[str, str]:
    scen = tmp_path / "no-russia.json"
    scen.write_text(json.dumps(CLOSE_RU, indent=1), "utf-8")
    return {"db": str(tmp_path / "s.sqlite"), "data": str(tiny_dataset()), "scen": str(scen),
            "tmp": str(tmp_path)}  # fmt: skip


def runs(db: str) -> list[dict[str, object]]:
    code, out = cli("runs", "list", "--json", "--db", db)
    assert code == 0, out
    return list(json.loads(out))


@pytest.mark.parametrize("group", GROUPS)
def test_store_commands_have_help_with_an_example(group: str) -> None:
    code, out = cli(group, "--help")
    assert code == 0 and "Example" in out
    for sub in ("list", "show"):
        code, out = cli(group, sub, "--help")
        assert code == 0 and "Example" in out


def test_analyze_records_its_run_and_routes(env: dict[str, str]) -> None:
    out = Path(env["tmp"]) / "out"
    code, text = cli("analyze", "--dataset", env["data"], "--out", str(out), "--no-charts",
                     "--json", "--db", env["db"])  # fmt: skip
    assert code == 0, text
    written = json.loads((out / "analysis.json").read_text())
    [run] = runs(env["db"])
    assert (run["command"], run["status"], run["scenario"]) == ("analyze", "done", "base")
    assert run["parameters"]["dataset"] == env["data"]
    assert run["dataset"] == "tiny" and len(run["dataset_hash"]) == 64
    code, csv = cli("runs", "show", str(run["id"]), "--result", "routes", "--db", env["db"])
    assert code == 0, csv
    table = pd.read_csv(io.StringIO(csv))
    days = {r["corridor"]: r["time_days"] for r in written["routes"]}
    assert dict(zip(table["corridor"], table["time_days"], strict=True)) == pytest.approx(days)
    code, doc = cli("runs", "show", str(run["id"]), "--result", "analysis", "--db", env["db"])
    assert json.loads(doc) == written


def test_no_store_records_nothing(env: dict[str, str]) -> None:
    code, text = cli("analyze", "--dataset", env["data"], "--out", str(Path(env["tmp"]) / "o"),
                     "--no-charts", "--json", "--db", env["db"], "--no-store")  # fmt: skip
    assert code == 0, text
    assert runs(env["db"]) == []


def test_a_failed_run_is_recorded_with_its_error(env: dict[str, str]) -> None:
    code, _ = cli("analyze", "--dataset", env["data"], "--origin", "a", "--destination",
                     "nowhere", "--no-charts", "--db", env["db"], "--out",
                     str(Path(env["tmp"]) / "o"))  # fmt: skip
    assert code == 2
    [run] = runs(env["db"])
    assert run["status"] == "failed" and "nowhere" in str(run["error"])


def test_a_saved_scenario_runs_by_name_as_its_file_does(env: dict[str, str]) -> None:
    code, text = cli("scenario", "save", env["scen"], "--note", "test", "--dataset", env["data"],
                     "--db", env["db"])  # fmt: skip
    assert code == 0, text
    code, shown = cli("scenario", "show", "no-russia", "--db", env["db"])
    assert json.loads(shown) == CLOSE_RU
    outputs = []
    for which in ("no-russia", env["scen"]):
        out = Path(env["tmp"]) / f"out-{len(outputs)}"
        code, text = cli("analyze", "--dataset", env["data"], "--scenario", which, "--out",
                         str(out), "--no-charts", "--json", "--db", env["db"])  # fmt: skip
        assert code == 0, text
        outputs.append(json.loads((out / "analysis.json").read_text()))
    assert outputs[0] == outputs[1]
    assert {r["corridor"] for r in outputs[0]["routes"]} == {"middle"}  # northern crosses RU
    code, listed = cli("scenario", "list", "--json", "--db", env["db"])
    assert [(s["name"], s["changes"], s["note"]) for s in json.loads(listed)] == [
        ("no-russia", 1, "test")
    ]
    assert cli("scenario", "delete", "no-russia", "--db", env["db"])[0] == 0
    gone = Path(env["tmp"]) / "x"
    code, text = cli("analyze", "--dataset", env["data"], "--scenario", "no-russia",
                     "--db", env["db"], "--no-charts", "--out", str(gone))  # fmt: skip
    assert code == 2 and "unknown scenario 'no-russia'" in text


def test_diff_compares_routes_as_two_analyses_do(env: dict[str, str]) -> None:
    from corridor.analysis import analyze
    from corridor.loaded.prepare import prepare
    from corridor.model.network import load_network
    from corridor.model.scenario import load_scenario

    cli("scenario", "save", env["scen"], "--dataset", env["data"], "--db", env["db"])
    code, text = cli("scenario", "diff", "base", "no-russia", "--dataset", env["data"], "--json",
                     "--db", env["db"])  # fmt: skip
    assert code == 0, text
    diff = json.loads(text)
    assert diff["changes_only_in_a"] == [] and diff["changes_only_in_b"] == CLOSE_RU["changes"]
    base = load_network(env["data"])
    before = analyze(prepare(load_scenario("base", base)))["routes"]
    after = analyze(prepare(load_scenario(env["scen"], base)))["routes"]
    rows = {r["corridor"]: r for r in diff["routes"]}
    assert set(rows) == {r["corridor"] for r in before}
    for r in before:
        assert rows[r["corridor"]]["time_days_a"] == pytest.approx(r["time_days"])
    for r in after:
        assert rows[r["corridor"]]["time_days_b"] == pytest.approx(r["time_days"])
    assert rows["northern"]["time_days_b"] is None  # closed with Russia
    recorded = len(runs(env["db"]))
    assert recorded == 2  # both analyses were recorded ...
    assert cli("scenario", "diff", "base", "no-russia", "--dataset", env["data"], "--json",
               "--db", env["db"])[0] == 0  # fmt: skip
    assert len(runs(env["db"])) == recorded  # ... and reused the second time


def test_store_errors_are_one_line(env: dict[str, str]) -> None:
    code, text = cli("scenario", "show", "nothing", "--db", env["db"])
    assert code == 2 and text.strip().count("\n") == 0 and "no stored scenario" in text
    code, text = cli("runs", "show", "99", "--db", env["db"])
    assert code == 2 and "no run 99" in text
    bad = Path(env["tmp"]) / "a-file"
    bad.write_text("x")
    code, text = cli("runs", "list", "--db", str(bad / "s.sqlite"))
    assert code == 2 and "store" in text and "Traceback" not in text


def test_recording_does_not_load_the_database_libraries_at_start() -> None:
    code = (
        "import sys; from corridor.cli import build_app; build_app(); "
        "print(sorted(m for m in ('sqlalchemy', 'alembic', 'dask', 'distributed', 'pyarrow') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
