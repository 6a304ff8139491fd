"""Filing periods: a day, an ISO week (Monday–Sunday), a month, a quarter or a year.

A periodic checklist item is owed once per period; the period of a document is the period
its *document date* falls in (when the paper was made), never the time it was filed.  Each
period has a key people type and read back: ``2025-03-14``, ``2025-W11``, ``2025-03``,
``2025-Q1``, ``2025``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from dangan.indexer.errors import UsageError

KINDS = ("day", "week", "month", "quarter", "year")


@dataclass(frozen=True, order=True)
class Period:
    """One period of a kind: its first and last day (both inclusive)."""

    start: date
    end: date
    kind: str

    @property
    def key(self) -> str:
        """The period's name, e.g. ``2025-03`` or ``2025-W11``."""
        s = self.start
        if self.kind == "day":
            return s.isoformat()
        if self.kind == "week":
            year, week, _ = s.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "month":
            return f"{s.year}-{s.month:02d}"
        if self.kind == "quarter":
            return f"{s.year}-Q{(s.month - 1) // 3 + 1}"
        return str(s.year)

    def next(self) -> Period:
        """The period right after this one."""
        return period_of(self.kind, self.end + timedelta(days=1))

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def _month_end(year: int, month: int) -> date:
    first_next = date(year + (month == 12), month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def period_of(kind: str, day: date) -> Period:
    """The period of ``kind`` that contains ``day``."""
    if kind == "day":
        return Period(day, day, kind)
    if kind == "week":
        start = day - timedelta(days=day.weekday())
        return Period(start, start + timedelta(days=6), kind)
    if kind == "month":
        return Period(date(day.year, day.month, 1), _month_end(day.year, day.month), kind)
    if kind == "quarter":
        first = (day.month - 1) // 3 * 3 + 1
        return Period(date(day.year, first, 1), _month_end(day.year, first + 2), kind)
    if kind == "year":
        return Period(date(day.year, 1, 1), date(day.year, 12, 31), kind)
    raise ValueError(f"unknown period kind {kind!r}")


def periods_between(kind: str, first: date, last: date) -> list[Period]:
    """Every period of ``kind`` that overlaps the days ``first``…``last``."""
    out: list[Period] = []
    p = period_of(kind, first)
    while p.start <= last:
        out.append(p)
        p = p.next()
    return out


_KEY_PATTERNS = (
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), "day"),
    (re.compile(r"^(\d{4})-W(\d{1,2})$", re.IGNORECASE), "week"),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), "month"),
    (re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE), "quarter"),
    (re.compile(r"^(\d{4})$"), "year"),
)


def parse_period(text: str) -> Period:
    """``2025-03`` / ``2025-Q1`` / ``2025-W11`` / ``2025-03-14`` / ``2025`` → the Period."""
    t = (text or "").strip()
    for pattern, kind in _KEY_PATTERNS:
        m = pattern.match(t)
        if not m:
            continue
        nums = [int(g) for g in m.groups()]
        try:
            if kind == "day":
                return period_of(kind, date(*nums))
            if kind == "week":
                return period_of(kind, date.fromisocalendar(nums[0], nums[1], 1))
            if kind == "month":
                return period_of(kind, date(nums[0], nums[1], 1))
            if kind == "quarter":
                return period_of(kind, date(nums[0], nums[1] * 3 - 2, 1))
            return period_of(kind, date(nums[0], 1, 1))
        except ValueError:
            break
    raise UsageError(
        "period '{text}' is not a day, week, month, quarter or year; write 2025-03-14, 2025-W11, 2025-03, 2025-Q1 or 2025",
        text=text,
    )
