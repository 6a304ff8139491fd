"""Overdue loans in the morning list `dangan due` and its calendar file, with the borrower."""

from __future__ import annotations

import json

from tests.test_lending import CODE, docs, lend  # noqa: F401  (the fixture)


def test_overdue_loans_are_in_due_and_its_calendar(cli, docs, tmp_path, monkeypatch):  # noqa: F811
    assert lend(cli, f"{CODE}:2", "--until", "2025-03-05").exit_code == 0
    assert lend(cli, f"#{docs['施工合同书.txt']}", "--until", "2025-04-01").exit_code == 0  # not yet due
    monkeypatch.setenv("DANGAN_TODAY", "2025-03-10")
    r = cli("due")
    assert r.exit_code == 0
    assert r.output.splitlines()[0] == (
        f"借阅逾期 overdue loan: {CODE}:2 lent to 李明 (工程部) until 2025-03-05, 5 day(s) late"
    )
    rows = json.loads(cli("due", "--json").output)
    assert [(x["kind"], x["what"], x["borrower"], x["days_overdue"]) for x in rows] == [
        ("loan", f"{CODE}:2", "李明", 5)]  # fmt: skip
    ics = tmp_path / "due.ics"
    assert cli("due", "--ics", str(ics)).exit_code == 0
    text = ics.read_text(encoding="utf-8")
    assert "DTSTART;VALUE=DATE:20250305" in text and f"SUMMARY:借阅逾期 {CODE}:2（李明，工程部）" in text
    # only the borrower's own list, and not another project's
    assert "借阅逾期" not in cli("due", "--person", "王芳").output
    assert json.loads(cli("due", CODE, "--json").output)[0]["project"] == CODE
    # a loan is owed to the archive, not to a customer: one customer's list has none
    assert cli("customer", "add", "金山宾馆").exit_code == 0
    assert json.loads(cli("due", "--customer", "金山宾馆", "--json").output) == []
    r = cli("due", "--customer", "无此顾客")
    assert (r.exit_code, r.output.strip()) == (
        5, "Error: no customer 无此顾客 in the register; `dangan customer list` lists them")  # fmt: skip
    assert cli("return", f"{CODE}:2").exit_code == 0
    assert "借阅逾期" not in cli("due").output


def test_a_years_use_figures(cli, docs, monkeypatch):  # noqa: F811
    assert lend(cli, f"{CODE}:2", "--until", "2025-03-05").exit_code == 0
    assert cli("return", f"{CODE}:2").exit_code == 0
    assert lend(cli, f"#{docs['施工合同书.txt']}", "--until", "2025-04-01").exit_code == 0
    r = cli("use", "count", "--year", "2025")
    assert (r.exit_code, r.output) == (
        0,
        "2025: 3 use record(s) (借出 2, 归还 1); 1 person(s), 2 volume(s)/document(s)\n"
        "2 use(s): 2 loan(s) (1 of volumes, 1 of documents, 0 outside), 0 online view(s), 0 download(s)\n",
    )
    assert json.loads(cli("use", "count", "--year", "2024", "--json").output) == {
        "year": 2024, "records": 0, "by_action": [], "uses": 0, "loans": 0, "volume_loans": 0, "document_loans": 0,
        "outside": 0, "views": 0, "downloads": 0, "people": 0, "items": 0, "by_purpose": [], "by_dept": []}  # fmt: skip
    assert cli("use", "count", "--year", "0").exit_code == 2
