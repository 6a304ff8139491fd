"""Due rules: when a periodic or event-driven record is owed, written in a checklist.

Two families, because the regulations speak of two kinds of deadline:

* after a **period** (the item has ``period = "month"`` etc.)::

    next-period+1d     the 2nd of the next month (first day of the next period + 1 day)
    next-period        the first day of the next period
    next-week:tue      Tuesday of the week after the period ends
    period-end         the last day of the period ("before the end of the month")
    period-end-1d      one day before it (Saturday for a Monday–Sunday week)

* after an **event** (an item with ``after = "S01"``, or a record's own date)::

    +2d                within 2 days
    +3d..+7d           not before day 3 and not after day 7
    +4h                within 4 hours; checked to the day, because documents carry a date
    same-day           = +0d

Rules are parsed once when the checklist is loaded; a bad rule raises ``ValueError`` with the
reason, and the checklist loader names the file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from dangan.archive.deadlines.periods import Period

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_NEXT = re.compile(r"^next-period(?:\+(\d{1,3})d)?$")
_WEEK = re.compile(r"^next-week:([a-z]{3})$")
_END = re.compile(r"^period-end(?:-(\d{1,3})d)?$")
_REL = re.compile(r"^\+(\d{1,4})([dh])(?:\.\.\+(\d{1,4})([dh]))?$")

PERIODIC_FORMS = "next-period+Nd, next-week:tue, period-end or period-end-Nd"
RELATIVE_FORMS = "+Nd, +Nh, +Nd..+Md or same-day"


@dataclass(frozen=True)
class DueRule:
    """A parsed due rule; ``text`` is how the checklist wrote it."""

    text: str
    kind: str  # next-period | next-week | period-end | relative
    days: int = 0  # offset for next-period / period-end
    weekday: int = 0  # 0 = Monday, for next-week
    earliest: int = 0  # relative: first allowed day after the event
    latest: int = 0  # relative: last allowed day after the event

    @property
    def periodic(self) -> bool:
        """Whether the rule counts from the end of a period (not from an event)."""
        return self.kind != "relative"

    def due_for(self, period: Period) -> date:
        """The last day a record of ``period`` is on time."""
        if self.kind == "next-period":
            return period.end + timedelta(days=1 + self.days)
        if self.kind == "next-week":
            next_monday = period.end + timedelta(days=7 - period.end.weekday())
            return next_monday + timedelta(days=self.weekday)
        if self.kind == "period-end":
            return max(period.start, period.end - timedelta(days=self.days))
        raise ValueError(f"rule {self.text} counts from an event, not a period")

    def window(self, event: date) -> tuple[date, date]:
        """The first and last day a record owed after ``event`` is on time."""
        return event + timedelta(days=self.earliest), event + timedelta(days=self.latest)


def _relative_days(amount: str, unit: str) -> int:
    # An hour rule is checked to the day: a record dated the same day is on time for +4h,
    # and 30 hours allow the next day.
    return int(amount) if unit == "d" else int(amount) // 24


def parse_rule(text: str) -> DueRule:
    """Parse a due rule; ValueError says what forms are accepted."""
    t = (text or "").strip().lower()
    if t == "same-day":
        return DueRule(text, "relative")
    if m := _NEXT.match(t):
        return DueRule(text, "next-period", days=int(m.group(1) or 0))
    if m := _WEEK.match(t):
        if m.group(1) not in WEEKDAYS:
            raise ValueError(f"'{m.group(1)}' is not a weekday; use one of {', '.join(WEEKDAYS)}")
        return DueRule(text, "next-week", weekday=WEEKDAYS.index(m.group(1)))
    if m := _END.match(t):
        return DueRule(text, "period-end", days=int(m.group(1) or 0))
    if m := _REL.match(t):
        lo = _relative_days(m.group(1), m.group(2))
        if m.group(3) is None:
            return DueRule(text, "relative", earliest=0, latest=lo)
        hi = _relative_days(m.group(3), m.group(4))
        if hi < lo:
            raise ValueError(f"the window {text} ends before it starts")
        return DueRule(text, "relative", earliest=lo, latest=hi)
    raise ValueError(
        f"'{text}' is not a due rule; after a period write {PERIODIC_FORMS}, after an event {RELATIVE_FORMS}"
    )
