"""Two real processes writing to one store at the same moment lose nothing."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from corridor.store.store import Store

WRITER = """
import sys, time, pathlib
import pandas as pd
from corridor.store.store import Store

url, tag, n, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), pathlib.Path(sys.argv[4])
while not go.exists():  # start together
    time.sleep(0.005)
store = Store.open(url)  # the first open of a new store migrates it: both race for that too
for i in range(n):
    run = store.start_run("analyze", {"i": i}, seed=i, scenario=tag)
    table = pd.DataFrame({"i": [i] * 3, "tag": [tag] * 3})
    store.finish_run(run, results={"routes": table, "meta": {"i": i, "tag": tag}})
    store.save_scenario({"name": f"{tag}-{i}", "changes": []}, note=tag)
store.close()
"""

N = 20


def test_two_processes_writing_at_once_lose_nothing(store_url: str, tmp_path: Path) -> None:
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, store_url, tag, str(N), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in ("left", "right")
    ]
    time.sleep(0.5)  # both interpreters up and waiting
    go.touch()
    for p in procs:
        _out, err = p.communicate()
        assert p.returncode == 0, err
    with Store.open(store_url) as store:
        runs = store.runs()
        assert len(runs) == 2 * N
        for tag in ("left", "right"):
            mine = [r for r in runs if r.scenario == tag]
            assert sorted(r.seed for r in mine) == list(range(N))  # type: ignore[type-var]
            assert all(r.status == "done" for r in mine)
            for r in mine[:5]:
                assert store.result(r.id, "meta") == {"i": r.seed, "tag": tag}
                assert list(store.result(r.id, "routes")["i"]) == [r.seed] * 3
        names = {s.name for s in store.scenarios()}
        assert names == {f"{t}-{i}" for t in ("left", "right") for i in range(N)}
