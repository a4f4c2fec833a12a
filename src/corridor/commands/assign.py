"""`corridor assign`: static user-equilibrium assignment of a TNTP network."""

from __future__ import annotations

import math
import time
from pathlib import Path

import typer

from corridor.commands import db_option, no_store_option, user_errors


def command(
    net: Path = typer.Option(..., "--net", help="TNTP network file (*_net.tntp)."),
    trips: Path = typer.Option(..., "--trips", help="TNTP trip file (*_trips.tntp)."),
    out: Path = typer.Option(..., "--out", help="CSV to write: from,to,volume,cost."),
    algorithm: str = typer.Option(
        "auto",
        help="auto (gp, or bfw where links share a capacity), gp (gradient projection over "
        "path sets), bfw (bi-conjugate Frank-Wolfe), cfw (conjugate FW), fw or msa.",
    ),
    rgap: float = typer.Option(1e-4, help="Stop at this relative gap."),
    max_iter: int = typer.Option(1000, help="Stop after this many iterations."),
    toll_factor: float = typer.Option(0.0, help="Cost = time + toll_factor * toll + ..."),
    distance_factor: float = typer.Option(0.0, help="... + distance_factor * length."),
    db: str | None = db_option(),
    no_store: bool = no_store_option(),
) -> None:
    """Solve the user equilibrium of a TNTP network (BPR link costs, first-thru-node
    rule) and write link volumes and costs. The relative gap is (total system cost -
    shortest-path cost) / total system cost.

    Example: corridor assign --net A_net.tntp --trips A_trips.tntp --rgap 1e-5 --out flows.csv
    """
    from corridor.store.recording import recording

    run_params = {"net": net, "trips": trips, "out": out, "algorithm": algorithm, "rgap": rgap,
              "max_iter": max_iter, "toll_factor": toll_factor,
              "distance_factor": distance_factor}  # fmt: skip
    with user_errors(), recording("assign", run_params, db=db, enabled=not no_store) as run:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        from corridor.assignment import ALGORITHMS, assign
        from corridor.errors import CorridorError
        from corridor.io.atomic import write_text
        from corridor.io.tntp import flow_csv, read_network, read_trips

        if algorithm not in ALGORITHMS:
            raise CorridorError(
                f"--algorithm must be one of {', '.join(ALGORITHMS)}, got {algorithm!r}"
            )
        from corridor.model.schema import check_parameter

        check_parameter("rgap", rgap)
        check_parameter("max_iter", max_iter)
        check_parameter("toll_factor", toll_factor)
        check_parameter("distance_factor", distance_factor)
        network = read_network(net)
        demand = read_trips(trips, zones=network.n_zones)
        run.start()

        err = Console(stderr=True)
        first_gap: list[float] = []
        start = time.perf_counter()
        with Progress(
            TextColumn("[bold]assign[/bold] {task.description}"),
            BarColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
        ) as bar:
            task = bar.add_task("", total=1.0)

            def report(iteration: int, gap: float) -> None:
                # progress = fraction of the way from the first gap to the target, in log scale
                if not first_gap:
                    first_gap.append(max(gap, rgap, 1e-300))
                span = math.log(first_gap[0]) - math.log(max(rgap, 1e-300))
                done = (
                    1.0
                    if gap <= rgap or span <= 0
                    else (math.log(first_gap[0]) - math.log(gap)) / span
                )
                bar.update(
                    task,
                    completed=min(max(done, 0.0), 1.0),
                    description=f"iteration {iteration}, gap {gap:.2e}",
                )

            result = assign(
                network,
                demand,
                algorithm=algorithm,
                rgap=rgap,
                max_iter=max_iter,
                toll_factor=toll_factor,
                distance_factor=distance_factor,
                skims=False,
                progress=report,
            )
        elapsed = time.perf_counter() - start
        columns = result.flow_columns()
        write_text(out, flow_csv(columns))
        if run.active:
            from corridor.store.arrow import arrow_table

            run.add("flows", arrow_table(columns))
        run.add(
            "convergence",
            {"algorithm": result.algorithm, "iterations": result.iterations,
             "relative_gap": float(result.relative_gap),
             "converged": bool(result.converged), "seconds": elapsed},
        )  # fmt: skip
        status = "" if result.converged else f" (did not reach --rgap {rgap:g})"
        typer.echo(
            f"{network.n_links} links, {result.iterations} iterations of {result.algorithm}, "
            f"relative gap "
            f"{result.relative_gap:.3e}{status}, {elapsed:.2f} s -> {out}"
        )
