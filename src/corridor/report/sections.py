"""The report's sections: each a function of one :class:`ReportContext`.

:data:`DEFAULT_SECTIONS` is the document's order. A section renderer takes the
context and returns a :class:`Section` (or ``None`` when it has nothing to
show); :func:`corridor.report.document.render_report` assembles them. Another
module adds its own part by writing a renderer and listing it here (or
passing it as ``extra_sections``): the appraisal and resilience sections hook
in this way. Sections marked ``detail`` appear only with ``--detail`` (the
full appendix); the default document stays around a dozen printed pages.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from corridor.report.bars import stacked_bars_svg
from corridor.report.breakdown import COST_KINDS, TIME_KINDS, cost_by_kind, time_by_kind
from corridor.report.distributions import SAMPLE_KEYS, distribution_svg, simulation_parts
from corridor.report.mapsvg import BaseMap, map_svg
from corridor.report.palette import corridor_label, distinct_routes, same_route_as
from corridor.report.tables import (
    capacities_table,
    legs_table,
    records_table,
    routes_table,
    sources_table,
    used_sources,
)
from corridor.report.tcd import group_by_pair, pair_title, tcd_svg
from corridor.report.units import cost_key, cost_text, is_bulk

__all__ = [
    "DEFAULT_SECTIONS",
    "MAX_HEADLINE_PAIRS",
    "ReportContext",
    "Section",
    "SectionRenderer",
]

#: Pairs shown on the summary page with their own map and bars.
MAX_HEADLINE_PAIRS = 3


@dataclass(frozen=True)
class Section:
    """One part of the report: an anchor id, a heading and its HTML body."""

    id: str
    title: str
    body: str
    detail: bool = False
    new_page: bool = False


@dataclass(frozen=True)
class ReportContext:
    """Everything a section may show; built once by ``render_report``."""

    analysis: Mapping[str, Any]
    network: Any = None
    names: Mapping[str, str] = field(default_factory=dict)
    simulation: Any = None
    appraisal: Any = None
    stress: Any = None
    base_map: BaseMap | None = None
    closed_countries: tuple[str, ...] = ()
    closed_nodes: tuple[str, ...] = ()
    changes: tuple[str, ...] = ()
    detail: bool = False

    @property
    def routes(self) -> list[Mapping[str, Any]]:
        return list(self.analysis.get("routes") or [])

    def pairs(self) -> list[tuple[tuple[str, str, str], list[Mapping[str, Any]]]]:
        """Routes grouped by (origin, destination[, commodity]), in input order."""
        return list(group_by_pair(self.routes))

    def headline_pairs(self) -> list[tuple[tuple[str, str, str], list[Mapping[str, Any]]]]:
        """The pairs page one and the maps show: container pairs first, at most
        :data:`MAX_HEADLINE_PAIRS` (every pair with ``--detail``)."""
        pairs = self.pairs()
        if self.detail:
            return pairs
        containers = [p for p in pairs if not any(is_bulk(r) for r in p[1])]
        return (containers or pairs)[:MAX_HEADLINE_PAIRS]

    def differences(self) -> dict[tuple[str, str, str, str], Mapping[str, Any]]:
        """``difference_from_base`` by (origin, destination, commodity, corridor)."""
        return {
            (d["origin"], d["destination"], d["commodity"], d["corridor"]): d
            for d in self.analysis.get("difference_from_base") or []
        }


SectionRenderer = Callable[[ReportContext], Section | None]


def _esc(v: object) -> str:
    return html.escape(str(v), quote=True)


def _place(ctx: ReportContext, node: str) -> str:
    return ctx.names.get(node, node)


def summary_section(ctx: ReportContext) -> Section:
    """Page one (:mod:`corridor.report.summary`)."""
    from corridor.report.summary import summary_html

    return Section("summary", "Summary", summary_html(ctx))


def maps_section(ctx: ReportContext) -> Section | None:
    """One map per headline pair: its corridors, waits and binding bottlenecks."""
    if ctx.network is None or getattr(ctx.network, "nodes", None) is None or not ctx.routes:
        return None
    figures = []
    for key, group in ctx.headline_pairs():
        title = pair_title(key, ctx.names)
        figures.append(
            f'<figure class="pair-map" data-pair="{_esc("|".join(key))}">'
            f"<figcaption><b>{_esc(title)}</b></figcaption>"
            + map_svg(
                ctx.network,
                group,
                base=ctx.base_map,
                closed_countries=ctx.closed_countries,
                closed_nodes=ctx.closed_nodes,
                title=f"Map: {title}",
            )
            + "</figure>"
        )
    figures.append(
        '<p class="note">Corridors coloured (one that gives the same route as another is '
        "drawn once); circles at borders, transfers, ports and ferry berths sized by waiting "
        "time, red ring when the element is at least 90 % utilised; ▲ each route's binding "
        "bottleneck. Hover for details.</p>"
    )
    return Section("maps", "Maps", "\n".join(figures), new_page=True)


def breakdown_section(ctx: ReportContext) -> Section | None:
    """Per headline pair, a stacked bar per corridor of days by kind, and one of cost."""
    if not ctx.routes:
        return None
    body = [
        '<p class="note">Where the door-to-door time goes: moving (with technical stops), '
        "borders, ports and transfers (handling, transshipment, a liner's port calls) and "
        "waits for ferries and liners to sail; and where the money goes.</p>"
    ]
    for key, group in ctx.headline_pairs():
        routes = sorted(distinct_routes(group), key=lambda r: float(r["time_days"]))
        labels = [corridor_label(str(r["corridor"])) for r in routes]
        title = pair_title(key, ctx.names)
        days = [[h / 24 for h in time_by_kind(r).values()] for r in routes]
        body.append(f"<h3>{_esc(title)}</h3>")
        body.append(
            "<figure>"
            + stacked_bars_svg(
                labels,
                days,
                TIME_KINDS,
                unit="days",
                total_text=[f"{float(r['time_days']):.1f} d" for r in routes],
                title=f"Door-to-door days by kind, {title}",
            )
            + "</figure>"
        )
        bulk = any(is_bulk(r) for r in routes)
        costs = [list(cost_by_kind(r).values()) for r in routes]
        body.append(
            "<figure>"
            + stacked_bars_svg(
                labels,
                costs,
                COST_KINDS,
                unit="USD/t" if bulk else "USD/FEU",
                total_text=[cost_text(r) for r in routes],
                title=f"Cost by kind, {title}",
                fmt="{:,.1f}" if bulk else "{:,.0f}",
            )
            + "</figure>"
        )
    return Section("breakdown", "Where the time and money go", "\n".join(body), new_page=True)


def all_pairs_section(ctx: ReportContext) -> Section | None:
    """Every pair in one line: fastest, cheapest and the Middle Corridor (every route with
    ``--detail``)."""
    if not ctx.routes:
        return None
    from corridor.report.summary import middle_route

    note = (
        '<p class="note">Costs are USD per FEU for containers and USD per tonne for bulk '
        "commodities; p10–p90 is the spread of door-to-door days.</p>"
    )
    if ctx.detail:
        body = note + routes_table(ctx.routes, ctx.names)
        return Section("pairs", "All origin–destination pairs", body, new_page=True)

    def cell(r: Mapping[str, Any] | None) -> str:
        if r is None:
            return "<td>–</td>"
        return (
            f'<td data-corridor="{_esc(r["corridor"])}" data-value="{float(r["time_days"])!r}">'
            f"{_esc(corridor_label(str(r['corridor'])))}: {float(r['time_days']):.1f} d, "
            f"{_esc(cost_text(r))}</td>"
        )

    rows = []
    for key, group in ctx.pairs():
        ranked = sorted(distinct_routes(group), key=lambda r: float(r["time_days"]))
        cheapest = min(ranked, key=lambda r: float(r.get(cost_key(r)) or 0.0))
        rows.append(
            f'<tr data-pair="{_esc("|".join(key))}"><td>{_esc(pair_title(key, ctx.names))}</td>'
            + cell(ranked[0])
            + cell(cheapest)
            + cell(middle_route(ranked))
            + f'<td class="num">{len(ranked)}</td></tr>'
        )
    return Section(
        "pairs",
        "All origin–destination pairs",
        note + '<table class="pairs"><thead><tr><th>Pair</th><th>Fastest</th><th>Cheapest</th>'
        '<th>Middle Corridor</th><th class="num">Distinct routes</th></tr></thead><tbody>'
        + "".join(rows)
        + "</tbody></table>",
        new_page=True,
    )


def capacity_section(ctx: ReportContext) -> Section | None:
    """The most utilised capacities of the whole network."""
    capacities = list(ctx.analysis.get("capacities") or [])
    if not capacities:
        return None
    return Section(
        "capacity",
        "Capacity and utilisation",
        '<p class="note">Capacity-limited elements carrying demand on the whole network, most '
        f"utilised first (top {min(15, len(capacities))} of {len(capacities)}); highlighted "
        "from 90 %. Flows are assigned demand per year, each direction separately, in the "
        "unit that binds: tonnes for pipelines and other tonnage limits, TEU otherwise.</p>"
        + capacities_table(capacities, ctx.names),
    )


def not_carried_section(ctx: ReportContext) -> Section | None:
    """Demand no open route could carry, and corridors the scenario closed."""
    from corridor.report.document import not_carried_parts

    parts = not_carried_parts(ctx.analysis, ctx.network)
    return Section("not-carried", "Not carried and closed", "\n".join(parts)) if parts else None


def tcd_section(ctx: ReportContext) -> Section | None:
    """UNESCAP time/cost-distance charts (headline pairs; every pair with ``--detail``)."""
    if not ctx.routes:
        return None
    charts = [
        f'<figure data-pair="{_esc("|".join(key))}">{tcd_svg(group, names=ctx.names)}</figure>'
        for key, group in ctx.headline_pairs()
    ]
    return Section(
        "tcd",
        "Time/cost-distance (UNESCAP)",
        '<p class="note">Cumulative distance along x; slopes are moving, vertical jumps are '
        "waiting (time) or fixed fees (cost). The largest jumps are named.</p>" + "".join(charts),
        new_page=True,
    )


def legs_section(ctx: ReportContext) -> Section | None:
    """Every route leg by leg (appendix)."""
    if not ctx.routes:
        return None
    legs = []
    for key, group in ctx.pairs():
        legs.append(f"<h3>{_esc(pair_title(key, ctx.names))}</h3>")
        for r in group:
            same = same_route_as(r)
            label = _esc(corridor_label(str(r.get("corridor", ""))))
            if same:
                legs.append(
                    f'<p class="note">{label}: same route as {_esc(corridor_label(same))}.</p>'
                )
                continue
            legs.append(
                f"<details><summary>{label}: {float(r.get('time_days', 0)):.1f} days, "
                f"{_esc(cost_text(r))}</summary>" + legs_table(r, ctx.names) + "</details>"
            )
    return Section(
        "legs", "Appendix: every route leg by leg", "\n".join(legs), detail=True, new_page=True
    )


def simulation_section(ctx: ReportContext) -> Section | None:
    """Transit-time distributions of a simulation run."""
    if ctx.simulation is None:
        return None
    sim_routes, rest = simulation_parts(ctx.simulation)
    body = [f"<figure>{svg}</figure>" for svg in distribution_svg(sim_routes, ctx.names)]
    if sim_routes:
        body.append(records_table([flat(r) for r in sim_routes], css_class="records sim"))
    body += records_sections(rest, "simulation") if rest else []
    return Section("simulation", "Transit-time distributions (simulation)", "\n".join(body))


def appraisal_section(ctx: ReportContext) -> Section | None:
    """A ``corridor appraise`` result (:mod:`corridor.report.appraisal_section`); any other
    result shown generically."""
    from corridor.report.appraisal_section import report_section

    if not ctx.appraisal:
        return None
    if (section := report_section(ctx)) is not None:
        return section
    body = "\n".join(records_sections(ctx.appraisal, "appraisal"))
    return Section("appraisal", "Intervention ranking", body)


def stress_section(ctx: ReportContext) -> Section | None:
    """A stress result (:mod:`corridor.report.stress_section`; other shapes generically)."""
    from corridor.report.stress_section import report_section

    if not ctx.stress:
        return None
    body = "\n".join(records_sections(ctx.stress, "stress"))
    return report_section(ctx) or Section("stress", "Stress tests", body)


def sources_section(ctx: ReportContext) -> Section | None:
    """The sources: a tally of those the routes use (every source in full with ``--detail``)."""
    network = ctx.network
    if network is None or getattr(network, "sources", None) is None:
        return None
    used = used_sources(network, ctx.routes)
    note = (
        '<p class="note">Every figure of the dataset has a source. Reliability: A international '
        "organisation, B official, C secondary, estimate = derived (method given in the "
        "dataset README).</p>"
    )
    if ctx.detail:
        return Section("sources", "Sources", note + sources_table(network, used), new_page=True)
    frame = network.sources
    reliability = {str(i): str(r) for i, r in zip(frame["id"], frame["reliability"], strict=True)}
    tally: dict[str, list[str]] = {}
    for sid in sorted(used):
        tally.setdefault(reliability.get(sid, "?"), []).append(sid)
    rows = "".join(
        f'<tr><td>{_esc(rel)}</td><td class="num">{len(ids)}</td>'
        f'<td class="ids">{_esc(", ".join(ids))}</td></tr>'
        for rel, ids in sorted(tally.items())
    )
    return Section(
        "sources",
        "Sources",
        note
        + f"<p>The routes in this report use {len(used)} of the dataset's {len(frame)} sources "
        "(the full table, with citations, methods and addresses: <code>--detail</code>).</p>"
        + '<table class="source-tally"><thead><tr><th>Reliability</th><th class="num">Sources'
        "</th><th>Ids</th></tr></thead><tbody>" + rows + "</tbody></table>",
    )


def flat(rec: Mapping[str, Any]) -> dict[str, Any]:
    """Drop long arrays (samples) and nested dicts from a record for a table."""
    out: dict[str, Any] = {}
    for k, v in rec.items():
        if k in SAMPLE_KEYS or isinstance(v, Mapping):
            continue
        if isinstance(v, list | tuple) and len(v) > 12:
            continue
        out[k] = v
    return out


def records_sections(obj: Any, heading: str) -> list[str]:
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
            rows = [flat(r) for r in v if isinstance(r, Mapping)]
            if rows:
                out.append(f"<h3>{_esc(k.replace('_', ' ').capitalize())}</h3>")
                out.append(records_table(rows, css_class=f"records {heading}-{k}"))
    return out


#: The document, in order. Add a section by listing its renderer here.
DEFAULT_SECTIONS: tuple[SectionRenderer, ...] = (
    summary_section,
    maps_section,
    breakdown_section,
    all_pairs_section,
    capacity_section,
    not_carried_section,
    simulation_section,
    appraisal_section,
    stress_section,
    tcd_section,
    legs_section,
    sources_section,
)
