"""One parser of a typed day and one 年月日 formatter for every command, page, register and form."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from dangan.archive.days import cn_date, parse_day, today
from dangan.archive.forms.filters import cn_date as form_filter
from dangan.indexer.errors import UsageError
from dangan.web.base import cn_date as page_filter


@pytest.mark.parametrize("value, shown", [
    (date(2024, 3, 5), "2024年3月5日"), (datetime(2024, 12, 1, 9, 7), "2024年12月1日"), ("2024-03-05", "2024年3月5日"),
    ("2024-03-05 14:30", "2024年3月5日"), ("2024-13-40", "2024-13-40"), ("三月五日", "三月五日"), (None, ""), ("", ""),
])  # fmt: skip
def test_days_are_written_one_way(value, shown):
    assert cn_date(value) == form_filter(value) == shown


def test_the_pages_add_the_time_of_a_moment():
    assert page_filter(datetime(2024, 3, 5, 9, 7)) == "2024年3月5日 09:07"
    assert page_filter("2024-03-05T14:30:00") == "2024年3月5日 14:30"
    assert page_filter(date(2024, 3, 5)) == "2024年3月5日"


def test_a_typed_day_that_is_no_day_names_the_option():
    assert parse_day(" 2024-03-05 ", "--from") == date(2024, 3, 5)
    with pytest.raises(UsageError, match=r"^--to '2024/03/05' is not a date; write YYYY-MM-DD, e.g. 2025-03-01$") as e:
        parse_day("2024/03/05", "--to")
    assert (e.value.param, e.value.value) == ("--to", "2024/03/05")


def test_today_is_the_given_day_then_the_environment_then_the_real_one(monkeypatch):
    monkeypatch.setenv("DANGAN_TODAY", "2024-04-03")
    assert today("2024-05-01") == date(2024, 5, 1) and today() == date(2024, 4, 3)
    with pytest.raises(UsageError, match=r"^today 'tomorrow' is not a date"):
        today("tomorrow", "today")
    monkeypatch.delenv("DANGAN_TODAY")
    assert today() == date.today()
