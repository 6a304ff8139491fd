"""The arithmetic the filing standards ask of a register: page ranges, page totals, 档号 codes.

Conventions, following GB/T 50328 and DA/T 22:

* 卷内目录 页次: the page on which each document starts, counting through the volume in
  filing order from page 1; the last document shows its first and last page ("12-14").
  A document recorded with no page count counts as one page.
* 卷内备考表: drawings are documents of a checklist item in group 竣工图 or whose item code
  starts with D; photos are image files (one per page) unless the entry says otherwise
  (``photo``: an image whose text is a scanned form page is text); the rest is text.
* 归档文件目录 档号: ``settings["pattern"]`` filled with fonds, category, org, the document's
  year, its retention code (永久 → Y, 长期 → D30, 短期 → D10) and the 件号 ``seq``, numbered
  from 1 within each (year, retention) group in filing order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Sequence

from dangan.indexer.errors import ConfigError, UsageError

RETENTION_CODES = {"永久": "Y", "长期": "D30", "短期": "D10"}
DEFAULT_PATTERN = "{fonds}-{category}·{year}-{retention}-{org}-{seq:04d}"


def yyyymmdd(value: Any) -> str:
    """A date as the standards print it: 20240305 ("" when unknown)."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%Y%m%d")
    return str(value or "").replace("-", "")


def page_count(entry: dict) -> int:
    """Pages of a document; one when the catalog has no count."""
    try:
        return max(1, int(entry.get("pages") or 1))
    except (TypeError, ValueError):
        return 1


def page_column(entries: Sequence[dict]) -> list[str]:
    """页次 of every document: its start page, and start-end for the last one."""
    column, start = [], 1
    for i, entry in enumerate(entries):
        end = start + page_count(entry) - 1
        column.append(f"{start}-{end}" if i == len(entries) - 1 else str(start))
        start = end + 1
    return column


def retention_code(retention: str | None) -> str:
    """DA/T 22 retention code of 永久/长期/短期 (codes pass through unchanged)."""
    value = (retention or "").strip()
    if value in RETENTION_CODES.values():
        return value
    if value not in RETENTION_CODES:
        raise UsageError(f"unknown retention {value!r}; use 永久, 长期 or 短期")
    return RETENTION_CODES[value]


def archive_codes(entries: Sequence[dict], settings: dict) -> list[str]:
    """档号 of every document; 件号 counts within each (year, retention) group."""
    pattern = settings.get("pattern") or DEFAULT_PATTERN
    counters: dict[tuple[Any, str], int] = {}
    codes = []
    for entry in entries:
        year = _year(entry, settings)
        retention = retention_code(entry.get("retention") or "永久")
        seq = counters[(year, retention)] = counters.get((year, retention), 0) + 1
        values = {
            "fonds": settings.get("fonds", ""), "category": settings.get("category", ""),
            "org": settings.get("org", ""), "year": year, "retention": retention, "seq": seq,
        }  # fmt: skip
        try:
            codes.append(pattern.format(**values))
        except (KeyError, ValueError, IndexError) as e:
            raise ConfigError(
                f"[archive_code] pattern {pattern!r} in dangan.toml cannot be filled ({e}); "
                f"use the fields fonds, category, year, retention, org, seq"
            ) from e
    return codes


def _year(entry: dict, settings: dict) -> int:
    d = entry.get("document_date")
    if isinstance(d, (date, datetime)):
        return d.year
    return int(settings.get("year") or date.today().year)


def _drawing_codes(checklist: Sequence[dict]) -> set[str]:
    return {str(c.get("code") or c.get("number")) for c in checklist if c.get("group") == "竣工图"}


def _kind_of(entry: dict, drawing_codes: set[str]) -> str:
    code = str(entry.get("item_code") or "")
    if code.upper().startswith("D") or code in drawing_codes:
        return "drawing"
    if "photo" in entry:  # decided from the document's text (see registers.rows)
        return "photo" if entry["photo"] else "text"
    if str(entry.get("mime_type") or "").startswith("image/"):
        return "photo"
    return "text"


@dataclass
class PageTotals:
    """The counts of a 卷内备考表."""

    total: int
    text: int
    drawings: int
    photos: int


def page_totals(entries: Sequence[dict], checklist: Sequence[dict] = ()) -> PageTotals:
    """Pages of the volume split into text, drawings and photos."""
    drawing_codes = _drawing_codes(checklist)
    sums = {"text": 0, "drawing": 0, "photo": 0}
    for entry in entries:
        sums[_kind_of(entry, drawing_codes)] += page_count(entry)
    return PageTotals(total=sum(sums.values()), text=sums["text"], drawings=sums["drawing"], photos=sums["photo"])
