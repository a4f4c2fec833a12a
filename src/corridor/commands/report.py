"""`corridor report`: the self-contained HTML report of an analysis."""

from __future__ import annotations

from pathlib import Path

import typer

from corridor.commands import (
    close_option,
    dataset_option,
    flagged_scenario,
    intervention_option,
    scenario_option,
    user_errors,
)


def command(
    scenario: str = scenario_option(),
    out: Path = typer.Option(Path("report.html"), help="HTML file to write."),
    origin: str | None = typer.Option(None, help="Origin node id (default: the dataset's pairs)."),
    destination: str | None = typer.Option(None, help="Destination node id."),
    commodity: str = typer.Option("containers", help="Commodity id for --origin/--destination."),
    dataset: str | None = dataset_option(),
    analysis: Path | None = typer.Option(
        None, help="Use a saved `corridor analyze --json` file instead of running the analysis."
    ),
    appraisal: Path | None = typer.Option(
        None,
        help="Add the appraisal: the JSON of `corridor appraise --json` (or its --out's "
        "appraisal.json).",
    ),
    pdf: bool = typer.Option(
        False, "--pdf", help="Also print it to a PDF beside the HTML (needs chromium)."
    ),
    close: list[str] = close_option(),
    intervention: list[str] = intervention_option(),
    detail: bool = typer.Option(
        False, "--detail", help="Add the appendix: every leg, every source, every pair's charts."
    ),
    stress_close: list[str] = typer.Option(
        ["RU"],
        "--stress-close",
        help="Closure of the report's stress test (repeatable, as `corridor stress --close`).",
    ),
    no_stress: bool = typer.Option(False, "--no-stress", help="Leave out the stress test."),
) -> None:
    """Write one self-contained HTML report that opens offline and prints well: a summary
    page (corridors ranked per pair, what the scenario changed, binding bottlenecks), a map
    per pair, time and cost by kind, a stress test (Russia closed unless --stress-close
    says otherwise: corridor shares, exposure, stranded volume, min cut), then details;
    --pdf prints it with headless Chromium (about a dozen pages; --detail adds the
    appendix).

    Example: corridor report --origin xian --destination duisburg --close RU --close BY --pdf
    """
    with user_errors():
        import json

        from corridor.analysis import analyze, difference_from_base
        from corridor.commands.analyze import report_scenario
        from corridor.errors import CorridorError, DataError
        from corridor.loaded.prepare import prepare
        from corridor.model.scenario import Scenario
        from corridor.report.appraisal_section import read_appraisal
        from corridor.report.document import write_report
        from corridor.report.pdf import find_chromium, html_to_pdf
        from corridor.resilience.disruptions import stress_scenario
        from corridor.resilience.stress import stress

        if pdf:
            find_chromium()  # fail before the analysis, not after
        appraised = None if appraisal is None else read_appraisal(appraisal)
        if (origin is None) != (destination is None):
            raise CorridorError("give both --origin and --destination, or neither")
        scen = flagged_scenario(scenario, dataset, close, intervention)
        # the stress test starts from the report's network; bad closures fail before any run
        stressed = None if no_stress else stress_scenario(scen.apply(), close=tuple(stress_close))
        if analysis is not None:
            net = scen.apply()
            try:
                result = json.loads(analysis.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                raise DataError(str(analysis), f"expected analyze --json output ({exc})") from None
        else:
            pairs = (
                [(origin, destination, commodity)]
                if origin is not None and destination is not None
                else None
            )
            loaded = prepare(scen)
            net = loaded.network
            result = analyze(loaded, pairs=pairs)
            if scen.changes:
                base_result = analyze(prepare(Scenario("base", scen.base)), pairs=pairs)
                result["difference_from_base"] = difference_from_base(result, base_result)
        shock = None if stressed is None else stress(stressed)
        write_report(
            result,
            net,
            out,
            detail=detail,
            stress=shock,
            appraisal=appraised,
            **report_scenario(scen),
        )
        typer.echo(f"Wrote {out}")
        if pdf:
            pdf_path = out.with_suffix(".pdf")
            html_to_pdf(out, pdf_path)
            typer.echo(f"Wrote {pdf_path}")
