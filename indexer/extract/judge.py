"""Judging a PDF text layer before trusting it.

A text layer can be present and still be garbage: a font with a wrong ToUnicode map gives
characters of scripts the document cannot contain (Tamil or Kannada letters for a Chinese
page), a Type 3 font without a map gives glyph names (``/g437/g258``), and some producers
emit one letter between spaces for what is really a picture.  Indexing such a layer makes the
page unfindable, so each layer is judged here and, when it looks wrong, the reader tries the
other parser and then OCR (see ``pdf.py``).

A layer whose UTF-16 was read with the wrong byte order (ASCII letters as U+4D00, U+7500 …,
plausible Han code points) is recognised by its share of such characters and marked
``swapped``: the reader then swaps the bytes back and judges the result again.

The judgement is deliberately simple and explainable: four shares of the page's meaningful
characters, each with a threshold, and a reason a person can read in ``dangan show``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

# A page with fewer meaningful characters than this has no text layer worth judging: it is a
# scan (scanners often stamp a page number or a date into an otherwise image-only page).
MIN_TEXT_CHARS = 10
# Below this share of characters in the scripts an engineering archive holds, the layer is
# mis-mapped; real pages score 0.98–1.00 even with symbols and stray OCR noise.
MIN_PLAUSIBLE_SHARE = 0.85
# Above this share of characters inside unmapped glyph names (/g437, /cid12, /uni4E00 …).
MAX_GLYPH_NAME_SHARE = 0.2
# Above this share of one-letter Latin tokens among at least SPACED_MIN_TOKENS tokens.
MAX_SPACED_SHARE = 0.6
SPACED_MIN_TOKENS = 8
# Above this share of characters U+XX00 with XX a printable ASCII byte: UTF-16 read with the
# wrong byte order ('M' U+004D read as U+4D00 䴀, 'u' as U+7500 甀).  Those code points are
# Han and pass the script test, but real text seldom holds them: 一 U+4E00, 开 U+5F00 and
# 最 U+6700 are the common ones, a few per cent of a Chinese page at most.
MAX_SWAPPED_SHARE = 0.3
SWAPPED_REASON = "text layer of byte-swapped UTF-16"

_GLYPH_NAME = re.compile(r"/(?:[A-Za-z]{1,5})?\d+|/uni[0-9A-Fa-f]{4,6}|/[A-Za-z]\w{0,7}(?=/)")

# The scripts a Chinese engineering or service archive holds: Han, kana, Latin (with
# accents), Greek (Ω, μ), digits, punctuation and the symbol blocks of units and forms
# (°, ±, ×, №, ①, arrows, box drawing).  Anything else in bulk means a broken font map.
_PLAUSIBLE_RANGES = (
    (0x0020, 0x024F),  # ASCII, Latin-1, Latin Extended-A/B
    (0x0370, 0x03FF),  # Greek
    (0x0400, 0x04FF),  # Cyrillic (Russian equipment names and units)
    (
        0x2000,
        0x2BFF,
    ),  # punctuation, super/subscripts, currency, letterlike, numbers, arrows, math, technical, enclosed, boxes, shapes, dingbats
    (0x2E80, 0x2FDF),  # CJK radicals
    (0x3000, 0x30FF),  # CJK punctuation, kana
    (0x3100, 0x312F),  # bopomofo
    (0x3200, 0x33FF),  # enclosed CJK, CJK compatibility (㎡, ㎜)
    (0x3400, 0x4DBF),  # Extension A
    (0x4E00, 0x9FFF),  # unified ideographs
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # full-width forms
    (0x20000, 0x3134F),  # supplementary ideographs
)


@dataclass(frozen=True)
class Verdict:
    """Whether a page's text layer can be trusted, and why not when it cannot."""

    usable: bool
    reason: str = ""
    score: float = 0.0  # higher is better; compares two layers of the same page
    swapped: bool = False  # the layer reads right with each character's two bytes swapped


def meaningful_chars(text: str) -> list[str]:
    """Characters that carry content: not spaces, controls, private-use or replacement."""
    return [
        ch for ch in text if not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Co", "Cs") and ch != "\ufffd"
    ]


def judge_layer(text: str) -> Verdict:
    """Judge one page's text layer (see the module docstring for the rules)."""
    chars = meaningful_chars(text)
    if len(chars) < MIN_TEXT_CHARS:
        return Verdict(False, "no text layer", 0.0)
    visible = [ch for ch in text if not ch.isspace()]
    unmapped = 1 - len(chars) / max(len(visible), 1)
    plausible = sum(1 for ch in chars if _plausible(ch)) / len(chars)
    glyphs = sum(len(m) for m in _GLYPH_NAME.findall(text)) / len(visible)
    spaced = _spaced_share(text)
    swapped = sum(1 for ch in chars if _swapped_ascii(ch)) / len(chars)
    score = plausible - unmapped - glyphs - spaced - swapped
    if swapped > MAX_SWAPPED_SHARE:
        return Verdict(
            False,
            f"{SWAPPED_REASON} ({swapped:.0%} of characters are ASCII with their bytes swapped)",
            score,
            swapped=True,
        )
    if unmapped > 1 - MIN_PLAUSIBLE_SHARE or plausible < MIN_PLAUSIBLE_SHARE:
        return Verdict(False, f"text layer in unexpected scripts ({plausible:.0%} plausible)", score)
    if glyphs > MAX_GLYPH_NAME_SHARE:
        return Verdict(False, f"text layer of unmapped glyph names ({glyphs:.0%})", score)
    if spaced > MAX_SPACED_SHARE:
        return Verdict(False, f"text layer of single letters between spaces ({spaced:.0%})", score)
    return Verdict(True, "", score)


def agreement(a: str, b: str) -> float:
    """How much two readings of one page share, 0–1, ignoring order and spacing.

    pypdf and PDFium order and space text differently, so the readings are compared as
    multisets of meaningful characters.
    """
    ca, cb = Counter(meaningful_chars(a)), Counter(meaningful_chars(b))
    larger = max(sum(ca.values()), sum(cb.values()))
    return sum((ca & cb).values()) / larger if larger else 1.0


def unswap(text: str) -> str:
    """``text`` with the two bytes of every character above U+00FF swapped back.

    Characters up to U+00FF are left alone: the parser itself inserts the spaces and line
    breaks between runs, and those were never byte-swapped.
    """
    return "".join(chr(((cp & 0xFF) << 8) | (cp >> 8)) if 0xFF < (cp := ord(ch)) <= 0xFFFF else ch for ch in text)


def _swapped_ascii(ch: str) -> bool:
    cp = ord(ch)
    return cp & 0xFF == 0 and 0x21 <= cp >> 8 <= 0x7E


def _plausible(ch: str) -> bool:
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _PLAUSIBLE_RANGES)


def _spaced_share(text: str) -> float:
    """Share of one-letter Latin/symbol tokens (CJK single characters are normal text)."""
    tokens = text.split()
    if len(tokens) < SPACED_MIN_TOKENS:
        return 0.0
    singles = sum(1 for t in tokens if len(t) == 1 and ord(t) < 0x2E80)
    return singles / len(tokens)
