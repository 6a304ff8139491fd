"""The four-property check (四性检测) and the handover package, on a small project filed in tests.

Each kind of failure the issue names — a missing required item, a changed byte, a document
without 责任者, an encrypted PDF — makes `dangan handover check` exit 3 naming the row, and
the check passes again once it is fixed.  The package appears whole or not at all, and its
XML and XLSX are byte-identical for the same catalog.
"""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from pypdf import PdfReader, PdfWriter
from sqlalchemy import update

from dangan.archive.completeness import waive
from dangan.archive.handover.inspect import security_problem, usability_problem
from dangan.archive.intake.ingest import ingest_paths
from dangan.archive.schema import documents
from dangan.archive.vault import sha256_file
from dangan.archive.volumes import plan_volumes
from tests.conftest import write_text_doc
from tests.docgen import make_docx, make_text_pdf

CODE = "BJ-2024-017"
PDF = "application/pdf"
PASSED = f"四性检测 {CODE}: 真实性 通过, 完整性 通过, 可用性 通过, 安全性 通过 — passed"


@pytest.fixture
def ready(cat, project, tmp_path) -> dict[str, dict]:
    """C01 (text) and C02 (text PDF) filed, every other item waived, volumes planned: the check passes."""
    folder = tmp_path / "in"
    write_text_doc(folder, "施工合同书.txt", "施工合同书\n2024年2月1日 甲方与乙方签订本合同。")
    # (both pages carry real text: a near-empty page would be sent to OCR, which is slow)
    make_text_pdf(
        folder.joinpath("开工报告.pdf"),
        [
            "开工报告\n工程编号：BJ-2024-017\n2024年3月1日开工",
            "开工条件已经具备，现场三通一平完成，施工人员和机械已进场。",
        ],
    )
    records = ingest_paths(cat, [folder], project=CODE)
    assert [r.outcome for r in records] == ["filed", "filed"], [r.message for r in records]
    for item in project.checklist.items:
        if item.code not in ("C01", "C02"):
            waive(cat, CODE, item.code, "本工程不涉及")
    plan_volumes(cat, CODE)
    return {r.path.name: cat.document(r.doc_id) for r in records}


def set_doc(cat, doc_id: int, **values) -> None:
    with cat.engine.begin() as conn:
        conn.execute(update(documents).where(documents.c.id == doc_id).values(**values))


def check_json(cli) -> tuple[int, dict]:
    r = cli("handover", "check", CODE, "--json")
    return r.exit_code, json.loads(r.output)


def test_a_complete_project_passes(cli, ready):
    r = cli("handover", "check", CODE)
    assert r.exit_code == 0
    assert r.output.strip().splitlines()[-1] == PASSED


def test_a_missing_required_item_fails_and_passes_once_waived(cli, cat, ready):
    assert cli("waive", CODE, "C13", "--undo").exit_code == 0
    r = cli("handover", "check", CODE)
    assert r.exit_code == 3
    assert "竣工报告(含停、复工报告): required, neither filed nor waived (owed by 张伟)" in r.output
    assert r.output.strip().splitlines()[-1] == (
        f"四性检测 {CODE}: 真实性 通过, 完整性 不通过 (1), 可用性 通过, 安全性 通过 — failed, 1 row(s) to fix"
    )
    code, data = check_json(cli)
    assert code == 3 and [(f["property"], f["item"]) for f in data["findings"]] == [("完整性", "C13")]
    waive(cat, CODE, "C13", "本工程未发生停工")
    assert check_json(cli)[0] == 0


def test_a_changed_byte_fails_authenticity_and_passes_once_restored(cli, cat, ready):
    doc = ready["开工报告.pdf"]
    path = cat.home.vault_dir / doc["vault_path"]
    original = path.read_bytes()
    path.write_bytes(original[:100] + bytes([original[100] ^ 1]) + original[101:])
    code, data = check_json(cli)
    assert code == 3
    assert data["findings"] == [{
        "property": "真实性", "volume": 1, "piece": 2, "document": doc["id"], "item": None,
        "message": f"开工报告.pdf: content differs from the SHA-256 recorded at ingest (changed since filing); "
                   f"restore vault/{doc['vault_path']} from a backup",
    }]  # fmt: skip
    path.write_bytes(original)
    assert check_json(cli)[0] == 0


def test_a_document_without_author_fails_and_passes_once_set(cli, cat, ready):
    doc = ready["施工合同书.txt"]
    set_doc(cat, doc["id"], person=None, author=None)  # nobody held the role when it was filed
    r = cli("handover", "check", CODE)
    assert r.exit_code == 3
    _, data = check_json(cli)
    assert [(f["property"], f["volume"], f["piece"], f["message"]) for f in data["findings"]] == [
        ("完整性", 1, 1, f"施工合同书: 责任者 is empty; set it with `dangan edit {doc['id']} --author 姓名`")]  # fmt: skip
    set_doc(cat, doc["id"], author="王建国")
    assert check_json(cli)[0] == 0


