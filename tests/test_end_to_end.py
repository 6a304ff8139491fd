"""The demo's flow asserted step by step through the CLI, on a fresh temporary home.

Uses the committed sample project (samples/), so it exercises text PDFs, OCR of scans and
photos, DOCX, Traditional characters, a duplicate and a damaged file together.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from dangan.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
CODE = "BJ-2024-017"
EXPECTED = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))
ROLES = [
    "公司法人=王建国",
    "项目经理=张伟",
    "内业技术员=李娜",
    "项目技术负责人=刘洋",
    "材料员=陈静",
    "试验员=杨帆",
    "测量员=赵磊",
    "施工员=吴涛",
    "质量安全员=周敏",
    "土建内业技术员=孙丽",
]


@pytest.fixture(scope="module")
def flow(tmp_path_factory):
    """A home with the sample project filed; returns a runner bound to it and the ingest JSON."""
    home = tmp_path_factory.mktemp("e2e") / "home"
    runner = CliRunner()

    def run(*args):
        return runner.invoke(main, ["--home", str(home), *args], catch_exceptions=False)

    assert run("init").exit_code == 0
    r = run("project", "add", CODE, "--name", "安居花园3号楼", *[a for x in ROLES for a in ("--role", x)])
    assert r.exit_code == 0, r.output
    shutil.copytree(SAMPLES / "inbox", home / "inbox", dirs_exist_ok=True)
    r = run("ingest", str(home / "inbox"), "--json")
    assert r.exit_code == 4, r.output  # broken.pdf fails; everything else is still filed
    return run, json.loads(r.output), home


def test_every_sample_input_is_accounted_for(flow):
    _, data, home = flow
    s = data["summary"]
    assert s["inputs"] == len(EXPECTED) == s["filed"] + s["review"] + s["duplicate"] + s["failed"]
    assert (s["duplicate"], s["failed"]) == (1, 1)
    assert list((home / "inbox" / CODE).iterdir()) == []


def test_samples_land_on_the_expected_items(flow):
    _, data, _ = flow
    by_name = {Path(i["input"]).name: i for i in data["inputs"]}
    wrong = {}
    for name, exp in EXPECTED.items():
        got = by_name[name]
        if "item" in exp and got["outcome"] == "filed" and got["item"] != exp["item"]:
            wrong[name] = (exp["item"], got["item"])
    assert wrong == {}, "nothing may be wrongly filed"
    placed = sum(1 for n, e in EXPECTED.items() if "item" in e and by_name[n]["item"] == e["item"])
    duplicated_pair = {"scan_0003.pdf", "scan_0003 - 副本.pdf"}
    assert placed >= len([e for e in EXPECTED.values() if "item" in e]) - 1  # the pair files once
    assert {n for n, i in by_name.items() if i["outcome"] == "duplicate"} <= duplicated_pair
    assert by_name["broken.pdf"]["outcome"] == "failed"


def test_check_shows_missing_items_and_who_owes_them(flow):
    run, _, _ = flow
    r = run("check", CODE, "--json")
    assert r.exit_code == 3
    data = json.loads(r.output)
    assert data["filed"] == 10 and data["missing"] == 6
    missing = {i["code"]: i["person"] for i in data["items"] if i["status"] == "missing"}
    assert missing == {"C10": "周敏", "C11": "李娜", "C12": "刘洋", "C13": "张伟", "D01": "孙丽", "D02": "孙丽"}


def test_catalog_tree_puts_documents_under_people(flow):
    run, _, _ = flow
    tree = json.loads(run("catalog", CODE, "--json").output)
    zhao = next(p for p in tree["people"] if p["person"] == "赵磊")
    assert zhao["items"][0]["code"] == "C08" and len(zhao["items"][0]["documents"]) == 1


@pytest.mark.parametrize(
    "query,expected_item",
    [("施工組織設計", "C04"), ("测量", "C08"), ("炉批号", "C06"), ("隐蔽记录", "C09")],
)
def test_search_in_both_scripts_and_ocr_text(flow, query, expected_item):
    run, _, _ = flow
    r = run("search", query, "--json")
    assert r.exit_code == 0, r.output
    hits = json.loads(r.output)
    assert expected_item in [h["item_code"] for h in hits]


def test_forms_batch_from_gbk_csv(flow, tmp_path):
    run, _, _ = flow
    data = SAMPLES / "forms" / "维护派工单.csv"
    r = run("forms", "render", "维护派工单", "--data", str(data), "--out", str(tmp_path / "forms"), "--jobs", "2")
    assert r.exit_code == 0, r.output
    files = sorted((tmp_path / "forms").glob("*.docx"))
    assert len(files) >= 10
    text = "\n".join(c.text for t in Document(files[0]).tables for row in t.rows for c in row.cells)
    assert "派工" in text or "派工单" in "".join(p.text for p in Document(files[0]).paragraphs)


def test_registers_from_the_catalog(flow, tmp_path):
    run, _, _ = flow
    out = tmp_path / "卷内目录.docx"
    r = run("register", CODE, "--kind", "卷内目录", "--out", str(out))
    assert r.exit_code == 0, r.output
    cells = [c.text for t in Document(out).tables for row in t.rows for c in row.cells]
    assert any("施工合同" in c for c in cells)


def test_verify_is_clean_after_the_flow(flow):
    run, _, _ = flow
    r = run("verify", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["clean"] is True


def test_demo_runs_offline_and_exits_zero():
    r = CliRunner().invoke(main, ["demo"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    for heading in ("Filing the scanner inbox", "Is the archive complete?", "Full-text search", "Archive registers"):
        assert heading in r.output
    assert "施工組織設計" in r.output and "Who to chase" in r.output
    # issue 10, item 13: the temporary home is deleted at the end, so no path into it is printed
    assert "dangan-demo-" not in r.output
    assert "Home: <home>, a temporary folder removed at the end (--keep keeps it)" in r.output
    assert f"卷内目录: <home>/out/{CODE}_卷内目录.docx" in r.output.splitlines()


def test_a_register_template_edited_in_the_home_is_used(flow, tmp_path):
    run, _, home = flow
    edited = home / "templates" / "registers" / "卷内目录.docx"
    assert edited.is_file(), "init copies the register templates into the home"
    doc = Document(edited)
    doc.add_paragraph("本目录由档案室复核")
    doc.save(edited)
    out = tmp_path / "卷内目录.docx"
    assert run("register", CODE, "--kind", "卷内目录", "--out", str(out)).exit_code == 0
    assert "本目录由档案室复核" in [p.text for p in Document(out).paragraphs]
