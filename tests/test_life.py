"""The life of a document after ingest: show, open, edit, discard, restore, trash, undo."""

from __future__ import annotations

import json
from datetime import date, timedelta

from sqlalchemy import update

from dangan.archive.schema import documents
from dangan.indexer.errors import ExitCode
from tests.conftest import write_text_doc

CODE = "BJ-2024-017"
# A 施工日志 (C14) that quotes the construction plan: the classifier files it under C14 first.
LOG_TEXT = "施工日志\n今日浇筑三层楼板，按施工方案执行。\n天气：晴\n记录人：吴涛\n记录日期：2024年5月6日\n"


def ingest_one(cli, home, name="scan_0007.txt", text=LOG_TEXT) -> int:
    write_text_doc(home.inbox_dir / CODE, name, text)
    r = cli("ingest", str(home.inbox_dir), "--json")
    assert r.exit_code == 0, r.output
    return json.loads(r.output)["inputs"][0]["document"]


def assert_verify_clean(cli):
    r = cli("verify")
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[-1] == "Clean."


def search_ids(cli, query: str) -> list[int]:
    r = cli("search", query, "--json")
    return [h["id"] for h in json.loads(r.output)]


def test_the_life_of_a_document(cli, cat, project, home):
    doc_id = ingest_one(cli, home)
    doc = cat.document(doc_id)
    assert (doc["item_code"], doc["document_date"]) == ("C14", date(2024, 5, 6))
    assert_verify_clean(cli)

    r = cli("refile", str(doc_id), "--item", "C04")  # the archivist decides it is part of the 方案
    assert r.exit_code == 0, r.output
    assert_verify_clean(cli)

    r = cli("edit", str(doc_id), "--date", "2024-05-07", "--number", "施日-017")
    assert r.exit_code == 0, r.output
    assert (
        r.output.strip()
        == f"Edited #{doc_id}: document_date: 2024-05-06 → 2024-05-07; doc_number: None → 施日-017; vault_path: {CODE}/刘洋/C04-施工组织设计或施工方案/20240506_scan_0007.txt → {CODE}/刘洋/C04-施工组织设计或施工方案/20240507_scan_0007.txt"
    )
    assert (home.vault_dir / cat.document(doc_id)["vault_path"]).is_file()
    assert_verify_clean(cli)

    r = cli("discard", str(doc_id), "--reason", "重复扫描")
    assert r.exit_code == 0, r.output
    assert (
        r.output.strip()
        == f"Discarded #{doc_id} to the trash: _trash/{doc_id}/20240507_scan_0007.txt (dangan restore {doc_id} brings it back)"
    )
    assert search_ids(cli, "浇筑") == []
    check = json.loads(cli("check", CODE, "--json").output)
    assert next(i for i in check["items"] if i["code"] == "C04")["status"] == "missing"
    assert_verify_clean(cli)

    r = cli("restore", str(doc_id))
    assert r.exit_code == 0, r.output
    assert (
        r.output.strip() == f"Restored #{doc_id} (filed): {CODE}/刘洋/C04-施工组织设计或施工方案/20240507_scan_0007.txt"
    )
    assert search_ids(cli, "浇筑") == [doc_id]
    assert_verify_clean(cli)

    r = cli("undo")  # undoes the restore: back into the trash
    assert r.exit_code == 0, r.output
    assert r.output.strip().startswith("Undid event #") and "(restored)" in r.output
    assert cat.document(doc_id)["status"] == "discarded"
    assert_verify_clean(cli)
    r = cli("undo")  # and the discard: filed again
    assert cat.document(doc_id)["status"] == "filed"
    assert_verify_clean(cli)

    story = [e["action"] for e in cat.events(document=doc_id)]
    assert story == ["filed", "refiled", "edited", "discarded", "restored", "undone", "undone"]
    r = cli("show", str(doc_id))
    assert r.exit_code == 0
    assert "文件编号 number: 施日-017" in r.output.splitlines()
    assert "date chosen: 2024-05-07 (set by hand, event" in r.output


def test_undo_walks_back_through_edits_and_refiles(cli, cat, project, home):
    doc_id = ingest_one(cli, home)
    original = cat.document(doc_id)
    cli("refile", str(doc_id), "--item", "C04")
    cli("edit", str(doc_id), "--title", "三层楼板施工记录")
    assert cli("undo").exit_code == 0
    assert cat.document(doc_id)["title"] == original["title"]
    assert cli("undo").exit_code == 0
    back = cat.document(doc_id)
    assert (back["item_code"], back["vault_path"]) == ("C14", original["vault_path"])
    assert_verify_clean(cli)


