"""The store's API: save and read scenarios, record runs and their results.

Every write is one transaction; a reader sees a scenario or a run's results
whole or not at all.

Examples
--------
>>> import tempfile, pathlib
>>> store = Store.open(str(pathlib.Path(tempfile.mkdtemp()) / "s.sqlite"))
>>> rec = store.save_scenario({"name": "x2", "changes": [
...     {"type": "demand_growth", "factor": 2.0}]}, note="doubling")
>>> [s.name for s in store.scenarios()]
['x2']
>>> store.scenario("x2").document["changes"][0]["factor"]
2.0
>>> store.close()
"""

from __future__ import annotations

import io
import json
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from corridor.errors import CorridorError

#: Run states: running until it ends as done or failed.
STATUSES = ("running", "done", "failed")


@dataclass(frozen=True)
class ScenarioRecord:
    """A stored scenario: its JSON document as imported, and where it came from."""

    name: str
    document: dict[str, Any]
    note: str
    dataset_hash: str | None
    dataset_name: str | None
    created_at: datetime


@dataclass(frozen=True)
class RunRecord:
    """One recorded run of a computing command."""

    id: int
    command: str
    parameters: dict[str, Any]
    seed: int | None
    version: str
    dataset_hash: str | None
    dataset_name: str | None
    scenario: str | None
    status: str
    error: str | None
    host: str
    pid: int
    started_at: datetime
    finished_at: datetime | None
    results: tuple[str, ...] = ()

    def state(self) -> str:
        """``status``, or ``interrupted`` for a run left running by a process that is gone."""
        if self.status == "running" and self.host == socket.gethostname():
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                return "interrupted"
            except PermissionError:
                pass
        return self.status


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; the store writes only UTC.
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _to_bytes(value: Any) -> tuple[str, bytes, int | None]:
    """A result as (kind, bytes, rows): a table as Parquet, anything else as JSON.

    A table is a pandas DataFrame or a pyarrow Table (read back as a DataFrame either
    way); neither library is imported for a JSON value, so recording a run that stores
    no DataFrame does not pay for pandas.
    """
    module = type(value).__module__
    if module.startswith("pandas"):
        import pandas as pd

        if isinstance(value, pd.DataFrame):
            buf = io.BytesIO()
            value.to_parquet(buf, engine="pyarrow", index=False)
            return "parquet", buf.getvalue(), len(value)
    if module.startswith("pyarrow"):
        import pyarrow as pa
        import pyarrow.parquet as pq

        if isinstance(value, pa.Table):
            buf = io.BytesIO()
            pq.write_table(value, buf)
            return "parquet", buf.getvalue(), value.num_rows
    text = json.dumps(value, allow_nan=False, separators=(",", ":"))
    return "json", text.encode(), None


def _from_bytes(kind: str, data: bytes) -> Any:
    if kind == "parquet":
        import pandas as pd

        return pd.read_parquet(io.BytesIO(data), engine="pyarrow")
    return json.loads(data)


