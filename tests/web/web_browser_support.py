"""Helpers of the browser tests: a network/console guard and screenshots."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


class Guard:
    """Records console errors, page errors and every request; aborts other hosts."""

    def __init__(self, allowed_origin: str | None) -> None:
        self.allowed = allowed_origin
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.blocked: list[str] = []

    def allowed_url(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            return True
        if parts.scheme == "file":
            return self.allowed is None
        return (
            self.allowed is not None
            and parts.hostname == "127.0.0.1"
            and f"{parts.scheme}://{parts.netloc}" == self.allowed
        )

    def attach(self, context: Any, page: Any) -> None:
        def route(r: Any) -> None:
            if self.allowed_url(r.request.url):
                r.continue_()
            else:
                self.blocked.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        page.on("request", lambda req: self.requests.append(req.url))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))


def screenshot(page: Any, name: str, *, full_page: bool = True) -> Path:
    """Save a PNG under test-artifacts/ (gitignored) and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=full_page)
    return path
