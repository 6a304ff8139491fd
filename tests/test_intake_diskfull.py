"""Issue 25 item 8: a disk that fills up is a typed error with its fix, and nothing is lost.

The full disk is simulated at named points (``dangan.archive.faults``) or by making the library
call that writes raise ``OSError(ENOSPC)``: no real full disk is needed.
"""

from __future__ import annotations

import errno
import os
import sqlite3

import pytest
from sqlalchemy.exc import OperationalError

from dangan.archive import faults, vault
from dangan.archive.catalog import Catalog
from dangan.archive.intake.ingest import ingest_paths
from dangan.archive.searchsync import queued_index_work
from dangan.archive.verify import verify
from dangan.indexer.errors import ExitCode
from tests.conftest import write_text_doc

CODE = "BJ-2024-017"
LOG = "施工日志 2024年8月{n}日 晴 第{n}天"


def _full_at(name: str):
    def hook(point: str) -> None:
        if point == name:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    return hook


def test_a_full_disk_while_filing_stops_with_the_fix_and_the_original_stays(cli, project, home, monkeypatch):
    src = write_text_doc(home.inbox_dir / CODE, "日志.txt", LOG.format(n=1))
    monkeypatch.setattr(faults, "hook", _full_at("vault-copy"))
    r = cli("ingest", str(home.inbox_dir))
    assert r.exit_code == ExitCode.disk_full == 11
    assert r.stderr.strip().splitlines()[-1] == (
        f"Error: disk full at {home.vault_dir}: free space and run again; {src} was not filed and stays where it is"
    )
    assert src.exists() and vault.stored_files(home.vault_dir) == []
    assert not [p for p in home.vault_dir.rglob("*") if p.is_file()], "no partial copy left"
    monkeypatch.setattr(faults, "hook", None)  # space freed
    assert cli("ingest", str(home.inbox_dir)).exit_code == 0
    assert not src.exists()


def test_a_full_home_is_not_reported_as_a_wrong_catalog_url(cli, home, monkeypatch):
    def full(self):
        raise OperationalError("PRAGMA journal_mode=WAL", {}, sqlite3.OperationalError("database or disk is full"))

    monkeypatch.setattr(Catalog, "migrate", full)
    r = cli("project", "list")
    assert r.exit_code == 11
    assert r.stderr.strip() == f"Error: disk full at {home.root}: free space and run again"
    assert "check [catalog] url" not in r.output


def test_an_index_full_during_an_edit_leaves_the_edit_saved_and_said_so(cli, cat, project, home, monkeypatch):
    write_text_doc(home.inbox_dir / CODE, "日志.txt", LOG.format(n=2))
    [rec] = ingest_paths(cat, [home.inbox_dir])

    def full(*_a, **_k):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(home.index_dir / "gen-000001" / "x.seg"))

    monkeypatch.setattr("dangan.indexer.index.SearchIndex.add", full)
    r = cli("edit", str(rec.doc_id), "--title", "三层楼板浇筑日志")
    assert r.exit_code == 0, r.output
    assert cat.document(rec.doc_id)["title"] == "三层楼板浇筑日志"
    assert queued_index_work(cat)[0] == {rec.doc_id}, "the index update waits in the queue"
    monkeypatch.undo()
    assert cli("ingest", str(home.inbox_dir)).exit_code == 0  # the next start drains the queue
    assert queued_index_work(cat) == (set(), []) and verify(cat).clean
    s = cli("search", "楼板浇筑")
    assert "三层楼板浇筑日志" in s.stdout


def test_an_edit_whose_index_and_catalog_are_both_full_says_what_is_saved(cli, cat, project, home, monkeypatch):
    write_text_doc(home.inbox_dir / CODE, "日志.txt", LOG.format(n=3))
    [rec] = ingest_paths(cat, [home.inbox_dir])

    def index_full(*_a, **_k):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def catalog_full(*_a, **_k):
        raise OperationalError("INSERT INTO index_queue", {}, sqlite3.OperationalError("database or disk is full"))

    monkeypatch.setattr("dangan.indexer.index.SearchIndex.add", index_full)
    monkeypatch.setattr("dangan.archive.life.change.queue_index_work", catalog_full)
    r = cli("edit", str(rec.doc_id), "--title", "楼板日志")
    assert r.exit_code == 11
    assert r.stderr.strip() == (
        f"Error: disk full at {home.root}: the change to document {rec.doc_id} is saved, but the search index "
        "could not take it; free space and run dangan reindex"
    )
    assert cat.document(rec.doc_id)["title"] == "楼板日志"


@pytest.mark.parametrize("how", ["index-removed", "pointer-removed"])
def test_search_on_a_lost_index_says_so_instead_of_no_match(cli, cat, project, home, how):
    import shutil

    write_text_doc(home.inbox_dir / CODE, "日志.txt", LOG.format(n=4))
    ingest_paths(cat, [home.inbox_dir])
    if how == "index-removed":
        shutil.rmtree(home.index_dir)
    else:
        (home.index_dir / "CURRENT").unlink()
        for gen in home.index_dir.glob("gen-*"):
            shutil.rmtree(gen)
    r = cli("search", "施工日志")
    assert r.exit_code == 8
    assert r.stderr.strip() == (
        "Error: the search index holds none of the 1 document(s) in the catalog, so a search cannot answer; "
        "run dangan verify --repair"
    )
    assert cli("verify", "--repair").exit_code == 0
    assert "日志.txt" in cli("search", "施工日志").stdout
