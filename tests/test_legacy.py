"""Adopting an existing archive: a legacy 目录 imported row by row and its scans attached (issue 30, item 1).

The 目录 and the scan folder are generated here the way a company's twenty-year archive
looks: Chinese headers, dates written several ways, 档号 typed with different separators,
file names with and without the title after the 档号, some scans missing, some files naming
no row, and a few bad rows.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import openpyxl
import pytest

from dangan.archive.legacy import code_key
from dangan.archive.projects import add_project
from dangan.archive.searchsync import open_index
from dangan.archive.volumes.plan import plan_volumes
from tests.conftest import ALL_ROLES

CODE = "BJ-2010-003"
HEADER = ["档号", "文件编号", "责任者", "文件题名", "日期", "页数", "保管期限", "密级", "条目", "备注"]
KINDS = [("C07", "钢筋原材料试验报告"), ("C14", "施工日志"), ("C09", "隐蔽工程验收记录"), ("C06", "水泥出厂质量证明书")]


def _legacy(n: int) -> list[list]:
    rnd = random.Random(7)
    rows = []
    for i in range(1, n + 1):
        item, title = KINDS[i % len(KINDS)]
        day = f"2010-{1 + i % 12:02d}-{1 + i % 28:02d}"
        written = [day, day.replace("-", ""), day.replace("-", "."), f"{day[:4]}年{int(day[5:7])}月{int(day[8:])}日"][
            i % 4
        ]
        rows.append([f"0123-BJ2010003-C-{i:04d}", f"试-{i:04d}", "示例建设", f"{title}第{i}号", written,
                     rnd.randint(1, 9), ["永久", "30年", "D10"][i % 3], "公开", item, ""])  # fmt: skip
    return rows


def _xlsx(path: Path, rows: list[list]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


@pytest.fixture
def legacy_project(cat):
    add_project(cat, CODE, "旧楼改造工程", roles=dict(ALL_ROLES))
    return cat


# The figures: 2,000 rows, 1,800 scans (bench/legacy.py times them against plain ingest).
ROWS = 2000


def test_a_legacy_catalogue_and_its_scans_import_attach_and_work(cli, legacy_project, tmp_path):
    rows = _legacy(ROWS)
    book = _xlsx(tmp_path / "卷内目录.xlsx", rows)
    scans = tmp_path / "scans"
    scans.mkdir()
    for i, r in enumerate(rows, start=1):
        if i % 10 == 0:
            continue  # a tenth of the rows: the scan was never made
        code = r[0].replace("-", "_") if i % 7 == 0 else r[0]  # typed with other separators
        name = f"{code} {r[3]}.txt" if i % 3 == 0 else f"{code}.txt"
        (scans / name).write_text(f"{r[3]}\n编号 {r[1]}\n内容 第{i}份 旧档案", encoding="utf-8")
    (scans / "IMG_0001.txt").write_text("一张不知是什么的扫描", encoding="utf-8")
    (scans / "0123-BJ2010003-C-9999.txt").write_text("目录里没有的档号", encoding="utf-8")

    r = cli("import", "catalog", str(book), "--project", CODE, "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output) | {"mapping": None} == {
        "source": str(book), "project": CODE, "level": "document", "mapping": None, "ignored": [], "rows": ROWS,
        "problems": [], "created": ROWS, "updated": 0, "unchanged": 0,
    }  # fmt: skip
    again = cli("import", "catalog", str(book), "--project", CODE)
    assert (
        again.exit_code == 0
        and f"Imported {ROWS} row(s) into BJ-2010-003: 0 new, 0 updated, {ROWS} unchanged." in again.output
    )

    r = cli("import", "attach", str(scans), "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert len(out["attached"]) == ROWS - ROWS // 10 and out["failed"] == []
    assert sorted(Path(p).name for p in out["unmatched"]) == ["0123-BJ2010003-C-9999.txt", "IMG_0001.txt"]
    assert out["rows_without_file"] == [f"0123-BJ2010003-C-{i:04d}" for i in range(10, ROWS + 1, 10)]
    assert len(list(scans.iterdir())) == ROWS - ROWS // 10 + 2  # copied, never moved

    rerun = cli("import", "attach", str(scans), "--json")
    assert json.loads(rerun.output)["attached"] == [] and json.loads(rerun.output)["already"] == ROWS - ROWS // 10

    docs = {d["doc_number"]: d for d in legacy_project.documents(project=CODE)}
    d = docs["试-0022"]  # row 22 wrote its date 2010.11.23 and its 保管期限 30年
    assert (d["title"], str(d["document_date"]), d["item_code"], d["retention"], d["author"]) == (
        "隐蔽工程验收记录第22号",
        "2010-11-23",
        "C09",
        "长期",
        "示例建设",
    )
    assert all(doc["status"] == "filed" for doc in docs.values())
    index = open_index(legacy_project)
    try:
        assert d["id"] in [h.id for h in index.search("隐蔽工程验收记录第22号")]
    finally:
        index.close()
    check = cli("check", CODE, "--json")
    items = {row["code"]: row for row in json.loads(check.output)["items"]}
    assert items["C14"]["status"] == "filed"
    assert plan_volumes(legacy_project, CODE)  # volumes can be made of the attached documents


def test_bad_rows_are_reported_by_row_and_column_and_nothing_is_written(cli, legacy_project, tmp_path):
    rows = _legacy(6)
    rows[1][4] = "2010-13-01"  # row 3
    rows[3][0] = rows[0][0]  # row 5 repeats row 2's 档号
    rows[4][8] = "C99"  # row 6
    rows[5][3] = ""  # row 7
    book = _xlsx(tmp_path / "目录.xlsx", rows)
    r = cli("import", "catalog", str(book), "--project", CODE)
    assert r.exit_code == 4
    assert "row 3, 日期: '2010-13-01' is not a date, use YYYY-MM-DD" in r.output
    assert "row 5, 档号: 0123-BJ2010003-C-0001 is also on row 2; a 档号 names one record" in r.output
    assert "row 6, 条目: 'C99' is no item of the construction checklist; items: C01" in r.output
    assert (
        "row 7, 文件题名: empty; every row needs a 档号" not in r.output
        and "row 7, 文件题名: empty; every row needs a 题名" in r.output
    )
    assert "6 row(s) read, 4 problem(s): nothing imported." in r.output
    dry = cli("import", "catalog", str(_xlsx(tmp_path / "好.xlsx", _legacy(3))), "--project", CODE, "--dry-run")
    assert dry.exit_code == 0 and "3 row(s) read, all good; nothing written (--dry-run)." in dry.output
    assert "Columns: 档号 ← 档号, 题名 ← 文件题名, 责任者 ← 责任者, 日期 ← 日期" in dry.output
    attach = cli("import", "attach", str(tmp_path), "--json")
    assert json.loads(attach.output)["rows_without_file"] == []  # nothing was written by either run


def test_gbk_csv_with_other_headers_and_a_map(cli, legacy_project, tmp_path):
    csv_text = "案卷档号,文件材料题名,形成日期,保管期限\r\n0123-X-0001,开工报告,2010/3/5,永久\r\n0123-X-0002,竣工报告,2011/9/30,长期\r\n"
    path = tmp_path / "目录.csv"
    path.write_bytes(csv_text.encode("gbk"))
    r = cli("import", "catalog", str(path), "--project", CODE)
    assert r.exit_code == 4 and "no column for 档号, 题名" in r.output and "--map 档号=案卷档号" in r.output
    r = cli("import", "catalog", str(path), "--project", CODE, "--map", "档号=案卷档号", "--map", "题名=文件材料题名")
    assert r.exit_code == 0 and "2 new" in r.output
    bad = cli("import", "catalog", str(path), "--project", CODE, "--map", "题名=没有这列")
    assert bad.exit_code == 2 and "the file has no column '没有这列'" in bad.output
    unknown = cli("import", "catalog", str(path), "--project", "NOPE")
    assert unknown.exit_code == 5


def test_a_document_of_another_project_keeps_its_code(cli, legacy_project, tmp_path):
    add_project(legacy_project, "SH-2011-001", "另一工程", roles=dict(ALL_ROLES))
    book = _xlsx(tmp_path / "目录.xlsx", _legacy(2))
    assert cli("import", "catalog", str(book), "--project", CODE).exit_code == 0
    r = cli("import", "catalog", str(book), "--project", "SH-2011-001")
    assert r.exit_code == 4 and "row 2, 档号: 0123-BJ2010003-C-0001 belongs to project BJ-2010-003 already" in r.output


def test_attach_by_pattern_and_by_title(cli, legacy_project, tmp_path):
    book = _xlsx(tmp_path / "目录.xlsx", _legacy(3))
    assert cli("import", "catalog", str(book), "--project", CODE).exit_code == 0
    scans = tmp_path / "scans"
    scans.mkdir()
    (scans / "扫描件(0123-BJ2010003-C-0001)终版.txt").write_text("第一份", encoding="utf-8")
    (scans / "隐蔽工程验收记录第2号.txt").write_text("第二份", encoding="utf-8")
    r = cli("import", "attach", str(scans), "--by", "pattern", "--pattern", r"\((?P<code>[^)]+)\)", "--json")
    assert [a["archive_code"] for a in json.loads(r.output)["attached"]] == ["0123-BJ2010003-C-0001"]
    r = cli("import", "attach", str(scans), "--by", "name", "--json")
    assert [a["archive_code"] for a in json.loads(r.output)["attached"]] == ["0123-BJ2010003-C-0002"]
    assert json.loads(r.output)["rows_without_file"] == ["0123-BJ2010003-C-0003"]
    bad = cli("import", "attach", str(scans), "--by", "pattern", "--pattern", "(unclosed")
    assert bad.exit_code == 2 and "is not a regular expression" in bad.output
    none = cli("import", "attach", str(scans), "--by", "pattern", "--pattern", "C-0")
    assert none.exit_code == 2 and "has no group; mark the 档号 with (?P<code>…)" in none.output


def test_code_key_ignores_the_separators_people_type():
    assert (
        code_key("0123-BJ2010003·C-0001") == code_key("0123_bj2010003.c 0001") == code_key("０１２３－BJ2010003C0001")
    )
