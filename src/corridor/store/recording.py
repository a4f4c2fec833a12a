"""Record a command's run in the store: parameters at the start, results at the end.

A command wraps its body in :func:`recording` and calls
:meth:`Recording.start` once it knows its dataset and scenario; the run is
then stored as running, and as done (with the results given to
:meth:`Recording.add`) or failed (with the error) when the body ends. A store
that cannot be opened costs a one-line warning, never the command's result.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from corridor.model.network import Network


class Recording:
    """One command's run as it is being recorded (inert when recording is off)."""

    def __init__(self, command: str, parameters: Mapping[str, Any], *, db: Any, enabled: bool):
        self.command = command
        self.parameters = dict(parameters)
        self.db = db
        self.enabled = enabled
        self.store: Any = None
        self.run_id: int | None = None
        self.pending: dict[str, Any] = {}

    def start(
        self,
        *,
        network: Network | None = None,
        scenario: str | None = None,
        seed: int | None = None,
    ) -> None:
        """Store the run as running (once the dataset and scenario are known)."""
        if not self.enabled or self.run_id is not None:
            return
        from corridor.errors import CorridorError
        from corridor.store.store import Store

        try:
            self.store = Store.open(self.db)
            dataset = None
            if network is not None:
                from corridor.store.datasets import dataset_hash

                dataset = (dataset_hash(network), network.name)
            self.run_id = self.store.start_run(
                self.command, self.parameters, seed=seed, dataset=dataset, scenario=scenario
            )
        except CorridorError as exc:
            self._give_up(str(exc))

    @property
    def active(self) -> bool:
        """Whether the run is being recorded (so results given to :meth:`add` are kept)."""
        return self.run_id is not None

    def add(self, name: str, value: Any) -> None:
        """A result to store with the run: a table (DataFrame or pyarrow Table, kept as
        Parquet) or a JSON value."""
        if self.run_id is not None:
            self.pending[name] = value

    def finish(self, error: BaseException | None) -> None:
        """Store the run as done with its results, or as failed with the error."""
        if self.run_id is None or self.store is None:
            return
        from sqlalchemy.exc import SQLAlchemyError

        try:
            if error is None:
                self.store.finish_run(self.run_id, status="done", results=self.pending)
            else:
                text = str(error) or type(error).__name__
                self.store.finish_run(self.run_id, status="failed", error=text)
        except SQLAlchemyError as exc:
            self._give_up(str(exc).splitlines()[0])
        finally:
            self.store.close()

    def _give_up(self, reason: str) -> None:
        sys.stderr.write(
            f"warning: run not recorded in the store ({reason}); --no-store skips it\n"
        )
        self.enabled = False
        self.run_id = None


@contextmanager
def recording(
    command: str, parameters: Mapping[str, Any], *, db: Any = None, enabled: bool = True
) -> Iterator[Recording]:
    """Record the run of ``command`` around a block (see the module docstring)."""
    rec = Recording(command, parameters, db=db, enabled=enabled)
    try:
        yield rec
    except BaseException as exc:
        rec.finish(exc)
        raise
    rec.finish(None)
