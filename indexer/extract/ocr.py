"""OCR of page images with RapidOCR (models ship inside the wheel: offline, no download).

``ocr_image`` is the one place OCR happens; the readers call it through this module
(``ocr.ocr_image``), so a test or a caller swaps the engine by setting that one attribute.

RapidOCR shrinks every image to 2,000 px on its long side before reading it, so the small
print of an A1 drawing (title block, dimensions) would be lost.  Large images are therefore
cut into overlapping tiles of at most that size; each tile is read at full resolution and the
boxes are put back together (a line cut by a tile edge is read whole by the neighbouring
tile, whose overlap is wider than a line is tall; the duplicate is dropped).
"""

from __future__ import annotations

import threading
import unicodedata

from PIL import Image

_engine = None
_engine_lock = threading.Lock()


def _ocr_engine():
    """The process-wide RapidOCR engine, created on first use (loading takes ~1 s)."""
    global _engine
    with _engine_lock:
        if _engine is None:
            from rapidocr_onnxruntime import RapidOCR

            _engine = RapidOCR()
        return _engine


TILE = 2000  # RapidOCR's own max_side_len: a tile this size is read without shrinking
OVERLAP = 200  # wider than a text line is tall at 200 dpi, so every line is whole in some tile


def ocr_image(img: Image.Image) -> str:
    """Return the text of ``img`` in reading order, one text line per output line.

    The one place OCR happens: tests and callers may swap it for another engine.
    """
    rgb = img.convert("RGB")
    return "\n".join(_reading_order(ocr_boxes(rgb)))


def ocr_boxes(img: Image.Image) -> list:
    """RapidOCR's (points, text, score) boxes for ``img``, tiled when it is larger than TILE."""
    if max(img.size) <= TILE * 1.1:
        return _read(img)
    boxes: list = []
    for left, top in tile_origins(img.size):
        tile = img.crop((left, top, min(left + TILE, img.width), min(top + TILE, img.height)))
        for points, text, score in _read(tile):
            moved = [[x + left, y + top] for x, y in points]
            if not any(_same_box(moved, text, other) for other in boxes):
                boxes.append((moved, text, score))
    return boxes


def tile_origins(size: tuple[int, int]) -> list[tuple[int, int]]:
    """Top-left corners of TILE-sized tiles overlapping by OVERLAP that cover ``size``."""

    def starts(length: int) -> list[int]:
        if length <= TILE:
            return [0]
        count = -(-(length - OVERLAP) // (TILE - OVERLAP))  # ceil: tiles needed with overlap
        return [round(i * (length - TILE) / (count - 1)) for i in range(count)]

    width, height = size
    return [(x, y) for y in starts(height) for x in starts(width)]


def _read(img: Image.Image) -> list:
    import numpy as np  # here, not at the top: a run without scans never needs it (~80 ms)

    result, _timings = _ocr_engine()(np.asarray(img), use_cls=True)
    return list(result or [])


def _same_box(points, text: str, other) -> bool:
    """A box read twice in the overlap of two tiles: same text, mostly the same place."""
    o_points, o_text, _ = other
    if text not in o_text and o_text not in text:
        return False
    ax0, ay0, ax1, ay1 = _bounds(points)
    bx0, by0, bx1, by1 = _bounds(o_points)
    inter = max(0, min(ax1, bx1) - max(ax0, bx0)) * max(0, min(ay1, by1) - max(ay0, by0))
    smaller = min((ax1 - ax0) * (ay1 - ay0), (bx1 - bx0) * (by1 - by0)) or 1
    return inter / smaller > 0.5


def _bounds(points) -> tuple[float, float, float, float]:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _reading_order(boxes: list) -> list[str]:
    """Group OCR boxes into lines by vertical overlap; order top-down, left-right."""
    items = sorted(
        (_box_extent(points) + (text,) for points, text, _score in boxes), key=lambda it: (it[0] + it[1]) / 2
    )
    lines: list[list[tuple]] = []
    for item in items:
        if lines and _same_line(lines[-1], item):
            lines[-1].append(item)
        else:
            lines.append([item])
    return [_join_line([it[3] for it in sorted(line, key=lambda it: it[2])]) for line in lines]


def _box_extent(points) -> tuple[float, float, float]:
    ys = [p[1] for p in points]
    return min(ys), max(ys), min(p[0] for p in points)


def _same_line(line: list[tuple], item: tuple) -> bool:
    top, bottom = min(it[0] for it in line), max(it[1] for it in line)
    overlap = min(bottom, item[1]) - max(top, item[0])
    return overlap >= 0.5 * min(bottom - top, item[1] - item[0])


def _join_line(parts: list[str]) -> str:
    line = ""
    for part in parts:
        if line and part and not (_is_wide(line[-1]) or _is_wide(part[0])):
            line += " "
        line += part
    return line


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")
