"""The dashboard's appraisal page in a real headless Chromium: a run with its progress bar
and result (the tiny catalogue: seconds), and a cancelled run on the default dataset."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from web_browser_support import Guard, screenshot, serve

# the appraisal tests' catalogue (tests/ is on the path)
from appraisal.appraisal_tiny import write_tiny

pytestmark = pytest.mark.browser

WAIT_MS = 300_000


#: Seconds each model run of the tiny catalogue is held back in the server: on a quiet
#: machine the whole tiny appraisal ends within one of the page's half-second polls, and
#: the test must see the bar move while the model runs (the default dataset needs no pacing).
PACE_S = 0.15


@pytest.fixture(scope="module")
def tiny_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import time

    from corridor.appraisal import runner
    from corridor.web.app import create_app

    folder = write_tiny(tmp_path_factory.mktemp("tiny"))
    real = runner.run_job

    def paced(job: runner.Job) -> Any:
        time.sleep(PACE_S)
        return real(job)

    with pytest.MonkeyPatch.context() as mp:
        # the app appraises in its own thread of this process (workers=1), so the runner
        # looks the function up here
        mp.setattr(runner, "run_job", paced)
        with serve(create_app(str(folder))) as url:
            yield url


def _column(page: Any, css: str, key: str) -> list[str]:
    return list(
        page.eval_on_selector_all(
            f"#appraisal-result table.{css} td[data-key='{key}']",
            "cs => cs.map(c => c.textContent.trim())",
        )
    )


def test_an_appraisal_shows_its_progress_then_its_result(
    tiny_server: str, guarded_page: tuple[Any, Guard]
) -> None:
    page, guard = guarded_page
    guard.allowed = tiny_server
    polls: list[dict[str, Any]] = []

    def record(response: Any) -> None:
        if "/api/jobs/" in response.url and response.request.method == "GET":
            polls.append(json.loads(response.body()))

    page.on("response", record)
    page.goto(tiny_server + "/")
    page.click("a[href='/appraisal']")
    page.wait_for_selector("#appraisal-form")
    assert page.locator("#appraisal-form input[type=text]").count() == 0  # lists and numbers
    page.fill("#appraisal-budget", "6")  # USD million
    page.evaluate(
        """() => { window.statuses = [];
        new MutationObserver(() => window.statuses.push(
            document.getElementById('appraisal-status').textContent))
          .observe(document.getElementById('appraisal-status'), {childList: true}); }"""
    )
    page.click("#appraisal-run")
    assert page.is_visible("#appraisal-progress")
    page.wait_for_selector("#appraisal-result[data-done]", timeout=WAIT_MS)
    job_id = page.eval_on_selector("#appraisal-result", "e => e.dataset.done")
    api = httpx.get(f"{tiny_server}/api/jobs/{job_id}", timeout=60).json()["result"]
    # the bar moved while the model ran, and was full only once the result was there
    running = [p for p in polls if p["state"] == "running"]
    assert any(0 < p["progress"] < 1 for p in running), polls
    # each poll names the batch of model runs under way and counts it to its known total
    batches = [p for p in running if p["total"] > 0]
    assert batches and all(0 < p["done"] <= p["total"] and p["phase"] for p in batches), polls
    shown = page.evaluate("() => window.statuses")
    assert any(
        f"{p['phase']}, {p['done']} of {p['total']} model runs" in text
        for p in batches
        for text in shown
    ), shown
    assert page.eval_on_selector("#appraisal-progress", "e => e.value") == 1
    assert page.inner_text("#appraisal-status") == "Appraisal done."
    assert api["portfolio"]["budget_usd"] == 6e6
    assert _column(page, "appraisal-ranking", "measure") == [m["id"] for m in api["measures"]]
    assert _column(page, "appraisal-plan", "measure") == [
        m["id"] for m in api["portfolio"]["staged_plan"]["measures"]
    ]
    assert ", ".join(api["portfolio"]["ids"]) in page.inner_text("#appraisal-result")
    assert page.locator("#appraisal-result figure.tornado svg").count() == 1
    screenshot(page, "appraisal.png")
    assert guard.errors == [] and guard.blocked == []


def test_an_appraisal_of_the_default_dataset_can_be_cancelled(
    live_server: str, guarded_page: tuple[Any, Guard]
) -> None:
    page, guard = guarded_page
    guard.allowed = live_server
    page.goto(live_server + "/appraisal")
    page.select_option("#appraisal-scenario", "base")
    page.click("#appraisal-run")
    page.wait_for_function(
        "() => document.getElementById('appraisal-status').textContent.startsWith('Appraising')",
        timeout=WAIT_MS,
    )
    job_id = page.eval_on_selector("#appraisal-result", "e => e.dataset.job")
    page.click("#appraisal-cancel")
    page.wait_for_function(
        "() => document.getElementById('appraisal-status').textContent === 'Appraisal cancelled.'",
        timeout=WAIT_MS,
    )
    assert httpx.get(f"{live_server}/api/jobs/{job_id}", timeout=60).json()["state"] == (
        "cancelled"
    )
    assert page.is_hidden("#appraisal-cancel") and page.is_enabled("#appraisal-run")
    assert guard.errors == [] and guard.blocked == []
