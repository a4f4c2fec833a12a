"""`corridor datasets`: list the embedded datasets and their scenarios."""

from __future__ import annotations

import typer

from corridor.commands import user_errors


def command(
    schema: bool = typer.Option(False, "--schema", help="Print the component schema (Markdown)."),
) -> None:
    """List the embedded datasets with their sizes and built-in scenarios.

    Example: corridor datasets   (or: corridor datasets --schema)
    """
    with user_errors():
        from corridor.model.network import dataset_names, load_network
        from corridor.model.scenario import scenario_names
        from corridor.model.schema import markdown_docs

        if schema:
            typer.echo(markdown_docs())
            return
        for name in dataset_names():
            net = load_network(name)
            scen = ", ".join(scenario_names(net)) or "-"
            typer.echo(
                f"{name}: {len(net.nodes)} nodes, {len(net.links)} links, "
                f"{len(net.borders)} borders, {len(net.terminals)} terminals, "
                f"{len(net.services)} services, {len(net.demand)} demand rows, "
                f"{len(net.sources)} sources; scenarios: {scen}"
            )
