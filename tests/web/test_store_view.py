"""The dashboard's read-only view of the store: JSON lists and the /store page."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from corridor.store.store import Store


def _client(tmp_path: Path, db: Path) -> object:
    from fastapi.testclient import TestClient

    from corridor.web.app import create_app

    return TestClient(create_app(store_db=str(db)), base_url="http://127.0.0.1")


def test_the_dashboard_lists_stored_scenarios_and_runs(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite"
    with Store.open(db) as store:
        store.save_scenario({"name": "<b>x2</b>", "changes": [{"type": "demand_growth",
                            "factor": 2}]}, note="doubling")  # fmt: skip
        first = store.start_run("analyze", {}, scenario="<b>x2</b>", seed=7)
        store.finish_run(first, results={"routes": pd.DataFrame({"a": [1]})})
        second = store.start_run("simulate", {}, scenario="base")
    with _client(tmp_path, db) as client:  # type: ignore[attr-defined]
        listed = client.get("/api/store/scenarios").json()
        assert [(s["name"], s["changes"], s["note"]) for s in listed] == [
            ("<b>x2</b>", 1, "doubling")
        ]
        runs = client.get("/api/store/runs").json()
        assert [(r["id"], r["command"], r["status"], r["seed"]) for r in runs] == [
            (second, "simulate", "running", None),
            (first, "analyze", "done", 7),
        ]
        assert [r["id"] for r in client.get("/api/store/runs?limit=1").json()] == [second]
        assert client.get("/api/store/runs?limit=0").status_code == 422
        page = client.get("/store")
        assert page.status_code == 200
        assert "&lt;b&gt;x2&lt;/b&gt;" in page.text and "<b>x2</b>" not in page.text
        assert "simulate" in page.text and "doubling" in page.text


def test_a_missing_store_reads_as_empty_and_is_not_created(tmp_path: Path) -> None:
    db = tmp_path / "never.sqlite"
    with _client(tmp_path, db) as client:  # type: ignore[attr-defined]
        assert client.get("/api/store/scenarios").json() == []
        assert client.get("/api/store/runs").json() == []
        assert "None yet" in client.get("/store").text
    assert not db.exists()