class Store:
    """Scenarios, runs and results in one database (see :mod:`corridor.store`)."""

    def __init__(self, engine: Any, url: str) -> None:
        self.engine = engine
        self.url = url

    @classmethod
    def open(cls, db: str | os.PathLike[str] | None = None) -> Store:
        """Open (and create or migrate) the store named by ``--db``, the environment or default."""
        from corridor.store.engine import open_engine
        from corridor.store.location import store_url

        url = store_url(db)
        return cls(open_engine(url), url)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # datasets ---------------------------------------------------------------

    def _ensure_dataset(self, conn: Any, digest: str, name: str) -> None:
        from sqlalchemy import select

        from corridor.store.schema import datasets

        if conn.execute(select(datasets.c.hash).where(datasets.c.hash == digest)).first() is None:
            conn.execute(datasets.insert().values(hash=digest, name=name, created_at=_now()))

    # scenarios ----------------------------------------------------------------

    def save_scenario(
        self,
        document: Mapping[str, Any],
        *,
        note: str = "",
        dataset: tuple[str, str] | None = None,
        replace: bool = False,
    ) -> ScenarioRecord:
        """Store a scenario document (the scenario file's JSON object) under its ``name``.

        ``dataset`` is (hash, name) of the dataset it was checked against. An
        existing name is an error unless ``replace``.
        """
        from sqlalchemy import select

        from corridor.store.schema import scenarios

        name = str(document.get("name", ""))
        if not name.strip():
            raise CorridorError("a stored scenario needs a non-empty 'name'")
        if "\x00" in name or "\x00" in note or len(name) > 200:
            raise CorridorError("a scenario name (at most 200 characters) and note hold no NUL")
        text = json.dumps(dict(document), ensure_ascii=False, allow_nan=False)
        for what, value in (("name", name), ("note", note), ("document", text)):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as err:
                raise CorridorError(
                    f"the scenario's {what} is not valid Unicode text (a lone surrogate "
                    f"{value[err.start]!r} at character {err.start}); a database cannot store it"
                ) from None
        now = _now()
        with self.engine.begin() as conn:
            if dataset is not None:
                self._ensure_dataset(conn, *dataset)
            found = conn.execute(select(scenarios.c.id).where(scenarios.c.name == name)).first()
            values = {
                "document": text,
                "note": note,
                "dataset_hash": dataset[0] if dataset else None,
                "created_at": now,
            }
            if found is None:
                conn.execute(scenarios.insert().values(name=name, **values))
            elif replace:
                conn.execute(scenarios.update().where(scenarios.c.name == name).values(**values))
            else:
                raise CorridorError(
                    f"a scenario named '{name}' is already stored (give --replace to overwrite)"
                )
        record = self.scenario(name)
        assert record is not None
        return record

    def _scenario_query(self) -> Any:
        from sqlalchemy import select

        from corridor.store.schema import datasets, scenarios

        return select(
            scenarios.c.name,
            scenarios.c.document,
            scenarios.c.note,
            scenarios.c.dataset_hash,
            datasets.c.name.label("dataset_name"),
            scenarios.c.created_at,
        ).select_from(scenarios.outerjoin(datasets, scenarios.c.dataset_hash == datasets.c.hash))

    @staticmethod
    def _scenario_record(row: Any) -> ScenarioRecord:
        created = _utc(row.created_at)
        assert created is not None
        return ScenarioRecord(
            row.name, json.loads(row.document), row.note, row.dataset_hash, row.dataset_name,
            created,
        )  # fmt: skip

    def scenario(self, name: str) -> ScenarioRecord | None:
        """The stored scenario named ``name``, or ``None``."""
        from corridor.store.schema import scenarios

        with self.engine.begin() as conn:
            row = conn.execute(self._scenario_query().where(scenarios.c.name == name)).first()
        return None if row is None else self._scenario_record(row)

    def scenarios(self) -> list[ScenarioRecord]:
        """Every stored scenario, by name."""
        from corridor.store.schema import scenarios

        with self.engine.begin() as conn:
            rows = conn.execute(self._scenario_query().order_by(scenarios.c.name)).all()
        return [self._scenario_record(r) for r in rows]

    def delete_scenario(self, name: str) -> bool:
        """Delete a stored scenario; ``False`` if there was none (its runs stay)."""
        from corridor.store.schema import scenarios

        with self.engine.begin() as conn:
            deleted = conn.execute(scenarios.delete().where(scenarios.c.name == name)).rowcount
        return bool(deleted)

    # runs ---------------------------------------------------------------------

    def start_run(
        self,
        command: str,
        parameters: Mapping[str, Any],
        *,
        seed: int | None = None,
        dataset: tuple[str, str] | None = None,
        scenario: str | None = None,
    ) -> int:
        """Record that a run starts; returns its id."""
        from corridor import __version__
        from corridor.store.schema import runs

        with self.engine.begin() as conn:
            if dataset is not None:
                self._ensure_dataset(conn, *dataset)
            result = conn.execute(
                runs.insert().values(
                    command=command,
                    parameters=json.dumps(dict(parameters), default=str, sort_keys=True),
                    seed=seed,
                    version=__version__,
                    dataset_hash=dataset[0] if dataset else None,
                    scenario=scenario,
                    status="running",
                    host=socket.gethostname(),
                    pid=os.getpid(),
                    started_at=_now(),
                )
            )
            return int(result.inserted_primary_key[0])

    def add_results(self, run_id: int, results: Mapping[str, Any]) -> None:
        """Store results of a run (DataFrames as Parquet, the rest as JSON), in one transaction."""
        from corridor.store.schema import results as table

        encoded = [(name, *_to_bytes(value)) for name, value in results.items()]
        with self.engine.begin() as conn:
            for name, kind, data, rows in encoded:
                conn.execute(
                    table.insert().values(
                        run_id=run_id, name=name, kind=kind, data=data, rows=rows,
                        created_at=_now(),
                    )
                )  # fmt: skip

    def finish_run(
        self,
        run_id: int,
        *,
        status: str = "done",
        error: str | None = None,
        results: Mapping[str, Any] | None = None,
    ) -> None:
        """Mark a run done or failed, storing its last results in the same transaction."""
        from corridor.store.schema import results as table
        from corridor.store.schema import runs

        if status not in STATUSES[1:]:
            raise ValueError(f"status must be done or failed, not {status!r}")
        encoded = [(name, *_to_bytes(value)) for name, value in (results or {}).items()]
        with self.engine.begin() as conn:
            for name, kind, data, rows in encoded:
                conn.execute(
                    table.insert().values(
                        run_id=run_id, name=name, kind=kind, data=data, rows=rows,
                        created_at=_now(),
                    )
                )  # fmt: skip
            conn.execute(
                runs.update()
                .where(runs.c.id == run_id)
                .values(status=status, error=error, finished_at=_now())
            )

    def _run_query(self) -> Any:
        from sqlalchemy import select

        from corridor.store.schema import datasets, runs

        return select(runs, datasets.c.name.label("dataset_name")).select_from(
            runs.outerjoin(datasets, runs.c.dataset_hash == datasets.c.hash)
        )

    @staticmethod
    def _run_record(row: Any, names: tuple[str, ...] = ()) -> RunRecord:
        started = _utc(row.started_at)
        assert started is not None
        return RunRecord(
            id=row.id, command=row.command, parameters=json.loads(row.parameters), seed=row.seed,
            version=row.version, dataset_hash=row.dataset_hash, dataset_name=row.dataset_name,
            scenario=row.scenario, status=row.status, error=row.error, host=row.host,
            pid=row.pid, started_at=started, finished_at=_utc(row.finished_at), results=names,
        )  # fmt: skip

    def runs(
        self,
        *,
        command: str | None = None,
        scenario: str | None = None,
        status: str | None = None,
        limit: int | None = None,
    ) -> list[RunRecord]:
        """Recorded runs, newest first, optionally of one command, scenario or status."""
        from corridor.store.schema import runs

        query = self._run_query().order_by(runs.c.id.desc())
        if command is not None:
            query = query.where(runs.c.command == command)
        if scenario is not None:
            query = query.where(runs.c.scenario == scenario)
        if status is not None:
            query = query.where(runs.c.status == status)
        if limit is not None:
            query = query.limit(limit)
        with self.engine.begin() as conn:
            rows = conn.execute(query).all()
        return [self._run_record(r) for r in rows]

    def run(self, run_id: int) -> RunRecord | None:
        """One run with the names of its results, or ``None``."""
        from sqlalchemy import select

        from corridor.store.schema import results, runs

        with self.engine.begin() as conn:
            row = conn.execute(self._run_query().where(runs.c.id == run_id)).first()
            names = conn.execute(
                select(results.c.name).where(results.c.run_id == run_id).order_by(results.c.id)
            ).scalars()
            found = tuple(str(n) for n in names)
        return None if row is None else self._run_record(row, found)

    def result(self, run_id: int, name: str) -> Any:
        """A stored result: a DataFrame (Parquet) or the JSON value; ``KeyError`` if absent."""
        from sqlalchemy import select

        from corridor.store.schema import results

        with self.engine.begin() as conn:
            row = conn.execute(
                select(results.c.kind, results.c.data).where(
                    (results.c.run_id == run_id) & (results.c.name == name)
                )
            ).first()
        if row is None:
            raise KeyError(f"run {run_id} has no result '{name}'")
        return _from_bytes(row.kind, bytes(row.data))
