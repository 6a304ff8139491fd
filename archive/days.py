"""Days as the users write them: the one parser of a typed day and the one 年月日 formatter.

Every option, query parameter and form field that names a day (``--from``, ``--today``,
``?to=``, an edit's date) is read by :func:`parse_day`, so each says the same thing when it
is wrong; "today" is :func:`today` everywhere (``--today``, ``?today=``, $DANGAN_TODAY).
Every page, register, volume cover and form writes a day as :func:`cn_date` does:
2024年3月5日, the way it is written on Chinese paperwork.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime
from typing import Any

from dangan.indexer.errors import UsageError

TODAY_ENV = "DANGAN_TODAY"  # tests and demos fix "today" with it
_ISO_DAY = re.compile(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2}).*)?\s*")


def parse_day(text: str, what: str) -> date:
    """A YYYY-MM-DD value; UsageError naming ``what`` (the option or parameter) otherwise.

    The error carries ``param`` and ``value`` so the web app can say it in Chinese.
    """
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError as e:
        error = UsageError("{what} '{text}' is not a date; write YYYY-MM-DD, e.g. 2025-03-01", what=what, text=text)
        error.param, error.value = what, text  # type: ignore[attr-defined]
        raise error from e


def today(text: str | None = None, what: str = "--today") -> date:
    """The day given (``--today``/``?today=``), else $DANGAN_TODAY, else the real today."""
    text = text or os.environ.get(TODAY_ENV)
    return parse_day(text, what) if text else date.today()


def cn_date(value: Any, *, with_time: bool = False) -> str:
    """A day as 2024年3月5日 (a date, a datetime or ISO text; with ``with_time`` a moment
    also gets its time, 2024年3月5日 14:30).  None or "" is ""; other text stays as it is."""
    if value is None or value == "":
        return ""
    if isinstance(value, (date, datetime)):
        day, moment = value, value if isinstance(value, datetime) else None
    else:
        m = _ISO_DAY.fullmatch(str(value))
        if not m:
            return str(value)
        try:
            day = date(int(m[1]), int(m[2]), int(m[3]))
            moment = datetime(day.year, day.month, day.day, int(m[4]), int(m[5])) if m[4] else None
        except ValueError:  # 2024-13-40 is no day: shown as it was typed
            return str(value)
    text = f"{day.year}年{day.month}月{day.day}日"
    return f"{text} {moment:%H:%M}" if with_time and moment is not None else text
