"""Schemathesis against the live server's OpenAPI schema: no generated request gets a 5xx.

The default run is bounded (a few examples per operation); the ``slow`` run
tries many more. Simulations start on a one-worker pool with a short queue,
cancelled at the end, so generated POSTs cannot pile up work; an accepted
appraisal (minutes of model runs) is cancelled at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from web_browser_support import serve  # noqa: E402


@pytest.fixture(scope="module")
def fuzz_server(dataset: str | None) -> Iterator[tuple[str, Any]]:
    from corridor.web.app import create_app
    from corridor.web.jobs import Jobs

    jobs = Jobs(workers=1, queue_limit=2)
    with serve(create_app(dataset, jobs=jobs)) as url:
        yield url, jobs
    jobs.close()


def _fuzz(url: str, jobs: Any, max_examples: int) -> None:
    """Every operation of the live schema, ``max_examples`` generated requests each."""
    from hypothesis import given

    api = schemathesis.openapi.from_url(f"{url}/openapi.json")
    operations = [result.ok() for result in api.get_all_operations()]
    assert {op.path for op in operations} >= {"/api/analyze", "/api/simulate", "/api/appraise"}
    for op in operations:

        @given(case=op.as_strategy())
        @settings(max_examples=max_examples, deadline=None, suppress_health_check=list(HealthCheck))
        def call(case: Any) -> None:
            response = case.call(timeout=120)
            case.validate_response(response, checks=[not_a_server_error])
            if case.path == "/api/appraise" and response.status_code == 202:
                jobs.cancel(response.json()["id"])

        call()


def test_no_generated_request_gets_a_server_error(fuzz_server: tuple[str, Any]) -> None:
    _fuzz(*fuzz_server, max_examples=4)


@pytest.mark.slow
def test_no_generated_request_gets_a_server_error_many_examples(
    fuzz_server: tuple[str, Any],
) -> None:
    _fuzz(*fuzz_server, max_examples=200)
