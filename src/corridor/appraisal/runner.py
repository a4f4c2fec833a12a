"""Model runs of an appraisal, in this process or in parallel worker processes.

An appraisal prepares the loaded network of many scenarios (the base with one
measure, a pair, a set, in each future scenario); those runs are independent,
so a batch of them goes to a pool of worker processes, one run per task. Each
task carries its scenario, demand growth and the calibration, and returns the
loaded network: nothing is shared between tasks, and a run gives the same
result in a worker as in this process.

The base networks (with their tables) and calibrations of the first batch
are handed to each worker once, when the pool starts; a task and its result
then name them instead of copying them (pickle's persistent ids), so a task
carries only the scenario's changes and a result only the tables its scenario
changed, the compiled network and the loads. A result read back refers to this
process's own base objects, as a run in this process would.

On Linux the workers are forked (they inherit the compiled kernels of the
parent, so they start in milliseconds); elsewhere they are spawned.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import pickle
import sys
from collections.abc import Callable, Collection, Iterable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from types import TracebackType

from corridor.loaded.calibration import Calibration
from corridor.loaded.network import LoadedNetwork
from corridor.loaded.prepare import prepare
from corridor.loaded.warm import Start
from corridor.model.scenario import Scenario

#: Most worker processes a runner starts (each holds a copy of the network).
MAX_WORKERS = 16


@dataclass(frozen=True)
class Job:
    """One model run: ``scenario`` prepared at ``growth`` times the dataset year's
    demand, from the routes of ``start`` when given (:mod:`corridor.loaded.warm`)."""

    scenario: Scenario
    growth: float
    calibration: Calibration
    start: Start | None = None


@dataclass(frozen=True)
class RunProgress:
    """How far an appraisal's model runs are, for a progress bar: ``done`` of the
    ``total`` runs of the batch under way (its ``phase`` says what the batch is
    for; every batch's size is known before it starts), and ``runs`` done in all."""

    phase: str
    done: int
    total: int
    runs: int


def batch_phase(sets: Collection[frozenset[str]], scenarios: int = 1) -> str:
    """What a batch of model runs is for, from the sets of measures it prepares.

    Examples
    --------
    >>> batch_phase([frozenset(), frozenset({"a"}), frozenset({"b"})])
    'each measure alone'
    >>> batch_phase([frozenset({"a", "b"})], scenarios=5)
    'sets of measures, 5 scenarios'
    >>> batch_phase([frozenset()])
    'without any measure'
    """
    if all(not s for s in sets):
        what = "without any measure"
    elif all(len(s) <= 1 for s in sets):
        what = "each measure alone"
    else:
        what = "sets of measures"
    return what if scenarios == 1 else f"{what}, {scenarios} scenarios"


def run_job(job: Job) -> LoadedNetwork:
    """Prepare one job's loaded network (what a worker does)."""
    return prepare(job.scenario, growth=job.growth, calibration=job.calibration, start=job.start)


def shared_objects(jobs: Iterable[Job]) -> tuple[object, ...]:
    """The objects the jobs share, to hand to the workers once: each distinct base
    network, its tables and each distinct calibration (in a fixed order)."""
    out: dict[int, object] = {}
    for job in jobs:
        base = job.scenario.base
        for obj in (base, *base.tables.values(), job.calibration):
            out.setdefault(id(obj), obj)
    return tuple(out.values())


class _Pickler(pickle.Pickler):
    """Pickles the shared objects by their index (persistent ids)."""

    def __init__(self, file: io.BytesIO, shared: tuple[object, ...]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._index = {id(obj): i for i, obj in enumerate(shared)}

    def persistent_id(self, obj: object) -> int | None:
        return self._index.get(id(obj))


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, shared: tuple[object, ...]) -> None:
        super().__init__(file)
        self._shared = shared

    def persistent_load(self, pid: object) -> object:
        if not isinstance(pid, int) or not 0 <= pid < len(self._shared):
            raise pickle.UnpicklingError(f"unknown shared object {pid!r}")
        return self._shared[pid]


def pack(obj: object, shared: tuple[object, ...]) -> bytes:
    """``obj`` pickled with references to the ``shared`` objects by index."""
    buf = io.BytesIO()
    _Pickler(buf, shared).dump(obj)
    return buf.getvalue()


def unpack(data: bytes, shared: tuple[object, ...]) -> object:
    """What :func:`pack` pickled, its references resolved to ``shared``."""
    return _Unpickler(io.BytesIO(data), shared).load()


#: The shared objects of this worker process (set once by :func:`_start_worker`;
#: empty in the parent, which passes its own to :func:`pack` and :func:`unpack`).
_WORKER_SHARED: list[tuple[object, ...]] = [()]


def _start_worker(shared: tuple[object, ...]) -> None:
    _WORKER_SHARED[0] = shared


def _run_packed(data: bytes) -> bytes:
    """A worker's task: unpack a job, run it, pack its loaded network."""
    shared = _WORKER_SHARED[0]
    job = unpack(data, shared)
    assert isinstance(job, Job)
    return pack(run_job(job), shared)


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
        self._shared: tuple[object, ...] = ()

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
            self._shared = shared_objects(jobs)
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context(method),
                initializer=_start_worker,
                initargs=(self._shared,),
            )
        shared = self._shared
        futures = {
            self._pool.submit(_run_packed, pack(job, shared)): i for i, job in enumerate(jobs)
        }
        for future in as_completed(futures):
            loaded = unpack(future.result(), shared)
            assert isinstance(loaded, LoadedNetwork)
            done(futures[future], loaded)
