"""What a new user hit (issue 10's numbered list), each through the command line with its
exit code and the exact line a person reads."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path

from openpyxl import load_workbook
from PIL import Image

from dangan.indexer.errors import ExitCode
from tests.conftest import write_text_doc
from tests.docgen import make_scan_image

CODE = "BJ-2024-017"


def ingest(cli, home, *files: tuple[str, str], folder: str | None = CODE):
    """Drop text files into the inbox (under inbox/<folder>/) and ingest them; the JSON result."""
    box = home.inbox_dir / folder if folder else home.inbox_dir
    for name, text in files:
        write_text_doc(box, name, text)
    r = cli("ingest", str(home.inbox_dir), "--json")
    assert r.exit_code in (0, 4), r.output
    return {Path(i["input"]).name: i for i in json.loads(r.stdout)["inputs"]}


# -- 1. dates next to labels and in the signature block win ---------------------------------------
def test_1_labelled_and_signature_dates_beat_dates_quoted_in_the_body(cli, project, home):
    got = ingest(
        cli, home,
        ("施工总结.txt", "施工总结\n本工程于2025年3月3日开工，2025年9月30日完工。\n主体结构质量合格。\n"
                        "编制人：刘洋\n编制日期：2025年10月15日\n"),
        ("开工报告.txt", "开工报告\n计划开工日期：2025-03-01\n计划竣工日期：2025-12-30\n"
                        "现场已具备开工条件。\n报告日期 2025-02-26\n"),
        ("会议纪要.txt", "图纸会审纪要\n2025年1月3日会议讨论了2025年1月1日的变更，各方同意。\n"
                        "参加人员签字：\n张伟\n李娜\n2025年1月9日\n"),
    )  # fmt: skip
    dates = {n: json.loads(cli("show", str(i["document"]), "--json").stdout)["document_date"] for n, i in got.items()}
    assert dates == {"施工总结.txt": "2025-10-15", "开工报告.txt": "2025-02-26", "会议纪要.txt": "2025-01-09"}
    r = cli("show", str(got["开工报告.txt"]["document"]))
    assert "date chosen: 2025-02-26 (labelled 报告日期; 2 other candidate(s))" in r.stdout.splitlines()
    r = cli("show", str(got["会议纪要.txt"]["document"]))
    assert "date chosen: 2025-01-09 (in the signature block; 2 other candidate(s))" in r.stdout.splitlines()


# -- 2. waive on a filed item refuses; catalog shows waivers ----------------------------------------
def test_2_waive_refuses_a_filed_item_and_catalog_shows_waived_items(cli, project, home):
    doc = ingest(cli, home, ("开工报告.txt", "开工报告\n报告日期：2024-03-08"))["开工报告.txt"]["document"]
    r = cli("waive", CODE, "C02", "--reason", "不适用")
    assert r.exit_code == ExitCode.conflict
    assert r.output.strip() == (
        f"Error: item C02 of project {CODE} is already filed (#{doc}); a waiver is only for an item "
        "that does not apply (discard or refile the document first if it is wrong)"
    )
    assert json.loads(cli("check", CODE, "--json").stdout)["waived"] == 0
    assert cli("waive", CODE, "C13", "--reason", "本工程未停工").exit_code == 0
    tree = cli("catalog", CODE)
    assert [ln.strip(" │├└─") for ln in tree.stdout.splitlines() if "C13" in ln] == [
        "C13 竣工报告(含停、复工报告) (免 waived: 本工程未停工)"
    ]
    data = json.loads(cli("catalog", CODE, "--json").stdout)
    items = {i["code"]: i for p in data["people"] for i in p["items"]}
    assert items["C13"]["waived"] == "本工程未停工" and items["C02"]["waived"] is None


# -- 3. project add makes the project's inbox folder -----------------------------------------------
def test_3_project_add_creates_the_inbox_folder(cli, home):
    r = cli("project", "add", "SH-2025-031", "--name", "滨江雅苑5号楼")
    assert r.exit_code == 0, r.output
    assert (home.inbox_dir / "SH-2025-031").is_dir()


# -- 4. the project's name places a document -------------------------------------------------------
def test_4_a_document_naming_the_project_belongs_to_it(cli, project, home):
    cli("project", "add", "SH-2025-031", "--name", "滨江雅苑5号楼", "--role", "施工员=吴涛")
    cli("project", "add", "SH-2025-032", "--name", "滨江雅苑", "--role", "施工员=吴涛")
    got = ingest(
        cli, home,
        ("log.txt", "施工日志\n工程名称：濱江雅苑5號樓\n天气晴"),  # Traditional, and 滨江雅苑 is inside it
        ("both.txt", "施工日志\n安居花园3号楼与滨江雅苑5号楼共用塔吊"),
        folder=None,
    )  # fmt: skip
    assert (got["log.txt"]["outcome"], got["log.txt"]["project"]) == ("filed", "SH-2025-031")
    assert got["both.txt"]["outcome"] == "review"
    assert got["both.txt"]["message"] == (
        f"the text names more than one project ({CODE} 安居花园3号楼, SH-2025-031 滨江雅苑5号楼); file it by hand"
    )


# -- 5. --item by code, title, part or alias; file takes the review row's project --------------------
def test_5_item_by_title_part_or_alias_and_did_you_mean(cli, project, home):
    doc = ingest(cli, home, ("IMG_0001.txt", "一些看不出类别的文字"))["IMG_0001.txt"]["document"]
    r = cli("file", str(doc), "--item", "施工日至")
    assert r.exit_code == ExitCode.not_found
    assert r.output.strip().startswith(
        f"Error: project {CODE} has no checklist item '施工日至'; did you mean C14 施工日志、大事记? items: C01, C02"
    )
    r = cli("file", str(doc), "--item", "施工")
    assert r.exit_code == ExitCode.not_found
    assert r.output.strip() == (
        f"Error: project {CODE}: '施工' fits several checklist items (C01 施工合同书, C04 施工组织设计或施工方案, "
        "C08 施工定位测量记录, C12 施工总结、技术总结, C14 施工日志、大事记); give the code"
    )
    r = cli("file", str(doc), "--item", "施工日志")  # no --project: the review row has it (inbox folder)
    assert r.exit_code == 0, r.output
    assert (
        r.output.strip()
        == f"Filed #{doc} under {CODE} C14 (吴涛): {CODE}/吴涛/C14-施工日志、大事记/{datetime.now():%Y%m%d}_IMG_0001.txt"
    )
    assert cli("refile", str(doc), "--item", "技术交底").exit_code == 0  # part of 技术交底、图纸会审纪要
    assert json.loads(cli("show", str(doc), "--json").stdout)["item_code"] == "C03"
    r = cli("waive", CODE, "停、复工", "--reason", "未停工")
    assert r.output.strip() == f"{CODE} C13 竣工报告(含停、复工报告): waived (未停工)"
    r = cli("search", "文字", "--item", "图纸会审", "--json")
    assert [h["id"] for h in json.loads(r.stdout)] == [doc]


def test_5_file_without_a_project_when_review_has_none(cli, project, home):
    doc = ingest(cli, home, ("x.txt", "看不出项目的文字"), folder=None)["x.txt"]["document"]
    r = cli("file", str(doc), "--item", "C01")
    assert r.exit_code == ExitCode.usage
    assert (
        r.output.strip()
        == f"Error: document {doc} has no project yet; give it: dangan file {doc} --project CODE --item ITEM"
    )


# -- 6. search: unknown filters are errors; results are counted and paged ---------------------------
def test_6_search_unknown_filters_are_errors(cli, project, home):
    ingest(cli, home, ("施工日志.txt", "施工日志 2024年5月1日"))
    cases = {
        ("--project", "XX"): f"Error: no project 'XX'; projects: {CODE}",
        ("--person", "王五"): "Error: no person '王五'; people: ",
        (
            "--item",
            "施工日至",
        ): "Error: checklist construction has no checklist item '施工日至'; did you mean C14 施工日志、大事记?",
    }
    for args, start in cases.items():
        r = cli("search", "施工", *args)
        assert r.exit_code == ExitCode.not_found, r.output
        assert r.output.strip().startswith(start)
    assert cli("search", "施工", "--project", "安居花园3号楼", "--person", "吴涛").exit_code == 0


def test_6_search_says_how_many_and_pages(cli, project, home):
    ingest(cli, home, *[(f"施工日志_{i:02d}.txt", f"施工日志 第{i}天 2024年5月{i}日") for i in range(1, 26)])
    r = cli("search", "施工日志", "--limit", "10")
    assert r.stdout.splitlines()[-1] == "10 of 25 document(s); next: --offset 10"
    r = cli("search", "施工日志", "--limit", "10", "--page", "3")
    assert r.stdout.splitlines()[-1] == "21–25 of 25 document(s)"
    assert r.stdout.splitlines()[0].startswith("21. ")
    r = cli("search", "施工日志", "--offset", "20", "--json")
    assert len(json.loads(r.stdout)) == 5


# -- 7. a failed input makes ingest and watch exit 4 ----------------------------------------------
def test_7_ingest_and_watch_exit_4_when_an_input_failed(cli, project, home):
    box = home.inbox_dir / CODE
    write_text_doc(box, "施工日志.txt", "施工日志 2024年5月1日")
    (box / "broken.pdf").write_bytes(b"%PDF-1.4 broken")
    r = cli("ingest", str(home.inbox_dir))
    assert r.exit_code == ExitCode.input_error
    assert r.stdout.splitlines()[-1] == "2 input(s): 1 filed, 0 to review, 0 duplicate(s), 1 failed"
    (box / "broken2.pdf").write_bytes(b"%PDF-1.4 broken too")
    r = cli("watch", "--once", "--stable", "0.1")
    assert r.exit_code == ExitCode.input_error
    assert r.stdout.splitlines()[-1] == "1 input(s): 0 filed, 0 to review, 0 duplicate(s), 1 failed"
    write_text_doc(box, "施工日志2.txt", "施工日志 2024年5月2日")
    assert cli("ingest", str(home.inbox_dir)).exit_code == 0


# -- 8. the original is filed, the copy is the duplicate -------------------------------------------
def test_8_the_original_is_filed_and_the_copy_is_the_duplicate(cli, project, home):
    text = "施工日志 2024年5月1日 晴"
    names = ["scan_0003 - 副本.txt", "scan_0003 (1).txt", "Copy of scan_0003.txt", "scan_0003.txt"]
    got = ingest(cli, home, *[(n, text) for n in names])
    assert got["scan_0003.txt"]["outcome"] == "filed"
    assert {n: got[n]["outcome"] for n in names[:3]} == dict.fromkeys(names[:3], "duplicate")
    assert sorted(p.name for p in (home.inbox_dir / ".duplicates").iterdir()) == sorted(names[:3])


# -- 9. piped output keeps one line per file, whole paths -----------------------------------------
def test_9_piped_output_is_never_wrapped_mid_path(cli, project, home):
    long = "施工日志_" + "三层楼板浇筑前后的现场情况说明" * 3 + ".txt"
    write_text_doc(home.inbox_dir / CODE, long, "施工日志 2024年5月1日")
    write_text_doc(home.inbox_dir / CODE, "说明_" + "看不出类别的很长很长的文件名字" * 3 + ".txt", "一些文字")
    r = cli("ingest", str(home.inbox_dir))
    lines = r.stderr.splitlines()
    assert len(lines) == 2
    filed = next(ln for ln in lines if ln.startswith("filed"))
    assert filed.startswith(f"filed {long} → {CODE}/吴涛/C14-施工日志、大事记/20240501_{long}")
    review = cli("review").stdout.splitlines()
    assert sum("看不出类别的很长很长的文件名字" * 3 in ln for ln in review) == 1, "one table row, one line"


# -- 10. forms render --file-into checks first, refuses other projects, files the PDF -------------
START_HEADER = ["工程编号", "工程名称", "建设单位", "施工单位", "计划开工日期", "计划竣工日期", "项目经理", "报告日期"]


def start_csv(path: Path, *codes: str) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(START_HEADER)
        for code in codes:
            w.writerow(
                [code, "安居花园3号楼", "安居置业", "示例建设", "2024-03-10", "2025-06-30", "张伟", "2024-03-08"]
            )
    return path


def test_10_file_into_checks_the_project_and_the_rows_before_writing(cli, project, tmp_path):
    out = tmp_path / "o"
    r = cli(
        "forms",
        "render",
        "开工报告",
        "--data",
        str(start_csv(tmp_path / "a.csv", CODE)),
        "--out",
        str(out),
        "--file-into",
        "XX-1",
    )
    assert r.exit_code == ExitCode.not_found
    assert r.stderr == f"Error: no project 'XX-1'; projects: {CODE}\n"
    assert not out.exists()
    data = start_csv(tmp_path / "b.csv", CODE, "SH-2025-031", CODE)
    r = cli("forms", "render", "开工报告", "--data", str(data), "--out", str(out), "--file-into", CODE)
    assert r.exit_code == ExitCode.input_error
    assert r.stderr.splitlines() == [
        "row 3, 工程编号: 'SH-2025-031' is not BJ-2024-017",
        "Error: --file-into BJ-2024-017: row(s) 3 name another project in 工程编号; "
        "render them with --file-into that project (or correct the 工程编号)",
    ]
    assert not out.exists()


def test_10_pdf_and_file_into_files_the_pdf(cli, project, cat, tmp_path):
    data = start_csv(tmp_path / "a.csv", CODE)
    r = cli(
        "forms", "render", "开工报告", "--data", str(data), "--out", str(tmp_path / "o"), "--pdf", "--file-into", CODE
    )
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[-1] == f"Filed into {CODE} under checklist item C02: 1 document(s) (PDF)."
    [doc] = cat.documents(project=CODE)
    assert doc["mime_type"] == "application/pdf" and doc["vault_path"].endswith(".pdf")


def test_10_a_wrong_form_name_says_did_you_mean(cli):
    r = cli("forms", "render", "维护派公单", "--data", "x.csv", "--out", "o")
    assert r.exit_code == 2  # --data must exist: click checks it first
    r = cli("forms", "fields", "维护派公单")
    assert r.exit_code == ExitCode.not_found
    assert r.stderr.startswith('Error: no form "维护派公单"; did you mean 维护派工单? known forms: ')


# -- 11. the 备考表 counts photographs, not scanned form pages ------------------------------------
def test_11_volume_note_counts_only_photographs_as_photos(cli, project, home, tmp_path):
    box = home.inbox_dir / CODE
    box.mkdir(parents=True, exist_ok=True)
    make_scan_image(
        box / "隐蔽记录.png",
        "隐蔽工程验收记录\n工程名称：安居花园3号楼\n验收部位：三层楼板钢筋\n验收结论：合格\n验收日期：2024年5月6日",
    )
    photo = Image.new("RGB", (800, 600), (90, 120, 160))
    photo.save(box / "现场照片_隐蔽工程.jpg")
    r = cli("ingest", str(home.inbox_dir), "--json")
    assert r.exit_code == 0, r.output
    out = tmp_path / "b.xlsx"
    r = cli("register", CODE, "--kind", "备考表", "--xlsx", "--out", str(out))
    assert r.exit_code == 0, r.output
    values = {row[0].value: row[1].value for row in load_workbook(out).active.iter_rows(min_row=4)}
    assert (values["文字材料（页）"], values["照片（张）"]) == (1, 1)


# -- 12. XLSX registers: numbers, dates, and text that is never a formula ---------------------------
def test_12_xlsx_register_types_cells_and_defuses_formulas(cli, project, home, tmp_path):
    doc = ingest(cli, home, ("开工报告.txt", "开工报告\n报告日期：2024-03-08"))["开工报告.txt"]["document"]
    hostile = '=HYPERLINK("http://evil.example","点击")'
    assert cli("edit", str(doc), "--title", hostile).exit_code == 0
    out = tmp_path / "r.xlsx"
    r = cli("register", CODE, "--kind", "卷内目录", "--xlsx", "--out", str(out))
    assert r.exit_code == 0, r.output
    ws = load_workbook(out).active
    row = [c for c in ws[4]]
    assert [c.value for c in row][:5] == [1, None, "张伟", "'" + hostile, datetime(2024, 3, 8)]
    assert not [c.coordinate for r_ in ws.iter_rows() for c in r_ if c.data_type == "f"]