def test_undo_of_a_changed_event_is_refused(cli, cat, project, home):
    doc_id = ingest_one(cli, home)
    cli("edit", str(doc_id), "--title", "第一次")
    first = cat.events(document=doc_id)[-1]["id"]
    cli("edit", str(doc_id), "--title", "第二次")
    r = cli("undo", "--event", str(first))
    assert r.exit_code == ExitCode.conflict
    assert (
        r.output.strip() == f"Error: document {doc_id} changed after event {first} (title); undo the later events first"
    )
    r = cli("undo", "--event", "9999")
    assert r.exit_code == ExitCode.not_found


def test_nothing_to_undo(cli, project):
    r = cli("undo")
    assert r.exit_code == ExitCode.not_found
    assert r.output.strip() == "Error: nothing to undo: no file, refile, edit, discard or restore in the event log"


def test_show_explains_the_date_and_prints_the_text(cli, cat, project, home):
    text = (
        "施工总结\n本工程于2025年3月3日开工，2025年9月30日竣工。\n质量合格。\n编制人：刘洋\n编制日期：2025年10月15日\n"
    )
    doc_id = ingest_one(cli, home, "总结.txt", text)
    r = cli("show", str(doc_id), "--text")
    lines = r.output.splitlines()
    assert "日期 date: 2025-10-15" in lines
    assert "date chosen: 2025-10-15 (labelled 编制日期; 2 other candidate(s))" in lines
    assert "text read from: the text file" in lines
    assert "  * 2025-10-15 label 编制日期" in lines
    assert lines[-1] == "编制日期：2025年10月15日"
    data = json.loads(cli("show", str(doc_id), "--json").output)
    assert data["path"] == str((home.vault_dir / data["vault_path"]).resolve())
    assert [e["action"] for e in data["events"]] == ["filed"]
    r = cli("open", str(doc_id))
    assert r.output.strip() == data["path"]


def test_edit_refuses_bad_values_and_changes_nothing(cli, cat, project, home):
    doc_id = ingest_one(cli, home)
    before = cat.document(doc_id)
    cases = {
        (
            "--date",
            "2024-13-01",
        ): f"Error: document {doc_id}: --date '2024-13-01' is not a date; write YYYY-MM-DD, e.g. 2025-03-01",
        ("--pages", "0"): f"Error: document {doc_id}: --pages '0' is not a page count; give a whole number from 1",
        (
            "--retention",
            "十年",
        ): f"Error: document {doc_id}: --retention '十年' is not a 保管期限; use 永久, 长期, 短期 (or Y, D30, D10)",
        (
            "--secrecy",
            "内部",
        ): f"Error: document {doc_id}: --secrecy '内部' is not a 密级; use 公开, 秘密, 机密 or 绝密",
        ("--title", " "): f"Error: document {doc_id}: --title cannot be empty",
    }
    for args, message in cases.items():
        r = cli("edit", str(doc_id), *args)
        assert r.exit_code == ExitCode.usage, r.output
        assert r.output.strip() == message
    assert cat.document(doc_id) == before
    r = cli("edit", str(doc_id), "--retention", "D30", "--secrecy", "秘密", "--author", "示例建设", "--pages", "3")
    assert r.exit_code == 0, r.output
    doc = cat.document(doc_id)
    assert (doc["retention"], doc["secrecy"], doc["author"], doc["pages"]) == ("D30", "秘密", "示例建设", 3)


def test_a_review_document_discarded_leaves_the_queue_and_comes_back_on_reingest(cli, cat, project, home):
    doc_id = ingest_one(cli, home, "通知.txt", "会议通知\n请各位准时参会。")
    assert cat.document(doc_id)["status"] == "review"
    cli("discard", str(doc_id), "--reason", "会议通知不归档")
    assert json.loads(cli("review", "--json").output) == []
    assert [d["id"] for d in json.loads(cli("trash", "--json").output)] == [doc_id]
    write_text_doc(home.inbox_dir / CODE, "通知again.txt", "会议通知\n请各位准时参会。")
    r = cli("ingest", str(home.inbox_dir))
    assert f"same content as discarded document {doc_id} (通知.txt); restored it from the trash to _review/" in r.output
    assert cat.document(doc_id)["status"] == "review"
    assert_verify_clean(cli)


def test_trash_empty_removes_only_old_documents_and_logs_each(cli, cat, project, home):
    old_id = ingest_one(cli, home, "a.txt", "会议通知 一")
    new_id = ingest_one(cli, home, "b.txt", "会议通知 二")
    cli("discard", str(old_id), "--reason", "不归档")
    cli("discard", str(new_id), "--reason", "不归档")
    trashed = cat.document(old_id)["vault_path"]
    with cat.engine.begin() as conn:
        conn.execute(
            update(documents)
            .where(documents.c.id == old_id)
            .values(discarded_at=cat.document(old_id)["discarded_at"] - timedelta(days=31))
        )
    r = cli("trash", "empty", "--older-than", "30d")
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[-1] == "Removed 1 document(s) discarded more than 30d ago."
    assert not (home.vault_dir / trashed).exists()
    assert [d["id"] for d in json.loads(cli("trash", "--json").output)] == [new_id]
    ev = [e for e in cat.events(document=old_id) if e["action"] == "trash-emptied"]
    assert ev and ev[0]["detail"]["original_name"] == "a.txt" and len(ev[0]["detail"]["sha256"]) == 64
    assert_verify_clean(cli)
    r = cli("trash", "empty", "--older-than", "soon")
    assert r.exit_code == ExitCode.usage
    assert r.output.strip() == "Error: --older-than 'soon': give an age like 30d, 12h or 2w"


def test_discard_needs_a_reason_and_a_discarded_document_cannot_be_refiled(cli, cat, project, home):
    doc_id = ingest_one(cli, home)
    r = cli("discard", str(doc_id), "--reason", " ")
    assert r.exit_code == ExitCode.usage
    assert r.output.strip() == f"Error: document {doc_id}: say why it is discarded with --reason"
    cli("discard", str(doc_id), "--reason", "错")
    r = cli("refile", str(doc_id), "--item", "C01")
    assert r.exit_code == ExitCode.conflict
    assert (
        r.output.strip() == f"Error: document {doc_id} is in the trash; `dangan restore {doc_id}` brings it back first"
    )
    r = cli("restore", str(doc_id))
    r = cli("restore", str(doc_id))
    assert r.exit_code == ExitCode.conflict
    assert r.output.strip() == f"Error: document {doc_id} is not in the trash (it is filed); nothing to restore"


def test_a_schema_2_catalog_gains_the_life_columns(home):
    from sqlalchemy import text

    from dangan.archive import migrations
    from dangan.archive.catalog import Catalog
    from dangan.archive.migrations.v003_document_life import COLUMNS
    from dangan.archive.schema import meta

    with Catalog.open(home) as c, c.engine.begin() as conn:
        for column in COLUMNS:
            conn.execute(text(f"ALTER TABLE documents DROP COLUMN {column}"))
        conn.execute(update(meta).where(meta.c.key == "schema_version").values(value="2"))
    with Catalog.open(home) as c:
        assert c.schema_version() == migrations.latest_version()
        with c.engine.connect() as conn:
            assert all(migrations.has_column(conn, "documents", col) for col in COLUMNS)
        applied = [e["detail"]["version"] for e in c.events() if e["action"] == "migrated"]
        assert applied == [
            v for v in range(3, migrations.latest_version() + 1) if v in {s.version for s in migrations.steps()}
        ]


def test_undo_of_filing_by_hand_puts_it_back_in_review_with_its_suggestions(cli, cat, project, home):
    doc_id = ingest_one(cli, home, "scan_1008.txt", "工作联系单\n请按施工方案组织，施工日志附后。")
    before = cat.document(doc_id)
    assert before["status"] == "review" and before["suggestions"]
    assert cli("file", str(doc_id), "--item", "C04").exit_code == 0
    r = cli("undo")
    assert r.exit_code == 0, r.output
    assert (
        r.output.strip()
        == f"Undid event #{cat.events(document=doc_id)[-2]['id']} (filed-by-hand) on #{doc_id}: now review, {before['vault_path']}"
    )
    after = cat.document(doc_id)
    assert {k: after[k] for k in ("status", "item_code", "person", "vault_path", "suggestions")} == {
        k: before[k] for k in ("status", "item_code", "person", "vault_path", "suggestions")
    }
    assert [d["id"] for d in json.loads(cli("review", "--json").output)] == [doc_id]
    assert_verify_clean(cli)
