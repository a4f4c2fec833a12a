"""Run a sweep's points on Dask distributed; keep every finished point; skip them next time.

Points go to a Dask cluster: a :class:`distributed.LocalCluster` of worker
processes by default, or the scheduler at ``scheduler`` (``tcp://host:8786``).
The scenario every point starts from is scattered to the workers once. As each
point finishes, this process writes its table to ``<out>/points/<key>.parquet``
(atomically: a file there is a whole point) and to the store. A point whose
file exists is not sent again, so a sweep stopped by Ctrl-C, a crash or
SIGKILL continues where it was when rerun. ``workers=0`` evaluates the points
one after the other in this process, without Dask (a reference and a baseline).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corridor.sweep.spec import SweepSpec


@dataclass(frozen=True)
class SweepOutcome:
    """What a sweep run did and where its tables are."""

    total: int
    reused: int
    computed: int
    routes_path: Path
    summary_path: Path
    summary: Any  # pandas.DataFrame, one row per point


def _write_parquet(frame: Any, path: Path) -> None:
    from corridor.io.atomic import write_bytes

    buf = io.BytesIO()
    frame.to_parquet(buf, engine="pyarrow", index=False)
    write_bytes(path, buf.getvalue())


def run_sweep(
    spec: SweepSpec,
    *,
    out: Path,
    workers: int = 2,
    scheduler: str | None = None,
    db: Any = None,
    store: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> SweepOutcome:
    """Run every missing point of ``spec``; write ``routes.parquet`` and ``summary.parquet``.

    ``progress(done, total)`` is called as points finish (reused ones count as done).
    """
    import pandas as pd

    from corridor.loaded.calibration import calibrate
    from corridor.model.network import load_network
    from corridor.store.datasets import dataset_hash
    from corridor.store.recording import recording
    from corridor.store.resolve import resolve_scenario
    from corridor.sweep.evaluate import evaluate_point, point_metrics
    from corridor.sweep.spec import point_key

    base_net = load_network(spec.dataset)
    base = resolve_scenario(spec.scenario, base_net, db=db)
    digest = dataset_hash(base_net)
    fixed = spec.fixed()
    points = spec.points()
    keys = [point_key(p, fixed, digest) for p in points]
    unique = dict(zip(keys, points, strict=True))  # a grid may repeat a point: run it once
    _check_ids(spec, base, points)
    folder = out / "points"
    for stale in folder.glob(".*.parquet.*.tmp"):  # half-written by a killed run
        stale.unlink(missing_ok=True)
    done = {k for k in unique if (folder / f"{k}.parquet").exists()}
    todo = [(k, p) for k, p in unique.items() if k not in done]
    total = len(unique)
    if progress:
        progress(len(done), total)
    params = {
        "spec": spec.source,
        "name": spec.name,
        "points": total,
        "reused": len(done),
        "workers": workers,
        "scheduler": scheduler,
        "out": str(out),
    }
    with recording("sweep", params, db=db, enabled=store) as run:
        run.start(network=base_net, scenario=base.name, seed=spec.seed)

        def finished(key: str, table: Any) -> None:
            _write_parquet(table, folder / f"{key}.parquet")
            if run.store is not None and run.run_id is not None:
                run.store.add_results(run.run_id, {f"point-{key}": table})
            finished_keys.append(key)
            if progress:
                progress(len(done) + len(finished_keys), total)

        finished_keys: list[str] = []
        kwargs: dict[str, Any] = {"pairs": spec.pairs, "days": spec.days, "seed": spec.seed}
        if todo:
            # the base year's calibration, once per sweep rather than once per point
            kwargs["calibration"] = calibrate(base_net)
        if todo and workers == 0 and scheduler is None:
            for key, point in todo:
                finished(key, evaluate_point(base, point, point_id=key, **kwargs))
        elif todo:
            _run_on_dask(base, todo, kwargs, finished, workers=workers, scheduler=scheduler)
        tables = [pd.read_parquet(folder / f"{k}.parquet") for k in unique]
        routes = pd.concat(tables, ignore_index=True)
        summary = point_metrics(routes)
        routes_path, summary_path = out / "routes.parquet", out / "summary.parquet"
        _write_parquet(routes, routes_path)
        _write_parquet(summary, summary_path)
        run.add("summary", summary)
    return SweepOutcome(total, len(done), len(todo), routes_path, summary_path, summary)


def _check_ids(spec: SweepSpec, base: Any, points: list[dict[str, Any]]) -> None:
    """Unknown closures or interventions fail now, in one line, not on a worker later."""
    from corridor.errors import CorridorError, DataError
    from corridor.sweep.evaluate import point_scenario
    from corridor.sweep.spec import DEFAULTS

    seen: set[tuple[str, tuple[str, ...]]] = set()
    for p in points:
        for name in ("closures", "interventions"):
            ids = tuple(p[name])
            if (name, ids) in seen:
                continue
            seen.add((name, ids))
            try:
                point_scenario(base, {**DEFAULTS, name: list(ids)}).apply()
            except CorridorError as exc:
                raise DataError(spec.source, f"{name} {list(ids)}: {exc}", column=name) from None


def _run_on_dask(
    base: Any,
    todo: list[tuple[str, dict[str, Any]]],
    kwargs: dict[str, Any],
    finished: Callable[[str, Any], None],
    *,
    workers: int,
    scheduler: str | None,
) -> None:
    import importlib
    import logging

    from corridor.errors import CorridorError
    from corridor.sweep.evaluate import evaluate_point

    dd: Any = importlib.import_module("distributed")  # untyped: keep mypy strict elsewhere
    cluster = None
    try:
        if scheduler is None:
            cluster = dd.LocalCluster(
                n_workers=max(workers, 1),
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",  # a free port: never fight over 8787
                silence_logs=logging.CRITICAL,  # shutdown chatter is not the user's business
            )
            client = dd.Client(cluster)
        else:
            try:
                client = dd.Client(scheduler, timeout="20s")
            except (OSError, TimeoutError) as exc:
                raise CorridorError(f"cannot reach the Dask scheduler {scheduler}: {exc}") from None
        with client:
            # the base scenario and its calibration go to every worker once, not per point
            calibration = kwargs.pop("calibration")
            shared, shared_cal = client.scatter([base, calibration], broadcast=True)
            futures = {
                client.submit(
                    evaluate_point,
                    shared,
                    point,
                    point_id=key,
                    calibration=shared_cal,
                    key=f"corridor-point-{key}",
                    **kwargs,
                ): key
                for key, point in todo
            }
            for future in dd.as_completed(futures):
                finished(futures[future], future.result())
    finally:
        if cluster is not None:
            cluster.close()
