"""OCR of page images with RapidOCR (models ship inside the wheel: offline, no download).

``ocr_image`` is the one place OCR happens; the readers call it through this module
(``ocr.ocr_image``), so a test or a caller swaps the engine by setting that one attribute.
"""

from __future__ import annotations

import threading
import unicodedata

import numpy as np
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


def ocr_image(img: Image.Image) -> str:
    """Return the text of ``img`` in reading order, one text line per output line.

    The one place OCR happens: tests and callers may swap it for another engine.
    """
    result, _timings = _ocr_engine()(np.asarray(img.convert("RGB")), use_cls=True)
    return "\n".join(_reading_order(result or []))


def _reading_order(boxes: list) -> list[str]:
    """Group OCR boxes into lines by vertical overlap; order top-down, left-right."""
    items = sorted((_box_extent(points) + (text,) for points, text, _score in boxes), key=lambda it: (it[0] + it[1]) / 2)
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
