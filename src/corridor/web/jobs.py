"""Background jobs with progress (simulation runs) for the web app.

A :class:`Jobs` registry belongs to one app; each job runs in a daemon
thread, reports progress between 0 and 1 and keeps its result or error.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Progress = Callable[[float], None]


@dataclass
class Job:
    """One background run."""

    id: str
    kind: str
    state: str = "running"  # running | done | failed
    progress: float = 0.0
    result: Any = None
    error: str = ""
    query: Any = None

    def public(self) -> dict[str, Any]:
        """The job as the API shows it (without the result)."""
        return {"id": self.id, "kind": self.kind, "state": self.state,
                "progress": self.progress, "error": self.error}  # fmt: skip


@dataclass
class Jobs:
    """Start jobs in threads and look them up by id; keeps the last ``keep`` jobs."""

    keep: int = 20
    _jobs: dict[str, Job] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, kind: str, work: Callable[[Progress], Any]) -> Job:
        """Run ``work(progress)`` in a thread; ``progress(x)`` records x in [0, 1]."""
        with self._lock:
            job = Job(id=str(next(self._ids)), kind=kind)
            self._jobs[job.id] = job
            for old in list(self._jobs)[: max(0, len(self._jobs) - self.keep)]:
                del self._jobs[old]

        def progress(x: float) -> None:
            job.progress = min(1.0, max(job.progress, float(x)))

        def run() -> None:
            try:
                job.result = work(progress)
                job.progress = 1.0
                job.state = "done"
            except Exception as exc:  # reported to the user through the job
                job.error = f"{type(exc).__name__}: {exc}"
                job.state = "failed"

        threading.Thread(target=run, name=f"corridor-job-{job.id}", daemon=True).start()
        return job

    def get(self, job_id: str) -> Job | None:
        """The job with this id, if still kept."""
        with self._lock:
            return self._jobs.get(job_id)


def call_simulate(network: Any, replications: int, seed: int, progress: Progress) -> Any:
    """Run ``corridor.simulation.simulate`` on a network, reporting progress in [0, 1]."""
    from corridor.simulation import simulate

    def report(done: int, total: int) -> None:
        progress(done / total if total else 1.0)

    return simulate(network, replications=replications, seed=seed, progress=report)
