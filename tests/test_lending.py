"""Locations, lending (借阅) and the use register (利用登记) through the CLI: exact lines and exit codes."""

from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook

from dangan.archive.intake.ingest import ingest_paths
from tests.conftest import write_text_doc

pytestmark = pytest.mark.both_catalogs

CODE = "BJ-2024-017"


@pytest.fixture
def docs(cat, project, tmp_path, cli, monkeypatch) -> dict[str, int]:
    """Three 施工文件 (volume 1) and one 竣工图 (volume 2), planned; today is 2025-03-01."""
    monkeypatch.setenv("DANGAN_TODAY", "2025-03-01")
    folder = tmp_path / "in"
    for name, body in (("施工合同书.txt", "施工合同书\n2024年2月1日"), ("开工报告.txt", "开工报告\n2024年3月1日"),
                       ("施工日志.txt", "施工日志\n2024年5月1日 晴"), ("土建建施竣工图.txt", "土建建施竣工图\n2024年9月1日")):  # fmt: skip
        write_text_doc(folder, name, body)
    ids = {r.path.name: r.doc_id for r in ingest_paths(cat, [folder], project=CODE)}
    assert cli("volume", "plan", CODE).exit_code == 0
    return ids


def lend(cli, what: str, *extra: str):
    return cli("lend", what, "--to", "李明", "--dept", "工程部", "--purpose", "改造设计", *extra)


def test_locations_of_a_project(cli, docs):
    r = cli("location", "set", f"{CODE}:1", f"{CODE}:2", "--at", " 库房1/A03/2/盒017 ")
    assert (r.exit_code, r.output.splitlines()) == (
        0, [f"placed {CODE}:1 at 库房1/A03/2/盒017", f"placed {CODE}:2 at 库房1/A03/2/盒017"])  # fmt: skip
    assert cli("location", "set", f"{CODE}:2", "--at", "库房2/B01/1/盒003", "--carrier", "照片").exit_code == 0
    r = cli("location", "show", CODE)
    assert r.output.splitlines() == [
        f"{CODE}:1  安居花园3号楼土建施工文件资料  库房1/A03/2/盒017 (纸质)",
        f"{CODE}:2  安居花园3号楼竣工图  库房2/B01/1/盒003 (照片)",
    ]
    # moving it again keeps the carrier it was given
    cli("location", "set", f"{CODE}:2", "--at", "库房2/B01/1/盒004")
    data = json.loads(cli("location", "show", CODE, "--json").output)
    assert data[1] == {"what": f"{CODE}:2", "title": "安居花园3号楼竣工图", "carrier": "照片",
                       "location": "库房2/B01/1/盒004", "on_loan": None}  # fmt: skip


def test_a_loose_document_with_a_place_is_listed(cli, cat, docs):
    diary = docs["施工日志.txt"]
    from sqlalchemy import delete

    from dangan.archive.schema import volume_documents

    with cat.engine.begin() as conn:  # a document no volume holds
        conn.execute(delete(volume_documents).where(volume_documents.c.document_id == diary))
    assert cli("location", "set", f"#{diary}", "--at", "库房1/A03/2/盒018", "--carrier", "实物").exit_code == 0
    assert cli("location", "show", CODE).output.splitlines()[-1] == f"#{diary}  施工日志  库房1/A03/2/盒018 (实物)"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((f"{CODE}:1", "--at", "库房1/A03/2"),
         "Error: --at '库房1/A03/2' must have four parts 库房/柜架/层/盒号, e.g. 库房1/A03/2/盒017"),
        ((f"{CODE}:1", "--at", "库房1//2/盒017"),
         "Error: --at '库房1//2/盒017': the 柜架 part is empty; write 库房/柜架/层/盒号, e.g. 库房1/A03/2/盒017"),
        ((f"{CODE}:1", "--at", "库房1/A03/2/盒\x1b017"),
         "Error: --at '库房1/A03/2/盒\\x1b017': the 盒号 part must be up to 40 printable characters"),
        ((f"{CODE}:1", "--at", "库房1/A03/2/盒017", "--carrier", "胶片"),
         "Error: unknown carrier '胶片' (--carrier); use 纸质, 电子, 照片, 实物"),
        (("BJ-2024-017", "--at", "库房1/A03/2/盒017"),
         "Error: 'BJ-2024-017' names neither a volume nor a document; write PROJECT:案卷号 (BJ-2024-017:1) "
         "or a document id (#12)"),
    ],
)  # fmt: skip
def test_bad_places_and_names_are_usage_errors(cli, docs, args, message):
    r = cli("location", "set", *args)
    assert (r.exit_code, r.output.strip()) == (2, message)
    assert json.loads(cli("location", "show", CODE, "--json").output)[0]["location"] is None  # nothing saved


