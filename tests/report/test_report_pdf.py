"""`corridor report --pdf`: the report printed by headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corridor.cli import build_app

CHROMIUM = os.environ.get("CORRIDOR_CHROMIUM", "/usr/bin/chromium")


def _pages(pdf: Path) -> int:
    """Page count: pdfinfo when poppler-utils is there, else the page objects."""
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
        return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))  # type: ignore[union-attr]
    return len(re.findall(rb"/Type\s*/Page\b", pdf.read_bytes()))


@pytest.mark.browser
def test_report_pdf_has_several_pages(tmp_path: Path) -> None:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"Debian's chromium is not installed ({CHROMIUM})")
        pytest.skip(f"Debian's chromium is not installed ({CHROMIUM})")
    out = tmp_path / "r.html"
    res = CliRunner().invoke(
        build_app(),
        ["report", "--origin", "xian", "--destination", "duisburg", "--out", str(out), "--pdf"],
        env={"CORRIDOR_CHROMIUM": CHROMIUM},
    )
    assert res.exit_code == 0, res.output
    pdf = tmp_path / "r.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert _pages(pdf) > 1
    # Written atomically: nothing but the two outputs is left in the folder.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html", "r.pdf"]


def test_report_pdf_without_chromium_is_one_line_exit_2(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    res = CliRunner().invoke(
        build_app(),
        ["report", "--origin", "xian", "--destination", "duisburg", "--out", str(out), "--pdf"],
        env={"CORRIDOR_CHROMIUM": str(tmp_path / "no-chromium")},
    )
    assert res.exit_code == 2
    assert "Chromium not found" in res.output and "Traceback" not in res.output
    assert len(res.output.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []
