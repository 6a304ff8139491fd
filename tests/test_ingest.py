"""Ingest: filing through the library API and the CLI, every failure kind, review and refile."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dangan.archive.intake.filing import refile
from dangan.archive.intake.ingest import file_document, ingest_paths, summarize
from dangan.indexer.errors import DuplicateDocumentError, ExitCode
from tests.conftest import write_text_doc
from tests.docgen import make_text_pdf

pytestmark = pytest.mark.both_catalogs  # every test here runs on SQLite and on PostgreSQL

CODE = "BJ-2024-017"


def inbox(home, code=CODE) -> Path:
    d = home.inbox_dir / code
    d.mkdir(parents=True, exist_ok=True)
    return d


# -- the library API --------------------------------------------------------------------------
def test_file_document_places_under_item_and_person(cat, project, tmp_path, cli):
    src = make_text_pdf(tmp_path / "kaigong.pdf", ["开工报告\n安居花园3号楼 日期：2024年3月15日"])
    rec = file_document(cat, src, project=CODE, item="C02")
    doc = cat.document(rec.doc_id)
    assert (doc["project_code"], doc["item_code"], doc["person"], doc["role"]) == (CODE, "C02", "张伟", "项目经理")
    assert doc["vault_path"] == f"{CODE}/张伟/C02-开工报告/20240315_kaigong.pdf"
    assert (cat.home.vault_dir / doc["vault_path"]).read_bytes() == src.read_bytes()
    assert src.exists(), "the API copies; it never removes a file outside the inbox"
    data = json.loads(cli("check", CODE, "--json").output)
    c02 = next(i for i in data["items"] if i["code"] == "C02")
    assert c02["status"] == "filed" and c02["documents"] == [rec.doc_id]
    tree = json.loads(cli("catalog", CODE, "--json").output)
    zhang = next(p for p in tree["people"] if p["person"] == "张伟")
    assert zhang["items"][0]["documents"][0]["id"] == rec.doc_id


def test_file_document_classifies_when_no_item_given(cat, project, tmp_path):
    src = write_text_doc(tmp_path, "scan_0001.txt", "施工合同书\n甲方与乙方签订本合同。")
    rec = file_document(cat, src, project=CODE)
    assert rec.outcome == "filed" and rec.item.code == "C01" and rec.person == "王建国"


def test_duplicate_is_refused_by_the_api(cat, project, tmp_path):
    src = write_text_doc(tmp_path, "a.txt", "施工日志 2024年5月1日 晴")
    first = file_document(cat, src, project=CODE)
    copy = tmp_path / "b.txt"
    shutil.copy(src, copy)
    with pytest.raises(DuplicateDocumentError) as e:
        file_document(cat, copy, project=CODE)
    assert e.value.existing_id == first.doc_id


def test_collisions_in_the_vault_get_a_suffix(cat, project, tmp_path):
    a = write_text_doc(tmp_path / "1", "log.txt", "施工日志 2024年5月1日 晴")
    b = write_text_doc(tmp_path / "2", "log.txt", "施工日志 2024年5月1日 多云")
    ra, rb = file_document(cat, a, project=CODE), file_document(cat, b, project=CODE)
    assert ra.vault_rel.endswith("20240501_log.txt") and rb.vault_rel.endswith("20240501_log_2.txt")


# -- the inbox: every outcome accounted for ------------------------------------------------------
def test_inbox_batch_accounts_for_every_input(cat, project, home, tmp_path):
    box = inbox(home)
    make_text_pdf(box / "scan_0003.pdf", ["开工报告\n日期：2024年3月15日"])
    write_text_doc(box, "质量评定.txt", "分部分项工程质量评定表")
    shutil.copy(box / "scan_0003.pdf", box / "copy_of_scan.pdf")
    (box / "broken.pdf").write_bytes(b"%PDF-1.7\n garbage that is not a pdf")
    (box / "empty.pdf").write_bytes(b"")
    write_text_doc(box, "note.txt", "随便写写")
    records = ingest_paths(cat, [home.inbox_dir])
    counts = summarize(records)
    assert counts == {"inputs": 6, "filed": 2, "review": 1, "duplicate": 1, "failed": 2}
    assert sorted(p.name for p in box.iterdir()) == [], "every inbox file was consumed"
    failed = home.inbox_dir / ".failed"
    assert sorted(p.name for p in failed.iterdir()) == [
        "broken.pdf",
        "broken.pdf.error.txt",
        "empty.pdf",
        "empty.pdf.error.txt",
    ]
    assert "re-scan or re-export" in (failed / "broken.pdf.error.txt").read_text(encoding="utf-8")
    # Files are taken in name order, so the copy is filed first and the scan is the duplicate.
    assert [p.name for p in (home.inbox_dir / ".duplicates").iterdir()] == ["scan_0003.pdf"]
    review = [r for r in records if r.outcome == "review"][0]
    assert review.path.name == "note.txt" and cat.document(review.doc_id)["vault_path"].startswith("_review/")
    actions = [e["action"] for e in cat.events()]
    assert actions.count("failed") == 2 and actions.count("duplicate") == 1


def test_files_outside_the_inbox_are_left_in_place(cat, project, tmp_path):
    src = write_text_doc(tmp_path / "usb", "施工日志.txt", "施工日志 2024年6月1日")
    bad = tmp_path / "usb" / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4 nonsense")
    records = ingest_paths(cat, [tmp_path / "usb"], project=CODE)
    assert [r.outcome for r in records] == ["failed", "filed"]
    assert src.exists() and bad.exists()


@pytest.mark.parametrize(
    "name,content,fragment",
    [
        ("empty.pdf", b"", "empty (0 bytes)"),
        ("broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog", "re-scan or re-export"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, ".docx"),
        ("data.bin", bytes(range(256)) * 4, "PDF"),
    ],
)
def test_each_failure_kind_gets_a_clear_error_file(cat, project, home, name, content, fragment):
    p = inbox(home) / name
    p.write_bytes(content)
    [rec] = ingest_paths(cat, [p])
    assert rec.outcome == "failed" and fragment in rec.message and name in rec.message
    err = (home.inbox_dir / ".failed" / f"{name}.error.txt").read_text(encoding="utf-8")
    assert name in err and fragment in err


def test_encrypted_pdf_fails_with_advice(cat, project, home, tmp_path):
    from pypdf import PdfReader, PdfWriter

    plain = make_text_pdf(tmp_path / "p.pdf", ["施工合同书"])
    w = PdfWriter()
    for page in PdfReader(plain).pages:
        w.add_page(page)
    w.encrypt("secret")
    target = inbox(home) / "locked.pdf"
    with open(target, "wb") as fh:
        w.write(fh)
    [rec] = ingest_paths(cat, [target])
    assert rec.outcome == "failed" and "password" in rec.message.lower()


def test_wrong_extension_is_read_by_content(cat, project, home, tmp_path):
    p = write_text_doc(inbox(home), "施工日志.pdf", "施工日志 2024年7月1日 晴 浇筑二层顶板")
    [rec] = ingest_paths(cat, [p])
    assert rec.outcome == "filed" and rec.item.code == "C14"


def test_unknown_project_option_stops_before_touching_files(cli, project, home):
    p = write_text_doc(inbox(home), "x.txt", "施工日志")
    r = cli("ingest", str(p), "--project", "NOPE")
    assert r.exit_code == ExitCode.not_found
    assert r.output.strip() == "Error: no project 'NOPE'; projects: BJ-2024-017"
    assert p.exists()


def test_unknown_inbox_folder_goes_to_review(cat, project, home):
    p = write_text_doc(home.inbox_dir / "XX-9", "施工日志.txt", "施工日志")
    [rec] = ingest_paths(cat, [p])
    assert rec.outcome == "review" and "inbox folder 'XX-9' is not a project code" in rec.message


def test_project_code_found_in_text_at_inbox_root(cat, project, home):
    p = write_text_doc(home.inbox_dir, "scan_9.txt", f"项目编号：{CODE}\n施工日志 2024年8月1日")
    [rec] = ingest_paths(cat, [p])
    assert rec.outcome == "filed" and rec.project.code == CODE


def test_ingest_cli_json_lists_every_input(cli, project, home):
    box = inbox(home)
    write_text_doc(box, "施工日志.txt", "施工日志 2024年5月1日")
    (box / "bad.pdf").write_bytes(b"%PDF-1.4 x")
    r = cli("ingest", str(home.inbox_dir), "--json")
    assert r.exit_code == ExitCode.input_error  # one input failed; the summary still lists both
    data = json.loads(r.output)
    assert data["summary"] == {"inputs": 2, "filed": 1, "review": 0, "duplicate": 0, "failed": 1}
    assert {i["outcome"] for i in data["inputs"]} == {"filed", "failed"}
    filed = next(i for i in data["inputs"] if i["outcome"] == "filed")
    assert filed["person"] == "吴涛" and filed["item"] == "C14"


# -- review, file, refile ---------------------------------------------------------------------------
def test_review_then_file_by_hand_moves_the_file(cli, cat, project, home):
    p = write_text_doc(inbox(home), "IMG_0001.txt", "一些看不出类别的文字")
    [rec] = ingest_paths(cat, [p])
    r = cli("review", "--json")
    assert [d["id"] for d in json.loads(r.output)] == [rec.doc_id]
    r = cli("file", str(rec.doc_id), "--project", CODE, "--item", "C07", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["item_code"] == "C07"
    doc = cat.document(rec.doc_id)
    assert doc["status"] == "filed" and doc["person"] == "杨帆"
    assert (home.vault_dir / doc["vault_path"]).exists()
    assert not (home.vault_dir / "_review").exists()
    assert json.loads(cli("review", "--json").output) == []
    r = cli("file", str(rec.doc_id), "--project", CODE, "--item", "C07")
    assert r.exit_code == ExitCode.conflict


def test_refile_moves_between_items_and_logs(cat, project, tmp_path):
    rec = file_document(cat, write_text_doc(tmp_path, "x.txt", "施工日志"), project=CODE)
    old = cat.document(rec.doc_id)["vault_path"]
    doc = refile(cat, rec.doc_id, item="C12")
    assert doc["item_code"] == "C12" and doc["person"] == "刘洋"
    assert not (cat.home.vault_dir / old).exists() and (cat.home.vault_dir / doc["vault_path"]).exists()
    ev = cat.events(document=rec.doc_id)[-1]
    assert ev["action"] == "refiled" and ev["detail"]["before"]["item_code"] == "C14"


def test_file_unknown_document(cli, project):
    r = cli("file", "999", "--project", CODE, "--item", "C01")
    assert r.exit_code == ExitCode.not_found
    assert r.output.strip() == "Error: no document 999 in the catalog; `dangan catalog CODE` lists ids"


# -- index commits ----------------------------------------------------------------------------
def test_one_ingest_run_is_one_index_commit(cat, project, home):
    from dangan.archive.searchsync import open_index

    for i in range(60):  # more than the 50 documents per commit of earlier releases
        write_text_doc(inbox(home), f"施工日志{i}.txt", f"施工日志 2024年5月{i % 28 + 1}日 浇筑第{i}层")
    assert summarize(ingest_paths(cat, [home.inbox_dir]))["filed"] == 60
    with open_index(cat) as index:
        assert index.ids() == {d["id"] for d in cat.documents()}
        assert index.segments() == 1, "one commit for the run, not one per file"


def test_a_long_run_commits_the_index_every_few_seconds(cat, project, home, monkeypatch):
    import dangan.archive.intake.ingest as ingest_module
    from dangan.archive.searchsync import open_index

    flushed: list[int] = []
    real = ingest_module.index_documents
    monkeypatch.setattr(ingest_module, "index_documents", lambda c, ids: flushed.append(len(ids)) or real(c, ids))
    monkeypatch.setattr(ingest_module, "INDEX_SECONDS", 0.0)  # every document is overdue at once
    for i in range(3):
        write_text_doc(inbox(home), f"施工日志{i}.txt", f"施工日志 2024年6月{i + 1}日 绑扎第{i}层")
    ingest_paths(cat, [home.inbox_dir])
    assert flushed == [1, 1, 1]
    with open_index(cat) as index:
        assert len(index.ids()) == 3
