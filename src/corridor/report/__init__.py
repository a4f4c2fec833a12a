"""Report, charts and map: self-contained HTML, PNG and inline SVG.

Public names resolve lazily (PEP 562) so that importing ``corridor.report``
loads neither matplotlib nor pandas.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "write_report": "corridor.report.document",
    "render_report": "corridor.report.document",
    "write_tcd_charts": "corridor.report.tcd",
    "write_tcd_html": "corridor.report.tcd",
    "write_tcd_png": "corridor.report.tcd",
    "tcd_svg": "corridor.report.tcd",
    "map_svg": "corridor.report.mapsvg",
    "html_to_pdf": "corridor.report.pdf",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'corridor.report' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
