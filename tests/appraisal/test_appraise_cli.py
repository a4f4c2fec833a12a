"""`corridor appraise --json` on the default dataset: the contract of issue 11."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from corridor.cli import build_app

runner = CliRunner()
MEASURE_KEYS = {
    "id", "kind", "country", "cost_usd", "pv_benefits_usd", "pv_costs_usd", "npv_usd",
    "bcr", "eirr",
}  # fmt: skip


def test_json_contract_on_the_default_dataset(tmp_path: Path) -> None:
    budget = 2e7
    result = runner.invoke(
        build_app(), ["appraise", "--budget", str(budget), "--json", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out == json.loads((tmp_path / "appraisal.json").read_text())
    page = (tmp_path / "appraisal.html").read_text()
    assert all(m["id"] in page for m in out["measures"])
    assert (tmp_path / "appraisal_tornado.png").read_bytes()[:4] == b"\x89PNG"
    measures = out["measures"]
    assert len(measures) >= 15
    for m in measures:
        assert set(m) >= MEASURE_KEYS
        assert abs(m["npv_usd"] - (m["pv_benefits_usd"] - m["pv_costs_usd"])) < 1e-3
    npvs = [m["npv_usd"] for m in measures]
    assert npvs == sorted(npvs, reverse=True)
    ids = {m["id"] for m in measures}
    assert "i_dostyk_moyinty_2nd_track" in ids and "i_dostyk_moyinty_2nd_track_a" not in ids
    p = out["portfolio"]
    assert {"ids", "cost_usd", "npv_usd", "budget_usd", "corridors"} <= set(p)
    assert p["budget_usd"] == budget
    assert 0 < p["cost_usd"] <= budget and p["npv_usd"] > 0
    cost = {m["id"]: m["cost_usd"] for m in measures}
    assert abs(sum(cost[i] for i in p["ids"]) - p["cost_usd"]) < 1e-6
    assert p["corridors"]
    for c in p["corridors"]:
        assert {"origin", "destination", "corridor", "days_before", "days_after"} <= set(c)
    # the portfolio shortens at least one Middle Corridor route
    assert any(
        c["corridor"].startswith("middle") and c["days_after"] < c["days_before"] - 0.1
        for c in p["corridors"]
    )


def test_a_bad_budget_is_one_line_and_exit_2() -> None:
    result = runner.invoke(build_app(), ["appraise", "--budget", "-5"])
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert "budget" in result.stderr


def test_bad_weights_and_years_are_one_line_and_exit_2() -> None:
    for args, word in (
        (["--scenarios", "base,red-sea-closed", "--weights", "1,x"], "--weights"),
        (["--scenarios", "base,red-sea-closed", "--weights", "1"], "weight"),
        (["--years", "2040-2026"], "--years"),
        (["--country-budget", "KZ"], "--country-budget"),
        (["--objective", "fastest"], "objective"),
    ):
        result = runner.invoke(build_app(), ["appraise", "--budget", "1e6", *args])
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr.strip().count("\n") == 0
        assert word in result.stderr
