"""Scenario files from the command line: only regular, bounded, UTF-8 JSON files are read."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from corridor.errors import DataError, UnknownIdError
from corridor.model.network import Network, load_network
from corridor.model.scenario import MAX_SCENARIO_BYTES, load_scenario


@pytest.fixture(scope="module")
def base() -> Network:
    return load_network()


def test_a_device_or_folder_is_refused_without_reading_it(base: Network, tmp_path: Path) -> None:
    for path in ("/dev/zero", str(tmp_path)):
        with pytest.raises(DataError, match="regular file"):
            load_scenario(path, base)


def test_an_oversized_or_binary_file_is_refused(base: Network, tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    big.write_text(" " * (MAX_SCENARIO_BYTES + 1))
    with pytest.raises(DataError, match="at most"):
        load_scenario(big, base)
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"name": "caf\xe9", "changes": []}')
    with pytest.raises(DataError, match="UTF-8"):
        load_scenario(latin, base)
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(DataError, match="JSON"):
        load_scenario(deep, base)


def test_builtin_only_never_opens_a_path(base: Network, tmp_path: Path) -> None:
    real = tmp_path / "mine.json"
    real.write_text('{"name": "mine", "changes": []}')
    assert load_scenario(real, base).name == "mine"
    with pytest.raises(UnknownIdError, match="unknown scenario"):
        load_scenario(real, base, builtin_only=True)
    assert load_scenario("red-sea-closed", base, builtin_only=True).name == "red-sea-closed"


def test_the_cli_says_one_line_and_exits_2(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "corridor", "analyze", "--scenario", "/dev/zero",
         "--no-charts", "--out", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 2
    lines = [x for x in run.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and "/dev/zero" in lines[0] and "regular file" in lines[0]
    assert not (tmp_path / "out" / "analysis.json").exists()
