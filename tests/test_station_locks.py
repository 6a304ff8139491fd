"""One writer lock for every writer, on a shared PostgreSQL catalog.

Station A runs ``dangan verify --repair`` (in its own process, held inside the writer lock
until the test lets it go).  Meanwhile station B edits a document from the command line,
files one from the web review queue and uploads a file: each must wait — and say whom it
waits for — instead of writing beside the repair, and finish once A is done.  Before the
one entry, B's edit and the web held only the home's file lock, which a PostgreSQL station
does not take: they ran beside the repair.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from dangan.archive.catalog import Catalog
from dangan.archive.intake.ingest import file_document
from dangan.web.app import create_app
from tests.conftest import write_text_doc
from tests.test_hostile_pipeline import _set
from tests.webutil import login, make_client, prepare_home

ROOT = Path(__file__).resolve().parent.parent
CODE = "BJ-2024-017"
# Station A: verify --repair, stopped inside the writer lock until the release file appears.
HOLDING_VERIFY = """
import sys, time
from pathlib import Path
import dangan.archive.verify as v
held, release = Path(sys.argv[1]), Path(sys.argv[2])
real = v._verify
def paused(*args):
    held.write_text("held")
    while not release.exists():
        time.sleep(0.05)
    return real(*args)
v._verify = paused
from dangan.cli import main
main(["--home", sys.argv[3], "verify", "--repair"])
"""


def _wait_for(cond, what: str, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < end, f"timed out waiting for {what}"
        time.sleep(0.05)


class Said(logging.Handler):
    """The writer-lock lines the web app logs ("waiting for …")."""

    def __init__(self):
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(record.getMessage())


@pytest.mark.parametrize("home", ["postgresql"], indirect=True)
def test_cli_edit_web_review_and_upload_wait_for_another_stations_repair(home, tmp_path):
    _set(home, "lock", wait_seconds=300)  # B waits for A however slow the machine; A is released below
    prepare_home(home)
    with Catalog.open(home) as cat:
        log = file_document(
            cat, write_text_doc(tmp_path / "in", "施工日志.txt", "施工日志\n基础混凝土浇筑"), project=CODE, item="C14"
        )
        waiting = file_document(cat, write_text_doc(tmp_path / "in", "说明.txt", "情况说明"), project=CODE)
    assert waiting.outcome == "review"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    held, release = tmp_path / "held", tmp_path / "release"
    a = subprocess.Popen([sys.executable, "-c", HOLDING_VERIFY, str(held), str(release), str(home.root)], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    said = Said()
    logging.getLogger("dangan.lock").addHandler(said)
    try:
        _wait_for(held.exists, "station A to hold the writer lock")
        who = f"the verify --repair in process {a.pid} on {socket.gethostname()}"
        b_err = tmp_path / "b.err"
        b = subprocess.Popen([sys.executable, "-c", "from dangan.cli import main; main()", "--home", str(home.root), "edit",
                              str(log.doc_id), "--title", "三层楼板施工日志"], env=env, stdout=subprocess.PIPE,
                             stderr=b_err.open("w"), text=True)  # fmt: skip
        _wait_for(lambda: b_err.read_text(encoding="utf-8") != "", "station B's edit to say it waits")
        assert b_err.read_text(encoding="utf-8") == f"waiting for {who}…\n"

        app = create_app(home)
        archivist = make_client(app)
        token = login(archivist, "archivist")
        answers: dict[str, int] = {}

        def web(name: str, *args, **kw) -> None:
            answers[name] = archivist.post(*args, **kw).status_code

        review = threading.Thread(target=web, args=("review", f"/review/{waiting.doc_id}/file"),
                                  kwargs={"data": {"csrf": token, "project": CODE, "item": "C04"}})  # fmt: skip
        upload = threading.Thread(target=web, args=("upload", "/upload"), kwargs={
            "data": {"csrf": token, "project": CODE}, "files": {"files": ("测量记录.txt", "施工测量记录\n定位放线".encode())}})  # fmt: skip
        review.start()
        upload.start()
        _wait_for(lambda: said.lines.count(f"waiting for {who}…") == 2, "the web review and upload to say they wait")
        assert a.poll() is None and b.poll() is None and review.is_alive() and upload.is_alive()
        with Catalog.open(home) as cat:  # nothing written beside the repair
            assert cat.document(log.doc_id)["title"] == "施工日志"
            assert cat.document(waiting.doc_id)["status"] == "review"
            assert len(cat.documents()) == 2

        release.write_text("go")
        assert a.wait(120) == 0, a.stderr.read()
        assert b.wait(120) == 0
        review.join(120)
        upload.join(120)
        assert answers == {"review": 303, "upload": 200}
        with Catalog.open(home) as cat:
            assert cat.document(log.doc_id)["title"] == "三层楼板施工日志"
            assert cat.document(waiting.doc_id)["item_code"] == "C04"
            assert len(cat.documents()) == 3
    finally:
        logging.getLogger("dangan.lock").removeHandler(said)
        release.write_text("go")
        a.wait(120)


def test_a_web_write_that_waits_too_long_says_so_in_chinese_without_server_paths(home, tmp_path):
    from dangan.archive.dblock import writing
    from dangan.web.app import BUSY_MESSAGE

    _set(home, "lock", wait_seconds=0.3)
    prepare_home(home)
    with Catalog.open(home) as cat:
        doc = file_document(cat, write_text_doc(tmp_path / "in", "施工日志.txt", "施工日志"), project=CODE, item="C14")
    archivist = make_client(create_app(home))
    token = login(archivist, "archivist")
    held, done = threading.Event(), threading.Event()

    def other_writer() -> None:  # another command holding the lock (its own catalog and thread)
        with Catalog.open(home) as other, writing(other, "reindex"):
            held.set()
            done.wait(60)

    t = threading.Thread(target=other_writer)
    t.start()
    try:
        assert held.wait(30)
        r = archivist.post(f"/documents/{doc.doc_id}/edit", data={"csrf": token, "title": "改过的题名"})
    finally:
        done.set()
        t.join(60)
    assert r.status_code == 503 and BUSY_MESSAGE in r.text
    assert str(home.root) not in r.text and "wait_seconds" not in r.text
    with Catalog.open(home) as cat:
        assert cat.document(doc.doc_id)["title"] == "施工日志"
