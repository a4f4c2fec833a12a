"""`corridor assign` as a user runs it: the real entry point in a fresh process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from corridor.io.tntp import read_flows


def corridor(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from corridor.cli import main; main()", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_assign_sioux_falls_writes_flows(tntp_dir: Path, tmp_path: Path) -> None:
    folder = tntp_dir / "SiouxFalls"
    out = tmp_path / "flows.csv"
    proc = corridor(
        "assign", "--net", folder / "SiouxFalls_net.tntp",
        "--trips", folder / "SiouxFalls_trips.tntp", "--rgap", "1e-5", "--out", out,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "76 links" in proc.stdout and "relative gap" in proc.stdout
    table = pd.read_csv(out)
    assert list(table.columns) == ["from", "to", "volume", "cost"]
    best = read_flows(folder / "SiouxFalls_flow.tntp")
    assert (table["from"].to_numpy() == best["from"].to_numpy()).all()
    ref = best["volume"].to_numpy()
    assert np.abs(table["volume"].to_numpy() - ref).sum() / ref.sum() < 0.005
    np.testing.assert_allclose(table["cost"], best["cost"], rtol=1e-2)


def test_assign_runs_without_pandas(tntp_dir: Path, tmp_path: Path) -> None:
    # the flows CSV and the table stored with the run are written without pandas (about
    # half a second of imports); the stored table reads back as the flows
    folder = tntp_dir / "SiouxFalls"
    probe = (
        "import atexit, sys; from corridor.cli import main; "
        "atexit.register(lambda: print('pandas loaded:', 'pandas' in sys.modules)); main()"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe, "assign", "--net", str(folder / "SiouxFalls_net.tntp"),
         "--trips", str(folder / "SiouxFalls_trips.tntp"), "--out", str(tmp_path / "f.csv"),
         "--db", str(tmp_path / "store.sqlite")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "pandas loaded: False" in proc.stdout
    from corridor.store.store import Store

    with Store.open(str(tmp_path / "store.sqlite")) as store:
        (run,) = store.runs()
        stored = store.result(run.id, "flows")
    pd.testing.assert_frame_equal(stored, pd.read_csv(tmp_path / "f.csv"))


def test_bad_input_is_one_line_and_writes_nothing(tntp_dir: Path, tmp_path: Path) -> None:
    folder = tntp_dir / "SiouxFalls"
    bad = tmp_path / "bad_net.tntp"
    text = (folder / "SiouxFalls_net.tntp").read_text()
    bad.write_text(text.replace("<NUMBER OF LINKS> 76", "<NUMBER OF LINKS> 77"))
    out = tmp_path / "flows.csv"
    proc = corridor(
        "assign", "--net", bad, "--trips", folder / "SiouxFalls_trips.tntp", "--out", out
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "bad_net.tntp, row 4" in lines[0] and "77" in lines[0]
    assert "Traceback" not in proc.stderr
    assert not out.exists()


def test_unknown_algorithm_is_a_user_error(tntp_dir: Path, tmp_path: Path) -> None:
    folder = tntp_dir / "SiouxFalls"
    proc = corridor(
        "assign", "--net", folder / "SiouxFalls_net.tntp",
        "--trips", folder / "SiouxFalls_trips.tntp", "--algorithm", "newton",
        "--out", tmp_path / "f.csv",
    )  # fmt: skip
    assert proc.returncode == 2
    assert "--algorithm must be one of auto, gp, bfw, cfw, fw, msa" in proc.stderr


def test_help_has_an_example() -> None:
    proc = corridor("assign", "--help")
    assert proc.returncode == 0
    assert "Example: corridor assign" in proc.stdout
