"""Model runs of an appraisal, in this process or in parallel worker processes.

An appraisal prepares the loaded network of many scenarios (the base with one
measure, a pair, a set, in each future scenario); those runs are independent,
so a batch of them goes to a pool of worker processes, one run per task. Each
task carries its scenario, demand growth and the calibration, and returns the
loaded network: nothing is shared between tasks, and a run gives the same
result in a worker as in this process.

On Linux the workers are forked (they inherit the compiled kernels of the
parent, so they start in milliseconds); elsewhere they are spawned.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from types import TracebackType

from corridor.loaded.calibration import Calibration
from corridor.loaded.network import LoadedNetwork
from corridor.loaded.prepare import prepare
from corridor.model.scenario import Scenario

#: Most worker processes a runner starts (each holds a copy of the network).
MAX_WORKERS = 16


@dataclass(frozen=True)
class Job:
    """One model run: ``scenario`` prepared at ``growth`` times the dataset year's demand."""

    scenario: Scenario
    growth: float
    calibration: Calibration


def run_job(job: Job) -> LoadedNetwork:
    """Prepare one job's loaded network (what a worker does)."""
    return prepare(job.scenario, growth=job.growth, calibration=job.calibration)


def default_workers() -> int:
    """The cores this process may use (at most :data:`MAX_WORKERS`)."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        n = os.cpu_count() or 1
    return max(1, min(n, MAX_WORKERS))


class Runner:
    """Runs batches of jobs: in this process with ``workers=1``, else in a pool.

    Use as a context manager so the pool's processes end with it; the pool
    starts at the first batch of more than one job.
    """

    def __init__(self, workers: int = 1) -> None:
        if not 1 <= workers <= MAX_WORKERS:
            raise ValueError(f"expected 1 to {MAX_WORKERS} workers, found {workers}")
        self.workers = workers
        self._pool: Executor | None = None

    def __enter__(self) -> Runner:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """End the worker processes (a later batch starts new ones)."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def run(self, jobs: Sequence[Job], done: Callable[[int, LoadedNetwork], None]) -> None:
        """Run ``jobs``; ``done(i, loaded)`` is called in this process as job ``i`` ends."""
        if self.workers == 1 or len(jobs) < 2:
            for i, job in enumerate(jobs):
                done(i, run_job(job))
            return
        if self._pool is None:
            method = "fork" if sys.platform.startswith("linux") else "spawn"
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=multiprocessing.get_context(method)
            )
        futures = {self._pool.submit(run_job, job): i for i, job in enumerate(jobs)}
        for future in as_completed(futures):
            done(futures[future], future.result())
