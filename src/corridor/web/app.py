"""The FastAPI app behind ``corridor serve``: a dashboard page and a JSON API.

Pages are rendered on the server (Jinja2 + the report's SVG/table
renderers); ``static/app.js`` only sends the form and swaps in HTML. The JSON
API under ``/api/`` returns the ``corridor analyze --json`` contract.
Everything is served from this process: no CDN, no map tiles. FastAPI's
Swagger UI would load from a CDN, so ``/docs`` is a small local page that
reads ``/openapi.json``.

Security (Host and Origin checks, the bearer token, size limits, headers) is
:mod:`corridor.web.security`; the bounded job pool is :mod:`corridor.web.jobs`.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi import Query as Q
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from corridor.errors import CorridorError
from corridor.model.schema import PARAMETERS
from corridor.web import jobs as jobs_module
from corridor.web.jobs import MAX_REPLICATIONS, Jobs, QueueFull
from corridor.web.security import Security, SecurityMiddleware
from corridor.web.service import Query, Service, simulation_available

MAX_GROWTH = PARAMETERS["growth"].hi
MAX_SEED = int(PARAMETERS["seed"].hi)


def _query(
    origin: str = Q(..., description="Origin node id, e.g. xian"),
    destination: str = Q(..., description="Destination node id, e.g. duisburg"),
    commodity: str = Q("containers", description="Commodity id"),
    scenario: str = Q("base", description="Built-in scenario name"),
    close: list[str] = Q([], description="Closures as component:id, e.g. countries:RU"),
    intervention: list[str] = Q([], description="Intervention ids to apply"),
    growth: float = Q(1.0, gt=0, le=MAX_GROWTH, description="Factor on all demand"),
    seed: int = Q(0, ge=0, le=MAX_SEED, description="Seed of the simulation"),
) -> Query:
    return Query(
        origin, destination, commodity, scenario, tuple(sorted(set(close))),
        tuple(sorted(set(intervention))), growth, seed,
    )  # fmt: skip


def create_app(
    network_path: str | None = None,
    *,
    security: Security | None = None,
    jobs: Jobs | None = None,
    store_db: str | None = None,
) -> Any:
    """Build the web app for a dataset (``None`` = the embedded default).

    Parameters
    ----------
    network_path
        Dataset folder or embedded dataset name.
    security
        Accepted hosts, bearer token and size limits (default: loopback, no token).
    jobs
        The simulation job pool (default: 2 workers, 8 waiting jobs).
    store_db
        The store listed at ``/store`` (default: ``CORRIDOR_DB_URL`` or the user's file).

    Returns
    -------
    fastapi.FastAPI
        The app; run it with ``uvicorn`` or ``corridor serve``.
    """
    import jinja2

    from corridor.report.distributions import distribution_svg, simulation_parts
    from corridor.report.document import (
        node_names,
        not_carried_parts,
        render_report,
        report_css,
    )
    from corridor.report.mapsvg import map_svg
    from corridor.report.palette import corridor_label, same_route_as
    from corridor.report.sections import ReportContext
    from corridor.report.summary import pair_findings_html
    from corridor.report.tables import (
        binding_bottleneck,
        capacities_table,
        legs_table,
        routes_table,
    )
    from corridor.report.tcd import tcd_svg
    from corridor.report.units import cost_text, percent_text

    service = Service.load(network_path)
    security = security or Security()
    jobs = jobs or Jobs()
    templates = jinja2.Environment(
        loader=jinja2.PackageLoader("corridor.web", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
    )
    templates.filters["cost"] = cost_text
    templates.filters["binding_bottleneck"] = binding_bottleneck
    templates.filters["percent"] = percent_text

    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        yield
        jobs.close()

    app = FastAPI(
        lifespan=lifespan,
        title="corridor",
        version=_version(),
        description="Eurasian freight corridors: routes, times, costs and bottlenecks. "
        "`/api/analyze` returns the same JSON as `corridor analyze --json`.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.service = service
    app.state.jobs = jobs
    app.state.security = security
    app.add_middleware(SecurityMiddleware, security=security)
    static = resources.files("corridor.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    @app.exception_handler(CorridorError)
    async def _user_error(request: Request, exc: CorridorError) -> Response:
        if request.url.path.startswith("/ui/"):
            return HTMLResponse(f'<p class="error">{_esc(exc)}</p>', status_code=400)
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index(token: str = "") -> str:
        # The page passes the token on to its POSTs only when opened with the right ?token=.
        known = security.token is not None and hmac.compare_digest(
            token.encode(), security.token.encode()
        )
        return templates.get_template("index.html").render(
            meta=service.meta(),
            version=_version(),
            token=security.token if known else "",
            token_needed=security.token is not None,
            max_replications=MAX_REPLICATIONS,
            max_growth=MAX_GROWTH,
        )

    stylesheet = report_css()

    @app.get("/ui/report.css", include_in_schema=False)
    def css() -> Response:
        # Served as a file, not inlined, so the CSP can stay style-src 'self'.
        return Response(stylesheet, media_type="text/css")

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def docs() -> str:
        return templates.get_template("docs.html").render(version=_version())

    @app.get("/api/health", tags=["meta"])
    def health() -> dict[str, Any]:
        """Liveness: the dataset name and the package version."""
        return {"status": "ok", "dataset": service.base.name, "version": _version()}

    @app.get("/api/meta", tags=["meta"])
    def meta() -> dict[str, Any]:
        """Choices: places, default pairs, commodities, scenarios, closable elements."""
        return service.meta()

    @app.get("/api/analyze", tags=["analysis"])
    def analyze(q: Query = Depends(_query)) -> dict[str, Any]:
        """Compare the corridors for one OD pair: the `corridor analyze --json` contract."""
        return service.analyze(q)[0]

    @app.get("/api/report", response_class=HTMLResponse, tags=["analysis"])
    def report(q: Query = Depends(_query)) -> Response:
        """The self-contained HTML report of the same analysis, as a download."""
        result, net = service.analyze(q)
        countries, nodes = _closed(q)
        text = render_report(
            result, net, base_map=service.base_map, closed_countries=countries,
            closed_nodes=nodes,
        )  # fmt: skip
        name = f"corridor_{q.origin}_{q.destination}.html"
        return HTMLResponse(text, headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @app.get("/ui/result", response_class=HTMLResponse, include_in_schema=False)
    def result_fragment(q: Query = Depends(_query)) -> str:
        result, net = service.analyze(q)
        countries, nodes = _closed(q)
        names = node_names(net)
        routes = result["routes"]
        capacities = result.get("capacities") or []
        return templates.get_template("result.html").render(
            result=result,
            routes=routes,
            findings=pair_findings_html(
                ReportContext(analysis=result, names=names),
                (q.origin, q.destination, q.commodity),
                routes,
            ),
            table=routes_table(routes, names, differences=result.get("difference_from_base")),
            changes=service.changes(q),
            map=map_svg(
                net,
                routes,
                base=service.base_map,
                closed_countries=countries,
                closed_nodes=nodes,
                capacities=capacities,
            ),
            tcd=tcd_svg(routes, names=names) if routes else "",
            legs=[
                (corridor_label(r["corridor"]), r, legs_table(r, names))
                for r in routes
                if not same_route_as(r)
            ],
            same=[
                (corridor_label(r["corridor"]), corridor_label(same))
                for r in routes
                if (same := same_route_as(r))
            ],
            capacities=capacities_table(capacities, names) if capacities else "",
            capacities_count=len(capacities),
            not_carried=not_carried_parts(result, net),
        )

    @app.post("/api/simulate", tags=["simulation"], status_code=202)
    def simulate(
        q: Query = Depends(_query),
        replications: int = Q(100, ge=1, le=MAX_REPLICATIONS, description="Replications"),
    ) -> dict[str, Any]:
        """Queue a simulation of the query's scenario; poll `/api/jobs/{id}` for progress.

        Jobs run on a bounded pool (by default 2 at once, 8 waiting); when full: 429.
        """
        if not simulation_available():
            raise HTTPException(501, "the simulation module is not installed in this version")
        _result, net = service.analyze(q)
        call = jobs_module.call_simulate
        try:
            job = jobs.start("simulate", lambda progress: call(net, replications, q.seed, progress))
        except QueueFull as exc:
            raise HTTPException(429, str(exc), headers={"Retry-After": "10"}) from None
        job.query = q
        return job.public()

    @app.post("/api/jobs/{job_id}/cancel", tags=["simulation"])
    def cancel(job_id: str) -> dict[str, Any]:
        """Cancel a queued job, or stop a running one at its next progress report."""
        job = jobs.cancel(job_id)
        if job is None:
            raise HTTPException(404, f"no job '{job_id}'")
        if job.state in ("done", "failed"):
            raise HTTPException(
                409, f"job '{job_id}' has already {'finished' if job.state == 'done' else 'failed'}"
            )
        return job.public()

    @app.get("/api/jobs/{job_id}", tags=["simulation"])
    def job_status(job_id: str) -> dict[str, Any]:
        """State and progress (0–1) of a background job; the result once done."""
        job = jobs.get(job_id)
        if job is None:
            raise HTTPException(404, f"no job '{job_id}'")
        out = job.public()
        if job.state == "done":
            res = job.result.to_dict() if hasattr(job.result, "to_dict") else job.result
            out["result"] = json.loads(json.dumps(res, default=_jsonable))
        return out

    @app.get("/ui/job/{job_id}", response_class=HTMLResponse, include_in_schema=False)
    def job_fragment(job_id: str) -> str:
        job = jobs.get(job_id)
        if job is None or job.state != "done":
            raise HTTPException(404, f"no finished job '{job_id}'")
        sim_routes, _rest = simulation_parts(job.result)
        q = job.query
        mine = [
            r for r in sim_routes
            if q is None or (r.get("origin"), r.get("destination")) == (q.origin, q.destination)
        ]  # fmt: skip
        figures = distribution_svg(mine or sim_routes, node_names(service.base))
        return (
            '<section id="r-sim"><h2>Simulated door-to-door days'
            "</h2>" + "".join(f"<figure>{f}</figure>" for f in figures) + "</section>"
        )

    from corridor.web.store_view import add_store_routes

    add_store_routes(app, templates, db=store_db)
    from corridor.web.stress_view import add_stress_routes

    add_stress_routes(app, templates, service)
    from corridor.web.appraisal_view import add_appraisal_routes

    add_appraisal_routes(app, templates, service, jobs)
    return app


def _closed(q: Query) -> tuple[list[str], list[str]]:
    """Closed countries and closed places of a query, for the map."""
    closures = q.closures()
    return [i for c, i in closures if c == "countries"], [i for c, i in closures if c == "nodes"]


def _jsonable(obj: Any) -> Any:
    tolist = getattr(obj, "tolist", None)
    if callable(tolist):
        return tolist()
    return str(obj)


def _esc(obj: object) -> str:
    import html

    return html.escape(str(obj))


def _version() -> str:
    from corridor import __version__

    return __version__
