"""`dangan forms …` through the real command line: output, exit codes and exact messages."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from dangan.archive import forms as F

ROOT = Path(__file__).resolve().parent.parent
GBK_SAMPLE = ROOT / "samples" / "forms" / "维护派工单.csv"


@pytest.fixture
def nohome(tmp_path):
    """Run dangan with --home pointing at a folder that is not a home."""
    runner = CliRunner()

    def run(*args):
        from dangan.cli import main

        return runner.invoke(main, ["--home", str(tmp_path / "nowhere"), *args], catch_exceptions=False)

    return run


def write_csv(path: Path, header: list[str], *rows: list[str], encoding="utf-8") -> Path:
    path.write_bytes(("\r\n".join(",".join(r) for r in (header, *rows)) + "\r\n").encode(encoding))
    return path


START_HEADER = ["工程编号", "工程名称", "建设单位", "施工单位", "计划开工日期", "计划竣工日期", "项目经理", "报告日期"]
START_ROW = [
    "BJ-2024-017",
    "安居花园3号楼",
    "安居置业有限公司",
    "示例建设工程有限公司",
    "2024-03-10",
    "2025-06-30",
    "张伟",
    "2024-03-08",
]


def test_list_works_without_a_home(nohome):
    r = nohome("forms", "list", "--json")
    assert r.exit_code == 0, r.output
    forms = json.loads(r.stdout)
    assert len(forms) == 16
    start = next(f for f in forms if f["id"] == "start_report")
    assert start["checklist_item"] == "C02" and start["template"].endswith("开工报告.docx")


def test_list_table(nohome):
    r = nohome("forms", "list")
    assert r.exit_code == 0 and "dispatch_ticket" in r.stdout and "维护派工单" in r.stdout and "C13" in r.stdout


def test_fields_prints_labels_types_choices_header_and_list_convention(nohome):
    r = nohome("forms", "fields", "维护派工单")
    assert r.exit_code == 0, r.output
    out = r.stdout
    assert "派工单号" in out and "ticket_no" in out and "上门维修 / 返厂维修 / 保养 / 安装" in out
    assert "Example CSV header:\n派工单号,派工日期,客户名称," in out
    assert "维修项目1项目名称,维修项目1收费,维修项目1数量,维修项目1单价,维修项目1金额,维修项目2项目名称" in out
    assert "the header is row 1, the first data row is row 2" in " ".join(out.split())


def test_fields_json(nohome):
    data = json.loads(nohome("forms", "fields", "dispatch_ticket", "--json").stdout)
    assert data["example_header"].startswith("派工单号,派工日期")
    assert data["list_convention"].startswith(
        "List fields take one column per list row and sub-field, numbered from 1: 维修项目1项目名称"
    )
    items = next(f for f in data["fields"] if f["name"] == "items")
    assert [s["name"] for s in items["subfields"]] == ["name", "charge", "quantity", "unit_price", "amount"]


def test_unknown_form_exits_5(nohome):
    r = nohome("forms", "fields", "报销单")
    assert r.exit_code == 5
    assert r.stderr.startswith('Error: no form "报销单"; known forms: service_request (顾客服务需求表)')


def test_render_the_gbk_sample_in_parallel(nohome, tmp_path):
    out = tmp_path / "out"
    r = nohome("forms", "render", "维护派工单", "--data", str(GBK_SAMPLE), "--out", str(out), "--jobs", "2")
    assert r.exit_code == 0, r.output
    assert r.stdout == f"Rendered 20 维护派工单 into {out}: 20 .docx.\n"
    files = sorted(out.glob("*.docx"))
    assert len(files) == 20 and files[0].name == "PG-2024-0101_刘建国.docx"
    texts = [c.text for t in Document(files[0]).tables for row in t.rows for c in row.cells]
    assert "PG-2024-0101" in texts and "PP棉滤芯" in texts


def test_render_with_bad_rows_lists_problems_and_exits_4(nohome, tmp_path):
    data = write_csv(
        tmp_path / "bad.csv", ["投诉编号", "投诉时间", "投诉人", "投诉对象", "严重程度", "投诉类别", "投诉内容及要求"],
        ["TS-1", "2024-03-06", "甲", "维修人员", "一般", "服务投诉", "迟到"],
        ["TS-2", "2024-13-01", "乙", "维修人员", "特急", "服务投诉", "迟到"],
        ["TS-3", "2024-03-08", "", "维修人员", "一般", "服务投诉", "迟到"],
    )  # fmt: skip
    out = tmp_path / "out"
    r = nohome("forms", "render", "顾客投诉记录", "--data", str(data), "--out", str(out))
    assert r.exit_code == 4
    assert r.stderr == (
        'row 3, 投诉时间: "2024-13-01" is not a date, use YYYY-MM-DD\n'
        'row 3, 严重程度: "特急" is not one of 一般, 严重\n'
        "row 4, 投诉人: is required but empty\n"
        "Error: 3 problems in 2 of 3 rows of 顾客投诉记录 data; nothing was written "
        "(fix them, or render only the valid rows with --skip-invalid)\n"
    )
    assert not out.exists()


def test_skip_invalid_reports_skipped_rows(nohome, tmp_path):
    data = write_csv(tmp_path / "d.csv", START_HEADER, START_ROW, [*START_ROW[:4], "明天", *START_ROW[5:]])
    r = nohome(
        "forms",
        "render",
        "开工报告",
        "--data",
        str(data),
        "--out",
        str(tmp_path / "o"),
        "--skip-invalid",
        "--name",
        "{row}",
    )
    assert r.exit_code == 4, r.output  # the valid rows are written, but a script must notice the skipped one
    assert r.stderr == 'skipped: row 3, 计划开工日期: "明天" is not a date, use YYYY-MM-DD\n'
    assert "Rendered 1 开工报告" in r.stdout
    assert r.stdout.splitlines()[-1] == "Skipped 1 invalid row(s) (row 3); see the lines above."
    assert [p.name for p in (tmp_path / "o").iterdir()] == ["2.docx"]


def test_file_into_needs_a_form_with_a_checklist_item(cli, project, tmp_path):
    r = cli(
        "forms",
        "render",
        "维护派工单",
        "--data",
        str(GBK_SAMPLE),
        "--out",
        str(tmp_path / "o"),
        "--file-into",
        "BJ-2024-017",
    )
    assert r.exit_code == 2
    assert r.stderr == (
        "Error: 维护派工单 satisfies no checklist item of project BJ-2024-017 (checklist construction), "
        "so --file-into cannot file it; forms that can: "
        "开工报告 (C02), 技术交底记录 (C03), 隐蔽工程验收记录 (C09), 交工验收证明书 (C11), 竣工报告 (C13)\n"
    )
    assert not (tmp_path / "o").exists()


def test_render_and_file_into_a_project(cli, project, cat, tmp_path):
    data = write_csv(tmp_path / "start.csv", START_HEADER, START_ROW)
    r = cli(
        "forms",
        "render",
        "开工报告",
        "--data",
        str(data),
        "--out",
        str(tmp_path / "o"),
        "--file-into",
        "BJ-2024-017",
        "--json",
    )
    assert r.exit_code == 0, r.output
    result = json.loads(r.stdout)
    [rendered] = result["rendered"]
    assert rendered["docx"].endswith("BJ-2024-017_开工报告.docx") and rendered["filed"].endswith("filed (.docx)")
    docs = [d for d in cat.documents(project="BJ-2024-017") if d["item_code"] == "C02"]
    assert len(docs) == 1 and docs[0]["status"] == "filed"
    # the home's company name is printed on the form
    assert Document(rendered["docx"]).paragraphs[0].text == "示例建设工程有限公司"
    # rendering the same data again gives the same bytes: reported as already filed, not an error
    again = json.loads(cli("forms", "render", "开工报告", "--data", str(data), "--out", str(tmp_path / "o"),
                           "--file-into", "BJ-2024-017", "--json").stdout)  # fmt: skip
    assert again["rendered"][0]["filed"] == f"already filed as #{docs[0]['id']} (.docx)"


def test_home_template_override_is_used_by_the_cli(cli, home, tmp_path):
    doc = Document(home.templates_dir / "开工报告.docx")
    doc.paragraphs[1].runs[0].text = "开工报告（公司格式）"
    doc.save(home.templates_dir / "开工报告.docx")
    data = write_csv(tmp_path / "start.csv", START_HEADER, START_ROW)
    r = cli("forms", "render", "start_report", "--data", str(data), "--out", str(tmp_path / "o"))
    assert r.exit_code == 0, r.output
    assert Document(tmp_path / "o" / "BJ-2024-017_开工报告.docx").paragraphs[1].text == "开工报告（公司格式）"


def test_check_a_good_template(nohome):
    path = F.load_manifest()["dispatch_ticket"].template_path()
    r = nohome("forms", "check", str(path))
    assert r.exit_code == 0 and r.stdout == f"{path}: OK\n"


def test_check_a_broken_template_exits_6(nohome, tmp_path):
    src = F.load_manifest()["dispatch_ticket"].template_path()
    doc = Document(src)
    doc.tables[0].rows[1].cells[1].paragraphs[0].runs[0].text = "{{ custmer }}"
    path = tmp_path / "维护派工单.docx"
    doc.save(path)
    r = nohome("forms", "check", str(path))
    assert r.exit_code == 6
    assert r.stderr.startswith("error: 维护派工单.docx: tag {{ custmer }} in table 1, row 2, cell 2")
    assert "note: 维护派工单.docx: field 客户名称 (customer) is never printed" in r.stdout
    assert r.stderr.endswith(f"Error: {path}: 1 problem in the template's tags\n")


def test_check_an_unknown_file_name_checks_syntax_only(nohome, tmp_path):
    path = tmp_path / "我的表.docx"
    shutil.copy(F.load_manifest()["dispatch_ticket"].template_path(), path)
    r = nohome("forms", "check", str(path))
    assert r.exit_code == 0
    assert (
        "Checked tag syntax only: no form matches this file name (give --form FORM to check the tags too)." in r.stdout
    )
    assert nohome("forms", "check", str(path), "--form", "dispatch_ticket").stdout == f"{path}: OK\n"


def test_missing_soffice_exits_9(nohome, tmp_path, monkeypatch):
    data = write_csv(tmp_path / "start.csv", START_HEADER, START_ROW)
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    r = nohome("forms", "render", "开工报告", "--data", str(data), "--out", str(tmp_path / "o"), "--pdf")
    assert r.exit_code == 9
    assert r.stderr.endswith("install it with: apt-get install libreoffice-writer-nogui\n")


def test_unsupported_data_file_exits_4(nohome, tmp_path):
    data = tmp_path / "d.xls"
    data.write_bytes(b"x")
    r = nohome("forms", "render", "开工报告", "--data", str(data), "--out", str(tmp_path / "o"))
    assert r.exit_code == 4
    assert (
        r.stderr
        == f"Error: {data}: .xls is not supported (save it from Excel as .xlsx or CSV); use .csv, .xlsx or .json\n"
    )


@pytest.mark.parametrize("command", [[], ["list"], ["fields"], ["check"], ["render"]])
def test_every_command_has_help_with_an_example(nohome, command):
    r = nohome("forms", *command, "--help")
    assert r.exit_code == 0 and re.search(r"\n  Example:\n    dangan forms \w+", r.stdout)