def test_unknown_volume_and_document(cli, docs):
    r = cli("location", "set", f"{CODE}:1", f"{CODE}:9", "--at", "库房1/A03/2/盒017")
    assert (r.exit_code, r.output.strip()) == (5, f"Error: project {CODE} has no volume 9; volumes: 1, 2")
    assert json.loads(cli("location", "show", CODE, "--json").output)[0]["location"] is None  # the good one waits too
    r = cli("lend", "#999", "--to", "李明", "--dept", "工程部", "--purpose", "查阅", "--until", "2025-03-10")
    assert (r.exit_code, r.output.strip()) == (
        5,
        "Error: no document 999 in the catalog; `dangan catalog CODE` lists ids",
    )


def test_lend_overdue_renew_return_and_history(cli, docs, monkeypatch):
    r = lend(cli, f"{CODE}:2", "--until", "2025-03-10")
    assert (r.exit_code, r.output.strip()) == (
        0,
        f"lent {CODE}:2 (安居花园3号楼竣工图) to 李明 (工程部) until 2025-03-10",
    )
    r = cli("lend", f"{CODE}:2", "--to", "王芳", "--dept", "法务部", "--purpose", "合同核对", "--until", "2025-03-05")
    assert (r.exit_code, r.output.strip()) == (
        7, f"Error: {CODE}:2 is already out: {CODE}:2 is lent to 李明 (工程部) until 2025-03-10; "
           f"`dangan return {CODE}:2` first")  # fmt: skip
    drawing = docs["土建建施竣工图.txt"]  # the document inside the lent volume is out with it
    r = cli("lend", f"#{drawing}", "--to", "王芳", "--dept", "法务部", "--purpose", "合同核对", "--until", "2025-03-05")
    assert r.exit_code == 7 and "is lent to 李明 (工程部)" in r.output
    assert cli("loans", "--overdue").output.strip() == "nothing is overdue"
    r = cli("loans", "--overdue", "--today", "2025-03-12")
    assert r.output.strip() == f"{CODE}:2  李明 (工程部)  改造设计  lent 2025-03-01, until 2025-03-10  overdue 2 day(s)"
    r = cli("renew", f"{CODE}:2", "--until", "2025-03-08")
    assert (r.exit_code, r.output.strip()) == (
        2,
        f"Error: --until 2025-03-08 is not later than the day {CODE}:2 is due (2025-03-10); give a later day",
    )
    r = cli("renew", f"{CODE}:2", "--until", "2025-03-31")
    assert (r.exit_code, r.output.strip()) == (0, f"renewed {CODE}:2 for 李明 until 2025-03-31")
    assert cli("loans", "--overdue", "--today", "2025-03-12").output.strip() == "nothing is overdue"
    monkeypatch.setenv("DANGAN_TODAY", "2025-04-02")  # past due: a renewal must reach beyond today
    r = cli("renew", f"{CODE}:2", "--until", "2025-04-01")
    assert (r.exit_code, r.output.strip()) == (
        2,
        "Error: --until 2025-04-01 is before today (2025-04-02); give a later day",
    )
    monkeypatch.setenv("DANGAN_TODAY", "2025-03-01")
    cli("location", "set", f"{CODE}:2", "--at", "库房1/A03/2/盒017")
    assert cli("location", "show", CODE).output.splitlines()[1] == (
        f"{CODE}:2  安居花园3号楼竣工图  库房1/A03/2/盒017 (纸质)  out: 李明 (工程部) until 2025-03-31"
    )
    r = cli("return", f"{CODE}:2", "--effect", "按原竣工图完成改造设计")
    assert (r.exit_code, r.output.strip()) == (0, f"returned {CODE}:2 from 李明 (工程部)")
    r = cli("return", f"{CODE}:2")
    assert (r.exit_code, r.output.strip()) == (7, f"Error: {CODE}:2 is not on loan; `dangan loans` lists what is out")
    assert cli("loans").output.strip() == "nothing is out"
    history = json.loads(cli("loans", "--history", f"{CODE}:2", "--json").output)
    assert [(h["borrower"], h["until"], h["returned_on"], h["effect"]) for h in history] == [
        ("李明", "2025-03-31", "2025-03-01", "按原竣工图完成改造设计")]  # fmt: skip
    assert cli("loans", "--history", f"{CODE}:1").output.strip() == f"{CODE}:1 has never been lent"


