"""`corridor datasets`: list the embedded datasets and their scenarios."""

from __future__ import annotations

import typer

from corridor.commands import user_errors


def command(
    schema: bool = typer.Option(False, "--schema", help="Print the component schema (Markdown)."),
) -> None:
    """List the embedded datasets with their sizes and built-in scenarios (with what each
    changes).

    Example: corridor datasets   (or: corridor datasets --schema)
    """
    with user_errors():
        from corridor.model.network import dataset_names, load_network
        from corridor.model.scenario import load_scenario, scenario_names
        from corridor.model.schema import markdown_docs

        if schema:
            typer.echo(markdown_docs())
            return
        for name in dataset_names():
            net = load_network(name)
            typer.echo(
                f"{name}: {len(net.nodes)} nodes, {len(net.links)} links, "
                f"{len(net.borders)} borders, {len(net.terminals)} terminals, "
                f"{len(net.services)} services, {len(net.interventions)} interventions, "
                f"{len(net.demand)} demand rows, {len(net.sources)} sources"
            )
            names = scenario_names(net)
            typer.echo("  scenarios (--scenario NAME):" if names else "  no scenarios")
            for scen in names:
                description = load_scenario(scen, net).description or "(no description)"
                typer.echo(f"    {scen}: {description}")