def test_an_encrypted_pdf_fails_security_and_passes_once_replaced(cli, cat, ready):
    doc = ready["开工报告.pdf"]
    path = cat.home.vault_dir / doc["vault_path"]
    original = path.read_bytes()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(original)))
    writer.encrypt("secret")
    locked = io.BytesIO()
    writer.write(locked)
    # as if it had been filed that way: the catalog's fixity matches the encrypted bytes
    path.write_bytes(locked.getvalue())
    set_doc(cat, doc["id"], sha256=sha256_file(path), size=path.stat().st_size)
    code, data = check_json(cli)
    assert code == 3
    assert [(f["property"], f["piece"], f["message"]) for f in data["findings"]] == [
        ("安全性", 2, "开工报告.pdf is an encrypted (password-protected) PDF; file an unprotected copy")
    ]
    path.write_bytes(original)  # an unprotected copy filed in its place
    set_doc(cat, doc["id"], sha256=sha256_file(path), size=len(original))
    assert check_json(cli)[0] == 0


def test_a_document_in_no_volume_is_named(cli, cat, ready, tmp_path):
    write_text_doc(tmp_path / "more", "施工日志.txt", "施工日志\n2024年5月1日 晴")
    (rec,) = ingest_paths(cat, [tmp_path / "more"], project=CODE)
    code, data = check_json(cli)
    assert code == 3 and data["findings"][0]["message"] == (
        f"施工日志 is in no volume; run `dangan volume plan {CODE}` or `dangan volume move {rec.doc_id} --to N`"
    )
    assert cli("volume", "move", str(rec.doc_id), "--to", "1").exit_code == 0
    assert check_json(cli)[0] == 0


