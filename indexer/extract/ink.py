"""Is there anything on this page?  A cheap ink-coverage test run before OCR.

A full OCR pass over an empty page costs as much as over a full one (5–7 s on these
machines), and scanned batches are full of blank backs and separator sheets.  The page is
shrunk with a box filter first, so dust and scanner speckles average away, then the share of
dark pixels is counted.
"""

from __future__ import annotations

from PIL import Image

# Side of the thumbnail the test looks at: enough to keep a line of small print.
THUMB_SIDE = 800
DARK = 128  # 0–255 grey level under which a thumbnail pixel counts as ink
# Below this share of dark thumbnail pixels a page is blank: less than two characters of
# 12 pt print on an A4 page (a stamped "第1页" measures 0.00018), so any word is still read.
BLANK_INK = 0.0001


def ink_coverage(img: Image.Image) -> float:
    """Share of the page (0–1) that is ink, measured on a box-filtered thumbnail."""
    grey = img.convert("L")
    scale = THUMB_SIDE / max(grey.size)
    if scale < 1:
        grey = grey.resize(
            (max(1, round(grey.width * scale)), max(1, round(grey.height * scale))), Image.Resampling.BOX
        )
    histogram = grey.histogram()
    return sum(histogram[:DARK]) / max(1, grey.width * grey.height)


def is_blank(img: Image.Image) -> bool:
    """Whether the page carries (next to) no ink and need not be OCR'd."""
    return ink_coverage(img) < BLANK_INK
