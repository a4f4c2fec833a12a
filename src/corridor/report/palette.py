"""Colours and labels shared by the charts, the map and the dashboard.

One fixed colour per known corridor so that a corridor looks the same in
every picture; unknown corridors take the next colour of a fallback cycle.
"""

from __future__ import annotations

from collections.abc import Iterable

CORRIDOR_COLOURS: dict[str, str] = {
    "middle": "#d62728",
    "northern": "#1f77b4",
    "southern": "#2ca02c",
    "sea_suez": "#9467bd",
    "sea_cape": "#8c564b",
    "middle_turkey": "#ff7f0e",
}
_FALLBACK = ("#ff7f0e", "#17becf", "#e377c2", "#bcbd22", "#7f7f7f", "#393b79", "#637939")

CORRIDOR_NAMES: dict[str, str] = {
    "middle": "Middle Corridor",
    "northern": "Northern (Russia)",
    "southern": "Southern (Iran)",
    "sea_suez": "Sea via Suez",
    "sea_cape": "Sea via the Cape",
}


def corridor_colours(corridors: Iterable[str]) -> dict[str, str]:
    """Map each corridor id to a colour: the fixed one if known, else the next fallback.

    Examples
    --------
    >>> corridor_colours(["middle", "polar", "arctic"])["middle"]
    '#d62728'
    >>> c = corridor_colours(["polar", "arctic"])
    >>> c["polar"] != c["arctic"]
    True
    """
    out: dict[str, str] = {}
    spare = iter(_FALLBACK * 8)
    for cid in corridors:
        if cid not in out:
            out[cid] = CORRIDOR_COLOURS.get(cid) or next(spare)
    return out


def corridor_label(corridor: str) -> str:
    """Human-readable name of a corridor id (the id itself when unknown).

    Examples
    --------
    >>> corridor_label("sea_suez")
    'Sea via Suez'
    >>> corridor_label("middle_poti")
    'middle poti'
    """
    return CORRIDOR_NAMES.get(corridor, corridor.replace("_", " "))
