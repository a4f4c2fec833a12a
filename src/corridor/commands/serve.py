"""`corridor serve`: the web dashboard and JSON API."""

from __future__ import annotations

import os

import typer

from corridor.commands import dataset_option, user_errors


def command(
    host: str = typer.Option(
        "127.0.0.1", help="Address to listen on; any other than loopback needs CORRIDOR_API_TOKEN."
    ),
    port: int = typer.Option(8000, help="Port to listen on (1-65535)."),
    dataset: str | None = dataset_option(),
    allow_host: list[str] = typer.Option(
        [], help="Further name accepted in the Host header (e.g. this machine's LAN name)."
    ),
) -> None:
    """Start the dashboard: pick origin, destination, scenario and closures in a browser;
    JSON API under /api/ (docs at /docs).

    Example: corridor serve --port 8000   (then open http://127.0.0.1:8000/)
    """
    with user_errors():
        from corridor.errors import CorridorError
        from corridor.model.schema import check_parameter

        check_parameter("port", port)
        _require_web_extra()
        from corridor.web.security import TOKEN_VARIABLE, Security, is_loopback

        token = os.environ.get(TOKEN_VARIABLE) or None
        if token is None and not is_loopback(host):
            raise CorridorError(
                f"serving on {host} needs {TOKEN_VARIABLE} set (a secret that POST requests "
                "must send as 'Authorization: Bearer <token>'); without it, serve on 127.0.0.1"
            )
        import uvicorn

        from corridor.web.app import create_app

        security = Security(host=host, token=token, allowed_hosts=tuple(allow_host))
        app = create_app(dataset, security=security)
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        typer.echo(f"corridor dashboard on http://{shown}:{port}/  (Ctrl-C to stop)")
        if token is not None:
            typer.echo(
                f"  POSTs need the token: open http://{shown}:{port}/?token=<{TOKEN_VARIABLE}>"
            )
        uvicorn.run(app, host=host, port=port, log_level="warning")


def _require_web_extra() -> None:
    """One line naming the extra when the web packages are not installed."""
    import importlib.util

    from corridor.errors import CorridorError

    missing = [
        m for m in ("fastapi", "starlette", "uvicorn", "jinja2") if not importlib.util.find_spec(m)
    ]
    if missing:
        raise CorridorError(
            f"corridor serve needs the web extra: pip install 'corridor[web]' "
            f"(missing: {', '.join(missing)})"
        )
