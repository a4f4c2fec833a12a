"""Sweeps end to end: in-process, on a real 2-worker LocalCluster, and killed then resumed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from corridor.sweep.run import run_sweep
from corridor.sweep.spec import load_spec

SPEC = """
name: tiny
dataset: {dataset}
parameters:
  demand_growth: [1.0, 3.0]
  closures: [[], [RU]]
"""


def spec_file(tmp_path: Path, dataset: Path, text: str = SPEC) -> Path:
    path = tmp_path / "sweep.yaml"
    path.write_text(text.format(dataset=dataset), "utf-8")
    return path


def test_each_point_is_the_analysis_of_its_scenario(
    tiny_dataset: Callable[[], Path], tmp_path: Path
) -> None:
    from corridor.analysis import analyze
    from corridor.loaded.prepare import prepare
    from corridor.model.network import load_network
    from corridor.model.scenario import Closure, DemandGrowth, Scenario

    data = tiny_dataset()
    spec = load_spec(spec_file(tmp_path, data))
    db = tmp_path / "s.sqlite"
    outcome = run_sweep(spec, out=tmp_path / "out", workers=0, db=db)
    assert (outcome.total, outcome.computed, outcome.reused) == (4, 4, 0)
    routes = pd.read_parquet(outcome.routes_path)
    base = load_network(data)
    for growth in (1.0, 3.0):
        for closed in ("", "RU"):
            changes = (Closure("countries", "RU"),) if closed else ()
            if growth != 1.0:
                changes += (DemandGrowth(growth),)
            expected = analyze(prepare(Scenario("x", base, changes)))["routes"]
            got = routes[(routes.demand_growth == growth) & (routes.closures == closed)]
            assert dict(zip(got.corridor, got.time_days, strict=True)) == pytest.approx(
                {r["corridor"]: r["time_days"] for r in expected}
            )
    summary = outcome.summary
    assert summary["days_northern"].isna().tolist() == [False, True, False, True]
    # recorded in the store: the sweep run, one result per point and the summary
    from corridor.store.store import Store

    with Store.open(db) as store:
        [run] = store.runs(command="sweep")
        assert run.status == "done"
        names = store.run(run.id).results  # type: ignore[union-attr]
        assert sorted(names) == sorted([*(f"point-{k}" for k in summary.key), "summary"])
        pd.testing.assert_frame_equal(store.result(run.id, "summary"), summary)


def test_a_rerun_reuses_every_finished_point(
    tiny_dataset: Callable[[], Path], tmp_path: Path
) -> None:
    spec = load_spec(spec_file(tmp_path, tiny_dataset()))
    first = run_sweep(spec, out=tmp_path / "out", workers=0, store=False)
    files = sorted((tmp_path / "out" / "points").glob("*.parquet"))
    stamps = [(f.stat().st_ino, f.stat().st_mtime_ns) for f in files]
    again = run_sweep(spec, out=tmp_path / "out", workers=0, store=False)
    assert (again.computed, again.reused) == (0, 4)
    assert [(f.stat().st_ino, f.stat().st_mtime_ns) for f in files] == stamps
    pd.testing.assert_frame_equal(again.summary, first.summary)


def test_a_local_cluster_of_two_workers_gives_the_in_process_result(
    tiny_dataset: Callable[[], Path], tmp_path: Path
) -> None:
    spec = load_spec(spec_file(tmp_path, tiny_dataset()))
    serial = run_sweep(spec, out=tmp_path / "serial", workers=0, store=False)
    dask = run_sweep(spec, out=tmp_path / "dask", workers=2, store=False)
    assert dask.computed == 4
    pd.testing.assert_frame_equal(dask.summary, serial.summary)
    a = pd.read_parquet(dask.routes_path)
    b = pd.read_parquet(serial.routes_path)
    pd.testing.assert_frame_equal(a, b)


KILL_SPEC = """
name: killed
dataset: {dataset}
days: 30
parameters:
  demand_growth: [1.0, 1.5, 2.0, 2.5, 3.0, 3.5]
  closures: [[], [RU]]
  replications: [1]
"""


def test_a_killed_sweep_resumes_without_recomputing(
    tiny_dataset: Callable[[], Path], tmp_path: Path
) -> None:
    spec = spec_file(tmp_path, tiny_dataset(), KILL_SPEC)
    out = tmp_path / "out"
    points = out / "points"
    cmd = [sys.executable, "-c", "from corridor.cli import main; main()", "sweep", str(spec),
           "--workers", "1", "--out", str(out), "--no-store"]  # fmt: skip
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        while proc.poll() is None and len(list(points.glob("*.parquet"))) < 2:
            time.sleep(0.01)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its Dask workers, mid-run
        proc.wait()
    kept = sorted(points.glob("*.parquet"))
    assert 2 <= len(kept) < 12, "the sweep ended before it could be killed"
    stamps = {f.name: (f.stat().st_ino, f.stat().st_mtime_ns) for f in kept}
    for f in kept:
        pd.read_parquet(f)  # every file there is a whole point
    again = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert again.returncode == 0, again.stderr
    assert f"{12 - len(kept)} points computed, {len(kept)} reused" in " ".join(again.stdout.split())
    assert {f.name: (f.stat().st_ino, f.stat().st_mtime_ns) for f in kept} == stamps
    left = sorted(f.name for f in points.iterdir())
    assert len(left) == 12 and all(n.endswith(".parquet") and n[0] != "." for n in left)
    uninterrupted = run_sweep(load_spec(spec), out=tmp_path / "whole", workers=0, store=False)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "summary.parquet"), uninterrupted.summary)
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "routes.parquet"), pd.read_parquet(uninterrupted.routes_path)
    )


@pytest.mark.slow
def test_a_sweep_runs_on_a_separate_scheduler_and_worker(
    tiny_dataset: Callable[[], Path], tmp_path: Path
) -> None:
    import json

    spec = spec_file(tmp_path, tiny_dataset())
    info = tmp_path / "scheduler.json"
    dask = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    scheduler = subprocess.Popen(
        [*dask, "--host", "127.0.0.1", "--port", "0", "--dashboard-address", ":0",
         "--scheduler-file", str(info)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    worker = None
    try:
        for _ in range(600):
            if info.exists() and info.stat().st_size:
                break
            time.sleep(0.1)
        address = json.loads(info.read_text())["address"]
        worker = subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
             "--no-dashboard"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        cmd = [sys.executable, "-c", "from corridor.cli import main; main()", "sweep", str(spec),
               "--scheduler", address, "--out", str(tmp_path / "out"), "--no-store"]  # fmt: skip
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        assert "4 points computed" in " ".join(done.stdout.split())
    finally:
        for p in (worker, scheduler):
            if p is not None:
                p.terminate()
                p.wait()
    serial = run_sweep(load_spec(spec), out=tmp_path / "serial", workers=0, store=False)
    got = pd.read_parquet(tmp_path / "out" / "summary.parquet")
    pd.testing.assert_frame_equal(got, serial.summary)
