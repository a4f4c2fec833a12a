"""Hostile command-line parameters (issue 14): each numeric parameter has a stated
maximum, checked before any work starts; bad ids and empty ids are errors, not
"every pair" or "ignored"."""

from __future__ import annotations

import math
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from corridor.cli import build_app

runner = CliRunner()
XD = ["--origin", "xian", "--destination", "duisburg"]
QUEUE = ["queue", "--arrival-rate", "1", "--service-rate", "1"]
# the parameters are checked before the files are read: these need not exist
ASSIGN = ["assign", "--net", "no_net.tntp", "--trips", "no_trips.tntp", "--out", "no_flows.csv"]

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
    # appraise: a horizon of 1e9 years ran for ever, an infinite carbon price crashed the
    # JSON writer, a NaN annual budget was reported as the total budget
    (["appraise", "--horizon", "1000000000"], "--horizon must be in [1, 100]"),
    (["appraise", "--carbon-price", "inf"], "--carbon-price must be in [0, 10000]"),
    (["appraise", "--annual-budget", "nan"], "--annual-budget must be in [0, 1e+13]"),
    (["appraise", "--country-budget", "KZ=inf"], "--country-budget KZ must be in [0, 1e+13]"),
    (["appraise", "--scenarios", ",".join(["base"] * 21)], "number of --scenarios must be in"),
    (["appraise", "--scenarios", "base,demand-x2", "--weights", "1e308,1"], "--weights must be"),
    # stress: a NaN headroom rise crashed the JSON writer, a negative one was accepted,
    # a 1e308 m drop was reported as a bad services row
    (["stress", "--max-p90-rise", "nan"], "--max-p90-rise must be in (0, 100]"),
    (["stress", "--max-cost-rise", "-1"], "--max-cost-rise must be in (0, 100]"),
    (["stress", "--caspian-drop-m", "1e308"], "--caspian-drop-m must be in [0, 5)"),
    (["stress", "--demand", "1e308"], "--demand 1e308: the factor must be in [0, 100]"),
    # assign: --max-iter 1e12 was accepted; a NaN or huge factor was reported as "no path"
    ([*ASSIGN, "--max-iter", "1000000000000"], "--max-iter must be in [1, 100000]"),
    ([*ASSIGN, "--toll-factor", "nan"], "--toll-factor must be in [0, 1000000]"),
    ([*ASSIGN, "--distance-factor", "1e308"], "--distance-factor must be in [0, 1000000]"),
    ([*ASSIGN, "--rgap", "2"], "--rgap must be in [0, 1]"),
    (["sweep", "no-spec.yaml", "--workers", "100000"], "--workers must be in [0, 64]"),
    # runs: an id or limit beyond 64 bits was an OverflowError from SQLite
    (["runs", "list", "--limit", str(10**23)], "--limit must be in [1, 10000]"),
    (["runs", "list", "--limit", "0"], "--limit must be in [1, 10000]"),
    (["runs", "show", str(10**23)], "the run id must be in [1, 9.22337e+18]"),
    # serve: an impossible port was Typer's boxed usage error
    (["serve", "--port", "70000"], "--port must be in [1, 65535], got 70000"),
    (["serve", "--port", "0"], "--port must be in [1, 65535], got 0"),
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


# Each float parameter of appraise, stress and assign with the interval the README
# states, written out here (not read from the schema): a lost bound fails the test.
FLOAT_BOUNDS = [
    (["appraise"], "--budget", 0.0, 1e13),
    (["appraise"], "--discount-rate", 0.0, 1.0),
    (["appraise"], "--demand-growth", -0.5, 0.5),
    (["appraise"], "--carbon-price", 0.0, 10_000.0),
    (["appraise"], "--reliability-ratio", 0.0, 10.0),
    (["stress"], "--caspian-drop-m", 0.0, 5.0),
    (["stress"], "--max-p90-rise", 0.0, 100.0),
    (["stress"], "--max-cost-rise", 0.0, 100.0),
    (ASSIGN, "--rgap", 0.0, 1.0),
    (ASSIGN, "--toll-factor", 0.0, 1e6),
    (ASSIGN, "--distance-factor", 0.0, 1e6),
]


