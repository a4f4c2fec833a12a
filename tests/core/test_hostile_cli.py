"""Hostile command-line parameters (issue 14): each numeric parameter has a stated
maximum, checked before any work starts; bad ids and empty ids are errors, not
"every pair" or "ignored"."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corridor.cli import build_app

runner = CliRunner()
XD = ["--origin", "xian", "--destination", "duisburg"]
QUEUE = ["queue", "--arrival-rate", "1", "--service-rate", "1"]

# each hung, ran out of memory, crashed or was ignored before
CASES = [
    (["routes", *XD, "--k", "100000"], "--k must be in [0, 50]"),
    (["routes", *XD, "--k", "-1"], "--k must be in [0, 50]"),
    ([*QUEUE, "-c", "1000000000"], "--servers must be in [1, 10000]"),
    ([*QUEUE, "-c", "2", "--customers", "1000000000000"], "--customers must be in [20, 20000000]"),
    ([*QUEUE, "-c", "2", "--seed", "1234567890123456789012"], "--seed must be in [0, 4294967295]"),
    (["queue", "-c", "2", "--arrival-rate", "nan", "--service-rate", "1"], "--arrival-rate"),
    (["simulate", "--days", "1000000"], "--days must be in [1, 3650]"),
    (["simulate", "--seed", "1234567890123456789012"], "--seed must be in"),
    (["simulate", "--days", "3650", "--replications", "1000"], "at most 365,000"),
    (["analyze", "--simulate", "--replications", "0"], "--replications must be in [1, 1000]"),
]


@pytest.mark.parametrize(("args", "message"), CASES)
def test_parameters_beyond_their_bounds_end_in_one_line_and_exit_2(
    args: list[str], message: str
) -> None:
    result = runner.invoke(build_app(), args)
    assert result.exit_code == 2, result.output
    lines = [x for x in result.output.splitlines() if x.strip()]
    assert len(lines) == 1 and message in lines[0], result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["routes", *XD, "--avoid-country", "ZZ"], "no country 'ZZ'"),
        (["routes", *XD, "--k", "2", "--avoid-country", "ZZ"], "no country 'ZZ'"),
        (["routes", *XD, "--avoid-node", "atlantis"], "unknown node id 'atlantis'"),
        (["analyze", "--origin", "", "--destination", "duisburg", "--no-charts"], "node id ''"),
    ],
)
def test_unknown_or_empty_ids_are_errors_not_ignored(
    args: list[str], message: str, tmp_path: Path
) -> None:
    if args[0] == "analyze":
        args = [*args, "--out", str(tmp_path / "o")]
    result = runner.invoke(build_app(), args)
    assert result.exit_code == 2, result.output
    lines = [x for x in result.output.splitlines() if x.strip()]
    assert len(lines) == 1 and message in lines[0], result.output
    assert "countrie " not in lines[0]


def _corridor(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "corridor", *args],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip


@pytest.mark.parametrize("where", ["file", "proc", "device", "foreign"])
def test_an_output_folder_that_cannot_be_one_is_refused_before_the_work(
    tmp_path: Path, where: str
) -> None:
    target = {
        "file": tmp_path / "a-file",
        "proc": Path("/proc/corridor-out"),
        "device": Path("/dev/null"),
        "foreign": tmp_path / "mine",
    }[where]
    if where == "file":
        target.write_text("keep")
    if where == "foreign":  # a folder of the user's own files is never replaced
        target.mkdir()
        (target / "thesis.tex").write_text("keep")
    result = runner.invoke(build_app(), ["analyze", "--no-charts", "--out", str(target)])
    assert result.exit_code == 2, result.output
    lines = [x for x in result.output.splitlines() if x.strip()]
    assert len(lines) == 1 and str(target) in lines[0], result.output
    if where == "file":
        assert target.read_text() == "keep"
    if where == "foreign":
        assert [p.name for p in target.iterdir()] == ["thesis.tex"]
    if where == "device":
        assert stat.S_ISCHR(os.stat(target).st_mode)


def test_the_same_scenario_and_out_name_twice(tmp_path: Path) -> None:
    """`analyze --scenario X --out X` twice: the folder X must not be read as the scenario."""
    for _ in range(2):
        run = subprocess.run(
            [sys.executable, "-m", "corridor", "analyze", "--scenario", "red-sea-closed",
             "--out", "red-sea-closed", "--no-charts", "--json", *XD],
            capture_output=True, text=True, timeout=300, cwd=tmp_path,
        )  # fmt: skip
        assert run.returncode == 0, run.stderr
    assert (tmp_path / "red-sea-closed" / "analysis.json").is_file()


def test_simulate_prints_a_short_run_whose_flows_shipped_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`simulate --days 60` crashed printing None percentiles (found by the plain install)."""
    from corridor.commands.simulate import _print

    empty = {"p10_days": None, "p50_days": None, "p90_days": None, "mean_days": None}
    node = {"id": "aktau", "kind": "port", "utilisation": None, "mean_wait_h": None,
            "p90_wait_h": None, "mean_dwell_h": None, "p90_dwell_h": None}  # fmt: skip
    data = {
        "dataset": "d", "scenario": "base", "replications": 4, "days": 60, "events": 1,
        "elapsed_s": 0.1, "nodes": [node],
        "transit": [{"corridor": "middle", "origin": "xian", "destination": "duisburg",
                     "mean_days_ci95": [None, None], **empty}],
    }  # fmt: skip
    _print(data, None)
    out = capsys.readouterr().out
    assert "middle" in out and "aktau" in out
