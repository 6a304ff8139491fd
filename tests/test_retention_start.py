"""When 保管期限 starts, per checklist: the year after filing, after 竣工, or after the project's close."""

from __future__ import annotations

import json

import pytest

from dangan.archive.checklist import checklist_paths
from dangan.indexer.errors import ExitCode
from tests.test_retention import CODE
from tests.test_retention import aged as aged_records

aged = pytest.fixture(aged_records.__wrapped__, name="aged")  # the four 施工日志 of test_retention

pytestmark = pytest.mark.both_catalogs


def start_from(home, value: str) -> int:
    """The home's own copy of the construction checklist, counting from ``value``; its line."""
    text = checklist_paths(None)["construction"].read_text(encoding="utf-8")
    assert 'retention_start = "filing"' in text
    home.checklists_dir.mkdir(exist_ok=True)
    (home.checklists_dir / "construction.toml").write_text(
        text.replace('retention_start = "filing"', f"retention_start = {value}"), encoding="utf-8"
    )
    return next(n for n, ln in enumerate(text.splitlines(), 1) if ln.startswith("retention_start"))


def due(cli, year: int) -> list[tuple[int, int, int]]:
    r = cli("retention", "due", "--year", str(year), "--json")
    assert r.exit_code == 0, r.output
    return [(x["id"], x["start_year"], x["expired"]) for x in json.loads(r.output)]


def test_from_completion_nothing_is_due_until_the_project_has_its_date(cli, aged, home):
    a, b, c, d = aged  # 短期 a, b, c and 长期 d, all dated 2014: by filing, due at the end of 2024
    assert [x[0] for x in due(cli, 2024)] == [a, b, c]
    start_from(home, '"completion"')
    assert due(cli, 2060) == []
    r = cli("retention", "due", "--year", "2060")
    assert r.output.splitlines()[-1] == (
        f"{CODE}: 4 record(s) count from the project's 竣工 (completion), which has no date; "
        f"set it: dangan retention dates {CODE} --completed YYYY-MM-DD"
    )
    r = cli("retention", "dates", CODE, "--completed", "2019-11-30")
    assert r.exit_code == 0 and r.output.strip() == f"{CODE}: 竣工 2019-11-30, closed -"
    assert due(cli, 2028) == []
    assert due(cli, 2029) == [(a, 2020, 2029), (b, 2020, 2029), (c, 2020, 2029)]
    assert due(cli, 2049)[-1] == (d, 2020, 2049)
    assert "no date" not in cli("retention", "due", "--year", "2029").output


def test_from_close_the_close_date_counts_not_completion(cli, aged, home):
    a, b, c, d = aged
    start_from(home, '"close"')
    assert cli("retention", "dates", CODE, "--completed", "2019-11-30").exit_code == 0
    assert due(cli, 2060) == []
    assert cli("retention", "dates", CODE, "--closed", "2022-03-01").exit_code == 0
    assert due(cli, 2031) == []
    assert due(cli, 2032) == [(a, 2023, 2032), (b, 2023, 2032), (c, 2023, 2032)]


def test_a_bad_retention_start_names_the_file_and_line(cli, aged, home):
    line = start_from(home, '"竣工后"')
    r = cli("retention", "due", "--year", "2030")
    assert r.exit_code == ExitCode.config_error
    path = home.checklists_dir / "construction.toml"
    assert r.output.strip() == (
        f"Error: {path}, line {line}: retention_start = '竣工后' must be one of filing, completion, close "
        "(the year after filing, after 竣工, after the project's close)"
    )


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--completed", "2025-13-01"], ExitCode.usage, "Invalid value for --completed: '2025-13-01' is not a date"),
        ([], ExitCode.usage, "Error: give --completed YYYY-MM-DD and/or --closed YYYY-MM-DD"),
    ],
)
def test_bad_project_dates_are_refused(cli, aged, args, code, message):
    r = cli("retention", "dates", CODE, *args)
    assert r.exit_code == code
    assert message in r.output


def test_dates_of_an_unknown_project_are_refused(cli, aged):
    r = cli("retention", "dates", "XX-1", "--completed", "2025-06-30")
    assert r.exit_code == ExitCode.not_found
    assert r.output.strip() == f"Error: no project 'XX-1'; projects: {CODE}"
