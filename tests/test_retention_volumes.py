"""Documents that stop being kept leave their volume: a discard (then ``trash empty``) and a destruction."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import insert

from dangan.archive.schema import volume_documents
from dangan.archive.users import add_user
from dangan.archive.volumes import get_volume
from dangan.indexer.errors import ExitCode
from tests.test_retention import CODE, age, ingest

pytestmark = pytest.mark.both_catalogs


def pieces(cli) -> list[tuple[int, int, str]]:
    """(件号, id, 页次) of volume 1."""
    r = cli("volume", "show", CODE, "1", "--json")
    assert r.exit_code == 0, r.output
    return [(d["piece"], d["id"], d["pages"]) for d in json.loads(r.output)["documents"]]


def test_a_discarded_document_leaves_its_draft_volume_and_the_trash_can_be_emptied(cli, cat, project, home):
    ids = list(ingest(cli, home).values())
    assert cli("volume", "plan", CODE).exit_code == 0
    before = pieces(cli)
    assert len(before) == 4
    gone = before[1][1]
    r = cli("discard", str(gone), "--reason", "重复扫描")
    assert r.exit_code == 0, r.output
    kept = [i for _, i, _ in before if i != gone]
    assert pieces(cli) == [(1, kept[0], "1-1"), (2, kept[1], "2-2"), (3, kept[2], "3-3")]
    left = [e for e in cat.events(document=gone) if e["action"] == "volume-left"]
    assert [e["detail"]["piece"] for e in left] == [2]
    r = cli("trash", "empty", "--older-than", "0d")
    assert r.exit_code == 0, r.output
    assert sorted(d["id"] for d in cat.documents()) == sorted(i for i in ids if i != gone)


def test_trash_empty_takes_an_old_discard_still_in_a_volume_out_of_it(cli, cat, project, home):
    ingest(cli, home)
    assert cli("volume", "plan", CODE).exit_code == 0
    (first, doc_id, _), *rest = pieces(cli)
    assert cli("discard", str(doc_id), "--reason", "重复扫描").exit_code == 0
    with cat.engine.begin() as conn:  # as a discard made before discards left their volume
        vid = conn.execute(volume_documents.select()).mappings().first()["volume_id"]
        conn.execute(insert(volume_documents).values(
            document_id=doc_id, volume_id=vid, position=9, start_page=9, end_page=9))  # fmt: skip
    r = cli("trash", "empty", "--older-than", "0d")
    assert r.exit_code == 0, r.output
    assert [i for _, i, _ in pieces(cli)] == [i for _, i, _ in rest]


def test_a_document_in_a_sealed_volume_is_not_discarded(cli, cat, project, home):
    ingest(cli, home)
    assert cli("volume", "plan", CODE).exit_code == 0
    assert cli("volume", "seal", CODE, "1").exit_code == 0
    doc_id = pieces(cli)[0][1]
    r = cli("discard", str(doc_id), "--reason", "重复扫描")
    assert r.exit_code == ExitCode.conflict
    assert r.output.strip() == (
        f"Error: document {doc_id} is in sealed volume 1 of {CODE}; unseal it before discarding the document; "
        f"`dangan volume unseal {CODE} 1 --reason …`"
    )
    assert cat.document(doc_id)["status"] == "filed"


def test_a_destroyed_record_leaves_its_sealed_volume_whose_other_numbers_stay(cli, cat, project, home):
    ids = list(ingest(cli, home).values())
    add_user(cat, "赵敏", "archivist", "pw-1234567")
    add_user(cat, "钱坤", "manager", "pw-1234567")
    assert cli("volume", "plan", CODE).exit_code == 0
    assert cli("volume", "seal", CODE, "1").exit_code == 0
    before = pieces(cli)
    doomed = before[1][1]
    age(cat, doomed, date(2010, 5, 1), "短期")
    bid = str(json.loads(cli("appraise", "create", "--year", "2024", "--json").output)["id"])
    assert (
        cli("appraise", "decide", bid, str(doomed), "--destroy", "--reason", "无保存价值", "--by", "赵敏").exit_code
        == 0
    )
    assert cli("appraise", "approve", bid, "--by", "钱坤").exit_code == 0
    r = cli("appraise", "dispose", bid, "--witness", "赵敏", "--witness", "钱坤")
    assert r.exit_code == 0, r.output
    # the paper volume's 件号 and 页次 are frozen: the others keep theirs, a gap where it was
    assert pieces(cli) == [p for p in before if p[1] != doomed]
    (event,) = [e for e in cat.events(document=doomed) if e["action"] == "destroyed"]
    volume_id = get_volume(cat, CODE, 1).id
    assert event["detail"]["volume"] == {"volume": 1, "piece": 2, "pages": "2-2", "volume_id": volume_id}
    assert cli("verify").exit_code == 0
    assert len(ids) == 4


def test_restore_puts_a_document_back_into_its_draft_volume_and_undo_follows(cli, cat, project, home):
    ingest(cli, home)
    assert cli("volume", "plan", CODE).exit_code == 0
    before = pieces(cli)
    gone = before[1][1]
    assert cli("discard", str(gone), "--reason", "误删").exit_code == 0
    r = cli("restore", str(gone))
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[1] == f"document {gone} is back in volume 1 of {CODE} as piece 2"
    assert pieces(cli) == before  # its old 件号, the others renumbered around it
    r = cli("undo")  # the restore undone: in the trash again, so out of the volume again
    assert r.exit_code == 0 and [i for _, i, _ in pieces(cli)] == [i for _, i, _ in before if i != gone]
    r = cli("undo")  # and the discard undone: back in its place
    assert r.output.splitlines()[1] == f"document {gone} is back in volume 1 of {CODE} as piece 2"
    assert pieces(cli) == before


def test_restore_leaves_a_document_out_of_a_volume_sealed_since_and_says_why(cli, cat, project, home):
    ingest(cli, home)
    assert cli("volume", "plan", CODE).exit_code == 0
    before = pieces(cli)
    gone = before[0][1]
    assert cli("discard", str(gone), "--reason", "误删").exit_code == 0
    assert cli("volume", "seal", CODE, "1").exit_code == 0
    sealed = pieces(cli)
    r = cli("restore", str(gone))
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[1] == (
        f"document {gone} is in no volume now: volume 1 of {CODE} was sealed since it left; "
        f"unseal it and `dangan volume move {gone} --to 1`"
    )
    assert pieces(cli) == sealed and cat.document(gone)["status"] == "filed"


def test_restore_after_the_volumes_were_planned_again_says_the_old_volume_is_gone(cli, cat, project, home):
    from dangan.archive.life.trash import restore
    from dangan.indexer.messages import say

    ingest(cli, home)
    assert cli("volume", "plan", CODE).exit_code == 0
    gone = pieces(cli)[1][1]
    assert cli("discard", str(gone), "--reason", "误删").exit_code == 0
    assert cli("volume", "plan", CODE).exit_code == 0  # the draft volumes are replaced
    replanned = pieces(cli)
    note = restore(cat, gone)["volume_note"]
    assert str(note) == (
        f"document {gone} is in no volume now: volume 1 of {CODE}, which it left, was replaced when the volumes "
        "were planned again; `dangan volume move` puts it into a draft volume"
    )
    assert say(note) == f"文件 #{gone} 暂不在任何案卷中：它原来所在的 {CODE} 第1卷已因重新组卷而不存在。"
    assert pieces(cli) == replanned and gone not in [i for _, i, _ in replanned]
