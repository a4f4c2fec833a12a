"""The store on a real database (SQLite file, and PostgreSQL when given): schema,
scenarios, runs and results."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corridor.errors import CorridorError
from corridor.model.network import load_network
from corridor.model.scenario import (
    Closure,
    DemandGrowth,
    Intervention,
    SetValue,
    change_to_dict,
    load_scenario,
    scenario_from_dict,
)
from corridor.store.store import Store

DATASET = Path(__file__).parents[2] / "src" / "corridor" / "datasets" / "eurasia-2024"
SCENARIO_FILES = sorted((DATASET / "scenarios").glob("*.json"))


def test_the_head_revision_constant_is_alembics_head() -> None:
    # A new migration without HEAD moved would leave stores un-migrated on open.
    from importlib import resources

    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from corridor.store.engine import HEAD

    with resources.as_file(resources.files("corridor.store") / "migrations") as folder:
        config = Config()
        config.set_main_option("script_location", str(folder))
        assert ScriptDirectory.from_config(config).get_current_head() == HEAD


def test_the_migrations_build_exactly_the_declared_schema(store_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from corridor.store.schema import metadata

    with Store.open(store_url) as store, store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_opening_twice_keeps_what_was_stored(store_url: str) -> None:
    with Store.open(store_url) as store:
        store.save_scenario({"name": "kept", "changes": []})
    with Store.open(store_url) as store:
        assert [s.name for s in store.scenarios()] == ["kept"]


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.stem)
def test_a_scenario_file_round_trips_unchanged(store_url: str, path: Path) -> None:
    original = json.loads(path.read_text("utf-8"))
    with Store.open(store_url) as store:
        store.save_scenario(original, note="imported")
        back = store.scenario(original["name"])
    assert back is not None
    assert back.document == original
    # ... and it means the same scenario
    base = load_network()
    assert scenario_from_dict(back.document, base).changes == load_scenario(path, base).changes


names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1,
                max_size=30).filter(lambda s: s.strip())  # fmt: skip
ids = st.text("abcdefghijklmnopqrstuvwxyz_0123456789", min_size=1, max_size=20)
changes = st.one_of(
    st.builds(Closure, st.sampled_from(["nodes", "links", "countries"]), ids),
    st.builds(Intervention, ids),
    st.builds(DemandGrowth, st.floats(0.01, 100, allow_nan=False), st.one_of(st.none(), ids)),
    st.builds(
        SetValue,
        st.sampled_from(["services", "borders"]),
        ids,
        ids,
        st.sampled_from(["set", "scale", "add"]),
        st.one_of(st.floats(-1e9, 1e9, allow_nan=False), ids),
    ),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=names,
    note=st.text(
        st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=200
    ),
    typed=st.lists(changes, max_size=6),
)
def test_any_typed_scenario_round_trips(store_url: str, name: str, note: str, typed: list) -> None:
    document = {"name": name, "description": note, "changes": [change_to_dict(c) for c in typed]}
    with Store.open(store_url) as store:
        store.save_scenario(document, note=note, replace=True)
        back = store.scenario(name)
    assert back is not None
    assert back.document == document
    assert back.note == note


def test_a_name_or_note_postgresql_cannot_hold_is_refused_in_one_line(store_url: str) -> None:
    with Store.open(store_url) as store:
        for doc, note in (({"name": "a\x00b", "changes": []}, ""), ({"name": "ok"}, "x\x00"),
                          ({"name": "x" * 201}, ""), ({"name": "  "}, ""),
                          ({"name": "ok"}, "x\ud800"), ({"name": "a\udcff"}, ""),
                          ({"name": "ok", "description": "\ud800"}, "")):  # fmt: skip
            with pytest.raises(CorridorError):
                store.save_scenario(doc, note=note)
        assert store.scenarios() == []


def test_a_name_is_saved_once_unless_replaced(store_url: str) -> None:
    with Store.open(store_url) as store:
        store.save_scenario({"name": "s", "changes": []}, note="first")
        with pytest.raises(CorridorError, match="already stored"):
            store.save_scenario({"name": "s", "changes": [{"type": "intervention", "id": "x"}]})
        assert store.scenario("s").note == "first"  # type: ignore[union-attr]
        store.save_scenario({"name": "s", "changes": []}, note="second", replace=True)
        assert store.scenario("s").note == "second"  # type: ignore[union-attr]
        assert store.delete_scenario("s") is True
        assert store.scenario("s") is None
        assert store.delete_scenario("s") is False


def test_a_run_keeps_its_parameters_and_results(store_url: str) -> None:
    table = pd.DataFrame(
        {"corridor": ["middle", "northern"], "time_days": [18.25, 15.5], "n": [1, 2]}
    )
    with Store.open(store_url) as store:
        run_id = store.start_run(
            "analyze", {"scenario": "base", "origin": None}, seed=2**32 - 1,
            dataset=("ab" * 32, "eurasia-2024"), scenario="base",
        )  # fmt: skip
        assert store.run(run_id).status == "running"  # type: ignore[union-attr]
        store.finish_run(run_id, results={"routes": table, "summary": {"a": [1, 2.5]}})
        run = store.run(run_id)
        assert run is not None
        assert (run.status, run.seed, run.dataset_name) == ("done", 2**32 - 1, "eurasia-2024")
        assert run.parameters == {"scenario": "base", "origin": None}
        assert run.finished_at is not None and run.finished_at >= run.started_at
        assert run.results == ("routes", "summary")
        pd.testing.assert_frame_equal(store.result(run_id, "routes"), table)
        assert store.result(run_id, "summary") == {"a": [1, 2.5]}
        with pytest.raises(KeyError):
            store.result(run_id, "nothing")


def test_a_pyarrow_table_is_stored_and_read_back_as_a_dataframe(store_url: str) -> None:
    # `corridor assign` records its flows as a pyarrow table so it never imports pandas
    import pyarrow as pa

    columns = {"from": [1, 2], "to": [2, 1], "volume": [0.1, 1e300]}
    with Store.open(store_url) as store:
        run_id = store.start_run("assign", {})
        store.finish_run(run_id, results={"flows": pa.table(columns)})
        pd.testing.assert_frame_equal(store.result(run_id, "flows"), pd.DataFrame(columns))


def test_runs_filter_and_come_newest_first(store_url: str) -> None:
    with Store.open(store_url) as store:
        a = store.start_run("analyze", {}, scenario="x")
        b = store.start_run("simulate", {}, scenario="y")
        c = store.start_run("analyze", {}, scenario="y")
        store.finish_run(a, status="failed", error="boom")
        assert [r.id for r in store.runs()] == [c, b, a]
        assert [r.id for r in store.runs(command="analyze")] == [c, a]
        assert [r.id for r in store.runs(scenario="y")] == [c, b]
        assert [r.id for r in store.runs(status="failed")] == [a]
        assert store.run(a).error == "boom"  # type: ignore[union-attr]
        assert [r.id for r in store.runs(limit=1)] == [c]


def test_a_run_of_a_dead_process_shows_as_interrupted(store_url: str) -> None:
    import subprocess
    import sys

    code = (
        "import sys; from corridor.store.store import Store\n"
        f"s = Store.open({store_url!r}); print(s.start_run('sweep', {{}}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)  # fmt: skip
    with Store.open(store_url) as store:
        run = store.run(int(done.stdout))
        assert run is not None and run.status == "running"
        assert run.state() == "interrupted"
        mine = store.start_run("sweep", {})
        assert store.run(mine).state() == "running"  # type: ignore[union-attr]
