"""The store's tables (SQLAlchemy Core); the migrations create exactly these.

- ``datasets``: a dataset by the SHA-256 of its files, with its name.
- ``scenarios``: a named scenario document (the scenario file's JSON object,
  kept as imported), the dataset it was saved against, an author note.
- ``runs``: one computing command: its parameters, seed, package version,
  dataset, scenario, status and times.
- ``results``: what a run produced, as a Parquet table or a JSON document.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

datasets = Table(
    "datasets",
    metadata,
    Column("hash", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

scenarios = Table(
    "scenarios",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("dataset_hash", String(64), ForeignKey("datasets.hash"), nullable=True),
    Column("document", Text, nullable=False),
    Column("note", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("command", String(40), nullable=False, index=True),
    Column("parameters", Text, nullable=False),
    Column("seed", BigInteger, nullable=True),
    Column("version", String(40), nullable=False),
    Column("dataset_hash", String(64), ForeignKey("datasets.hash"), nullable=True),
    Column("scenario", String(200), nullable=True, index=True),
    Column("status", String(16), nullable=False),
    Column("error", Text, nullable=True),
    Column("host", String(200), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
)

results = Table(
    "results",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("rows", Integer, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("run_id", "name", name="uq_results_run_name"),
)
