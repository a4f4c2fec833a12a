"""The dashboard's appraisal: a background job on the app's pool, the same answer as
`corridor appraise --json`, one appraisal at a time, the existing guards in front."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

# the appraisal tests' catalogue (tests/ is on the path)
from appraisal.appraisal_tiny import write_tiny
from corridor.cli import build_app
from corridor.web.appraisal_view import MAX_BUDGET_USD
from corridor.web.jobs import Jobs
from corridor.web.security import TOKEN_VARIABLE, Security

TOKEN = "appraisal-token-123"


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny network with its catalogue of measures (an appraisal takes seconds)."""
    return write_tiny(tmp_path_factory.mktemp("tiny"))


def _client(dataset: str | None, *, jobs: Jobs | None = None, **security: Any) -> Any:
    from fastapi.testclient import TestClient

    from corridor.web.app import create_app

    app = create_app(dataset, security=Security(**security), jobs=jobs)
    return TestClient(app, base_url="http://127.0.0.1")


@pytest.fixture(scope="module")
def tiny_client(tiny_folder: Path) -> Iterator[Any]:
    with _client(str(tiny_folder)) as c:
        yield c


def test_the_dashboard_answers_what_the_command_answers(
    tiny_client: Any, tiny_folder: Path
) -> None:
    r = tiny_client.post("/api/appraise", params={"budget_usd": 6e6, "discount_rate": 0.09})
    assert r.status_code == 202, r.text
    job_id = r.json()["id"]
    job = tiny_client.app.state.jobs.wait(job_id, timeout=600)
    assert job.state == "done", job.error
    web = tiny_client.get(f"/api/jobs/{job_id}").json()
    assert web["progress"] == 1.0
    cli = CliRunner().invoke(
        build_app(),
        ["appraise", "--dataset", str(tiny_folder), "--budget", "6e6", "--discount-rate", "0.09",
         "--json", "--no-store"],
    )  # fmt: skip
    assert cli.exit_code == 0, cli.output
    expected = json.loads(cli.stdout)
    got = web["result"]
    assert got["parameters"]["discount_rate"] == 0.09
    assert got["portfolio"]["ids"] == expected["portfolio"]["ids"] != []
    assert got["portfolio"]["budget_usd"] == 6e6
    assert [m["id"] for m in got["measures"]] == [m["id"] for m in expected["measures"]]
    assert [m["npv_usd"] for m in got["measures"]] == pytest.approx(
        [m["npv_usd"] for m in expected["measures"]]
    )
    # the fragment shows the ranking, the portfolio and the tornado, without inline styles
    page = tiny_client.get(f"/ui/appraisal/{job_id}")
    assert page.status_code == 200
    html = page.text
    assert all(m["id"] in html for m in got["measures"])
    assert ", ".join(got["portfolio"]["ids"]) in html
    assert "<svg" in html and "<style" not in html
    # the simulation's fragment, asked for an appraisal's id, is no server error
    assert tiny_client.get(f"/ui/job/{job_id}").status_code < 500


def test_one_appraisal_at_a_time_and_cancel_frees_the_place(tiny_folder: Path) -> None:
    jobs = Jobs(workers=0, queue_limit=4)  # nothing runs: the jobs wait where the test sees them
    with _client(str(tiny_folder), jobs=jobs) as c:
        first = c.post("/api/appraise", params={"budget_usd": 1e6})
        assert first.status_code == 202 and first.json()["state"] == "queued"
        second = c.post("/api/appraise", params={"budget_usd": 2e6})
        assert second.status_code == 429 and first.json()["id"] in second.json()["detail"]
        cancelled = c.post(f"/api/jobs/{first.json()['id']}/cancel")
        assert cancelled.json()["state"] == "cancelled"
        assert c.post("/api/appraise", params={"budget_usd": 2e6}).status_code == 202
        assert c.get(f"/ui/appraisal/{first.json()['id']}").status_code == 404


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"scenario": "no-such-scenario"}, 400),
        ({"scenario": "../../etc/scenario.json"}, 400),
        ({"budget_usd": MAX_BUDGET_USD * 1.01}, 422),
        ({"budget_usd": -1}, 422),
        ({"discount_rate": 0.5}, 422),
    ],
)
def test_bad_input_is_refused_before_any_job(
    tiny_folder: Path, params: dict[str, Any], status: int
) -> None:
    jobs = Jobs(workers=0)
    with _client(str(tiny_folder), jobs=jobs) as c:
        r = c.post("/api/appraise", params=params)
        assert r.status_code == status, r.text
        assert jobs.counts() == {}


def test_the_guards_of_every_post_hold(tiny_folder: Path) -> None:
    jobs = Jobs(workers=0)
    with _client(str(tiny_folder), jobs=jobs, host="0.0.0.0", token=TOKEN) as c:
        r = c.post("/api/appraise")
        assert r.status_code == 401 and TOKEN_VARIABLE in r.json()["detail"]
        cross = c.post(
            "/api/appraise",
            headers={"Authorization": f"Bearer {TOKEN}", "Origin": "http://evil.example"},
        )
        assert cross.status_code == 403
        assert jobs.counts() == {}
        assert TOKEN not in c.get("/appraisal").text
        assert f'content="{TOKEN}"' in c.get("/appraisal", params={"token": TOKEN}).text
        ok = c.post("/api/appraise", headers={"Authorization": f"Bearer {TOKEN}"})
        assert ok.status_code == 202


def test_the_page_offers_lists_and_a_bounded_budget(tiny_client: Any) -> None:
    page = tiny_client.get("/appraisal").text
    assert '<select name="scenario"' in page and 'type="text"' not in page
    assert f'max="{int(MAX_BUDGET_USD / 1e6)}"' in page
    assert "<style" not in page and "<script src=" in page
    spec = tiny_client.get("/openapi.json").json()
    params = {p["name"]: p["schema"] for p in spec["paths"]["/api/appraise"]["post"]["parameters"]}
    assert params["budget_usd"]["maximum"] == MAX_BUDGET_USD


def test_progress_counts_each_batch_of_runs_to_its_known_total(tiny_folder: Path) -> None:
    from corridor.appraisal.economics import Parameters
    from corridor.appraisal.measures import catalogue
    from corridor.model.network import load_network
    from corridor.model.scenario import Scenario
    from corridor.web.appraisal_view import call_appraise

    net = load_network(tiny_folder)
    reports: list[tuple[float, str, int, int]] = []

    def record(x: float, /, phase: str = "", done: int = 0, total: int = 0) -> None:
        reports.append((x, phase, done, total))

    result = call_appraise(Scenario("base", net), 6e6, 0.09, record)
    # one report per model run; the first batch is the base at each growth anchor
    # (the runs with measures start from its routes), the second every measure alone
    assert len(reports) == result["model_runs"]
    anchors = len(Parameters(discount_rate=0.09).anchors())
    assert reports[0][1:] == ("without any measure", 1, anchors)
    second = reports[anchors]
    assert second[1] == "each measure alone"
    assert second[3] == len(catalogue(net)) * anchors
    # every batch counts 1, 2, ... up to the total it announced from its first run
    i = 0
    while i < len(reports):
        phase, total = reports[i][1], reports[i][3]
        batch = reports[i : i + total]
        assert [r[2] for r in batch] == list(range(1, total + 1)), reports
        assert {(r[1], r[3]) for r in batch} == {(phase, total)}
        i += total
    assert any(r[1] == "sets of measures" for r in reports)
    shares = [r[0] for r in reports]
    assert shares == sorted(shares) and shares[-1] < 1
