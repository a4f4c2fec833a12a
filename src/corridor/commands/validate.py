"""`corridor validate`: check a dataset folder."""

from __future__ import annotations

from pathlib import Path

import typer

from corridor.commands import user_errors


def command(
    path: Path = typer.Argument(..., help="Dataset folder of component CSV files."),
) -> None:
    """Check a dataset folder against the schema; exit 2 on the first problem.

    Example: corridor validate src/corridor/datasets/eurasia-2024
    """
    with user_errors():
        from corridor.graph.compiled import compile_network
        from corridor.model.network import load_network

        net = load_network(path)
        g = compile_network(net)
        counts = ", ".join(f"{len(t)} {name}" for name, t in net.tables.items() if len(t))
        typer.echo(f"ok: {net.name}: {counts}; {g.n_vertices} vertices, {g.n_edges} edges")
