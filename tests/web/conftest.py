"""Fixtures for the web tests: the app, a live server on a free loopback port, Chromium.

The dataset is the embedded default unless ``CORRIDOR_TEST_DATASET`` names
another folder or dataset. Browser tests use Debian's ``chromium``
(``/usr/bin/chromium``) through Playwright, never a downloaded browser; if it
is missing they fail under CI (``CI`` set) and are skipped elsewhere.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from web_browser_support import Guard, serve

CHROMIUM = os.environ.get("CORRIDOR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def dataset() -> str | None:
    return os.environ.get("CORRIDOR_TEST_DATASET") or None


@pytest.fixture(scope="session")
def app(dataset: str | None) -> Any:
    from corridor.web.app import create_app

    return create_app(dataset)


@pytest.fixture(scope="session")
def client(app: Any) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c


@pytest.fixture(scope="session")
def live_server(app: Any) -> Iterator[str]:
    """The app served by uvicorn in a thread; yields its base URL."""
    with serve(app) as url:
        yield url


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """A headless Debian Chromium driven by Playwright."""
    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if not path:
        message = (
            f"Debian's chromium is not installed ({CHROMIUM} missing): "
            "apt-get install -y chromium (.ci/run does this)"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def guarded_page(chromium: Any) -> Iterator[tuple[Any, Guard]]:
    """A fresh page; the test sets ``guard.allowed`` before the first navigation."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    guard = Guard(None)
    guard.attach(context, page)
    yield page, guard
    context.close()