def _outside(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.one_of(
        st.sampled_from([math.nan, math.inf, -math.inf]),
        st.floats(min_value=hi, exclude_min=True, allow_infinity=False),
        st.floats(max_value=lo, exclude_max=True, allow_infinity=False),
    )


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_any_float_outside_its_stated_interval_is_one_line_and_exit_2(data: st.DataObject) -> None:
    command, flag, lo, hi = data.draw(st.sampled_from(FLOAT_BOUNDS))
    value = data.draw(_outside(lo, hi))
    result = runner.invoke(build_app(), [*command, flag, repr(value)])
    assert result.exit_code == 2, result.output
    lines = [x for x in result.output.splitlines() if x.strip()]
    assert len(lines) == 1 and flag in lines[0] and "must be in" in lines[0], result.output


@settings(max_examples=30, deadline=None)
@given(
    flag=st.sampled_from(["--max-iter", "--workers", "--horizon"]),
    value=st.one_of(st.integers(max_value=-1), st.integers(min_value=100_001, max_value=2**80)),
)
def test_any_count_beyond_its_stated_maximum_is_one_line_and_exit_2(flag: str, value: int) -> None:
    command = {"--max-iter": ASSIGN, "--workers": ["sweep", "s.yaml"], "--horizon": ["appraise"]}
    result = runner.invoke(build_app(), [*command[flag], flag, str(value)])
    assert result.exit_code == 2, result.output
    lines = [x for x in result.output.splitlines() if x.strip()]
    assert len(lines) == 1 and flag in lines[0], result.output


@pytest.mark.parametrize(
    ("tag", "value"),
    [("NUMBER OF ZONES", 2_000_000), ("NUMBER OF NODES", 10**12), ("NUMBER OF LINKS", 10**9)],
)
def test_a_tntp_network_too_large_to_hold_is_refused_before_any_array(
    tmp_path: Path, tag: str, value: int
) -> None:
    """2 million zones asked for a 32 TB trip matrix; the size is read from the metadata."""
    tags = {"NUMBER OF ZONES": 2, "NUMBER OF NODES": 3, "FIRST THRU NODE": 3, "NUMBER OF LINKS": 2}
    tags[tag] = value
    if tag == "NUMBER OF ZONES":
        tags["NUMBER OF NODES"] = value
    head = "".join(f"<{k}> {v}\n" for k, v in tags.items())
    net = tmp_path / "big_net.tntp"
    net.write_text(head + "<END OF METADATA>\n\n\t1\t3\t100\t1\t5\t0.15\t4\t0\t0\t1\t;\n")
    trips = tmp_path / "trips.tntp"
    trips.write_text(f"<NUMBER OF ZONES> {tags['NUMBER OF ZONES']}\n<END OF METADATA>\n")
    out = tmp_path / "flows.csv"
    result = runner.invoke(
        build_app(), ["assign", "--net", str(net), "--trips", str(trips), "--out", str(out)]
    )
    assert result.exit_code == 2, result.output
    lines = [x for x in result.output.splitlines() if x.strip()]
    assert len(lines) == 1 and f"<{tag}> is at most" in lines[0] and str(net) in lines[0]
    assert not out.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("days: 1000000\nparameters: {demand_growth: [1]}", "days: expected a whole number in"),
        ("seed: 12345678901234567890\nparameters: {demand_growth: [1]}", "seed: expected"),
        ("parameters: {replications: [100000]}", "replications: expected a whole number in"),
        ("days: 3650\nparameters: {replications: [0, 1000]}", "at most 365,000"),
        ("parameters: {demand_growth: [1.0e+308]}", "demand_growth: expected a value in (0, 100]"),
        ("parameters: {caspian_drop_m: [7]}", "caspian_drop_m: expected a value in [0, 5)"),
        ("design: lhs\nsamples: 10000000\nparameters: {demand_growth: [1]}", "samples"),
    ],
)
def test_a_sweep_spec_beyond_the_limits_is_refused_before_any_point(
    tmp_path: Path, text: str, message: str
) -> None:
    """days 1e6 or replications 1e5 per point ran out of memory in the first point."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(text + "\n")
    result = runner.invoke(build_app(), ["sweep", str(spec), "--workers", "0", "--no-store"])
    assert result.exit_code == 2, result.output
    lines = [x for x in result.output.splitlines() if x.strip()]
    assert len(lines) == 1 and message in lines[0] and str(spec) in lines[0], result.output
