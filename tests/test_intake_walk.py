"""Issue 25 items 5, 11 and 15: the inbox walk is bounded, link-safe and says what it skips.

- a folder nested 1,100 deep is reported in one line and the good files are filed (ingest,
  watch --once);
- a sub-folder swapped for a link to outside while ingest walks it files nothing from
  outside and moves nothing; a hard link to an outside file is refused;
- temporary files, Office lock files and failure notes are counted and named;
- a right-to-left override is removed from the stored name, and `show` says so.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from dangan.archive import vault
from dangan.archive.catalog import Catalog
from dangan.archive.intake import ingest as ingest_module
from dangan.archive.intake.ingest import ingest_paths
from tests.conftest import write_text_doc

CODE = "BJ-2024-017"
LOG = "施工日志 2024年7月{n}日 阴 第{n}天记录"
DEEP_LINE = "(nested more than 64 folders deep; move its files nearer the top)"


def _deep_folder(top: Path, levels: int) -> None:
    """``top/deep/d/d/…`` ``levels`` folders deep with a file at the bottom (made through
    descriptors: the path is longer than os.makedirs can recurse)."""
    top.mkdir(parents=True, exist_ok=True)
    fd = os.open(top, os.O_RDONLY)
    os.mkdir("deep", dir_fd=fd)
    cur = os.open("deep", os.O_RDONLY, dir_fd=fd)
    os.close(fd)
    for _ in range(levels):
        os.mkdir("d", dir_fd=cur)
        nxt = os.open("d", os.O_RDONLY, dir_fd=cur)
        os.close(cur)
        cur = nxt
    out = os.open("bottom.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=cur)
    os.write(out, LOG.format(n=30).encode())
    os.close(out)
    os.close(cur)


def _remove_deep(top: Path) -> None:
    """Take the deep folder apart one level at a time (a recursive rmtree runs out of stack)."""
    deep = top / "deep"
    while (deep / "d").is_dir():
        (deep / "d").rename(top / "next")
        shutil.rmtree(deep)
        (top / "next").rename(deep)
    shutil.rmtree(deep)


def test_a_folder_1100_deep_is_reported_and_the_good_files_are_filed(cli, project, home, request):
    box = home.inbox_dir / CODE
    _deep_folder(box, 1100)
    request.addfinalizer(lambda: _remove_deep(box))
    for n in range(1, 11):
        write_text_doc(box, f"good{n}.txt", LOG.format(n=n))
    r = cli("ingest", str(home.inbox_dir))
    assert r.exit_code == 0, r.output
    assert "10 input(s): 10 filed, 0 to review, 0 duplicate(s), 0 failed" in r.stdout
    [line] = [x for x in r.stdout.splitlines() if x.startswith("skipped")]
    assert line.startswith("skipped 1: ") and line.endswith(DEEP_LINE)

    for n in range(11, 14):
        write_text_doc(box, f"late{n}.txt", LOG.format(n=n))
    w = cli("watch", "--once", "--stable", "0")
    assert w.exit_code == 0, w.output
    assert "3 input(s): 3 filed, 0 to review, 0 duplicate(s), 0 failed" in w.stdout
    assert w.stdout.splitlines()[-1].endswith(DEEP_LINE)
    assert f"note: the inbox {home.inbox_dir} cannot be watched for changes (RecursionError" in w.stderr
    with Catalog.open(home) as cat:
        assert len(cat.documents()) == 13


def test_temporary_lock_and_error_files_are_counted_and_named(cli, project, home):
    box = home.inbox_dir / CODE
    for name in ("X.error.txt", "X.tmp", "~$X.txt"):
        write_text_doc(box, name, "x")
    write_text_doc(box, "Thumbs.db", "x")  # OS metadata: not worth a word
    write_text_doc(box, "ok.txt", LOG.format(n=1))
    r = cli("ingest", str(home.inbox_dir))
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[-1] == (
        "skipped 3: X.error.txt (a failure note); X.tmp (a temporary or unfinished download); "
        "~$X.txt (an Office lock file)"
    )
    j = cli("ingest", str(home.inbox_dir), "--json")
    assert [s["why"] for s in json.loads(j.stdout)["skipped"]] == [
        "a failure note",
        "a temporary or unfinished download",
        "an Office lock file",
    ]


def test_a_folder_swapped_for_a_link_while_ingest_walks_files_nothing_from_outside(
    cat, project, home, tmp_path, monkeypatch
):
    box = home.inbox_dir / CODE
    write_text_doc(box / "sub", "report.txt", LOG.format(n=1))
    outside = tmp_path / "private"
    secret = write_text_doc(outside, "report.txt", "工资表 保密 2024年7月")
    secret.chmod(0o600)
    real_collect = ingest_module.collect

    def collect_then_swap(paths):
        found = real_collect(paths)  # the walk saw a real folder …
        (box / "sub").rename(tmp_path / "moved-away")
        (box / "sub").symlink_to(outside, target_is_directory=True)  # … now a link to elsewhere
        return found

    monkeypatch.setattr(ingest_module, "collect", collect_then_swap)
    [rec] = ingest_paths(cat, [home.inbox_dir])
    assert rec.outcome == "failed"
    assert rec.message == (
        f"{box / 'sub' / 'report.txt'}: a folder on its way was replaced by a link to a place outside the inbox; "
        "it is not filed and nothing was moved: put the file itself in the inbox"
    )
    assert secret.read_text(encoding="utf-8") == "工资表 保密 2024年7月", "the outside file stays where it was"
    assert cat.documents() == [] and vault.stored_files(home.vault_dir) == []
    assert not (home.inbox_dir / ".failed").exists()


def test_a_hard_link_to_an_outside_file_is_refused(cat, project, home, tmp_path):
    secret = write_text_doc(tmp_path / "private", "工资表.txt", "工资表 保密 2024年7月")
    box = home.inbox_dir / CODE
    box.mkdir(parents=True, exist_ok=True)
    os.link(secret, box / "工资表.txt")
    [rec] = ingest_paths(cat, [home.inbox_dir])
    assert rec.outcome == "failed"
    assert rec.message == (
        f"{box / '工资表.txt'} has 2 names (hard links), so it may be a file from outside the inbox; "
        "only a copy is filed: copy the file into the inbox instead of linking it"
    )
    assert cat.documents() == [] and secret.read_text(encoding="utf-8") == "工资表 保密 2024年7月"


def test_a_right_to_left_override_is_removed_from_the_stored_name(cli, cat, project, home):
    name = "施工日志\u202etxt.exe.txt"
    write_text_doc(home.inbox_dir / CODE, name, LOG.format(n=2))
    [rec] = ingest_paths(cat, [home.inbox_dir])
    doc = cat.document(rec.doc_id)
    assert doc["original_name"] == "施工日志txt.exe.txt"
    assert "\u202e" not in doc["vault_path"] and "\u202e" not in doc["title"]
    assert bytes.fromhex(doc["original_name_raw"]).decode() == name, "the original bytes are kept"
    r = cli("show", str(rec.doc_id))
    assert "name note: control characters removed from the file's name: U+202E" in r.stdout.splitlines()


# watchdog's own thread dies on the deep folder (that is the point): its traceback is expected
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_folder_made_deep_while_watching_does_not_stop_the_watcher(cat, project, home, request, monkeypatch):
    import threading
    import time

    from dangan.archive.intake import watcher as watcher_module

    monkeypatch.setattr(watcher_module, "SAFETY_RESCAN", 0.5)  # the 30 s safety look, sooner
    box = home.inbox_dir / CODE
    box.mkdir(parents=True, exist_ok=True)
    w = watcher_module.Watcher(cat, stable_seconds=0.2)
    t = threading.Thread(target=w.run, daemon=True)
    t.start()
    try:
        time.sleep(1)  # let the observer start before the deep folder appears (its thread then dies on it)
        _deep_folder(box, 1100)
        request.addfinalizer(lambda: _remove_deep(box))
        write_text_doc(box, "after.txt", LOG.format(n=20))
        end = time.monotonic() + 60
        while time.monotonic() < end and not any(r.outcome == "filed" for r in w.records):
            time.sleep(0.2)
    finally:
        w.stop_event.set()
        t.join(timeout=60)
    assert [(r.path.name, r.outcome) for r in w.records] == [("after.txt", "filed")]
