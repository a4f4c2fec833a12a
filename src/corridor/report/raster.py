"""A small raster canvas on Pillow: lines, rectangles and text in output pixels.

Slanted lines are anti-aliased by drawing them at ``ss`` times the output
size on a transparent layer, downsampling it with a Lanczos filter and laying
it over the picture (:meth:`Canvas.supersampled`); text (anti-aliased by
FreeType) and axis-parallel lines are drawn at output size, which is sharper
and leaves the costly filter a fraction of the pixels. Text uses DejaVu
Sans from matplotlib's bundled fonts, found without importing matplotlib (its
import alone costs about half a second), or Pillow's default font when that
file is missing.
"""

from __future__ import annotations

import functools
import importlib.util
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from PIL import Image, ImageDraw, ImageFont

__all__ = ["Canvas", "dejavu_sans_path"]

HAlign = Literal["left", "center", "right"]
VAlign = Literal["top", "center", "baseline", "bottom"]
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def dejavu_sans_path() -> Path | None:
    """Path of matplotlib's bundled ``DejaVuSans.ttf``, or ``None`` if it is not installed.

    Examples
    --------
    >>> p = dejavu_sans_path()
    >>> p is None or p.name == "DejaVuSans.ttf"
    True
    """
    spec = importlib.util.find_spec("matplotlib")
    for root in (spec.submodule_search_locations or []) if spec else []:
        path = Path(root) / "mpl-data" / "fonts" / "ttf" / "DejaVuSans.ttf"
        if path.is_file():
            return path
    return None


@functools.lru_cache(maxsize=64)
def _font(path: Path | None, px: int) -> Font:
    """The font at ``px`` pixels; loading a face costs ~1 ms, a figure asks for a few sizes."""
    if path is not None:
        try:
            return ImageFont.truetype(str(path), px)
        except OSError:
            pass
    return ImageFont.load_default(px)


