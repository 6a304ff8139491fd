"""Customer names compared loosely, and the values a register row may hold.

A customer is written many ways on paper: 清源市瑞丰大酒店有限公司, 清源市瑞豐大酒店, 瑞丰大酒店
(an alias).  :func:`norm_name` folds Traditional to Simplified and full-width to half-width,
drops spaces and punctuation and a trailing company form (有限公司 …), so the first two are one
key; a short name is an alias the register holds.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from dangan.indexer.errors import UsageError
from dangan.indexer.text import fold

MAX_NAME = 100
CLASSES = ("重点", "一般")
_PUNCT = re.compile(r"[\s\u3000()（）\[\]【】<>《》·.,，、\"'“”‘’:：;；_\-—]+")
_FORM = re.compile(r"(股份有限公司|有限责任公司|有限公司|集团公司|公司)$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@lru_cache(maxsize=65536)  # a centre's records repeat the same few hundred names
def norm_name(name: str | None) -> str:
    """The key a customer name is compared by: ``清源市瑞豐大酒店 有限公司`` → ``清源市瑞丰大酒店``."""
    key = _PUNCT.sub("", fold(name or ""))
    stripped = _FORM.sub("", key)
    return stripped or key  # a customer called just 公司 keeps its name


def clean_name(value: str | None, field: str = "name") -> str:
    """A customer name or alias: trimmed, printable, 1…100 characters with a usable key."""
    text = (value or "").strip()
    if not text or not norm_name(text):
        raise UsageError("{field} is empty; write the customer's name", field=field)
    if len(text) > MAX_NAME or _CONTROL.search(text):
        raise UsageError(
            "{field} '{value}' must be up to {limit} printable characters", field=field, value=text[:40], limit=MAX_NAME
        )
    return text


def clean_text(value: str | None, field: str, limit: int = 200) -> str | None:
    """An optional text field: None when blank, else trimmed, printable, not too long."""
    text = (value or "").strip()
    if len(text) > limit or _CONTROL.search(text):
        raise UsageError("{field} must be up to {limit} printable characters", field=field, limit=limit)
    return text or None


def parse_class(value: str | None) -> str:
    """重点 / 一般 (also written 重点顾客, 一般客户, key, general)."""
    text = (value or "").strip().lower()
    text = {"key": "重点", "general": "一般"}.get(text, text)
    for c in CLASSES:
        if text in (c, c + "顾客", c + "客户"):
            return c
    raise UsageError("class '{value}' is not 重点 or 一般; write 重点 or 一般", value=value or "")


def parse_year(value: object) -> int:
    """A year from 2000 to 2100."""
    text = str(value or "").strip().removesuffix("年")
    if not text.isdigit() or not 2000 <= int(text) <= 2100:
        raise UsageError("year '{value}' is not a year; write it like 2026", value=str(value or ""))
    return int(text)


def parse_date(value: object, field: str) -> date:
    """A day written 2026-03-01, 2026/3/1, 2026.3.1 or 2026年3月1日 (or a spreadsheet date)."""
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    m = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]00:00(?::00)?)?", text)
    try:
        if m:
            return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        pass
    raise UsageError("{field} '{value}' is not a date; write YYYY-MM-DD, e.g. 2026-03-01", field=field, value=text)
