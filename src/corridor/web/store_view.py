"""The store on the dashboard: read-only lists of stored scenarios and recorded runs.

``GET /api/store/scenarios`` and ``GET /api/store/runs`` return JSON; ``/store``
is a page with both tables. Nothing here writes: a default store file that
does not exist yet reads as empty and is not created.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

#: Most runs a listing returns.
MAX_RUNS = 500


def _open(db: str | None) -> Any:
    """The store, or ``None`` when the default SQLite file does not exist yet."""
    from pathlib import Path

    from corridor.store.location import store_url
    from corridor.store.store import Store

    url = store_url(db)
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return None
    return Store.open(db)


def scenarios(db: str | None) -> list[dict[str, Any]]:
    """Stored scenarios: name, number of changes, dataset, note, time saved."""
    store = _open(db)
    if store is None:
        return []
    with store:
        records = store.scenarios()
    return [
        {
            "name": r.name,
            "description": r.document.get("description", ""),
            "changes": len(r.document.get("changes", [])),
            "dataset": r.dataset_name,
            "note": r.note,
            "created_at": r.created_at.isoformat(),
        }
        for r in records
    ]


def runs(db: str | None, limit: int) -> list[dict[str, Any]]:
    """Recorded runs, newest first: command, scenario, dataset, seed, state, times."""
    store = _open(db)
    if store is None:
        return []
    with store:
        records = store.runs(limit=limit)
    return [
        {
            "id": r.id,
            "command": r.command,
            "scenario": r.scenario,
            "dataset": r.dataset_name,
            "seed": r.seed,
            "status": r.state(),
            "version": r.version,
            "started_at": r.started_at.isoformat(),
            "seconds": (r.finished_at - r.started_at).total_seconds() if r.finished_at else None,
        }
        for r in records
    ]


def add_store_routes(app: FastAPI, templates: Any, *, db: str | None = None) -> None:
    """Register the store's API routes and page on the dashboard app."""
    from fastapi import Query
    from fastapi.responses import HTMLResponse

    @app.get("/api/store/scenarios", tags=["store"])
    def stored_scenarios() -> list[dict[str, Any]]:
        """Scenarios saved with `corridor scenario save`."""
        return scenarios(db)

    @app.get("/api/store/runs", tags=["store"])
    def stored_runs(
        limit: int = Query(50, ge=1, le=MAX_RUNS, description="Newest runs to list"),
    ) -> list[dict[str, Any]]:
        """Runs recorded by the computing commands (`corridor runs list`)."""
        return runs(db, limit)

    @app.get("/store", response_class=HTMLResponse, include_in_schema=False)
    def store_page() -> str:
        return str(
            templates.get_template("store.html").render(scenarios=scenarios(db), runs=runs(db, 100))
        )
