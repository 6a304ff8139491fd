"""Periods, due rules and their validation in a checklist file (no catalog needed)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dangan.archive.checklist import load_checklist, parse_checklist
from dangan.archive.deadlines.periods import parse_period, period_of, periods_between
from dangan.archive.deadlines.rules import parse_rule
from dangan.indexer.errors import ChecklistError, UsageError


def test_period_keys_and_boundaries():
    assert period_of("month", date(2025, 3, 31)).key == "2025-03"
    assert period_of("month", date(2025, 4, 1)).key == "2025-04"
    assert period_of("quarter", date(2025, 3, 31)).key == "2025-Q1"
    assert period_of("quarter", date(2025, 4, 1)).key == "2025-Q2"
    # ISO weeks: 2024-12-30 is a Monday in week 1 of 2025.
    assert period_of("week", date(2024, 12, 29)).key == "2024-W52"
    assert period_of("week", date(2024, 12, 30)).key == "2025-W01"
    assert period_of("week", date(2025, 1, 5)) == period_of("week", date(2024, 12, 30))
    assert [p.key for p in periods_between("month", date(2024, 11, 15), date(2025, 1, 1))] == [
        "2024-11",
        "2024-12",
        "2025-01",
    ]


@pytest.mark.parametrize(
    "text, start, end",
    [
        ("2025-03", date(2025, 3, 1), date(2025, 3, 31)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("2025-Q4", date(2025, 10, 1), date(2025, 12, 31)),
        ("2025-W01", date(2024, 12, 30), date(2025, 1, 5)),
        ("2025-03-14", date(2025, 3, 14), date(2025, 3, 14)),
        ("2025", date(2025, 1, 1), date(2025, 12, 31)),
    ],
)
def test_parse_period(text, start, end):
    p = parse_period(text)
    assert (p.start, p.end) == (start, end)


@pytest.mark.parametrize("text", ["2025-13", "March", "2025-Q5", "2025-W60", ""])
def test_a_bad_period_says_how_to_write_one(text):
    with pytest.raises(UsageError) as e:
        parse_period(text)
    assert str(e.value) == (
        f"period '{text}' is not a day, week, month, quarter or year; write 2025-03-14, 2025-W11, 2025-03, 2025-Q1 or 2025"
    )


def test_next_period_plus_one_day_is_the_second_of_the_next_month_and_quarter():
    rule = parse_rule("next-period+1d")
    assert rule.due_for(parse_period("2025-03")) == date(2025, 4, 2)
    assert rule.due_for(parse_period("2024-12")) == date(2025, 1, 2)
    assert rule.due_for(parse_period("2025-02")) == date(2025, 3, 2)
    assert rule.due_for(parse_period("2024-Q4")) == date(2025, 1, 2)
    assert rule.due_for(parse_period("2025-Q1")) == date(2025, 4, 2)


def test_next_week_tuesday_across_a_year_end():
    rule = parse_rule("next-week:tue")
    assert rule.due_for(parse_period("2024-W52")) == date(2024, 12, 31)
    assert rule.due_for(parse_period("2025-W01")) == date(2025, 1, 7)
    # A month's "next week" is the week after the one its last day falls in (Mon 2025-03-31).
    assert rule.due_for(parse_period("2025-03")) == date(2025, 4, 8)


def test_period_end_rules():
    assert parse_rule("period-end").due_for(parse_period("2025-02")) == date(2025, 2, 28)
    assert parse_rule("period-end-1d").due_for(parse_period("2025-W11")) == date(2025, 3, 15)  # Saturday


def test_event_windows():
    assert parse_rule("+3d..+7d").window(date(2025, 3, 28)) == (date(2025, 3, 31), date(2025, 4, 4))
    assert parse_rule("+2d").window(date(2025, 3, 30)) == (date(2025, 3, 30), date(2025, 4, 1))
    assert parse_rule("+4h").window(date(2025, 3, 10)) == (date(2025, 3, 10), date(2025, 3, 10))
    assert parse_rule("+30h").window(date(2025, 3, 10)) == (date(2025, 3, 10), date(2025, 3, 11))
    assert parse_rule("same-day").window(date(2025, 3, 10)) == (date(2025, 3, 10), date(2025, 3, 10))


@pytest.mark.parametrize(
    "text, reason",
    [
        (
            "next-month",
            "'next-month' is not a due rule; after a period write next-period+Nd, next-week:tue, period-end or period-end-Nd, after an event +Nd, +Nh, +Nd..+Md or same-day",
        ),
        ("next-week:xyz", "'xyz' is not a weekday; use one of mon, tue, wed, thu, fri, sat, sun"),
        ("+7d..+3d", "the window +7d..+3d ends before it starts"),
    ],
)
def test_bad_rules(text, reason):
    with pytest.raises(ValueError) as e:
        parse_rule(text)
    assert str(e.value) == reason


def test_the_shipped_service_checklist_loads():
    cl = load_checklist("service")
    assert cl.roles == ["调度员", "维修人员", "客服主管", "客服专员"]
    s01 = cl.item("S01")
    assert (s01.period, s01.due, s01.form) == ("month", "next-period+1d", "维护派工单")
    assert cl.item("S14").after == "S13" and cl.item("S14").satisfied_by == "S13"
    assert not any(i.timed for i in load_checklist("construction").items)


SERVICE_HEAD = 'id = "svc"\ntitle = "测试"\n\n[[groups]]\ntitle = "组"\n'


def _item(code: str, extra: str) -> str:
    return f'\n  [[groups.items]]\n  code = "{code}"\n  title = "记录{code}"\n  role = "调度员"\n  retention = "短期"\n{extra}'


def _write(tmp_path: Path, *items: str) -> Path:
    p = tmp_path / "svc.toml"
    p.write_text(SERVICE_HEAD + "".join(items), encoding="utf-8")
    return p


@pytest.mark.parametrize(
    "extra, line, problem",
    [
        ('  period = "month"\n  due = "next-month"\n', 21, "'next-month' is not a due rule"),
        (
            '  period = "fortnight"\n  due = "next-period+1d"\n',
            20,
            "period 'fortnight' must be one of day, week, month, quarter, year",
        ),
        ('  period = "month"\n', 20, "a periodic or event-driven item needs a due rule"),
        ('  period = "month"\n  due = "+3d"\n', 21, "due '+3d' counts from an event but the item has period = 'month'"),
        ('  due = "next-period+1d"\n', 20, "due 'next-period+1d' needs a period"),
        ('  after = "S99"\n  due = "+2d"\n', 20, "after = 'S99' names no item of this checklist"),
        ('  after = "S01"\n  due = "+2d"\n  satisfied_by = "S02"\n', 22, "satisfied_by names the item itself"),
    ],
)
def test_a_bad_deadline_names_the_file_line_and_item(tmp_path, extra, line, problem):
    path = _write(tmp_path, _item("S01", '  period = "month"\n  due = "next-period+1d"\n'), _item("S02", extra))
    with pytest.raises(ChecklistError) as e:
        parse_checklist(path)
    assert str(e.value).startswith(f"{path}, line {line}: item S02: {problem}")


def test_a_non_string_rule_is_refused(tmp_path):
    path = _write(tmp_path, _item("S01", '  period = "month"\n  due = 2\n'))
    with pytest.raises(ChecklistError) as e:
        parse_checklist(path)
    assert str(e.value) == f"{path}: item S01: 'due' must be a quoted string"


def test_an_after_chain_that_loops_is_refused(tmp_path):
    path = _write(
        tmp_path, _item("S01", '  after = "S02"\n  due = "+2d"\n'), _item("S02", '  after = "S01"\n  due = "+2d"\n')
    )
    with pytest.raises(ChecklistError) as e:
        parse_checklist(path)
    assert str(e.value) == (
        f"{path}, line 12: item S01: its after chain leads back to itself, so it would never be owed; "
        "an event item follows a record that does not follow it"
    )
