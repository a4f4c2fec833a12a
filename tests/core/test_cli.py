"""The command line as a user meets it: help, outputs, and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from test_analysis import check_contract
from typer.testing import CliRunner

from corridor.cli import COMMANDS, build_app

runner = CliRunner()


def corridor(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real console entry point in a fresh process."""
    return subprocess.run(
        [sys.executable, "-c", "from corridor.cli import main; main()", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_with_an_example(name: str) -> None:
    result = runner.invoke(build_app(), [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output


def test_analyze_json_and_files(tiny_dataset: Callable[..., Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = corridor("analyze", "--dataset", str(tiny_dataset()), "--json", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    check_contract(result)
    assert json.loads((out / "analysis.json").read_text()) == result
    assert (out / "tcd_a_f.png").stat().st_size > 1000
    assert (out / "tcd_a_f.html").exists()
    assert "<svg" in (out / "report.html").read_text()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["analyze", "--origin", "a", "--destination", "nowhere"], "unknown node id 'nowhere'"),
        (["analyze", "--origin", "a"], "give both --origin and --destination"),
        (["analyze", "--scenario", "imaginary"], "unknown scenario 'imaginary'"),
        (
            [
                "routes",
                "--origin",
                "a",
                "--destination",
                "f",
                "--avoid-country",
                "KZ",
                "--avoid-country",
                "RU",
            ],
            "no route from 'a' to 'f'",
        ),
    ],
)
def test_user_errors_are_one_line_exit_2(
    tiny_dataset: Callable[..., Path], tmp_path: Path, args: list[str], needle: str
) -> None:
    out = tmp_path / "out"
    proc = corridor(
        *args,
        "--dataset",
        str(tiny_dataset()),
        *(["--out", str(out)] if args[0] == "analyze" else []),
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()  # nothing half-written


def test_validate_bad_dataset_names_the_cell(tiny_dataset: Callable[..., Path]) -> None:
    from tiny_network import TINY

    folder = tiny_dataset(
        links=TINY["links"].replace("ab,a,b,rail_1435,500", "ab,a,b,rail_1435,-500")
    )
    proc = corridor("validate", str(folder))
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        f"error: {folder / 'links.csv'}, row 2, column 'length_km': expected a number in "
        "(0, 40000], found '-500'"
    )
    ok = corridor("validate", str(tiny_dataset()))
    assert ok.returncode == 0 and ok.stdout.startswith("ok: tiny")


def test_scenario_file_changes_results(tiny_dataset: Callable[..., Path], tmp_path: Path) -> None:
    scen = tmp_path / "no-ferry.json"
    scen.write_text(
        json.dumps(
            {
                "name": "no-ferry",
                "changes": [{"type": "closure", "component": "services", "id": "fe"}],
            }
        )
    )
    proc = corridor(
        "analyze",
        "--dataset",
        str(tiny_dataset()),
        "--scenario",
        str(scen),
        "--json",
        "--out",
        str(tmp_path / "o"),
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["scenario"] == "no-ferry"
    assert {r["corridor"] for r in result["routes"]} == {"northern"}
    bad = tmp_path / "bad.json"
    bad.write_text('{"changes": [{"type": "closure", "component": "borders"}]}')
    proc = corridor(
        "analyze",
        "--dataset",
        str(tiny_dataset()),
        "--scenario",
        str(bad),
        "--out",
        str(tmp_path / "b"),
    )
    assert proc.returncode == 2 and "change 0: missing or bad field" in proc.stderr


def test_import_is_light() -> None:
    code = (
        "import sys, corridor;"
        "print(sorted({'numba', 'pandas', 'matplotlib', 'numpy'} & set(sys.modules)))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"


#: The public names and where each is defined: written out here, not read from the package.
PUBLIC = {
    "load_network": "corridor.model.network",
    "Network": "corridor.model.network",
    "Scenario": "corridor.model.scenario",
    "compile_network": "corridor.graph.compiled",
    "CompiledNetwork": "corridor.graph.compiled",
    "routes": "corridor.analysis",
    "Route": "corridor.paths.routes",
    "analyze": "corridor.analysis",
    "simulate": "corridor.simulation",
    "assign": "corridor.assignment",
    "TrafficClass": "corridor.assignment",
    "prepare": "corridor.loaded.prepare",
    "LoadedNetwork": "corridor.loaded.network",
    "appraise": "corridor.appraisal.api",
}


def test_public_names_are_the_documented_ones() -> None:
    import importlib

    import corridor as c

    assert sorted(c.__all__) == sorted([*PUBLIC, "__version__"])
    for name, module in PUBLIC.items():
        assert getattr(c, name) is getattr(importlib.import_module(module), name), name
    assert isinstance(c.__version__, str) and c.__version__.count(".") == 2
    with pytest.raises(AttributeError, match="no attribute 'compile_loaded'"):
        c.compile_loaded  # noqa: B018 - removed in the one prepare stage


def test_analyze_simulate_takes_percentiles_from_simulation(
    tiny_dataset: Callable[..., Path], tmp_path: Path
) -> None:
    proc = corridor(
        "analyze",
        "--dataset",
        str(tiny_dataset()),
        "--json",
        "--simulate",
        "--replications",
        "4",
        "--out",
        str(tmp_path / "o"),
        "--no-charts",
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    check_contract(result)
    simulated = [r for r in result["routes"] if r["percentiles_from"] == "simulation"]
    # both tiny corridors carry demand, so both are simulated
    assert {r["corridor"] for r in simulated} == {"middle", "northern"}
    for r in simulated:
        assert r["time_days_p10"] <= r["time_days_p50"] <= r["time_days_p90"]
    assert not (tmp_path / "o" / "report.html").exists()


def test_analyze_equilibrium_adds_the_growth_sweep(
    tiny_dataset: Callable[..., Path], tmp_path: Path
) -> None:
    out = tmp_path / "o"
    proc = corridor(
        "analyze",
        "--dataset",
        str(tiny_dataset()),
        "--json",
        "--equilibrium",
        "--out",
        str(out),
        "--no-charts",
    )
    assert proc.returncode == 0, proc.stderr
    eq = json.loads(proc.stdout)["equilibrium"]
    sweep = eq["growth_sweep"]
    assert sweep["demand_growth"] == [1.0, 1.5, 2.0, 3.0]
    assert set(sweep["corridor_shares"]) >= {"middle", "northern"}
    assert eq["equilibrium"]["corridor_volume_per_year"]["middle"] == pytest.approx(10000, rel=1e-2)
    assert (out / "equilibrium_corridor_shares.png").stat().st_size > 1000
