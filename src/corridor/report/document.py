"""The self-contained HTML report: one file, inline CSS/JS/SVG, no request to any host.

Sections appear only when their data is present: the route comparison, the
map, the capacities, the demand not carried and the closed corridors, the
time/cost-distance charts and the leg breakdown come from the
``corridor analyze --json`` dict; transit-time distributions from a
simulation result; the intervention ranking from an appraisal; stress results
from a stress test; the sources from the network's sources table.
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from corridor.io.atomic import write_text
from corridor.report.distributions import (
    DIST_CSS,
    SAMPLE_KEYS,
    distribution_svg,
    simulation_parts,
)
from corridor.report.mapsvg import MAP_CSS, BaseMap, map_svg
from corridor.report.palette import corridor_label, same_route_as
from corridor.report.tables import (
    TABLES_CSS,
    capacities_table,
    closed_table,
    element_names,
    legs_table,
    records_table,
    routes_table,
    sources_table,
    unrouted_table,
    used_sources,
)
from corridor.report.tcd import TCD_CSS, TOOLTIP_JS, group_by_pair, pair_title, tcd_svg
from corridor.report.units import cost_text

__all__ = ["commodity_names", "node_names", "not_carried_parts", "render_report", "write_report"]

REPORT_CSS = """
:root{color-scheme:light}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#222;margin:0}
main{max-width:1150px;margin:0 auto;padding:12px 20px 40px}
header.top{background:#1f3a5a;color:#fff;padding:14px 20px}
header.top h1{margin:0;font-size:22px}
header.top p{margin:4px 0 0;opacity:.9}
nav.toc{position:sticky;top:0;background:#f5f7fa;border-bottom:1px solid #dde;padding:6px 20px;
z-index:5;font-size:13px}
nav.toc a{margin-right:14px;color:#1f3a5a;text-decoration:none}
h2{border-bottom:2px solid #1f3a5a;padding-bottom:3px;margin-top:34px}
table{border-collapse:collapse;margin:8px 0 16px;font-size:13px}
th,td{border-bottom:1px solid #e2e2e2;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f0f3f7}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
tr.total td{font-weight:600;border-top:2px solid #999}
tr.used td:first-child{font-weight:600}
.swatch{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:6px;
vertical-align:-1px}
.note{color:#555;font-size:12.5px}
.warn{background:#fff4e0;border-left:4px solid #e69500;padding:6px 10px}
figure{margin:10px 0 22px}
details{margin:4px 0}
summary{cursor:pointer;font-weight:600}
code{font-size:12px;word-break:break-all}
@media print{
 nav.toc,.tcd-tip{display:none!important}
 header.top{background:none;color:#000;border-bottom:2px solid #000}
 main{max-width:none;padding:0}
 body{font-size:11px}
 h2{break-before:page;margin-top:0}
 section#summary h2{break-before:avoid}
 figure,table.routes,svg{break-inside:avoid}
 table{font-size:10px}
 a{color:inherit;text-decoration:none}
}
"""

#: Opens every <details> before printing so that nothing is hidden on paper.
PRINT_JS = """
window.addEventListener('beforeprint',function(){
  document.querySelectorAll('details').forEach(function(d){d.open=true;});});
"""


def node_names(network: Any) -> dict[str, str]:
    """Node id → display name from ``network.nodes`` (empty without a network)."""
    nodes = getattr(network, "nodes", None)
    if nodes is None or not len(nodes) or "name" not in nodes.columns:
        return {}
    return {str(i): str(n) for i, n in zip(nodes["id"], nodes["name"], strict=True) if n}


def commodity_names(network: Any) -> dict[str, str]:
    """Commodity id → display name from ``network.commodities`` (empty without one)."""
    table = getattr(network, "commodities", None)
    if table is None or not len(table) or not {"id", "name"} <= set(table.columns):
        return {}
    return {str(i): str(n) for i, n in zip(table["id"], table["name"], strict=True) if n}


def not_carried_parts(analysis: Mapping[str, Any], network: Any = None) -> list[str]:
    """HTML of the demand the network could not carry and of the closed corridors.

    Empty when the analysis has neither; shared by the report and the dashboard.
    """
    unrouted = list(analysis.get("unrouted_demand") or [])
    closed = [x for x in analysis.get("not_offered") or [] if x.get("status") == "closed"]
    names, commodities = node_names(network), commodity_names(network)
    out = []
    if unrouted:
        out.append(
            '<p class="note">Demand of the whole network that no open route could carry in '
            "this scenario, in tonnes per year for bulk commodities and TEU per year for "
            "containers, with the element at capacity that refused it.</p>"
        )
        out.append(unrouted_table(unrouted, names, element_names(analysis, network), commodities))
    if closed:
        out.append(
            '<p class="note">Corridors closed for a pair shown here: no route satisfies '
            "them under this scenario's closures.</p>"
        )
        out.append(closed_table(closed, names, commodities))
    return out


def _esc(v: object) -> str:
    return html.escape(str(v))


def _records_sections(obj: Any, heading: str) -> list[str]:
    """Render another module's result without knowing its schema.

    A list of dicts becomes a table; a dict's list-of-dict values become one
    table each, its scalar values a key/value table.
    """
    if isinstance(obj, Sequence) and not isinstance(obj, str):
        rows = [r for r in obj if isinstance(r, Mapping)]
        return [records_table(rows)] if rows else []
    if not isinstance(obj, Mapping):
        return [f"<p>{_esc(obj)}</p>"]
    out = []
    scalars = {k: v for k, v in obj.items() if isinstance(v, str | int | float | bool) or v is None}
    if scalars:
        out.append(records_table([{"item": k, "value": v} for k, v in scalars.items()]))
    for k, v in obj.items():
        if isinstance(v, Sequence) and not isinstance(v, str) and v:
            rows = [_flat(r) for r in v if isinstance(r, Mapping)]
            if rows:
                out.append(f"<h3>{_esc(k.replace('_', ' ').capitalize())}</h3>")
                out.append(records_table(rows, css_class=f"records {heading}-{k}"))
    return out


def _flat(rec: Mapping[str, Any]) -> dict[str, Any]:
    """Drop long arrays (samples) and nested dicts from a record for a table."""
    out: dict[str, Any] = {}
    for k, v in rec.items():
        if k in SAMPLE_KEYS or isinstance(v, Mapping):
            continue
        if isinstance(v, list | tuple) and len(v) > 12:
            continue
        out[k] = v
    return out


def _section(sid: str, title: str, body: Iterable[str]) -> str:
    return f'<section id="{sid}"><h2>{_esc(title)}</h2>\n' + "\n".join(body) + "\n</section>"


def render_report(
    analysis: Mapping[str, Any],
    network: Any = None,
    *,
    simulation: Any = None,
    appraisal: Any = None,
    stress: Any = None,
    title: str | None = None,
    closed_countries: Iterable[str] = (),
    closed_nodes: Iterable[str] = (),
    base_map: BaseMap | None = None,
) -> str:
    """Return the report as one HTML string (see :func:`write_report`)."""
    routes: list[Mapping[str, Any]] = list(analysis.get("routes", []))
    names = node_names(network)
    dataset, scenario = analysis.get("dataset", ""), analysis.get("scenario", "base")
    title = title or f"Corridor comparison: {dataset}, scenario {scenario}"
    sections: list[tuple[str, str, list[str]]] = []
    capacities: list[Mapping[str, Any]] = list(analysis.get("capacities") or [])

    summary = [
        f"<p>Dataset <b>{_esc(dataset)}</b>, scenario <b>{_esc(scenario)}</b>"
        + (
            f", demand × {float(analysis['demand_growth']):g}"
            if analysis.get("demand_growth") not in (None, 1, 1.0)
            else ""
        )
        + f". {len(routes)} routes between {len(group_by_pair(routes))} origin–destination "
        "pairs. Times are door-to-door (moving + waiting at borders, transfers, ports and "
        "ferries); costs are USD per FEU for containers and USD per tonne for bulk "
        "commodities. p10–p90 is the spread of door-to-door days.</p>",
    ]
    if analysis.get("unrouted_demand"):
        summary.append(
            '<p class="warn">Some demand could not be carried: see '
            '<a href="#not-carried">Not carried and closed</a>.</p>'
        )
    summary.append(routes_table(routes, names) if routes else "<p>No route found.</p>")
    sections.append(("summary", "Route comparison", summary))

    if network is not None and getattr(network, "nodes", None) is not None:
        sections.append(
            (
                "map",
                "Network map",
                [
                    "<figure>"
                    + map_svg(
                        network,
                        routes,
                        base=base_map,
                        closed_countries=closed_countries,
                        closed_nodes=closed_nodes,
                        capacities=capacities,
                    )
                    + '<figcaption class="note">Corridors coloured (a corridor that gives '
                    "the same route as another is drawn once); circles at borders, "
                    "transfers, ports and ferry berths sized by waiting time, red ring when "
                    "the element is at least 90 % utilised; ▲ marks each route's binding "
                    "bottleneck; numbered squares are the most utilised elements of the "
                    "network. Hover for details.</figcaption></figure>"
                ],
            )
        )
    if capacities:
        sections.append(
            (
                "capacity",
                "Capacity and utilisation",
                [
                    '<p class="note">Capacity-limited elements carrying 2024 demand on the '
                    f"whole network, most utilised first (top {min(15, len(capacities))} of "
                    f"{len(capacities)}); highlighted from 90 %. Flows are assigned demand per "
                    "year, each direction separately, in the unit that binds: tonnes for "
                    "pipelines and other tonnage limits, TEU otherwise.</p>",
                    capacities_table(capacities, names),
                ],
            )
        )
    not_carried = not_carried_parts(analysis, network)
    if not_carried:
        sections.append(("not-carried", "Not carried and closed", not_carried))

    if routes:
        charts = [
            f'<figure data-pair="{_esc("|".join(key))}">{tcd_svg(group, names=names)}</figure>'
            for key, group in group_by_pair(routes)
        ]
        sections.append(
            (
                "tcd",
                "Time/cost-distance (UNESCAP)",
                [
                    '<p class="note">Cumulative distance along x; slopes are moving, vertical '
                    "jumps are waiting (time) or fixed fees (cost). The largest jumps are "
                    "named.</p>",
                    *charts,
                ],
            )
        )
        legs = []
        for key, group in group_by_pair(routes):
            legs.append(f"<h3>{_esc(pair_title(key, names))}</h3>")
            for r in group:
                same = same_route_as(r)
                if same:
                    legs.append(
                        f'<p class="note">{_esc(corridor_label(str(r.get("corridor", ""))))}: '
                        f"same route as {_esc(corridor_label(same))}.</p>"
                    )
                    continue
                legs.append(
                    f"<details><summary>{_esc(corridor_label(str(r.get('corridor', ''))))}: "
                    f"{float(r.get('time_days', 0)):.1f} days, "
                    f"{_esc(cost_text(r))}</summary>" + legs_table(r, names) + "</details>"
                )
        sections.append(("legs", "Where the time and money go", legs))

    if simulation is not None:
        sim_routes, rest = simulation_parts(simulation)
        body = [f"<figure>{svg}</figure>" for svg in distribution_svg(sim_routes, names)]
        if sim_routes:
            body.append(records_table([_flat(r) for r in sim_routes], css_class="records sim"))
        body += _records_sections(rest, "simulation") if rest else []
        sections.append(("simulation", "Transit-time distributions (simulation)", body))
    if appraisal:
        sections.append(
            ("appraisal", "Intervention ranking", _records_sections(appraisal, "appraisal"))
        )
    if stress:
        sections.append(("stress", "Stress tests", _records_sections(stress, "stress")))
    if network is not None and getattr(network, "sources", None) is not None:
        sections.append(
            (
                "sources",
                "Sources",
                [
                    '<p class="note">Every figure of the dataset has a source; those used by '
                    "the routes in this report come first. Reliability: A international "
                    "organisation, B official, C secondary, estimate = derived (method "
                    "given).</p>",
                    sources_table(network, used_sources(network, routes)),
                ],
            )
        )

    from corridor import __version__

    toc = "".join(f'<a href="#{sid}">{_esc(t)}</a>' for sid, t, _ in sections)
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{_esc(title)}</title>"
        f"<style>{REPORT_CSS}{TABLES_CSS}{TCD_CSS}{MAP_CSS}{DIST_CSS}</style></head><body>\n"
        f'<header class="top"><h1>{_esc(title)}</h1><p>corridor {_esc(__version__)} · '
        f"dataset {_esc(dataset)} · scenario {_esc(scenario)}</p></header>\n"
        f'<nav class="toc">{toc}</nav>\n<main>\n'
        + "\n".join(_section(sid, t, body) for sid, t, body in sections)
        + f"\n</main>\n<script>{TOOLTIP_JS}{PRINT_JS}</script>\n</body></html>\n"
    )


def write_report(
    analysis: Mapping[str, Any],
    network: Any,
    path: str | os.PathLike[str],
    *,
    simulation: Any = None,
    appraisal: Any = None,
    stress: Any = None,
    title: str | None = None,
    closed_countries: Iterable[str] = (),
    closed_nodes: Iterable[str] = (),
) -> Path:
    """Write the self-contained HTML report of an analysis (atomically).

    Parameters
    ----------
    analysis
        The ``corridor analyze --json`` dict.
    network
        The :class:`corridor.model.network.Network` the analysis ran on (for
        the map, node names and sources); ``None`` leaves those out.
    path
        Output ``.html`` file.
    simulation
        Optional simulation result: a :class:`corridor.simulation.SimulationResult`
        or a dict ``{"routes": [{corridor, origin, destination,
        samples_days: [...], ...}], ...}`` (see :func:`simulation_parts`).
    appraisal, stress
        Optional results of the appraisal and stress modules: a list of flat
        dicts, or a dict whose list values are lists of flat dicts.
    title
        Page title.
    closed_countries, closed_nodes
        A scenario's closures, drawn on the map.

    Returns
    -------
    Path
        The written file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "r.html"
    >>> _ = write_report({"dataset": "d", "scenario": "base", "routes": []}, None, out)
    >>> "Route comparison" in out.read_text()
    True
    """
    text = render_report(
        analysis,
        network,
        simulation=simulation,
        appraisal=appraisal,
        stress=stress,
        title=title,
        closed_countries=closed_countries,
        closed_nodes=closed_nodes,
    )
    write_text(path, text)
    return Path(path)
