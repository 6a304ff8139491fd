"""Periods written in a record's text: the week, month, quarter or year a periodic record covers.

A weekly statistics table says 统计周期 2026-09-14 至 09-20, a monthly report 报表月份 2026年9月
or 2026-09, a quarterly register 2026年第三季度; the record belongs to that period, not to the
day it was handed in (often the Monday after).  :func:`covered_periods` finds the periods in
a text that fit a checklist item's period kind and gives each one's first day.
"""

from __future__ import annotations

import re
from datetime import date

_FULL = r"((?:19|20)\d{2})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?"
_PART = r"(?:((?:19|20)\d{2})\s*[年./-]\s*)?(?:(\d{1,2})\s*[月./-]\s*)?(\d{1,2})\s*日?"
_RANGE = re.compile(_FULL + r"\s*(?:至|到|—|–|―|－|~|～|-)\s*" + _PART + r"(?![\d年月])")
_MONTH = re.compile(
    r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月(?!\s*\d)|月份\s*[:：]?\s*((?:19|20)\d{2})[-./](\d{1,2})(?![-./\d])"
)
_QUARTER = re.compile(r"((?:19|20)\d{2})\s*年?\s*(?:第\s*([一二三四1-4])\s*季度|[qQ]([1-4]))")
_WEEK = re.compile(r"((?:19|20)\d{2})\s*年\s*第\s*(\d{1,2})\s*周")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年度")
_CN = {"一": 1, "二": 2, "三": 3, "四": 4}
# A range fits a period kind when it spans this many days (first to last, inclusive).
SPANS = {"week": (5, 8), "month": (27, 31), "quarter": (80, 92), "year": (360, 366)}


def covered_periods(folded: str, kind: str) -> list[tuple[date, str, int]]:
    """(first day, the text naming the period, offset) for each period of ``kind`` in the text."""
    if kind not in SPANS:
        return []
    found = [*_ranges(folded, kind), *_named(folded, kind)]
    return sorted(found, key=lambda f: f[2])


def _ranges(folded: str, kind: str) -> list[tuple[date, str, int]]:
    lo, hi = SPANS[kind]
    out = []
    for m in _RANGE.finditer(folded):
        try:
            start = date(int(m[1]), int(m[2]), int(m[3]))
            end = date(int(m[4] or start.year), int(m[5] or start.month), int(m[6]))
        except ValueError:
            continue
        if end < start and not m[4]:  # 12-28 至 01-03: the range crosses a new year
            end = end.replace(year=end.year + 1)
        if lo <= (end - start).days + 1 <= hi:
            out.append((start, m[0].strip(), m.start()))
    return out


def _named(folded: str, kind: str) -> list[tuple[date, str, int]]:
    """Periods named as such: 2026年9月, 2026年第三季度, 2026年第38周, 2026年度."""
    out = []
    if kind == "month":
        for m in _MONTH.finditer(folded):
            year, month = (m[1], m[2]) if m[1] else (m[3], m[4])
            if 1 <= int(month) <= 12:
                out.append((date(int(year), int(month), 1), m[0].strip(), m.start()))
    elif kind == "quarter":
        for m in _QUARTER.finditer(folded):
            q = _CN.get(m[2] or "") or int(m[2] or m[3])
            out.append((date(int(m[1]), 3 * q - 2, 1), m[0].strip(), m.start()))
    elif kind == "week":
        for m in _WEEK.finditer(folded):
            try:
                out.append((date.fromisocalendar(int(m[1]), int(m[2]), 1), m[0].strip(), m.start()))
            except ValueError:
                continue
    elif kind == "year":
        out += [(date(int(m[1]), 1, 1), m[0].strip(), m.start()) for m in _YEAR.finditer(folded)]
    return out
