"""`corridor nodes`: find node ids by name, id or country."""

from __future__ import annotations

import json

import typer

from corridor.commands import (
    check_format,
    console,
    dataset_option,
    format_option,
    user_errors,
    write_csv,
)


def command(
    search: str | None = typer.Option(
        None, help="Text in the node's id or name (case and accents ignored)."
    ),
    country: str | None = typer.Option(None, help="ISO 3166-1 alpha-2 country code, e.g. KZ."),
    dataset: str | None = dataset_option(),
    fmt: str = format_option(),
) -> None:
    """List the network's nodes (ids for --origin, --destination and --close) with their
    name, country and kind; filter by text or country.

    Example: corridor nodes --search aktau      (or: corridor nodes --country GE)
    """
    with user_errors():
        import unicodedata

        from corridor.errors import UnknownIdError
        from corridor.model.network import load_network
        from corridor.model.scenario import suggestions

        def fold(text: str) -> str:
            decomposed = unicodedata.normalize("NFKD", text)
            return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()

        fmt = check_format(fmt)
        net = load_network(dataset)
        rows = [
            {"id": str(i), "name": str(n), "country": str(c), "kind": str(k)}
            for i, n, c, k in zip(
                net.nodes["id"], net.nodes["name"], net.nodes["country"], net.nodes["kind"],
                strict=True,
            )
        ]  # fmt: skip
        if country is not None:
            known = sorted({r["country"] for r in rows})
            if country.upper() not in known:
                near = suggestions(country.upper(), known)
                hint = f" (did you mean: {', '.join(near)}?)" if near else ""
                raise UnknownIdError(f"no node in country '{country}' in dataset {net.name}{hint}")
            rows = [r for r in rows if r["country"] == country.upper()]
        if search:
            key = fold(search)
            rows = [r for r in rows if key in fold(r["id"]) or key in fold(r["name"])]
            if not rows:
                near = suggestions(search, list(net.nodes["id"]))
                hint = f" (did you mean: {', '.join(near)}?)" if near else ""
                raise UnknownIdError(f"no node matches '{search}' in dataset {net.name}{hint}")
        if fmt == "json":
            typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        elif fmt == "csv":
            write_csv(("id", "name", "country", "kind"), (list(r.values()) for r in rows))
        else:
            from rich.table import Table

            t = Table(title=f"{len(rows)} nodes of {net.name}")
            for col in ("id", "name", "country", "kind"):
                t.add_column(col)
            for r in rows:
                t.add_row(*r.values())
            console().print(t)
