"""Start-up stays light: `import corridor` and every `corridor ... --help` load no numeric library.

The command list is read from the Typer app at run time, so a command added later is
checked too. Each help runs in the same fresh interpreter, one after another, and the
modules are inspected after each one, so the first command that pulls in a heavy
library is the one named.
"""

from __future__ import annotations

import json
import subprocess
import sys

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
