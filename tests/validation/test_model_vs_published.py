"""The base model held to the published outcomes of docs/validation.md.

Each compared target (``compare`` = ``yes`` in ``targets.csv``) has one band:
the published range widened by its ``tolerance``, or, for a known difference
too large for that, the model's documented figure ±5 % (``model_low`` and
``model_high``). Any change that moves a figure out of its band must be
explained again in docs/validation.md. A control test shows that a wrong
border dwell is caught.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from model_figures import Figure, model_figure, read_targets

from corridor import load_network
from corridor.loaded.network import LoadedNetwork
from corridor.loaded.prepare import prepare
from corridor.model.network import Network
from corridor.model.scenario import Scenario, SetValue

TARGETS = read_targets()
COMPARED = TARGETS[TARGETS["compare"] == "yes"]
#: Widest tolerance a documented difference may have (larger ones are pinned).
MAX_TOLERANCE = 0.35


def band(row: Any) -> tuple[float, float]:
    """The range the model must lie in for one compared target."""
    if pd.notna(row.model_low):
        return float(row.model_low), float(row.model_high)
    tol = float(row.tolerance)
    return row.published_low * (1.0 - tol), row.published_high * (1.0 + tol)


def outside(
    loaded: LoadedNetwork, rows: pd.DataFrame
) -> dict[str, tuple[float, tuple[float, float]]]:
    """Compared targets whose model figure lies outside its band."""
    out = {}
    for row in rows.itertuples(index=False):
        low, high = band(row)
        value = model_figure(loaded, row).value
        if not low <= value <= high:
            out[row.id] = (value, (low, high))
    return out


@pytest.fixture(scope="module")
def base() -> Network:
    return load_network()


@pytest.fixture(scope="module")
def loaded(base: Network) -> LoadedNetwork:
    return prepare(base)


@pytest.fixture(scope="module")
def figures(loaded: LoadedNetwork) -> dict[str, Figure]:
    return {row.id: model_figure(loaded, row) for row in TARGETS.itertuples(index=False)}


def test_bands_are_documented_and_tight() -> None:
    """Every compared row has exactly one band; tolerances stay at or below 35 %."""
    for row in COMPARED.itertuples(index=False):
        pinned = pd.notna(row.model_low)
        assert pinned != pd.notna(row.tolerance), row.id
        if pinned:
            # the model's figure ±5 %, so a pin cannot hide a drift
            assert row.model_high / row.model_low == pytest.approx(1.05 / 0.95, rel=2e-3), row.id
        else:
            assert 0.0 < row.tolerance <= MAX_TOLERANCE, row.id
    skipped = TARGETS[TARGETS["compare"] != "yes"]
    assert set(skipped["compare"]) <= {"other year"}
    assert (skipped["year"] != 2024).all()
    assert skipped["tolerance"].isna().all() and skipped["model_low"].isna().all()


@pytest.mark.parametrize("target", COMPARED["id"].tolist())
def test_model_within_documented_band(target: str, figures: dict[str, Figure]) -> None:
    row = next(COMPARED[COMPARED["id"] == target].itertuples(index=False))
    low, high = band(row)
    value = figures[target].value
    assert low <= value <= high, (
        f"{target}: model {value:.4g} ({figures[target].source}) outside [{low:.4g}, {high:.4g}]"
        f"; published {row.published_low:g}–{row.published_high:g} {row.unit}."
        " Fix the model or dataset, or explain the new figure in docs/validation.md."
    )


def test_every_target_has_a_finite_figure(figures: dict[str, Figure]) -> None:
    """Other-year rows are not held to a band, but the doc still shows their figure."""
    assert set(figures) == set(TARGETS["id"])
    assert all(f.value == f.value and 0 < f.value < float("inf") for f in figures.values())


@pytest.mark.parametrize(
    ("border", "target"),
    [
        ("b_sarpi_sarp", "b_sarpi_sarp_2022"),  # in range
        ("b_alashankou_dostyk", "b_alashankou_dostyk_2022"),  # pinned
    ],
)
def test_doubled_border_dwell_is_caught(base: Network, border: str, target: str) -> None:
    """Control: the tests reject a model whose border dwell is twice the input."""
    wrong = prepare(
        Scenario(f"double-{border}", base, (SetValue("borders", border, "dwell_h", "scale", 2.0),))
    )
    borders = COMPARED[COMPARED["metric"] == "border_hours"]
    failed = outside(wrong, borders)
    assert target in failed, failed
