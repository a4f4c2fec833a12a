"""Print the self-contained HTML report to PDF with a headless Chromium.

The same Chromium that runs the browser tests (Debian's ``chromium``) prints
the page with its print stylesheet; nothing is downloaded. The report makes no
request, and Chromium is told to resolve no host name, so printing works
offline and leaks nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from corridor.errors import CorridorError
from corridor.io.atomic import atomic_path

__all__ = ["find_chromium", "html_to_pdf"]

#: Where Chromium is looked for when ``CORRIDOR_CHROMIUM`` is not set, in order.
CHROMIUM_NAMES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")

_FLAGS = (
    "--headless",
    "--no-sandbox",  # needed as root in containers; the page is our own file
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--no-pdf-header-footer",
)


def find_chromium(explicit: str | None = None) -> str:
    """Path of a Chromium executable: ``explicit``, ``$CORRIDOR_CHROMIUM``, else the usual names.

    Raises
    ------
    CorridorError
        If none is found (one line saying how to install it).
    """
    wanted = explicit or os.environ.get("CORRIDOR_CHROMIUM")
    for name in (wanted,) if wanted else CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    raise CorridorError(
        f"cannot write a PDF: Chromium not found ({wanted or 'chromium'}); "
        "install it (apt-get install chromium) or set CORRIDOR_CHROMIUM"
    )


def html_to_pdf(
    html_path: str | os.PathLike[str],
    pdf_path: str | os.PathLike[str],
    *,
    chromium: str | None = None,
    timeout_s: float = 120.0,
) -> Path:
    """Print an HTML file to PDF with headless Chromium, written atomically.

    Collapsed ``<details>`` are opened first (a copy of the page is printed),
    so the leg tables appear on paper as they do when printing from a browser.

    Parameters
    ----------
    html_path
        A self-contained HTML file (e.g. from :func:`corridor.report.write_report`).
    pdf_path
        Output ``.pdf`` file.
    chromium
        Chromium executable; see :func:`find_chromium`.
    timeout_s
        Give up after this many seconds.

    Returns
    -------
    Path
        The written PDF.

    Raises
    ------
    CorridorError
        If Chromium is missing, fails or writes no PDF.
    """
    exe = find_chromium(chromium)
    text = Path(html_path).read_text(encoding="utf-8").replace("<details>", "<details open>")
    with tempfile.TemporaryDirectory(prefix="corridor-pdf-") as work:
        page = Path(work) / "report.html"
        page.write_text(text, encoding="utf-8")
        with atomic_path(pdf_path) as tmp:
            cmd = [
                exe,
                *_FLAGS,
                f"--user-data-dir={Path(work) / 'profile'}",
                f"--print-to-pdf={tmp}",
                page.as_uri(),
            ]
            try:
                done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s)
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise CorridorError(f"cannot write {pdf_path}: Chromium failed ({exc})") from None
            head = tmp.read_bytes()[:5] if tmp.exists() else b""
            if done.returncode != 0 or head != b"%PDF-":
                last = (done.stderr.strip().splitlines() or ["no output"])[-1]
                raise CorridorError(
                    f"cannot write {pdf_path}: Chromium exited {done.returncode} "
                    f"without a PDF ({last})"
                )
    return Path(pdf_path)
