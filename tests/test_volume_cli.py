"""The `dangan volume` commands through the CLI: exit codes and the exact lines users read."""

from __future__ import annotations

import json

import pytest
from docx import Document

from dangan.archive.intake.ingest import ingest_paths
from tests.conftest import write_text_doc
from tests.docgen import make_docx

CODE = "BJ-2024-017"


@pytest.fixture
def docs(cat, project, tmp_path) -> dict[str, int]:
    """Three 施工文件 and one 竣工图 filed as text; returns file name → id."""
    folder = tmp_path / "in"
    for name, body in (("施工合同书.txt", "施工合同书\n2024年2月1日"), ("开工报告.txt", "开工报告\n2024年3月1日"),
                       ("施工日志.txt", "施工日志\n2024年5月1日 晴"), ("土建建施竣工图.txt", "土建建施竣工图\n2024年9月1日")):  # fmt: skip
        write_text_doc(folder, name, body)
    records = ingest_paths(cat, [folder], project=CODE)
    return {r.path.name: r.doc_id for r in records}


def test_plan_list_and_show(cli, docs):
    r = cli("volume", "plan", CODE)
    assert r.exit_code == 0
    assert (
        r.output.splitlines()[-1]
        == f"2 volume(s) of {CODE}; `dangan volume show {CODE} 1` lists one, `dangan volume seal` freezes it"
    )
    data = json.loads(cli("volume", "list", CODE, "--json").output)
    assert [(v["volume"], v["code"], v["kind"], v["pages"], v["status"]) for v in data] == [
        (1, "0123-BJ2024017·C-001", "土建施工文件资料", 3, "draft"), (2, "0123-BJ2024017·D-002", "竣工图", 1, "draft")]  # fmt: skip
    r = cli("volume", "show", CODE, "1")
    assert (
        r.output.splitlines()[0]
        == "0123-BJ2024017·C-001  安居花园3号楼土建施工文件资料  保管期限 永久  密级 公开  草稿"
    )
    assert "施工日志" in r.output and "3-3" in r.output


def test_dry_run_saves_nothing(cli, docs):
    r = cli("volume", "plan", CODE, "--dry-run")
    assert r.output.splitlines() == ["安居花园3号楼土建施工文件资料: 3 documents, 3 pages", "安居花园3号楼竣工图: 1 documents, 1 pages",
                                     "(dry run: nothing saved)"]  # fmt: skip
    r = cli("volume", "list", CODE)
    assert r.output.strip() == f"{CODE} has no volumes yet; propose them with `dangan volume plan {CODE}`"


def test_move_seal_and_unseal(cli, docs):
    cli("volume", "plan", CODE)
    diary = docs["施工日志.txt"]
    r = cli("volume", "move", str(diary), "--to", "2", "--position", "1")
    assert (r.exit_code, r.output.strip()) == (0, f"document {diary} is 件1 of volume 2 ({CODE}), pages 1-1")
    r = cli("volume", "seal", CODE, "2")
    assert (r.exit_code, r.output.strip()) == (0, f"sealed volume 2 of {CODE}: 2 documents, 2 pages")
    r = cli("volume", "move", str(diary), "--to", "1")
    assert r.exit_code == 7
    assert r.output.strip() == (f"Error: volume 2 of {CODE} is sealed, so moving document {diary} out of it would change "
                                f"frozen numbers; run `dangan volume unseal {CODE} 2` first")  # fmt: skip
    assert cli("volume", "unseal", CODE, "2").exit_code == 2  # --reason is required
    r = cli("volume", "unseal", CODE, "2", "--reason", "日志归入施工文件")
    assert (r.exit_code, r.output.strip()) == (0, f"unsealed volume 2 of {CODE}; plan, move and seal again as needed")
    assert cli("volume", "move", str(diary), "--to", "1").exit_code == 0


def test_unknown_volume_and_nothing_to_build(cli, docs, tmp_path):
    r = cli("volume", "build", CODE, "--out", str(tmp_path / "out"))
    assert (r.exit_code, r.output.strip()) == (
        5,
        f"Error: {CODE} has no volumes yet; propose them with `dangan volume plan {CODE}`",
    )
    cli("volume", "plan", CODE)
    r = cli("volume", "show", CODE, "9")
    assert (r.exit_code, r.output.strip()) == (5, f"Error: project {CODE} has no volume 9; volumes: 1, 2")


def test_build_writes_the_pdf_and_the_volume_registers(cli, docs, tmp_path):
    cli("volume", "plan", CODE)
    out = tmp_path / "案卷"
    r = cli("volume", "build", CODE, "1", "--out", str(out), "--json")
    assert r.exit_code == 0, r.output
    (data,) = json.loads(r.output)
    assert (data["pages"], data["numbered_pages"], data["front_pages"], data["note_pages"]) == (6, 3, 2, 1)
    assert sorted(p.name for p in out.iterdir()) == [
        "0123-BJ2024017·C-001.pdf",
        "0123-BJ2024017·C-001_卷内目录.docx",
        "0123-BJ2024017·C-001_备考表.docx",
    ]
    rows = [[c.text for c in row.cells] for row in Document(out / "0123-BJ2024017·C-001_卷内目录.docx").tables[0].rows]
    assert [r[5] for r in rows[1:]] == ["1", "2", "3-3"] and rows[1][2] == "王建国"


def test_a_word_file_without_libreoffice_names_the_package(cli, cat, project, tmp_path, monkeypatch):
    (tmp_path / "in").mkdir()
    make_docx(tmp_path / "in" / "图纸会审纪要.docx", ["图纸会审纪要", "会审日期：2024年3月8日"])
    (rec,) = ingest_paths(cat, [tmp_path / "in"], project=CODE)
    assert rec.outcome == "filed"
    cli("volume", "plan", CODE)
    monkeypatch.setattr("dangan.archive.forms.pdf.shutil.which", lambda _name: None)
    r = cli("volume", "build", CODE, "--out", str(tmp_path / "out"))
    assert r.exit_code == 9
    assert r.output.strip() == ("Error: LibreOffice is needed to make PDFs but `soffice` is not on PATH; "
                                "install it with: apt-get install libreoffice-writer-nogui")  # fmt: skip
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").glob("*.pdf"))


def test_a_damaged_file_stops_the_build_naming_the_document(cli, cat, project, tmp_path):
    from tests.docgen import make_text_pdf

    (tmp_path / "in").mkdir()
    make_text_pdf(
        tmp_path / "in" / "开工报告.pdf", ["开工报告\n工程编号：BJ-2024-017\n2024年3月1日开工，现场具备开工条件。"]
    )
    (rec,) = ingest_paths(cat, [tmp_path / "in"], project=CODE)
    stored = cat.home.vault_dir / cat.document(rec.doc_id)["vault_path"]
    stored.write_bytes(stored.read_bytes()[:150])
    cli("volume", "plan", CODE)
    r = cli("volume", "build", CODE, "--out", str(tmp_path / "out"))
    assert r.exit_code == 4
    where = cat.document(rec.doc_id)["vault_path"]
    assert r.output.startswith(f"Error: document {rec.doc_id} 开工报告 (vault/{where}) is not a readable PDF (")
    assert r.output.rstrip().endswith("); re-scan or re-export it")
    assert list(tmp_path.glob("out/*.pdf")) == []  # no half-built volume