# -- the package ---------------------------------------------------------------------------
def test_the_package_has_one_folder_per_volume_and_is_reproducible(cli, ready, tmp_path):
    first, second = tmp_path / "移交1", tmp_path / "移交2"
    r = cli("handover", CODE, "--out", str(first))
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[0] == f"Wrote the handover package of {CODE}: {first}"
    assert cli("handover", "write", CODE, "--out", str(second)).exit_code == 0
    vol = "0123-BJ2024017·C-001"
    assert sorted(p.relative_to(first).as_posix() for p in first.rglob("*")) == [
        vol, f"{vol}/{vol}-001.txt", f"{vol}/{vol}-002.pdf", f"{vol}/{vol}.pdf", f"{vol}/{vol}.xml", f"{vol}/卷内目录.xlsx",
        "四性检测报告.html", "四性检测报告.json", "案卷目录.xlsx",
    ]  # fmt: skip
    for name in (f"{vol}/{vol}.xml", f"{vol}/卷内目录.xlsx", "案卷目录.xlsx"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    xml = (first / vol / f"{vol}.xml").read_text(encoding="utf-8")
    pdf = ready["开工报告.pdf"]
    assert f'<摘要 算法="SHA-256">{pdf["sha256"]}</摘要>' in xml and f"<大小>{pdf['size']}</大小>" in xml
    assert "<页次>2-3</页次>" in xml and "<保管期限>永久</保管期限>" in xml
    assert sha256_file(first / vol / f"{vol}-002.pdf") == pdf["sha256"]
    assert len(PdfReader(first / vol / f"{vol}.pdf").pages) == 2 + 3 + 1
    assert json.loads((first / "四性检测报告.json").read_text(encoding="utf-8"))["passed"] is True
    with zipfile.ZipFile(first / "案卷目录.xlsx") as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_a_failing_check_writes_nothing(cli, cat, ready, tmp_path):
    assert cli("waive", CODE, "C13", "--undo").exit_code == 0
    out = tmp_path / "移交"
    r = cli("handover", CODE, "--out", str(out))
    assert r.exit_code == 3
    assert r.output.strip().splitlines()[-1] == (
        f"Error: 四性检测 of {CODE} failed (真实性 通过, 完整性 不通过 (1), 可用性 通过, 安全性 通过); nothing was written — "
        f"`dangan handover check {CODE}` lists the rows to fix")  # fmt: skip
    assert list(tmp_path.glob("*移交*")) == []


def test_an_existing_folder_is_not_overwritten(cli, ready, tmp_path):
    out = tmp_path / "移交"
    out.mkdir()
    (out / "keep.txt").write_text("mine", encoding="utf-8")
    r = cli("handover", CODE, "--out", str(out))
    assert r.exit_code == 7
    assert r.output.strip() == f"Error: {out} already exists and is not an empty folder; choose a new --out folder"
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


# -- what the file checks see ------------------------------------------------------------------
def test_usability_and_security_of_single_files(tmp_path):
    good = make_text_pdf(tmp_path / "ok.pdf", ["开工报告"])
    assert usability_problem(good, PDF) == "" and security_problem(good, PDF) == ""
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(good.read_bytes()[:200])
    assert usability_problem(cut, PDF).startswith("is not a readable PDF")
    broken = tmp_path / "scan.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
    assert usability_problem(broken, "image/png").startswith("is not a readable image")
    exe = tmp_path / "setup.pdf"
    exe.write_bytes(b"MZ\x90\x00" + b"\0" * 60)
    assert security_problem(exe, PDF) == "is a Windows program, not a document"
    script = tmp_path / "a.pdf"
    script.write_bytes(
        good.read_bytes().replace(
            b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>"
        )
    )
    assert security_problem(script, PDF) == "is a PDF with active content (/JavaScript); print it to a plain PDF"
    docx = make_docx(tmp_path / "纪要.docx", ["图纸会审纪要"])
    with zipfile.ZipFile(docx, "a") as z:
        z.writestr("word/vbaProject.bin", b"\0macro")
    assert security_problem(docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document") == (
        "contains macros (vbaProject.bin); save it as a plain .docx"
    )


def test_hostile_titles_still_make_a_valid_package(cli, cat, ready, tmp_path):
    import xml.etree.ElementTree as ET

    from openpyxl import load_workbook

    from dangan.archive.schema import projects

    doc = ready["施工合同书.txt"]
    set_doc(cat, doc["id"], title="施工\x01合同书 <甲方&乙方>\x0c", remarks='=HYPERLINK("http://x")')
    with cat.engine.begin() as conn:
        conn.execute(update(projects).where(projects.c.code == CODE).values(name="=1+1 安居花园"))
    plan_volumes(cat, CODE)  # the 案卷题名 takes the new project name
    out = tmp_path / "移交"
    r = cli("handover", CODE, "--out", str(out))
    assert r.exit_code == 0, r.output
    vol = "0123-BJ2024017·C-001"
    root = ET.parse(out / vol / f"{vol}.xml").getroot()
    assert root.find("案卷题名").text == "=1+1 安居花园土建施工文件资料"
    title = root.find("卷内文件/文件/文件题名")
    assert (title.text, title.get("拟写")) == ("施工合同书 <甲方&乙方>", "是")  # not in the text: the archivist's
    rows = list(load_workbook(out / "案卷目录.xlsx").active.iter_rows(min_row=4, values_only=True))
    assert rows[0][2] == "=1+1 安居花园土建施工文件资料"  # text, not a formula
    assert load_workbook(out / vol / "卷内目录.xlsx").active.cell(row=4, column=4).value == "[施工合同书 <甲方&乙方>]"


def test_a_code_pattern_that_cannot_name_a_file_is_refused(cli, home, ready, tmp_path):
    config = home.config_path.read_text(encoding="utf-8")
    home.config_path.write_text(config.replace('code_pattern = "{fonds}-{project}·{gbt_class}-{volume:03d}"',
                                               'code_pattern = "{fonds}/../{volume}"'), encoding="utf-8")  # fmt: skip
    r = cli("handover", CODE, "--out", str(tmp_path / "移交"))
    assert r.exit_code == 6
    assert r.output.strip() == ("Error: [volume] code_pattern '{fonds}/../{volume}' in dangan.toml gives the 档号 '0123/../1', "
                                "which cannot name a file; use letters, digits, '-' and '·' (check [archive_code] fonds too)")  # fmt: skip
    assert not (tmp_path / "移交").exists()


# -- issue 25 item 10: a killed handover leaves no .part folder behind for long -------------------
KILL_AT = """
import os, signal, sys
from dangan.archive import faults
at = sys.argv.pop(1)
faults.hook = lambda name: os.kill(os.getpid(), signal.SIGKILL) if name == at else None
from dangan.cli import main
sys.argv = ["dangan", *sys.argv[1:]]
main()
"""


def test_a_killed_handover_leaves_a_part_folder_that_the_next_handover_and_verify_sweep(cli, home, ready, tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root)}
    outs = [tmp_path / "移交A", tmp_path / "移交B"]
    left = []
    for out in outs:
        args = ["handover-part-written", "--home", str(home.root), "handover", CODE, "--out", str(out)]
        killed = subprocess.run([sys.executable, "-c", KILL_AT, *args], env=env, capture_output=True, check=False)
        assert killed.returncode == -9, killed.stderr
        left.append([p.name for p in tmp_path.iterdir() if p.name.endswith(".part")])
    assert [len(names) for names in left] == [1, 1] and left[0] != left[1], "the second run swept the first's folder"
    assert left[1][0].startswith(".移交B.") and not any(o.exists() for o in outs)

    r = cli("handover", CODE, "--out", str(outs[0]))  # sweeps the killed one's folder
    assert r.exit_code == 0, r.output
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
    assert outs[0].is_dir()

    killed = subprocess.run(
        [
            sys.executable,
            "-c",
            KILL_AT,
            "handover-part-written",
            "--home",
            str(home.root),
            "handover",
            CODE,
            "--out",
            str(tmp_path / "移交C"),
        ],
        env=env,
        capture_output=True,
        check=False,
    )
    assert killed.returncode == -9
    [part] = [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
    v = cli("verify", "--json")
    assert json.loads(v.output)["stale_parts_removed"] == [str(part)]
    assert not part.exists()