class Canvas:
    """An RGB image addressed in output pixels, drawn at ``ss``× and downsampled on :meth:`image`.

    Parameters
    ----------
    width, height
        Output size in pixels.
    ss
        Supersampling factor of this canvas (1: drawn at output size).
    font_path
        TrueType file for text; ``None`` uses Pillow's default font.
    origin
        Output pixel of the canvas's top-left corner (set for a region by
        :meth:`supersampled`, so that it is drawn in its parent's coordinates).

    Examples
    --------
    >>> c = Canvas(40, 20, font_path=dejavu_sans_path())
    >>> with c.supersampled(0, 0, 40, 20) as fine:
    ...     fine.line([(2, 10), (38, 10)], "#d62728", 3)
    >>> c.text(20, 2, "x", size=8, ha="center")
    >>> img = c.image()
    >>> img.size, max(abs(a - b) for a, b in zip(img.getpixel((20, 10)), (214, 39, 40))) < 12
    ((40, 20), True)
    """

    def __init__(
        self,
        width: int,
        height: int,
        *,
        ss: int = 1,
        font_path: Path | None = None,
        origin: tuple[int, int] = (0, 0),
    ) -> None:
        self.width, self.height, self.ss = width, height, ss
        self.font_path, self.origin = font_path, origin
        # A supersampled region is a transparent layer, kept premultiplied ("RGBa": the
        # Lanczos filter needs that, and opaque ink on transparent is the same bytes in
        # both forms, so no conversion of the large image); the picture is opaque white.
        mode, fill = ("RGB", (255, 255, 255)) if ss == 1 else ("RGBa", (0, 0, 0, 0))
        self._img = Image.new(mode, (width * ss, height * ss), fill)
        self._draw = ImageDraw.Draw(self._img)

    def _xy(self, x: float, y: float) -> tuple[float, float]:
        return (x - self.origin[0]) * self.ss, (y - self.origin[1]) * self.ss

    @contextmanager
    def supersampled(
        self, x0: float, y0: float, x1: float, y1: float, *, ss: int = 2
    ) -> Iterator[Canvas]:
        """A transparent layer drawn at ``ss``× in this canvas's coordinates, laid over on exit.

        The region (widened to whole pixels) is downsampled with Lanczos and
        composited over what is already drawn; drawing in it is clipped to it.
        """
        if self.ss != 1:
            raise ValueError("supersampled regions go on a canvas drawn at output size")
        ix0, iy0 = math.floor(x0), math.floor(y0)
        ix1, iy1 = math.ceil(x1), math.ceil(y1)
        region = Canvas(ix1 - ix0, iy1 - iy0, ss=ss, font_path=self.font_path, origin=(ix0, iy0))
        yield region
        layer = region.image()
        self._img.paste(layer, (ix0 - self.origin[0], iy0 - self.origin[1]), layer)

    def font(self, size: float) -> Font:
        """The canvas font at ``size`` output pixels (drawn at ``ss`` times that)."""
        return _font(self.font_path, max(1, round(size * self.ss)))

    def line(self, points: Sequence[tuple[float, float]], colour: str, width: float) -> None:
        """Polyline through ``points``, ``width`` output pixels wide, with round joints."""
        w = max(1, round(width * self.ss))
        self._draw.line([self._xy(x, y) for x, y in points], fill=colour, width=w, joint="curve")

    def rect(self, x0: float, y0: float, x1: float, y1: float, colour: str, width: float) -> None:
        """Outline of a rectangle, ``width`` output pixels wide, centred on its edges."""
        w = max(1, round(width * self.ss))
        half = w / 2
        (a, b), (c, d) = self._xy(x0, y0), self._xy(x1, y1)
        self._draw.rectangle((a - half, b - half, c + half, d + half), outline=colour, width=w)

    def text_width(self, text: str, size: float) -> float:
        """Advance width of ``text`` in output pixels."""
        return float(self.font(size).getlength(text)) / self.ss

    def _metrics(self, font: Font) -> tuple[float, float]:
        if isinstance(font, ImageFont.FreeTypeFont):
            ascent, descent = font.getmetrics()
            return float(ascent), float(descent)
        return float(font.getbbox("Ag")[3]), 0.0

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float,
        colour: str = "#000000",
        ha: HAlign = "left",
        va: VAlign = "top",
        rotate: bool = False,
    ) -> None:
        """Draw ``text`` of ``size`` px (the em) aligned at ``(x, y)``.

        ``ha``/``va`` say which point of the text box is at ``(x, y)``; with
        ``rotate`` the text runs upwards and they apply to the turned box
        (``ha`` then picks along y, ``va`` along x: "top" is the left side).
        """
        font = self.font(size)
        width = float(font.getlength(text))
        ascent, descent = self._metrics(font)
        along = {"left": 0.0, "center": width / 2, "right": width}[ha]
        across = {"top": 0.0, "center": (ascent + descent) / 2, "baseline": ascent,
                  "bottom": ascent + descent}[va]  # fmt: skip
        sx, sy = self._xy(x, y)
        if not rotate:
            self._draw.text((sx - along, sy - across), text, font=font, fill=colour)
            return
        box = Image.new("L", (max(1, round(width)), max(1, round(ascent + descent))), 0)
        ImageDraw.Draw(box).text((0, 0), text, font=font, fill=255)
        box = box.transpose(Image.Transpose.ROTATE_90)
        # After the turn the text's start is at the bottom: "left" means the lower end.
        top = sy - (box.height - along)
        self._img.paste(colour, (round(sx - across), round(top)), box)

    def image(self) -> Image.Image:
        """The picture at output size: as drawn, or (a region) its layer downsampled, as RGBA."""
        if self.ss == 1:
            return self._img  # no copy: the canvas is done with once its picture is taken
        small = self._img.resize((self.width, self.height), Image.Resampling.LANCZOS)
        return small.convert("RGBA")
