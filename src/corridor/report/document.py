"""The self-contained HTML report: one file, inline CSS/JS/SVG, no request to any host.

The document is a list of sections (:data:`corridor.report.sections.DEFAULT_SECTIONS`):
page one is a summary (:mod:`corridor.report.summary`), then one map per
headline pair, time and cost by kind, every pair, capacities, what is not
carried, simulation, appraisal and stress results when given, the
time/cost-distance charts and the sources; ``detail=True`` adds the appendix
(every leg, every source, every pair's charts). CSS and JS are package files
under ``assets/``, inlined so the file opens offline.
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from corridor.io.atomic import write_text
from corridor.report.mapsvg import BaseMap
from corridor.report.sections import (
    DEFAULT_SECTIONS,
    ReportContext,
    Section,
    SectionRenderer,
)
from corridor.report.tables import closed_table, element_names, unrouted_table

__all__ = [
    "DEFAULT_SECTIONS",
    "ReportContext",
    "Section",
    "asset",
    "commodity_names",
    "node_names",
    "not_carried_parts",
    "render_report",
    "report_css",
    "write_report",
]


def asset(name: str) -> str:
    """The text of a file under ``corridor/report/assets`` (CSS, JS; package data)."""
    return (resources.files("corridor.report") / "assets" / name).read_text("utf-8")


def report_css() -> str:
    """Every stylesheet the report and the dashboard's report fragments use."""
    names = ("report.css", "tables.css", "tcd.css", "map.css", "dist.css", "appraisal.css")
    return "".join(asset(f) for f in names)


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


def _section_html(section: Section) -> str:
    cls = ' class="page"' if section.new_page else ""
    return (
        f'<section id="{_esc(section.id)}"{cls}><h2>{_esc(section.title)}</h2>\n'
        f"{section.body}\n</section>"
    )


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
    changes: Iterable[str] = (),
    detail: bool = False,
    sections: Sequence[SectionRenderer] = DEFAULT_SECTIONS,
    extra_sections: Sequence[SectionRenderer] = (),
) -> str:
    """Return the report as one HTML string (see :func:`write_report`).

    The document is ``sections`` (default :data:`DEFAULT_SECTIONS`) followed by
    ``extra_sections``, each rendered from one :class:`ReportContext`; a
    section marked ``detail`` appears only with ``detail=True``.
    """
    dataset, scenario = analysis.get("dataset", ""), analysis.get("scenario", "base")
    title = title or f"Corridor comparison: {dataset}, scenario {scenario}"
    ctx = ReportContext(
        analysis=analysis,
        network=network,
        names=node_names(network),
        simulation=simulation,
        appraisal=appraisal,
        stress=stress,
        base_map=base_map,
        closed_countries=tuple(closed_countries),
        closed_nodes=tuple(closed_nodes),
        changes=tuple(changes),
        detail=detail,
    )
    shown = [
        sec
        for render in (*sections, *extra_sections)
        if (sec := render(ctx)) is not None and (detail or not sec.detail)
    ]
    from corridor import __version__

    toc = "".join(f'<a href="#{_esc(sec.id)}">{_esc(sec.title)}</a>' for sec in shown)
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{_esc(title)}</title>"
        f"<style>{report_css()}</style></head><body>\n"
        f'<header class="top"><h1>{_esc(title)}</h1><p>corridor {_esc(__version__)} · '
        f"dataset {_esc(dataset)} · scenario {_esc(scenario)}"
        + ("" if detail else " · summary edition (full detail: <code>--detail</code>)")
        + "</p></header>\n"
        f'<nav class="toc">{toc}</nav>\n<main>\n'
        + "\n".join(_section_html(sec) for sec in shown)
        + f"\n</main>\n<script>{asset('tooltip.js')}{asset('print.js')}</script>\n</body></html>\n"
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
    changes: Iterable[str] = (),
    detail: bool = False,
    extra_sections: Sequence[SectionRenderer] = (),
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
    changes
        What the scenario changes, in words, for the summary page.
    detail
        Add the appendix sections (every leg, every source, every pair's charts).
    extra_sections
        More section renderers, after :data:`DEFAULT_SECTIONS`.

    Returns
    -------
    Path
        The written file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "r.html"
    >>> _ = write_report({"dataset": "d", "scenario": "base", "routes": []}, None, out)
    >>> "Summary" in out.read_text()
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
        changes=changes,
        detail=detail,
        extra_sections=extra_sections,
    )
    write_text(path, text)
    return Path(path)
