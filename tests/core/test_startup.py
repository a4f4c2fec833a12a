"""Start-up stays light: `import corridor` and every `corridor ... --help` load no numeric library.

The command list is read from the Typer app at run time, so a command added later is
checked too. Each help runs in the same fresh interpreter, one after another, and the
modules are inspected after each one, so the first command that pulls in a heavy
library is the one named.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HEAVY = ("numpy", "pandas", "numba", "matplotlib", "scipy", "sqlalchemy", "dask", "llvmlite")

_SCRIPT = """
import contextlib, io, json, sys
heavy = {heavy!r}
out = {{}}
import corridor
out["import corridor"] = sorted(m for m in heavy if m in sys.modules)
from corridor.cli import build_app
import typer.main
app = build_app()
group = typer.main.get_command(app)
names = [None, *sorted(group.commands)]
for name in names:
    args = ["--help"] if name is None else [name, "--help"]
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        try:
            group.main(args, prog_name="corridor", standalone_mode=False)
        except SystemExit:
            pass
    assert "Usage" in buf.getvalue(), (name, buf.getvalue()[:200])
    key = "corridor --help" if name is None else f"corridor {{name}} --help"
    out[key] = sorted(m for m in heavy if m in sys.modules)
print(json.dumps(out))
"""


def test_import_and_every_help_load_no_numeric_library() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", _SCRIPT.format(heavy=HEAVY)],
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = json.loads(proc.stdout)
    # the app has more than a handful of commands: an empty list would make this pass vacuously
    assert len(loaded) >= 10
    offenders = {what: mods for what, mods in loaded.items() if mods}
    assert offenders == {}


_ANALYZE = """
import contextlib, io, json, sys
from corridor.cli import build_app
import typer.main
group = typer.main.get_command(build_app())
args = {args!r}
with contextlib.redirect_stdout(io.StringIO()):
    group.main(args, prog_name="corridor", standalone_mode=False)
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


def test_a_repeated_analysis_loads_no_compiled_kernel(tmp_path: Path) -> None:
    """The first `analyze --no-charts` prepares the network and searches routes (numba);
    asked again, the prepared network and the analysis come from the result cache, so the
    process loads neither numba (nor scipy, which numba brings) nor matplotlib."""
    env = {**os.environ, "CORRIDOR_CACHE_DIR": str(tmp_path / "cache")}
    loaded, answers = [], []
    for run in ("first", "again"):
        args = ["analyze", "--origin", "xian", "--destination", "duisburg", "--close", "RU",
                "--no-charts", "--no-store", "--json", "--out", str(tmp_path / run)]  # fmt: skip
        proc = subprocess.run(
            [sys.executable, "-c", _ANALYZE.format(args=args, heavy=HEAVY)],
            capture_output=True, text=True, check=True, env=env,
        )  # fmt: skip
        loaded.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        answer = json.loads((tmp_path / run / "analysis.json").read_text())
        assert answer["routes"] and "difference_from_base" in answer
        answers.append(answer)
    assert answers[1] == answers[0]  # the cached answer is the computed one
    # control: the first run did search, so the check below can fail
    assert "numba" in loaded[0]
    assert set(loaded[1]) & {"numba", "llvmlite", "scipy", "matplotlib", "dask"} == set()


_RECORDED = """
import json, sys
from corridor.store.store import Store
with Store.open({db!r}) as store:
    runs = store.runs()
    print(json.dumps([len(runs), runs[0].command, runs[0].status,
                      store.result(runs[0].id, "analysis"),
                      store.result(runs[0].id, "routes").to_dict("list")]))
"""


def test_analyze_never_imports_pandas(tmp_path: Path) -> None:
    """The whole `corridor analyze --json` of the default dataset, with its charts and
    report, the result cache empty and the run recorded in a store, loads no pandas: the
    network's tables are our own, and the routes go to the store as an Arrow table."""
    env = {**os.environ, "CORRIDOR_CACHE_DIR": str(tmp_path / "cache")}
    db = str(tmp_path / "runs.sqlite")
    args = ["analyze", "--json", "--db", db, "--out", str(tmp_path / "out")]
    proc = subprocess.run(
        [sys.executable, "-c", _ANALYZE.format(args=args, heavy=HEAVY)],
        capture_output=True, text=True, check=True, env=env,
    )  # fmt: skip
    loaded = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "numpy" in loaded and "sqlalchemy" in loaded  # control: it did compute and record
    assert "pandas" not in loaded
    answer = json.loads((tmp_path / "out" / "analysis.json").read_text())
    assert (tmp_path / "out" / "report.html").exists()
    # the run is recorded as before: done, with its routes table readable as a DataFrame
    rec = subprocess.run(
        [sys.executable, "-c", _RECORDED.format(db=db)], capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    count, command, status, analysis, routes = json.loads(rec.stdout)
    assert (count, command, status) == (1, "analyze", "done")
    assert analysis == answer
    assert routes["corridor"] == [r["corridor"] for r in answer["routes"]]
    assert routes["time_days"] == [r["time_days"] for r in answer["routes"]]
