"""Background jobs with progress (simulation runs) for the web app.

A :class:`Jobs` registry belongs to one app. Jobs wait in a bounded queue and
run on a fixed number of worker threads, so a burst of requests cannot start
a thread (and a simulation's memory) each: a full queue is refused with
:class:`QueueFull` (HTTP 429). A job can be cancelled while queued or
running; a running job stops at its next progress report. Only finished jobs
are evicted (oldest first, beyond ``keep``), and their results are dropped
with them.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol


class Progress(Protocol):
    """A job's progress report: ``x`` in [0, 1] for the whole job, and optionally
    the step under way (``phase``) with its ``done`` of ``total`` units."""

    def __call__(self, x: float, /, phase: str = "", done: int = 0, total: int = 0) -> None: ...


MAX_REPLICATIONS = 500
"""Most replications one web request may ask for (about 1 MB of results each)."""

FINAL = ("done", "failed", "cancelled")


class QueueFull(Exception):
    """The job queue is full; the client should retry later."""


class Cancelled(Exception):
    """Raised inside a running job's progress report once the job is cancelled."""


@dataclass
class Job:
    """One background run."""

    id: str
    kind: str
    state: str = "queued"  # queued | running | cancelling | done | failed | cancelled
    progress: float = 0.0
    phase: str = ""
    done: int = 0
    total: int = 0
    result: Any = None
    error: str = ""
    query: Any = None
    work: Callable[[Progress], Any] | None = field(default=None, repr=False)
    cancel_requested: threading.Event = field(default_factory=threading.Event, repr=False)

    def public(self) -> dict[str, Any]:
        """The job as the API shows it (without the result): ``progress`` in [0, 1],
        and the step under way, ``phase`` with ``done`` of its ``total`` units."""
        return {"id": self.id, "kind": self.kind, "state": self.state,
                "progress": self.progress, "phase": self.phase, "done": self.done,
                "total": self.total, "error": self.error}  # fmt: skip


@dataclass
class Jobs:
    """A bounded pool: ``workers`` threads, at most ``queue_limit`` waiting jobs.

    Examples
    --------
    >>> jobs = Jobs(workers=1, queue_limit=1)
    >>> job = jobs.start("sum", lambda progress: 1 + 1)
    >>> jobs.wait(job.id, timeout=10).result
    2
    """

    workers: int = 2
    queue_limit: int = 8
    keep: int = 20
    _jobs: dict[str, Job] = field(default_factory=dict)
    _pending: deque[Job] = field(default_factory=deque)
    _finished: deque[str] = field(default_factory=deque)
    _threads: list[threading.Thread] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _cond: threading.Condition = field(default_factory=threading.Condition)
    _closed: bool = False

    def start(self, kind: str, work: Callable[[Progress], Any]) -> Job:
        """Queue ``work(progress)``; ``progress(x)`` records x in [0, 1].

        Raises :class:`QueueFull` when ``queue_limit`` jobs are already waiting.
        """
        with self._cond:
            if len(self._pending) >= self.queue_limit:
                raise QueueFull(
                    f"{len(self._pending)} jobs are already waiting "
                    f"({self.workers} running at most); try again later"
                )
            job = Job(id=str(next(self._ids)), kind=kind, work=work)
            self._jobs[job.id] = job
            self._pending.append(job)
            # Threads start on first use: creating an app starts nothing.
            while len(self._threads) < self.workers:
                t = threading.Thread(
                    target=self._work, name=f"corridor-job-worker-{len(self._threads)}", daemon=True
                )
                self._threads.append(t)
                t.start()
            self._cond.notify()
            return job

    def get(self, job_id: str) -> Job | None:
        """The job with this id, if still kept."""
        with self._cond:
            return self._jobs.get(job_id)

    def cancel(self, job_id: str) -> Job | None:
        """Cancel a queued job now, or ask a running one to stop; ``None`` if unknown."""
        with self._cond:
            job = self._jobs.get(job_id)
            if job is None or job.state in FINAL:
                return job
            job.cancel_requested.set()
            if job.state == "queued":
                self._pending.remove(job)
                self._finish(job, "cancelled")
            else:
                job.state = "cancelling"
            return job

    def wait(self, job_id: str, timeout: float | None = None) -> Job | None:
        """Block until the job is finished (or ``timeout`` seconds pass); returns it."""
        with self._cond:
            self._cond.wait_for(
                lambda: (j := self._jobs.get(job_id)) is None or j.state in FINAL, timeout
            )
            return self._jobs.get(job_id)

    def counts(self) -> dict[str, int]:
        """How many kept jobs are in each state."""
        with self._cond:
            out: dict[str, int] = {}
            for job in self._jobs.values():
                out[job.state] = out.get(job.state, 0) + 1
            return out

    def close(self) -> None:
        """Cancel every job and let the workers exit (app shutdown)."""
        with self._cond:
            self._closed = True
            for job in list(self._jobs.values()):
                job.cancel_requested.set()
            while self._pending:
                self._finish(self._pending.popleft(), "cancelled")
            self._cond.notify_all()

    def _work(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: bool(self._pending) or self._closed)
                if self._closed:
                    return
                job = self._pending.popleft()
                job.state = "running"
                work, job.work = job.work, None
            self._run(job, work)

    def _run(self, job: Job, work: Callable[[Progress], Any] | None) -> None:
        def progress(x: float, /, phase: str = "", done: int = 0, total: int = 0) -> None:
            if job.cancel_requested.is_set():
                raise Cancelled
            job.progress = min(1.0, max(job.progress, float(x)))
            job.phase, job.done, job.total = phase, int(done), int(total)

        result: Any = None
        error = ""
        try:
            assert work is not None
            result = work(progress)
            state = "cancelled" if job.cancel_requested.is_set() else "done"
        except Cancelled:
            state = "cancelled"
        except Exception as exc:  # reported to the user through the job
            state, error = "failed", f"{type(exc).__name__}: {exc}"
        with self._cond:
            if state == "done":
                job.result, job.progress = result, 1.0
            job.error = error
            self._finish(job, state)

    def _finish(self, job: Job, state: str) -> None:
        """Mark a job final and evict the oldest finished jobs beyond ``keep`` (lock held)."""
        job.state = state
        job.work = None
        self._finished.append(job.id)
        while len(self._finished) > self.keep:
            old = self._jobs.pop(self._finished.popleft(), None)
            if old is not None:
                old.result = None  # freed even if a caller still holds the Job
        self._cond.notify_all()


def call_simulate(network: Any, replications: int, seed: int, progress: Progress) -> Any:
    """Run ``corridor.simulation.simulate`` on a network, reporting progress in [0, 1]."""
    from corridor.simulation import simulate

    def report(done: int, total: int) -> None:
        progress(done / total if total else 1.0, "replications", done, total)

    return simulate(network, replications=replications, seed=seed, progress=report)
