"""Sweep specs: what they lay out, and one-line errors for bad ones."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.errors import DataError
from corridor.sweep.spec import DEFAULTS, Range, latin_hypercube, load_spec, point_key


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(text, "utf-8")
    return path


def test_a_grid_is_every_combination(tmp_path: Path) -> None:
    spec = load_spec(write(tmp_path, """
parameters:
  demand_growth: [1, 1.5, 2]
  closures: [[], [RU], [links:cd, AZ]]
  replications: [0, 5]
"""))  # fmt: skip
    points = spec.points()
    assert spec.name == "spec" and len(points) == 3 * 3 * 2
    seen = {(p["demand_growth"], tuple(p["closures"]), p["replications"]) for p in points}
    assert len(seen) == 18
    assert all(p["caspian_drop_m"] == DEFAULTS["caspian_drop_m"] for p in points)
    assert {tuple(p["closures"]) for p in points} == {(), ("RU",), ("links:cd", "AZ")}


def test_a_latin_hypercube_puts_one_point_in_each_stratum(tmp_path: Path) -> None:
    spec = load_spec(write(tmp_path, """
design: lhs
samples: 6
seed: 3
parameters:
  demand_growth: {min: 1.0, max: 4.0}
  interventions: [[], [i_a], [i_b]]
"""))  # fmt: skip
    assert spec.parameters["demand_growth"] == Range(1.0, 4.0)
    points = spec.points()
    strata = sorted(int((p["demand_growth"] - 1.0) / 3.0 * 6) for p in points)
    assert strata == [0, 1, 2, 3, 4, 5]
    # a list in a hypercube is sampled by strata too: each of 3 values twice in 6
    values = [tuple(p["interventions"]) for p in points]
    counts = {k: values.count(k) for k in [(), ("i_a",), ("i_b",)]}
    assert counts == {(): 2, ("i_a",): 2, ("i_b",): 2}
    assert spec.points() == points  # the seed fixes the draw


@settings(max_examples=50, deadline=None)
@given(n=st.integers(1, 60), dims=st.integers(1, 5), seed=st.integers(0, 2**32 - 1))
def test_latin_hypercube_strata_property(n: int, dims: int, seed: int) -> None:
    u = latin_hypercube(n, dims, seed=seed)
    assert u.shape == (n, dims) and ((u >= 0) & (u < 1)).all()
    for j in range(dims):
        assert sorted(np.floor(u[:, j] * n).astype(int).tolist()) == list(range(n))


def test_a_point_key_changes_with_the_point_the_settings_and_the_data() -> None:
    p = dict(DEFAULTS)
    fixed = {"scenario": "base", "days": 365, "seed": 1, "pairs": None}
    k = point_key(p, fixed, "a" * 64)
    assert k == point_key(dict(p), dict(fixed), "a" * 64)
    assert k != point_key({**p, "demand_growth": 1.5}, fixed, "a" * 64)
    assert k != point_key(p, {**fixed, "days": 30}, "a" * 64)
    assert k != point_key(p, fixed, "b" * 64)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("parameters: {growth: [1]}", "unknown parameter 'growth'"),
        ("parameters: {demand_growth: [0]}", "demand_growth: expected a value in (0, 100]"),
        ("parameters: {demand_growth: {min: 1, max: 2}}", "range is for lhs"),
        ("design: lhs\nparameters: {demand_growth: [1]}", "needs 'samples'"),
        ("parameters: {closures: [RU]}", "each value is a list of ids"),
        ("parameters: {replications: [1.5]}", "replications: expected a whole number in [0, 1000]"),
        ("parameters: {demand_growth: [1]}\nfoo: 1", "unknown key 'foo'"),
        ("parameters: [1, 2", "invalid YAML"),
        ("- just a list", "expected a mapping"),
        ("design: cube\nparameters: {demand_growth: [1]}", "design must be grid or lhs"),
    ],
)
def test_a_bad_spec_is_one_clear_line(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(DataError) as info:
        load_spec(path)
    assert message in str(info.value) and str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_an_unknown_id_fails_before_any_point_runs(
    tiny_dataset: Callable[[], Path], tmp_path: Path
) -> None:
    from corridor.sweep.run import run_sweep

    spec = load_spec(write(tmp_path, f"""
dataset: {tiny_dataset()}
parameters:
  interventions: [[], [no_such_measure]]
"""))  # fmt: skip
    with pytest.raises(DataError, match="interventions \\['no_such_measure'\\]") as info:
        run_sweep(spec, out=tmp_path / "out", workers=0, store=False)
    assert str(tmp_path / "spec.yaml") in str(info.value)
    assert not (tmp_path / "out" / "points").exists()
