"""The report's appraisal section from an appraisal of the tiny catalogue."""

from __future__ import annotations

import json
import re

from corridor.appraisal.api import appraise
from corridor.appraisal.economics import Parameters
from corridor.model.network import Network
from corridor.report.appraisal_section import appraisal_blocks, is_appraisal


def test_section_shows_ranking_portfolio_plan_and_tornado(tiny: Network) -> None:
    result = appraise(tiny, budget_usd=6e6, params=Parameters(horizon_years=15))
    json.dumps(result, allow_nan=False)  # the JSON contract: no NaN or infinity
    assert is_appraisal(result)
    html = "\n".join(appraisal_blocks(result))
    for m in result["measures"]:
        assert m["id"] in html
    p = result["portfolio"]
    assert p["ids"] and all(i in html for i in p["ids"])
    assert p["cost_usd"] <= 6e6
    assert "<svg" in html and "Staged plan" in html
    # the plan schedules exactly the portfolio's measures (or says which it dropped)
    planned = {m["id"] for m in p["staged_plan"]["measures"]} | set(p["staged_plan"]["dropped"])
    assert planned == set(p["ids"])
    assert len(re.findall(r"appraisal-sensitivity", html)) == 1
