"""The appraisal on the dashboard: run ``corridor appraise`` as a background job.

``POST /api/appraise`` queues an appraisal of a built-in scenario (a name from
the list, never a path) under a budget, on the app's bounded job pool
(:mod:`corridor.web.jobs`): poll ``/api/jobs/{id}`` for its progress and, once
done, its result (the ``corridor appraise --json`` object); cancel it with
``/api/jobs/{id}/cancel``. One appraisal runs or waits at a time per app: it
re-runs the loaded network some hundred times and would take a worker from
the simulations for minutes. ``/appraisal`` is the page with the form and the
progress bar; ``/ui/appraisal/{id}`` renders a finished job with the report's
blocks (:func:`corridor.report.appraisal_section.appraisal_blocks`). Nothing
here computes: :func:`corridor.appraisal.api.appraise` does, in the worker
thread (``workers=1``), on the app's base-year calibration.
"""

from __future__ import annotations

import hmac
import re
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

    from corridor.web.jobs import Job, Jobs, Progress
    from corridor.web.service import Service

#: Largest budget the dashboard accepts, USD: more than the default catalogue's
#: whole capex (about USD 15.7 bn), so every portfolio can be asked for.
MAX_BUDGET_USD = 20e9
#: Discount rates the form offers (6 %: World Bank; 9 %: ADB; 3 %: low case).
DISCOUNT_RATES = (0.03, 0.06, 0.09, 0.12)
MAX_DISCOUNT_RATE = 0.2
#: Budgets the form proposes, USD million (any number up to the maximum may be typed).
BUDGET_STEPS_M = (20, 100, 500, 1000, 5000)
KIND = "appraise"


def expected_runs(measures: int, anchors: int) -> int:
    """About how many model runs an appraisal takes, for the job's estimated share done
    (its ``progress``; the page's bar follows the batch under way, whose total is known).

    One run per measure and growth anchor plus the base, then about as many again
    for the portfolio's rounds, its days per route, sensitivity and staged plan
    (110 runs for the 24 measures and 2 anchors of the default dataset).

    Examples
    --------
    >>> expected_runs(24, 2)
    110
    """
    return 2 * (measures + 1) * anchors + 10


def progress_fraction(runs: int, expected: int) -> float:
    """Share of the bar after ``runs`` runs: never full before the result is there.

    Examples
    --------
    >>> progress_fraction(55, 110), progress_fraction(500, 110)
    (0.5, 0.99)
    """
    return min(0.99, runs / expected) if expected > 0 else 0.0


def call_appraise(
    scenario: Any,
    budget_usd: float,
    discount_rate: float,
    progress: Progress,
    calibration: Any = None,
) -> dict[str, Any]:
    """Run :func:`corridor.appraisal.api.appraise` in this thread (one worker: the web
    app's pool bounds what runs at once), reporting after each model run the batch
    under way (its phase, runs done and total: known before it starts) and the
    whole job's share, estimated; ``calibration`` is the base year's, shared with the
    app's analyses."""
    from corridor.appraisal.api import appraise
    from corridor.appraisal.economics import Parameters
    from corridor.appraisal.measures import catalogue

    params = Parameters(discount_rate=discount_rate)
    expected = expected_runs(len(catalogue(scenario.apply())), len(params.anchors()))
    return appraise(
        scenario,
        budget_usd=budget_usd,
        params=params,
        progress=lambda p: progress(progress_fraction(p.runs, expected), p.phase, p.done, p.total),
        workers=1,
        calibration=calibration,
    )


def strip_svg_styles(html: str) -> str:
    """Drop ``<style>`` elements (matplotlib's SVG has one): the dashboard's CSP allows
    style sheets from the app only; what they set (line joins) is cosmetic."""
    return re.sub(r"<style[^>]*>.*?</style>", "", html, flags=re.S)


def add_appraisal_routes(app: FastAPI, templates: Any, service: Service, jobs: Jobs) -> None:
    """Register ``/api/appraise``, the ``/appraisal`` page and its result fragment."""
    from fastapi import HTTPException
    from fastapi import Query as Q
    from fastapi.responses import HTMLResponse

    from corridor.web.jobs import FINAL, QueueFull
    from corridor.web.service import require_known

    lock = threading.Lock()
    current: list[Job] = []  # the app's appraisal job, while it runs or waits

    @app.post("/api/appraise", tags=["appraisal"], status_code=202)
    def appraise_api(
        scenario: str = Q("base", description="Built-in scenario name (see /api/meta)"),
        budget_usd: float = Q(
            5e9, ge=0, le=MAX_BUDGET_USD, description="Total budget, USD of capex"
        ),
        discount_rate: float = Q(
            0.06, ge=0, le=MAX_DISCOUNT_RATE, description="Real discount rate"
        ),
    ) -> dict[str, Any]:
        """Queue an appraisal (`corridor appraise --json`) of a built-in scenario; poll
        `/api/jobs/{id}` for its progress and result, cancel with `/api/jobs/{id}/cancel`.

        One appraisal runs or waits at a time (429 otherwise); it takes a minute or more.
        """
        require_known("scenario", scenario, service.meta()["scenarios"])
        from corridor.model.scenario import load_scenario

        scen = load_scenario(scenario, service.base, builtin_only=True)
        with lock:
            if current and current[0].state not in FINAL:
                raise HTTPException(
                    429,
                    f"appraisal {current[0].id} is still {current[0].state}; wait for it or "
                    "cancel it",
                    headers={"Retry-After": "30"},
                )
            try:
                job = jobs.start(
                    KIND,
                    lambda progress: call_appraise(
                        scen, budget_usd, discount_rate, progress, service.calibration()
                    ),
                )
            except QueueFull as exc:
                raise HTTPException(429, str(exc), headers={"Retry-After": "10"}) from None
            current[:] = [job]
        return job.public()

    @app.get("/appraisal", response_class=HTMLResponse, include_in_schema=False)
    def appraisal_page(token: str = "") -> str:
        security = app.state.security
        known = security.token is not None and hmac.compare_digest(
            token.encode(), security.token.encode()
        )
        return str(
            templates.get_template("appraisal.html").render(
                dataset=service.base.name,
                scenarios=service.meta()["scenarios"],
                max_budget_m=MAX_BUDGET_USD / 1e6,
                budget_steps_m=BUDGET_STEPS_M,
                discount_rates=DISCOUNT_RATES,
                token=security.token if known else "",
                token_needed=security.token is not None,
            )
        )

    @app.get("/ui/appraisal/{job_id}", response_class=HTMLResponse, include_in_schema=False)
    def appraisal_fragment(job_id: str) -> str:
        from corridor.report.appraisal_section import appraisal_blocks

        job = jobs.get(job_id)
        if job is None or job.kind != KIND or job.state != "done":
            raise HTTPException(404, f"no finished appraisal '{job_id}'")
        result = job.result
        head = (
            f'<p class="appraisal-scenario">Scenario <b>{_esc(result["scenario"])}</b>, '
            f"{len(result['measures'])} measures, {result.get('model_runs', '?')} model runs.</p>"
        )
        body = strip_svg_styles("\n".join(appraisal_blocks(result)))
        return f'<section id="appraisal"><h2>Appraisal</h2>{head}{body}</section>'


def _esc(obj: object) -> str:
    import html

    return html.escape(str(obj))
