"""The validation targets table (published outcomes) is well formed and names real dataset ids.

These tests check only the table `targets.csv` and its agreement with `docs/validation.md`.
They do not run the model: `test_model_vs_published.py` compares the model's figures with the
targets.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import corridor

HERE = Path(__file__).parent
TARGETS = HERE / "targets.csv"
DOC = HERE.parents[1] / "docs" / "validation.md"

COLUMNS = [
    "id",
    "quantity",
    "origin",
    "destination",
    "corridor",
    "commodity",
    "element",
    "metric",
    "statistic",
    "published_low",
    "published_high",
    "unit",
    "year",
    "source",
    "reliability",
    "note",
    "compare",
    "tolerance",
    "model_low",
    "model_high",
]
UNITS = {
    "time_days": "days",
    "border_hours": "h",
    "wait_hours": "h",
    "volume_teu_per_year": "TEU/yr",
    "volume_t_per_year": "t/yr",
    "cost_usd_per_feu": "USD/FEU",
}
STATISTICS = {"mean", "p10", "p90", "total"}
RELIABILITY = {"A", "B", "C"}
ELEMENT_METRICS = {"border_hours", "wait_hours"}


@pytest.fixture(scope="module")
def targets() -> pd.DataFrame:
    return pd.read_csv(TARGETS, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def network() -> Any:
    return corridor.load_network()


def test_columns(targets: pd.DataFrame) -> None:
    assert list(targets.columns) == COLUMNS


def test_ids_unique_slugs(targets: pd.DataFrame) -> None:
    assert targets["id"].is_unique, targets["id"][targets["id"].duplicated()].tolist()
    bad = [i for i in targets["id"] if not re.fullmatch(r"[a-z][a-z0-9_]*", i)]
    assert not bad


def test_required_text_filled(targets: pd.DataFrame) -> None:
    for column in ("quantity", "metric", "statistic", "unit", "year", "source", "reliability"):
        empty = targets.loc[targets[column].str.strip() == "", "id"].tolist()
        assert not empty, f"{column} empty in {empty}"


def test_metric_unit_statistic_reliability(targets: pd.DataFrame) -> None:
    for row in targets.itertuples():
        assert row.metric in UNITS, (row.id, row.metric)
        assert row.unit == UNITS[row.metric], (row.id, row.unit)
        assert row.statistic in STATISTICS, (row.id, row.statistic)
        assert row.reliability in RELIABILITY, (row.id, row.reliability)
        # volumes are yearly totals; times, hours and costs are not
        assert (row.statistic == "total") == row.metric.startswith("volume_"), row.id


def test_ranges(targets: pd.DataFrame) -> None:
    low = pd.to_numeric(targets["published_low"], errors="raise")
    high = pd.to_numeric(targets["published_high"], errors="raise")
    assert (low > 0).all()
    bad = targets.loc[low > high, "id"].tolist()
    assert not bad, f"published_low > published_high in {bad}"


def test_years(targets: pd.DataFrame) -> None:
    years = pd.to_numeric(targets["year"], errors="raise")
    assert years.between(2010, 2030).all()
    assert (years == years.round()).all()


def test_times_have_both_ends(targets: pd.DataFrame) -> None:
    times = targets[targets["metric"] == "time_days"]
    missing = times.loc[(times["origin"] == "") | (times["destination"] == ""), "id"].tolist()
    assert not missing


def test_element_metrics_name_an_element(targets: pd.DataFrame) -> None:
    rows = targets[targets["metric"].isin(ELEMENT_METRICS)]
    missing = rows.loc[rows["element"] == "", "id"].tolist()
    assert not missing


def _unknown(targets: pd.DataFrame, column: str, known: set[str]) -> list[tuple[str, str]]:
    return [
        (i, v) for i, v in zip(targets["id"], targets[column], strict=True) if v and v not in known
    ]


def test_nodes_exist(targets: pd.DataFrame, network: Any) -> None:
    nodes = set(network.nodes["id"])
    assert not _unknown(targets, "origin", nodes)
    assert not _unknown(targets, "destination", nodes)


def test_corridors_exist(targets: pd.DataFrame, network: Any) -> None:
    assert not _unknown(targets, "corridor", set(network.corridors["id"]))


def test_commodities_exist(targets: pd.DataFrame, network: Any) -> None:
    assert not _unknown(targets, "commodity", set(network.commodities["id"]))


def test_elements_exist(targets: pd.DataFrame, network: Any) -> None:
    elements = (
        set(network.borders["id"]) | set(network.services["id"]) | set(network.terminals["id"])
    )
    assert not _unknown(targets, "element", elements)


def test_element_lies_between_origin_and_destination(targets: pd.DataFrame, network: Any) -> None:
    """A border or wait row that names both ends names the element's own ends."""
    ends = {
        element: {start, end}
        for table in (network.borders, network.services)
        for element, start, end in zip(table["id"], table["from"], table["to"], strict=True)
    }
    rows = targets[targets["metric"].isin(ELEMENT_METRICS)]
    for row in rows.itertuples():
        if row.element in ends and row.origin and row.destination:
            assert {row.origin, row.destination} == ends[row.element], row.id


def test_every_target_documented(targets: pd.DataFrame) -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [i for i in targets["id"] if f"`{i}`" not in text]
    assert not missing, f"targets without a row in docs/validation.md: {missing}"
