"""The time/cost-distance PNG, checked on its pixels.

The expected positions come from the documented layout of ``write_tcd_png``
(inches at ``dpi``), not from the renderer's own helpers: 13 in wide, per
pair 0.4 in of title, 3.3 in of panels, 0.5 in for the distance axis, 0.21 in
per legend line in two columns, 0.3 in between pairs, 0.1 in at the foot;
panels 0.75 in from the left edge with 0.85 in between them and 0.25 in on
the right.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from corridor.errors import DataError
from corridor.report import raster
from corridor.report.palette import corridor_colours
from corridor.report.tcd import group_by_pair, nice_ticks, tcd_series, write_tcd_png

PANEL_W_IN = (13.0 - 0.75 - 0.85 - 0.25) / 2


def _load(path: Path) -> Image.Image:
    with Image.open(path) as img:
        return img.convert("RGB")


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def _near(a: tuple[int, ...], b: tuple[int, int, int], tol: int) -> bool:
    return max(abs(x - y) for x, y in zip(a[:3], b, strict=True)) <= tol


def _count(img: Image.Image, colour: str, tol: int = 10) -> int:
    """Pixels within ``tol`` (per channel) of ``colour``."""
    target = _rgb(colour)
    # getcolors is exact; allow anti-aliasing's small shifts around the pure colour.
    colours = img.getcolors(maxcolors=img.width * img.height) or []
    return sum(n for n, c in colours if isinstance(c, tuple) and _near(c, target, tol))


def _expected_height_in(shown_per_pair: list[int]) -> float:
    rows = [0.4 + 3.3 + 0.5 + 0.21 * math.ceil(n / 2) for n in shown_per_pair]
    return sum(rows) + 0.3 * (len(rows) - 1) + 0.1


def _end_pixel(
    km: float, y: float, xmax: float, ymax: float, col: int, dpi: int
) -> tuple[float, float]:
    """Pixel of ``(km, y)`` in panel ``col`` (0 time, 1 cost) of the first row."""
    xhi, yhi = nice_ticks(xmax or 1.0)[-1], nice_ticks(ymax or 1.0)[-1]
    left = (0.75 + col * (PANEL_W_IN + 0.85)) * dpi
    top, height = 0.4 * dpi, 3.3 * dpi
    return left + km / xhi * PANEL_W_IN * dpi, top + height - y / yhi * height


def _ink(pixel: tuple[int, ...], colour: str) -> bool:
    """Whether ``pixel`` is ``colour`` laid over white with at least half coverage.

    An anti-aliased line's pixel is ``white * (1 - a) + colour * a``: the same
    ``a`` in every channel that differs from white.
    """
    target = _rgb(colour)
    cover = [(255 - p) / (255 - c) for p, c in zip(pixel[:3], target, strict=True) if c < 200]
    return min(cover) >= 0.5 and max(cover) - min(cover) <= 0.2


def _colour_near(img: Image.Image, xy: tuple[float, float], colour: str, r: int = 2) -> bool:
    x, y = round(xy[0]), round(xy[1])
    return any(
        _ink(img.getpixel((i, j)), colour)  # type: ignore[arg-type]
        for i in range(x - r, x + r + 1)
        for j in range(y - r, y + r + 1)
    )


@pytest.mark.parametrize("dpi", [110, 55])
def test_image_size_follows_the_pairs_and_dpi(
    analysis: dict[str, Any], tmp_path: Path, dpi: int
) -> None:
    groups = group_by_pair(analysis["routes"])
    one = _load(write_tcd_png(groups[0][1], tmp_path / "one.png", dpi=dpi))
    both = _load(write_tcd_png(analysis["routes"], tmp_path / "both.png", dpi=dpi))
    assert one.size == (round(13 * dpi), round(_expected_height_in([3]) * dpi))
    assert both.size == (round(13 * dpi), round(_expected_height_in([3, 1]) * dpi))


def test_every_drawn_corridor_has_its_colour_and_a_duplicate_is_not_drawn(
    analysis: dict[str, Any], tmp_path: Path
) -> None:
    (_pair, group), _ = group_by_pair(analysis["routes"])
    # A duplicate with its own colour (pink): it must stay out of the picture.
    dup = {**group[0], "corridor": "middle_black_sea", "same_route_as": "middle"}
    pink = corridor_colours(["middle_black_sea"])["middle_black_sea"]
    img = _load(write_tcd_png([group[0], dup, *group[1:]], tmp_path / "d.png"))
    for cid, colour in corridor_colours(r["corridor"] for r in group).items():
        # Two staircases and a legend line: hundreds of pixels of the pure colour.
        assert _count(img, colour) > 300, cid
    assert _count(img, pink, tol=20) == 0
    # The check can see pink: the same route without ``same_route_as`` is drawn.
    shown = {**dup, "same_route_as": None}
    img2 = _load(write_tcd_png([group[0], shown, *group[1:]], tmp_path / "s.png"))
    assert _count(img2, pink) > 300


@pytest.mark.parametrize("dpi", [110, 80])
def test_staircases_end_at_the_route_totals(
    analysis: dict[str, Any], tmp_path: Path, dpi: int
) -> None:
    (_pair, group), _ = group_by_pair(analysis["routes"])
    img = _load(write_tcd_png(group, tmp_path / "t.png", dpi=dpi))
    series = [tcd_series(r) for r in group]
    colours = corridor_colours(s.corridor for s in series)
    km_max = max(s.total_km for s in series)
    days_max = max(s.total_days for s in series)
    usd_max = max(s.total_usd for s in series)
    for s in series:
        end_t = _end_pixel(s.total_km, s.total_days, km_max, days_max, 0, dpi)
        end_c = _end_pixel(s.total_km, s.total_usd, km_max, usd_max, 1, dpi)
        assert _colour_near(img, end_t, colours[s.corridor]), (s.corridor, end_t)
        assert _colour_near(img, end_c, colours[s.corridor]), (s.corridor, end_c)


def test_a_single_staircase_stops_at_its_end_point(tmp_path: Path) -> None:
    # 900 km in 0.9 days: the end sits at 90 % of both axes (ticks end at 1,000 km, 1 day).
    route = {"corridor": "middle", "origin": "a", "destination": "b", "legs": [
        {"from": "a", "to": "b", "kind": "link", "distance_km": 900, "hours_moving": 21.6,
         "hours_waiting": 0, "cost_usd": 900}]}  # fmt: skip
    img = _load(write_tcd_png([route], tmp_path / "one.png"))
    red = corridor_colours(["middle"])["middle"]
    x, y = _end_pixel(900, 0.9, 900, 0.9, 0, 110)
    assert _colour_near(img, (x, y), red, r=1)
    assert _colour_near(img, _end_pixel(450, 0.45, 900, 0.9, 0, 110), red, r=1)
    # Beyond the end, along the line's direction and to the right: no route pixels.
    for dx, dy in [(8, -8), (14, -14), (10, 0), (0, -10)]:
        assert not _colour_near(img, (x + dx, y + dy), red, r=2), (dx, dy)
    # The start is the panel's lower-left corner.
    assert _colour_near(img, _end_pixel(30, 0.03, 900, 0.9, 0, 110), red, r=1)


def test_png_replaces_the_file_only_when_complete(
    analysis: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "tcd.png"
    target.write_bytes(b"old")

    def broken_save(self: Image.Image, fp: Any, *args: Any, **kwargs: Any) -> None:
        Path(fp).write_bytes(b"\x89PNG half")
        raise OSError("disk full")

    monkeypatch.setattr(Image.Image, "save", broken_save)
    with pytest.raises(DataError, match=r"cannot write \(disk full\)"):  # one line, exit 2
        write_tcd_png(analysis["routes"], target)
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["tcd.png"]
    monkeypatch.undo()
    write_tcd_png(analysis["routes"], target)
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert os.listdir(tmp_path) == ["tcd.png"]


def test_without_the_bundled_font_pillow_default_is_used(
    analysis: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert raster.dejavu_sans_path() is not None  # matplotlib is a dependency
    monkeypatch.setattr("corridor.report.tcd_png.dejavu_sans_path", lambda: None)
    img = _load(write_tcd_png(analysis["routes"], tmp_path / "f.png")).convert("L")
    darkest = img.getextrema()[0]
    assert isinstance(darkest, int) and darkest < 60  # text and frame are drawn
    font = raster._font(tmp_path / "missing.ttf", 12)
    assert font.getlength("km") > 0
