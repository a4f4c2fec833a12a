"""`corridor report`: the self-contained HTML report of an analysis."""

from __future__ import annotations

from pathlib import Path

import typer

from corridor.commands import user_errors


def command(
    scenario: str = typer.Option(
        "base", help="Built-in or stored scenario name, or a scenario JSON file."
    ),
    out: Path = typer.Option(Path("report.html"), help="HTML file to write."),
    origin: str | None = typer.Option(None, help="Origin node id (default: the dataset's pairs)."),
    destination: str | None = typer.Option(None, help="Destination node id."),
    commodity: str = typer.Option("containers", help="Commodity id for --origin/--destination."),
    dataset: str | None = typer.Option(None, help="Dataset folder or name (default eurasia-2024)."),
    analysis: Path | None = typer.Option(
        None, help="Use a saved `corridor analyze --json` file instead of running the analysis."
    ),
    pdf: bool = typer.Option(
        False, "--pdf", help="Also print it to a PDF beside the HTML (needs chromium)."
    ),
) -> None:
    """Write one self-contained HTML report (table, map, time/cost-distance charts,
    sources) that opens offline and prints well; --pdf prints it with headless Chromium.

    Example: corridor report --scenario base --out report.html --pdf
    """
    with user_errors():
        import json

        from corridor.analysis import analyze
        from corridor.errors import CorridorError, DataError
        from corridor.model.network import load_network
        from corridor.model.scenario import Closure
        from corridor.report.document import write_report
        from corridor.report.pdf import find_chromium, html_to_pdf
        from corridor.store.resolve import resolve_scenario

        if pdf:
            find_chromium()  # fail before the analysis, not after
        if (origin is None) != (destination is None):
            raise CorridorError("give both --origin and --destination, or neither")
        base = load_network(dataset)
        scen = resolve_scenario(scenario, base)
        net = scen.apply()
        if analysis is not None:
            try:
                result = json.loads(analysis.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                raise DataError(str(analysis), f"expected analyze --json output ({exc})") from None
        else:
            pairs = [(origin, destination, commodity)] if origin and destination else None
            result = analyze(net, pairs=pairs, scenario_name=scen.name)
        closed = [c for c in scen.changes if isinstance(c, Closure)]
        write_report(
            result,
            net,
            out,
            closed_countries=[c.id for c in closed if c.component == "countries"],
            closed_nodes=[c.id for c in closed if c.component == "nodes"],
        )
        typer.echo(f"Wrote {out}")
        if pdf:
            pdf_path = out.with_suffix(".pdf")
            html_to_pdf(out, pdf_path)
            typer.echo(f"Wrote {pdf_path}")
