"""The stress test on the dashboard: choose closures and outages from lists, see the result.

``GET /api/stress`` returns the ``corridor stress --json`` object; ``/stress``
is a page with a form (countries, borders, services, pipelines and terminals
to close, an outage of days, the Caspian's fall) and, once asked, the same
content as the report's stress section
(:func:`corridor.report.stress_section.summary_body`). Nothing here computes:
:func:`corridor.resilience.stress.stress` does, on the base year's
calibration of the app's :class:`~corridor.web.service.Service`; the last few
results are kept per app.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from corridor.errors import CorridorError, UnknownIdError
from corridor.model.schema import PARAMETERS

if TYPE_CHECKING:
    from fastapi import FastAPI

    from corridor.web.service import Service

#: Caspian fall the form and the API accept: below 5 m, where draft-limited ships load
#: nothing (the interval of `corridor stress --caspian-drop-m`, from the schema).
MAX_CASPIAN_DROP_M = PARAMETERS["caspian_drop_m"].hi
#: Most closures or outages one request may hold.
MAX_ITEMS = 40
#: Falls of the Caspian offered by the form, in metres.
CASPIAN_STEPS = (0.0, 0.5, 1.0, 1.5, 2.0)


@dataclass(frozen=True)
class StressQuery:
    """One stress request: closures ``component:id``, outages ``element:days``, the fall."""

    close: tuple[str, ...] = ()
    outage: tuple[str, ...] = ()
    caspian_drop_m: float = 0.0
    commodity: str | None = None

    @property
    def empty(self) -> bool:
        """Whether the request disrupts nothing."""
        return not (self.close or self.outage or self.caspian_drop_m)


@dataclass
class StressResults:
    """The last ``size`` stress results of one app, computed once each."""

    service: Service
    size: int = 8
    _cache: OrderedDict[StressQuery, dict[str, Any]] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def scenario(self, q: StressQuery) -> Any:
        """The stress scenario of a query on the base network (ids checked, one-line errors)."""
        from corridor.model.scenario import CLOSABLE
        from corridor.resilience.disruptions import named_number, stress_scenario

        if len(q.close) + len(q.outage) > MAX_ITEMS:
            raise CorridorError(f"at most {MAX_ITEMS} closures and outages at once")
        for item in q.close:  # the form sends component:id, never a path
            component, sep, ident = item.partition(":")
            if not sep or component not in CLOSABLE or not ident:
                raise CorridorError(
                    f"bad closure '{item}': expected component:id with component one of "
                    + ", ".join(CLOSABLE)
                )
        outages = tuple(
            named_number(item, "outage", "ELEMENT:DAYS, e.g. p_cpc:30") for item in q.outage
        )
        base = self.service.base
        if q.commodity is not None and base.row("commodities", q.commodity) is None:
            raise UnknownIdError(f"unknown commodity '{q.commodity}'")
        return stress_scenario(
            base, close=q.close, outages=outages, caspian_drop_m=q.caspian_drop_m
        )

    def get(self, q: StressQuery) -> dict[str, Any]:
        """The stress object of a query (from the cache when asked before)."""
        with self._lock:
            hit = self._cache.get(q)
            if hit is not None:
                self._cache.move_to_end(q)
                return hit
        from corridor.resilience.stress import stress

        result = stress(
            self.scenario(q), commodity=q.commodity, calibration=self.service.calibration()
        )
        result["dataset"] = self.service.base.name
        with self._lock:
            self._cache[q] = result
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return result


def _choices(service: Service) -> dict[str, Any]:
    """The form's lists: closable countries, borders, services, pipelines and terminals,
    and the elements an outage may take out (those with a stated capacity)."""
    import numpy as np

    meta = service.meta()
    net = service.base
    links = net.links
    pipelines = links[links["mode"] == "pipeline"]
    names = meta["place_names"]

    def pipe(r: dict[str, Any]) -> dict[str, str]:
        frm, to = names.get(r["from"], r["from"]), names.get(r["to"], r["to"])
        return {"id": str(r["id"]), "name": f"{r['id']} ({frm} – {to})"}

    terminals = [
        {"id": str(r["id"]), "name": f"{names.get(r['node'], r['node'])} ({r['kind']})"}
        for r in net.terminals.to_dict("records")
    ]
    limited = [
        pipe(r)
        for r in pipelines.to_dict("records")
        if np.isfinite(float(r["capacity_t_per_year"]))
    ] + [
        {"id": str(r["id"]), "name": f"{names.get(r['node'], r['node'])} ({r['kind']})"}
        for r in net.terminals.to_dict("records")
        if np.isfinite(float(r["capacity_teu_per_year"]))
        or np.isfinite(float(r.get("capacity_t_per_year", np.inf)))
    ]
    return {
        "countries": meta["closable"]["countries"],
        "borders": meta["closable"]["borders"],
        "services": meta["closable"]["services"],
        "pipelines": [pipe(r) for r in pipelines.to_dict("records")],
        "terminals": terminals,
        "outage_elements": limited,
        "commodities": meta["commodities"],
        "caspian_steps": CASPIAN_STEPS,
    }


def add_stress_routes(app: FastAPI, templates: Any, service: Service) -> None:
    """Register ``/api/stress`` and the ``/stress`` page on the dashboard app."""
    from fastapi import Query
    from fastapi.responses import HTMLResponse

    from corridor.report.document import node_names
    from corridor.report.stress_section import summary_body

    results = StressResults(service)

    def query(
        close: list[str], outage: list[str], caspian_drop_m: float, commodity: str | None
    ) -> StressQuery:
        return StressQuery(
            tuple(sorted(set(close))), tuple(sorted(set(outage))), caspian_drop_m,
            commodity or None,
        )  # fmt: skip

    @app.get("/api/stress", tags=["stress"])
    def stress_api(
        close: list[str] = Query([], description="Closures as component:id, e.g. countries:RU"),
        outage: list[str] = Query([], description="Outages as element:days, e.g. p_cpc:30"),
        caspian_drop_m: float = Query(
            0.0, ge=0, lt=MAX_CASPIAN_DROP_M, description="Metres the Caspian falls"
        ),
        commodity: str | None = Query(None, description="Only this commodity"),
    ) -> dict[str, Any]:
        """Stress the network: the `corridor stress --json` object (routes before and after,
        exposure, stranded volume, min cuts between regions)."""
        return results.get(query(close, outage, caspian_drop_m, commodity))

    @app.get("/stress", response_class=HTMLResponse, include_in_schema=False)
    def stress_page(
        close: list[str] = Query([]),
        outage_element: str = Query(""),
        outage_days: float = Query(0.0, ge=0, le=365),
        caspian_drop_m: float = Query(0.0, ge=0, lt=MAX_CASPIAN_DROP_M),
    ) -> str:
        outage = [f"{outage_element}:{outage_days:g}"] if outage_element and outage_days else []
        q = query(close, outage, caspian_drop_m, None)
        body, error = "", ""
        if not q.empty:
            try:
                body = summary_body(
                    results.get(q), service.base, names=node_names(service.base),
                    base=service.base_map,
                )  # fmt: skip
            except CorridorError as exc:
                error = str(exc)
        return str(
            templates.get_template("stress.html").render(
                choices=_choices(service),
                chosen=set(q.close),
                outage_element=outage_element,
                outage_days=outage_days,
                caspian_drop_m=caspian_drop_m,
                body=body,
                error=error,
                dataset=service.base.name,
            )
        )
