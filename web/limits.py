"""What one web request may ask for: ids that fit the catalog, dates that fit a calendar,
queries of a bounded number of terms, uploads of a bounded number of files.

Each check answers in Chinese with what to do (400 or 404), where the request would
otherwise reach the catalog or the search index and come back as an internal error (500)
or take seconds of a shared server: ``/documents/99999999999999999999999`` overflowed the
database's integer, ``?today=9999-12-31`` the date arithmetic, and a 2,000-term OR query
took 9.8 s that any viewer could send.
"""

from __future__ import annotations

from datetime import date

from starlette.convertors import Convertor, register_url_convertor

from dangan.indexer.errors import UsageError

MAX_QUERY_CHARS = 500  # a search box query; a long title with filters is under 100
MAX_QUERY_TERMS = 32  # words (OR/AND/NOT not counted) in one query
MAX_UPLOAD_FILES = 200  # files in one upload
FIRST_YEAR, LAST_YEAR = 1900, 2199  # days the deadline pages accept
_OPERATORS = frozenset(["OR", "AND", "NOT", "|"])


class IdConvertor(Convertor):
    """A catalog id in a URL: 1 to 18 digits, so it always fits a 64-bit integer column.

    A longer number matches no route: the answer is the ordinary 404 page.
    """

    regex = "[0-9]{1,18}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(int(value))


register_url_convertor("id", IdConvertor())


def check_query(query: str) -> str:
    """``query`` when it is within the search limits, else a UsageError (400) saying so."""
    if len(query) > MAX_QUERY_CHARS:
        raise UsageError(f"搜索内容太长（{len(query):,} 个字符）：最多 {MAX_QUERY_CHARS} 个字符，请缩短后再搜")
    terms = [t for t in query.split() if t.upper() not in _OPERATORS]
    if len(terms) > MAX_QUERY_TERMS:
        raise UsageError(f"搜索词太多（{len(terms):,} 个）：一次最多 {MAX_QUERY_TERMS} 个词，请分几次搜索")
    return query


def check_day(day: date, label: str) -> date:
    """``day`` when its year is one the deadline pages can count from, else a UsageError."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise UsageError(f"{label} {day.isoformat()} 超出范围：请用 {FIRST_YEAR} 至 {LAST_YEAR} 年之间的日期")
    return day


def check_upload_count(count: int) -> None:
    """A UsageError when one upload holds more files than ``MAX_UPLOAD_FILES``."""
    if count > MAX_UPLOAD_FILES:
        raise UsageError(f"一次上传了 {count} 个文件，最多 {MAX_UPLOAD_FILES} 个：请分批上传")
