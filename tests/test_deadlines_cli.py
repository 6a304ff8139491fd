"""Service deadlines through the command line: a month of 派工单 and follow-up calls, `due`, .ics."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tests.test_forms_cli import GBK_SAMPLE, write_csv

CALL_HEADER = ["记录编号", "顾客名称", "联系电话", "原派工单号", "服务日期", "回访日期", "回访次数", "回访人"]
CALLS = [
    ["HF-01", "刘建国", "13901012345", "PG-2024-0101", "2024-03-04", "2024-03-08", "第一次", "孙丽"],  # on time
    ["HF-02", "陈秀英", "13811028876", "PG-2024-0102", "2024-03-05", "2024-03-15", "第一次", "孙丽"],  # 3 days late
    ["HF-03", "刘建国", "13901012345", "PG-2024-0101", "2024-03-04", "2024-03-15", "第二次", "孙丽"],  # 7 days after
]


@pytest.fixture
def svc(cli):
    r = cli("project", "add", "SV-BJ", "--name", "北京服务中心", "--checklist", "service",
            "--role", "调度员=王芳", "--role", "维修人员=王强", "--role", "客服主管=赵敏", "--role", "客服专员=孙丽")  # fmt: skip
    assert r.exit_code == 0, r.output
    return cli


def _file_march(svc, tmp_path: Path) -> None:
    r = svc(
        "forms",
        "render",
        "维护派工单",
        "--data",
        str(GBK_SAMPLE),
        "--out",
        str(tmp_path / "tickets"),
        "--file-into",
        "SV-BJ",
    )
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[-1] == "Filed into SV-BJ under checklist item S01: 20 document(s) (.docx)."
    calls = write_csv(tmp_path / "calls.csv", CALL_HEADER, *CALLS)
    r = svc(
        "forms",
        "render",
        "跟踪服务电话记录表",
        "--data",
        str(calls),
        "--out",
        str(tmp_path / "calls"),
        "--file-into",
        "SV-BJ",
    )
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[-1] == "Filed into SV-BJ under checklist item S13: 3 document(s) (.docx)."


def _find(report: dict, item: str, **match) -> dict:
    found = [o for o in report["obligations"] if o["item"] == item and all(o[k] == v for k, v in match.items())]
    assert len(found) == 1, found
    return found[0]


def test_check_period_tells_the_truth_about_a_month_of_tickets_and_calls(svc, tmp_path, cat):
    _file_march(svc, tmp_path)
    r = svc("check", "SV-BJ", "--period", "2024-03", "--json")
    assert r.exit_code == 3, r.output
    rep = json.loads(r.stdout)
    assert (rep["from"], rep["to"]) == ("2024-03-01", "2024-03-31")
    tickets = _find(rep, "S01", period="2024-03")
    # Rendered and filed today, so March's tickets are late by the days since April 2nd.
    assert (tickets["status"], tickets["days"], len(tickets["documents"])) == (
        "late",
        (date.today() - date(2024, 4, 2)).days,
        20,
    )
    first = _find(rep, "S13", customer="刘建国", trigger_date="2024-03-04")
    assert (first["status"], first["earliest"], first["due"]) == ("on-time", "2024-03-07", "2024-03-11")
    assert _find(rep, "S14", customer="刘建国")["status"] == "on-time"  # 03-15 is 7 days after 03-08
    late = _find(rep, "S13", customer="陈秀英", trigger_date="2024-03-05")
    assert (late["status"], late["days"]) == ("late", 3)
    # The second call for the 4th names that service, so it is not an early call for the 14th.
    assert _find(rep, "S13", customer="刘建国", trigger_date="2024-03-14")["status"] == "overdue"
    assert _find(rep, "S13", customer="冯淑珍", trigger_date="2024-03-23")["status"] == "overdue"
    [doc] = [d for d in cat.documents(project="SV-BJ") if d["original_name"] == "PG-2024-0101_刘建国.docx"]
    assert (doc["document_date"], doc["customer"], doc["service_date"]) == (
        date(2024, 3, 4),
        "刘建国",
        date(2024, 3, 4),
    )


def test_check_period_by_person_prints_who_owes_what(svc, tmp_path):
    _file_march(svc, tmp_path)
    r = svc("check", "SV-BJ", "--period", "2024-03", "--by", "person", "--today", "2024-04-10")
    assert r.exit_code == 3, r.output
    lines = r.stdout.splitlines()
    assert lines[0] == "SV-BJ 北京服务中心 — service, 2024-03-01 … 2024-03-31 (today 2024-04-10)"
    assert any("孙丽" in line and "陈秀英 2024-03-05" in line and "迟交 late 3d" in line for line in lines)
    assert any("王强" in line and "设备收条" in line and "逾期 overdue 8d" in line for line in lines)
    # 孙丽: 20 customer files, 18 first calls, 1 second call, the Q1 survey mailing register;
    # 赵敏: 5 weeks × 2 weekly reports + 1 monthly.
    assert lines[-1] == "2 on time, 2 late, 53 overdue (孙丽 40, 赵敏 11, 王强 1, 王芳 1)"


def test_a_waived_period_through_the_command_line(svc):
    r = svc("waive", "SV-BJ", "S03", "--period", "2024-02", "--reason", "春节停业")
    assert (r.exit_code, r.stdout) == (0, "SV-BJ S03 2024-02: waived (春节停业)\n")
    r = svc("check", "SV-BJ", "--period", "2024-02", "--today", "2024-03-10", "--json")
    assert _find(json.loads(r.stdout), "S03", period="2024-02")["status"] == "waived"
    r = svc("waive", "SV-BJ", "S03", "--period", "2024-02", "--undo")
    assert (r.exit_code, r.stdout) == (0, "SV-BJ S03 2024-02: period waiver removed\n")
    r = svc("waive", "SV-BJ", "S03", "--period", "2024-02", "--undo")
    assert (r.exit_code, r.stderr) == (
        7,
        "Error: period 2024-02 of item S03 on project SV-BJ is not waived; nothing to undo\n",
    )


def test_due_is_the_morning_list_and_writes_a_calendar(svc, tmp_path):
    r = svc(
        "forms", "render", "维护派工单", "--data", str(GBK_SAMPLE), "--out", str(tmp_path / "t"), "--file-into", "SV-BJ"
    )
    assert r.exit_code == 0, r.output
    ics = tmp_path / "期限.ics"
    r = svc("due", "--today", "2024-03-10", "--person", "孙丽", "--ics", str(ics), "--json")
    assert r.exit_code == 0, r.output
    entries = json.loads(r.stdout)
    # Customer files of the 4th–10th (due two days later) and first calls (due a week later).
    assert [e["item"] for e in entries].count("S12") == 7 and [e["item"] for e in entries].count("S13") == 7
    assert entries[0]["due"] == "2024-03-06" and entries[0]["status"] == "overdue" and entries[0]["days"] == 4
    assert {e["status"] for e in entries} == {"overdue", "due-soon"}
    data = ics.read_bytes()
    lines = data.split(b"\r\n")
    assert lines[0] == b"BEGIN:VCALENDAR" and lines[-2:] == [b"END:VCALENDAR", b""]
    assert all(len(line) <= 75 for line in lines) and b"\n" not in data.replace(b"\r\n", b"")
    assert data.count(b"BEGIN:VEVENT") == 14
    text = data.decode("utf-8").replace("\r\n ", "")  # unfold
    assert "DTSTART;VALUE=DATE:20240306\r\n" in text
    assert "SUMMARY:应交 S12 客户档案基本资料表 刘建国 2024-03-04（孙丽）\r\n" in text


def test_due_text_and_nothing_due(svc):
    r = svc("due", "--today", "2024-03-10")
    assert r.exit_code == 0, r.output
    # A new centre owes its weekly reports from the week it was created; here it was created
    # after "today", so nothing is owed yet.
    assert r.stdout == "Nothing overdue and nothing due in the next 7 days (today 2024-03-10).\n"


def test_bad_period_options(svc, project):
    r = svc("check", "SV-BJ", "--period", "2024-13")
    assert r.exit_code == 2
    assert r.stderr == (
        "Error: period '2024-13' is not a day, week, month, quarter or year; write 2025-03-14, 2025-W11, 2025-03, 2025-Q1 or 2025\n"
    )
    r = svc("check", "SV-BJ", "--period", "2024-03", "--from", "2024-03-01")
    assert (r.exit_code, r.stderr) == (2, "Error: give either --period or --from/--to, not both\n")
    r = svc("check", "SV-BJ", "--from", "2024-03-10", "--to", "2024-03-01")
    assert (r.exit_code, r.stderr) == (2, "Error: --to 2024-03-01 is before --from 2024-03-10\n")
    r = svc("check", "SV-BJ", "--today", "10.3.2024")
    assert (r.exit_code, r.stderr) == (
        2,
        "Error: --today '10.3.2024' is not a date; write YYYY-MM-DD, e.g. 2025-03-01\n",
    )
    r = svc("check", "BJ-2024-017", "--period", "2024-03")
    assert (r.exit_code, r.stderr) == (
        2,
        "Error: project BJ-2024-017 (checklist construction) has no periodic items; drop --period/--from/--to\n",
    )


def test_check_all_mixes_construction_and_service_projects(svc, project):
    r = svc("check", "--all", "--today", "2024-03-10", "--json")
    assert r.exit_code == 3
    kinds = {rep["project"]: ("obligations" in rep) for rep in json.loads(r.stdout)}
    assert kinds == {"SV-BJ": True, "BJ-2024-017": False}
    r = svc("check", "--all", "--period", "2024-03", "--today", "2024-04-10", "--json")
    assert r.exit_code == 3
    assert [("obligations" in rep) for rep in json.loads(r.stdout)] == [True, False]


def test_an_unwritable_calendar_path_is_one_line(svc, tmp_path):
    target = tmp_path / "no" / "such" / "x.ics"
    r = svc("due", "--today", "2024-03-10", "--ics", str(target))
    assert (r.exit_code, r.stderr) == (
        4,
        f"Error: {target}: cannot write the calendar file (No such file or directory); choose another path\n",
    )


def test_a_broken_rule_in_the_homes_service_checklist(cli, home):
    path = home.checklists_dir / "service.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace('due = "next-week:tue"', 'due = "next-week:tuesday"'), encoding="utf-8"
    )
    line = next(n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "tuesday" in text)
    r = cli("project", "add", "SV-SH", "--name", "上海服务中心", "--checklist", "service")
    assert r.exit_code == 6
    assert r.stderr == (
        f"Error: {path}, line {line}: item S04: 'next-week:tuesday' is not a due rule; after a period write "
        "next-period+Nd, next-week:tue, period-end or period-end-Nd, after an event +Nd, +Nh, +Nd..+Md or same-day\n"
    )


def test_the_demo_service_month_has_one_late_one_overdue_and_names_who_owes_it(cat, tmp_path, capsys):
    from dangan.archive.sample import samples_dir
    from dangan.commands.demo_service import service_month

    service_month(cat, samples_dir(), tmp_path / "out", "6b")
    lines = capsys.readouterr().out.splitlines()
    assert "22 on time, 1 late, 1 overdue (王强 1)" in lines
    assert "Who to chase: 王强 owes 设备收条 2024-03 (due 2024-04-02)" in lines
    # Then one key customer's year so far: its survey answered 不满意 owes another one.
    year = lines[lines.index("$ dangan customer show 北京华信物业管理有限公司 --year 2024   (as of 2024-04-03)") :]
    assert "  2024: 重点顾客 (上年销售额560万)" in year
    assert any("S25" in line and "不满意顾客追加调查" in line and "未到期 open" in line for line in year)


def test_project_list_summarises_a_service_centre_by_its_deadlines(svc, project, cat):
    from dangan.archive.deadlines.obligations import deadlines

    r = svc("project", "list", "--json")
    summaries = {p["code"]: p["summary"] for p in json.loads(r.stdout)}
    assert summaries["BJ-2024-017"].startswith("0/16 filed")
    assert summaries["SV-BJ"] == deadlines(cat, "SV-BJ", today=date.today()).summary()
    assert "filed (" not in summaries["SV-BJ"]


def test_an_older_catalog_gains_customer_service_date_and_period_waivers(home):
    from sqlalchemy import text, update

    from dangan.archive import migrations
    from dangan.archive.catalog import Catalog
    from dangan.archive.schema import meta

    with Catalog.open(home) as cat, cat.engine.begin() as conn:
        for column in ("customer", "service_date"):
            conn.execute(text(f"ALTER TABLE documents DROP COLUMN {column}"))
        conn.execute(text("DROP TABLE period_waivers"))
        conn.execute(update(meta).where(meta.c.key == "schema_version").values(value="4"))
    with Catalog.open(home) as cat:
        assert cat.schema_version() == migrations.latest_version() >= 5
        with cat.engine.connect() as conn:
            assert migrations.has_column(conn, "documents", "customer") and migrations.has_column(
                conn, "documents", "service_date"
            )
            assert cat.engine.dialect.has_table(conn, "period_waivers")
        steps = [e["detail"]["version"] for e in cat.events() if e["action"] == "migrated"]
        assert 5 in steps


def test_received_marks_back_filed_paper_on_time(svc, tmp_path, cat):
    _file_march(svc, tmp_path)
    ids = [str(d["id"]) for d in cat.documents(project="SV-BJ") if d["item_code"] == "S01"]
    r = svc("received", *ids, "--on", "2024-04-01", "--reason", "纸质派工单4月1日交回")
    assert (r.exit_code, r.stdout) == (0, "20 record(s) marked received on 2024-04-01\n")
    r = svc("check", "SV-BJ", "--period", "2024-03", "--json")
    assert _find(json.loads(r.stdout), "S01", period="2024-03")["status"] == "on-time"
    r = svc("received", "9999", "--on", "2024-04-01", "--reason", "x")
    assert (r.exit_code, r.stderr) == (5, "Error: no document 9999 in the catalog; `dangan catalog CODE` lists ids\n")
    r = svc("received", ids[0], "--on", "April 1", "--reason", "x")
    assert (r.exit_code, r.stderr) == (2, "Error: --on 'April 1' is not a date; write YYYY-MM-DD, e.g. 2025-03-01\n")
