"""Which store a command opens, and a dataset's identity."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from corridor.model.network import load_network
from corridor.store.datasets import dataset_hash
from corridor.store.location import default_path, shown, store_url


def test_db_option_wins_over_the_environment_and_the_default(tmp_path: Path) -> None:
    env = {"CORRIDOR_DB_URL": "postgresql://u:p@h/db"}
    assert store_url(tmp_path / "a.sqlite", environ=env) == f"sqlite:///{tmp_path}/a.sqlite"
    assert store_url("sqlite:///x.sqlite", environ=env) == "sqlite:///x.sqlite"
    assert store_url(None, environ=env) == "postgresql+psycopg://u:p@h/db"
    assert store_url(None, environ={"CORRIDOR_DB_URL": "postgres://h/db"}) == (
        "postgresql+psycopg://h/db"
    )
    assert store_url(None, environ={}) == f"sqlite:///{default_path()}"


def test_the_default_store_follows_xdg_data_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_path() == tmp_path / "corridor" / "corridor.sqlite"


def test_messages_hide_the_password() -> None:
    assert (
        shown("postgresql+psycopg://me:secret@db:5432/c") == "postgresql+psycopg://me:***@db:5432/c"
    )
    assert "secret" not in shown("postgresql://me:secret@db/c")
    assert shown("sqlite:////tmp/a.sqlite") == "sqlite:////tmp/a.sqlite"


def test_the_dataset_hash_follows_the_files_not_their_place(
    tiny_dataset: Callable[..., Path], tmp_path: Path
) -> None:
    folder = tiny_dataset()
    copy = tmp_path / "elsewhere" / "tiny"
    shutil.copytree(folder, copy)
    same = dataset_hash(load_network(folder))
    assert dataset_hash(load_network(copy)) == same
    links = copy / "links.csv"
    links.write_text(links.read_text().replace("ab,a,b,rail_1435,500", "ab,a,b,rail_1435,501"))
    assert dataset_hash(load_network(copy)) != same