def test_approval_above_public_and_outside(cli, docs):
    contract = docs["施工合同书.txt"]
    assert cli("edit", str(contract), "--secrecy", "秘密").exit_code == 0
    assert cli("volume", "plan", CODE).exit_code == 0
    r = lend(cli, f"{CODE}:1", "--until", "2025-03-10")
    assert (r.exit_code, r.output.strip()) == (
        2,
        f"Error: {CODE}:1 is 密级 秘密, so lending it needs a manager's approval: add --approved-by 姓名",
    )
    r = lend(cli, f"#{contract}", "--until", "2025-03-10")
    assert (
        r.output.strip()
        == f"Error: #{contract} is 密级 秘密, so lending it needs a manager's approval: add --approved-by 姓名"
    )
    r = cli("lend", f"{CODE}:2", "--to", "赵审计", "--dept", "华信会计师事务所", "--purpose", "竣工审计",
            "--until", "2025-03-10", "--outside")  # fmt: skip
    assert (r.exit_code, r.output.strip()) == (
        2,
        "Error: 赵审计 is outside the company, so lending needs a manager's approval: add --approved-by 姓名",
    )
    assert cli("loans", "--json").output.strip() == "[]"
    assert lend(cli, f"{CODE}:1", "--until", "2025-03-10", "--approved-by", "陈经理").exit_code == 0
    assert json.loads(cli("loans", "--json").output)[0]["approved_by"] == "陈经理"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--until", "2025-02-28"), "Error: --until 2025-02-28 is before today (2025-03-01); give the day it comes back"),
        (("--until", "下周五"), "Error: --until '下周五' is not a date; write YYYY-MM-DD, e.g. 2025-03-01"),
        (("--until", "2025-03-10", "--approved-by", "陈\x07经理"),
         "Error: --approved-by must be up to 100 printable characters"),
    ],
)  # fmt: skip
def test_bad_loans_are_usage_errors(cli, docs, extra, message):
    r = lend(cli, f"{CODE}:1", *extra)
    assert (r.exit_code, r.output.strip()) == (2, message)
    r = cli("lend", f"{CODE}:1", "--to", "  ", "--dept", "工程部", "--purpose", "查阅", "--until", "2025-03-10")
    assert (r.exit_code, r.output.strip()) == (2, "Error: --to is empty; fill it in (who, which department, what for)")
    assert cli("use", "list").output.strip() == "no use records"


def test_sealing_or_handing_over_a_lent_volume_warns(cli, docs):
    lend(cli, f"{CODE}:1", "--until", "2025-03-10")
    r = cli("volume", "seal", CODE, "1")
    assert r.exit_code == 0
    assert r.output.splitlines() == [
        f"sealed volume 1 of {CODE}: 3 documents, 3 pages",
        f"Warning: volume {CODE}:1 is out on loan: {CODE}:1 is lent to 李明 (工程部) until 2025-03-10",
    ]
    r = cli("handover", "write", CODE, "--out", "移交包")
    assert r.output.splitlines()[0] == (
        f"Warning: volume {CODE}:1 is out on loan: {CODE}:1 is lent to 李明 (工程部) until 2025-03-10"
    )


