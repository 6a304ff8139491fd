"""The inbox watcher with a real observer, and recovery from a process killed at any point."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from dangan.archive import vault
from dangan.archive.catalog import Catalog
from dangan.archive.intake.inbox import is_junk
from dangan.archive.intake.ingest import Ingester, ingest_paths
from dangan.archive.intake.recovery import reconcile
from dangan.archive.intake.watcher import StableTracker, Watcher
from dangan.archive.verify import verify
from tests.conftest import write_text_doc

pytestmark = pytest.mark.both_catalogs  # every test here runs on SQLite and on PostgreSQL

CODE = "BJ-2024-017"
ROOT = Path(__file__).resolve().parent.parent


def _wait_for(cond, timeout=20.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.05)
    return False


def test_junk_names():
    for name in ("~$开工报告.docx", "scan.pdf.part", "a.crdownload", "x.tmp", ".DS_Store", "Thumbs.db", ".hidden.pdf"):
        assert is_junk(Path(name)), name
    for name in ("开工报告.docx", "scan_0003.pdf", "IMG_2041.JPG"):
        assert not is_junk(Path(name)), name


def test_stable_tracker_waits_for_size_and_mtime(tmp_path):
    p = tmp_path / "f.txt"
    p.write_text("a")
    t = StableTracker(delay=0.3)
    t.touch(p)
    assert t.ready() == []  # first look only records size and mtime
    time.sleep(0.35)
    assert t.ready() == [p]


def test_watcher_files_a_slow_chunked_copy_once_and_complete(cat, project, home):
    box = home.inbox_dir / CODE
    assert box.is_dir(), "project add makes the project's inbox folder"
    w = Watcher(cat, stable_seconds=0.8, poll=0.05)
    th = threading.Thread(target=w.run)
    th.start()
    try:
        content = ("施工日志 2024年5月1日 晴\n" + "今日浇筑二层顶板混凝土，旁站监理在场。\n" * 400).encode("utf-8")
        target = box / "施工日志.txt"
        with open(target, "wb") as fh:  # a scanner writing over the network, chunk by chunk
            for i in range(0, len(content), 4096):
                fh.write(content[i : i + 4096])
                fh.flush()
                os.utime(target)  # mtime moves with every chunk, as on a real copy
                time.sleep(0.15)
        (box / "~$草稿.docx").write_bytes(b"lock file of Word")
        (box / "Thumbs.db").write_bytes(b"junk")
        assert _wait_for(lambda: len(w.records) >= 1)
        time.sleep(1.2)  # give junk files every chance to be (wrongly) picked up
    finally:
        w.stop_event.set()
        th.join(10)
    assert [r.outcome for r in w.records] == ["filed"]
    doc = cat.document(w.records[0].doc_id)
    assert (home.vault_dir / doc["vault_path"]).read_bytes() == content
    assert sorted(p.name for p in box.iterdir()) == ["Thumbs.db", "~$草稿.docx"]


def test_watch_once_processes_what_is_already_there(cli, project, home):
    write_text_doc(home.inbox_dir / CODE, "施工日志.txt", "施工日志 2024年5月2日")
    write_text_doc(home.inbox_dir / CODE, "开工报告.txt", "开工报告 2024年3月1日")
    r = cli("watch", "--once", "--stable", "0.2")
    assert r.exit_code == 0, r.output
    assert r.output.strip().splitlines()[-1] == "2 input(s): 2 filed, 0 to review, 0 duplicate(s), 0 failed"


def test_watching_another_inbox_sets_failures_aside_there(cli, project, home, tmp_path):
    other = tmp_path / "scanner-share"
    (other / CODE).mkdir(parents=True)
    (other / CODE / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    write_text_doc(other / CODE, "施工日志.txt", "施工日志 2024年5月2日")
    r = cli("watch", "--inbox", str(other), "--once", "--stable", "0.2")
    assert r.exit_code == 4, r.output  # broken.pdf failed (the other file is still filed)
    assert sorted(p.name for p in (other / ".failed").iterdir()) == ["broken.pdf", "broken.pdf.error.txt"]
    assert list((other / CODE).iterdir()) == []


# -- crash recovery at each point of the pipeline ---------------------------------------------------
class Crash(BaseException):
    """Stands for kill -9: not an Exception, so nothing in the pipeline handles it."""


def test_crash_after_vault_copy_before_commit(cat, project, home, monkeypatch):
    p = write_text_doc(home.inbox_dir / CODE, "施工日志.txt", "施工日志 2024年5月1日")
    monkeypatch.setattr(Ingester, "commit", lambda self, rec: (_ for _ in ()).throw(Crash("commit")))
    with pytest.raises(Crash):
        ingest_paths(cat, [p])
    monkeypatch.undo()
    assert p.exists() and len(vault.stored_files(home.vault_dir)) == 1  # an uncommitted copy
    rep = reconcile(cat)
    assert len(rep.orphans_removed) == 1 and vault.stored_files(home.vault_dir) == []
    [rec] = ingest_paths(cat, [p])
    assert rec.outcome == "filed" and not p.exists() and len(cat.documents()) == 1


def test_crash_after_commit_before_the_original_is_removed(cat, project, home, monkeypatch):
    p = write_text_doc(home.inbox_dir / CODE, "施工日志.txt", "施工日志 2024年5月1日")
    monkeypatch.setattr(Ingester, "finish", lambda self, rec: (_ for _ in ()).throw(Crash("finish")))
    with pytest.raises(Crash):
        ingest_paths(cat, [p])
    monkeypatch.undo()
    assert p.exists() and len(cat.documents()) == 1
    rep = reconcile(cat)
    assert rep.originals_removed == [str(p)] and not p.exists()
    assert cat.documents()[0]["inbox_path"] is None
    assert verify(cat).clean


def test_partial_vault_write_is_swept(cat, project, home):
    part = home.vault_dir / CODE / f"{vault.TMP_PREFIX}abc"
    part.parent.mkdir(parents=True)
    part.write_bytes(b"half a scan")
    rep = reconcile(cat)
    assert rep.partials_removed == [str(part)] and not part.exists()


def test_index_catches_up_after_a_crash_before_indexing(cat, project, home, monkeypatch):
    p = write_text_doc(home.inbox_dir / CODE, "施工日志.txt", "施工日志 2024年5月1日")
    monkeypatch.setattr(Ingester, "flush_index", lambda self: self._to_index.clear())
    ingest_paths(cat, [p])
    monkeypatch.undo()
    assert verify(cat).missing_in_index == [1]
    assert reconcile(cat).reindexed == [1]
    assert verify(cat).clean


@pytest.mark.parametrize("command", [["ingest", "INBOX"], ["watch", "--once", "--stable", "0.1"]])
def test_kill_9_mid_batch_loses_and_duplicates_nothing(home, project, tmp_path, command):
    box = home.inbox_dir / CODE
    texts = {f"施工日志_{i:03d}.txt": f"施工日志 2024年5月{i % 28 + 1}日 第{i}天 记录编号{i * 7919}" for i in range(60)}
    for name, text in texts.items():
        write_text_doc(box, name, text)
    hashes = {vault.sha256_file(box / n) for n in texts}
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = [str(home.inbox_dir) if a == "INBOX" else a for a in command]
    cmd = [sys.executable, "-c", "from dangan.cli import main; main()", "--home", str(home.root), *args]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert _wait_for(lambda: len(list(box.iterdir())) <= 50, timeout=60)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert len(list(box.iterdir())) > 0, "killed before the batch finished"
    # The next start repairs and finishes the batch.
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    with Catalog.open(home) as cat:
        docs = cat.documents()
        assert sorted(d["sha256"] for d in docs) == sorted(hashes)  # each exactly once
        assert list(box.iterdir()) == []
        assert verify(cat).clean
