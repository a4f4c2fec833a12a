"""`corridor serve`: the web dashboard and JSON API."""

from __future__ import annotations

import typer

from corridor.commands import user_errors


def command(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    dataset: str | None = typer.Option(None, help="Dataset folder or name (default eurasia-2024)."),
) -> None:
    """Start the dashboard: pick origin, destination, scenario and closures in a browser;
    JSON API under /api/ (docs at /docs).

    Example: corridor serve --port 8000   (then open http://127.0.0.1:8000/)
    """
    with user_errors():
        import uvicorn

        from corridor.web.app import create_app

        app = create_app(dataset)
        typer.echo(f"corridor dashboard on http://{host}:{port}/  (Ctrl-C to stop)")
        uvicorn.run(app, host=host, port=port, log_level="warning")
