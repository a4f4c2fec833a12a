"""Store fixtures: a fresh store on SQLite always, and on PostgreSQL when one is given.

``CORRIDOR_TEST_PG_URL`` names a PostgreSQL database whose role may create
databases (``.ci/run`` starts Debian's server and sets it); every test gets a
database of its own, dropped afterwards. Without the variable the PostgreSQL
cases are skipped, except in CI (``CI=true``), where a missing server fails.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tiny_network import TINY

PG_VARIABLE = "CORRIDOR_TEST_PG_URL"


def _pg_url() -> str | None:
    url = os.environ.get(PG_VARIABLE)
    if url is None and os.environ.get("CI") == "true":
        pytest.fail(f"CI must run the store tests on PostgreSQL: set {PG_VARIABLE}")
    return url


def _with_database(url: str, name: str) -> str:
    head, _, _ = url.rpartition("/")
    return f"{head}/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of an empty store: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield str(tmp_path / "store.sqlite")
        return
    admin = _pg_url()
    if admin is None:
        pytest.skip(f"no PostgreSQL server ({PG_VARIABLE} not set)")
    import psycopg

    name = f"corridor_test_{uuid.uuid4().hex[:12]}"
    conninfo = admin.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(admin, name)
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def tiny_dataset(tmp_path: Path) -> Callable[..., Path]:
    """Write the tiny dataset (optionally with replaced files) and return its folder."""

    def make(**replace: str) -> Path:
        folder = tmp_path / "tiny"
        folder.mkdir(exist_ok=True)
        for name, text in {**TINY, **replace}.items():
            (folder / f"{name}.csv").write_text(text, encoding="utf-8")
        return folder

    return make