def test_use_register_lists_and_exports(cli, docs, tmp_path):
    lend(cli, f"{CODE}:1", "--until", "2025-03-10")
    cli("renew", f"{CODE}:1", "--until", "2025-03-20")
    cli("return", f"{CODE}:1", "--effect", '=HYPERLINK("http://x")')
    cli("lend", f"{CODE}:2", "--to", "-王芳", "--dept", "法务部", "--purpose", "合同核对", "--until", "2025-03-05")
    r = cli("use", "list", "--person", "李明")
    assert r.output.splitlines() == [
        f"2025-03-01  借出  李明 (工程部)  {CODE}:1  改造设计",
        f"2025-03-01  续借  李明 (工程部)  {CODE}:1  改造设计",
        f'2025-03-01  归还  李明 (工程部)  {CODE}:1  改造设计  利用效果: =HYPERLINK("http://x")',
    ]
    assert cli("use", "list", "--year", "2024").output.strip() == "no use records"
    r = cli("use", "list", "--of", f"{CODE}:2")
    assert r.output.strip() == f"2025-03-01  借出  -王芳 (法务部)  {CODE}:2  合同核对"
    drawing = docs["土建建施竣工图.txt"]  # lent with its volume
    assert (
        cli("use", "list", "--of", str(drawing)).output.strip()
        == f"2025-03-01  借出  -王芳 (法务部)  {CODE}:2  合同核对"
    )
    assert cli("use", "list", "--of", str(docs["开工报告.txt"]), "--person", "-王芳").output.strip() == "no use records"
    out = tmp_path / "利用登记.xlsx"
    r = cli("use", "list", "--xlsx", str(out), "--json")
    assert len(json.loads(r.output)) == 4
    ws = load_workbook(out).active
    assert [c.value for c in ws[1]] == ["日期", "利用方式", "利用人", "部门", "档案", "题名", "利用目的", "利用效果"]
    assert ws["H4"].value == '\'=HYPERLINK("http://x")' and ws["C5"].value == "'-王芳"
    assert ws["F2"].value == "安居花园3号楼土建施工文件资料"
    r = cli("use", "list", "--xlsx", str(tmp_path / "利用登记.csv"))
    assert (r.exit_code, r.output.strip()) == (
        2,
        f"Error: --xlsx {tmp_path / '利用登记.csv'} must name a .xlsx file, e.g. 利用登记.xlsx",
    )


def test_replanning_keeps_a_volume_with_a_place_or_loans(cli, docs):
    cli("location", "set", f"{CODE}:2", "--at", "库房1/A03/2/盒017")
    r = cli("volume", "plan", CODE)
    assert (r.exit_code, r.output.strip()) == (
        7, f"Error: draft volume {CODE}:2 has a place or loans, which re-planning would lose; "
           f"seal it first with `dangan volume seal {CODE} 2` (sealed volumes stay)")  # fmt: skip
    assert cli("volume", "seal", CODE, "2").exit_code == 0
    assert cli("volume", "plan", CODE).exit_code == 0
    assert (
        cli("location", "show", CODE).output.splitlines()[1]
        == f"{CODE}:2  安居花园3号楼竣工图  库房1/A03/2/盒017 (纸质)"
    )


def test_emptying_the_trash_keeps_a_document_with_loans(cli, cat, docs):
    from datetime import timedelta

    from dangan.archive.life.trash import discard, empty_trash

    diary, contract = docs["施工日志.txt"], docs["施工合同书.txt"]
    from sqlalchemy import delete

    from dangan.archive.schema import volume_documents

    with cat.engine.begin() as conn:  # loose documents (the trash does not yet take one out of a volume)
        conn.execute(delete(volume_documents).where(volume_documents.c.document_id.in_([diary, contract])))
    lend(cli, f"#{diary}", "--until", "2025-03-10")
    cli("return", f"#{diary}")
    discard(cat, diary, reason="重复扫描")
    discard(cat, contract, reason="重复扫描")
    assert [d["id"] for d in empty_trash(cat, older_than=timedelta(0))] == [contract]
    assert cli("loans", "--history", f"#{diary}").output.strip() == (
        f"#{diary}  李明 (工程部)  改造设计  lent 2025-03-01, returned 2025-03-01"
    )


def test_a_volume_is_out_while_one_of_its_documents_is(cli, docs):
    diary = docs["施工日志.txt"]
    lend(cli, str(diary), "--until", "2025-03-10")
    r = lend(cli, f"{CODE}:1", "--until", "2025-03-10")
    assert (r.exit_code, r.output.strip()) == (
        7, f"Error: {CODE}:1 is already out: #{diary} is lent to 李明 (工程部) until 2025-03-10; "
           f"`dangan return #{diary}` first")  # fmt: skip
    r = cli("use", "list", "--year", "1800")
    assert r.exit_code == 2 and "1800 is not in the range 1900<=x<=2999" in r.output


def test_unknown_project_and_bad_today(cli, docs):
    r = cli("location", "show", "XX-1")
    assert (r.exit_code, r.output.strip()) == (5, "Error: no project 'XX-1'; projects: BJ-2024-017")
    r = cli("loans", "--overdue", "--today", "2025-02-30")
    assert (r.exit_code, r.output.strip()) == (
        2,
        "Error: --today '2025-02-30' is not a date; write YYYY-MM-DD, e.g. 2025-03-01",
    )
