"""`corridor queue`: size a border post — one FCFS multi-server station against theory."""

from __future__ import annotations

import json
from typing import Any

import typer

from corridor.commands import user_errors


def command(
    servers: int = typer.Option(..., "--servers", "-c", help="Parallel lanes / tracks / scanners."),
    arrival_rate: float = typer.Option(..., help="Arrivals per hour (Poisson)."),
    service_rate: float = typer.Option(..., help="Services per hour per server."),
    service_cv: float = typer.Option(
        1.0, help="CV of the service time: 1 exponential (M/M/c), 0 deterministic."
    ),
    distribution: str = typer.Option(
        "lognormal", help="Service distribution for CVs other than 0 and 1: lognormal or gamma."
    ),
    customers: int = typer.Option(1_000_000, help="Customers measured after the warm-up."),
    seed: int = typer.Option(1, help="Seed of the random streams."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Simulate one FCFS station with C servers and compare its waits with queueing theory
    (Erlang-C for exponential service, Pollaczek-Khinchine for one server, Kingman /
    Allen-Cunneen otherwise). Rates are per hour.

    Example: corridor queue --servers 3 --arrival-rate 2.4 --service-rate 1 --json
    """
    with user_errors():
        from corridor.model.schema import check_parameter
        from corridor.simulation.queue import simulate_station
        from corridor.simulation.theory import station_theory

        check_parameter("servers", servers)
        check_parameter("arrival_rate", arrival_rate)
        check_parameter("service_rate", service_rate)
        check_parameter("service_cv", service_cv)
        check_parameter("customers", customers)
        check_parameter("seed", seed)
        station_theory(servers, arrival_rate, service_rate, service_cv)  # validates, fast
        total = customers + customers // 50
        from rich.progress import Progress

        # a bar only where the run takes more than a second, and never in JSON mode
        with Progress(transient=True, disable=total < 3_000_000 or as_json) as bar:
            task = bar.add_task("simulating customers", total=total)
            result = simulate_station(
                servers,
                arrival_rate,
                service_rate,
                service_cv=service_cv,
                distribution=distribution,
                customers=customers,
                seed=seed,
                progress=lambda done: bar.update(task, completed=done),
            )
        data = result.to_dict()
        if as_json:
            typer.echo(json.dumps(data, allow_nan=False))
            return
        _print(data)


def _print(d: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{d['servers']} servers, {d['customers']:,} customers, seed {d['seed']}")
    table.add_column("measure")
    table.add_column("simulated", justify="right")
    table.add_column("theory", justify="right")

    def f(x: object) -> str:
        return "—" if x is None else f"{x:.4g}" if isinstance(x, float) else str(x)

    lo, hi = d["mean_wait_ci95_h"]
    table.add_row("utilisation", f(d["utilisation"]), f(d["utilisation_theory"]))
    table.add_row(
        "mean wait (h)", f"{f(d['mean_wait_h'])} [{f(lo)}, {f(hi)}]", f(d["theory_mean_wait_h"])
    )
    table.add_row("P(wait > 0)", f(d["p_wait"]), f(d["theory_p_wait"]))
    table.add_row("p50 wait (h)", f(d["p50_wait_h"]), "—")
    table.add_row("p90 wait (h)", f(d["p90_wait_h"]), f(d["theory_p90_wait_h"]))
    table.add_row("p99 wait (h)", f(d["p99_wait_h"]), "—")
    table.add_row("number in system", f(d["mean_in_system"]), f(d["littles_law_in_system"]))
    Console().print(table)
    Console().print(f"theory: {d['theory']}; service {d['service_distribution']}")
