"""The web dashboard and JSON API (``corridor serve``); build it with :func:`create_app`."""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def create_app(network_path: str | None = None) -> Any:
    """Build the FastAPI app (see :func:`corridor.web.app.create_app`)."""
    from corridor.web.app import create_app as _create

    return _create(network_path)
