"""Issue 25 item 7: `dangan watch` rides out a PostgreSQL server that goes away.

A throwaway cluster of its own (tests/pgserver.py) is stopped with pg_ctl while the watcher
runs and started again: the watcher says once that it waits, once that it goes on, files
the document dropped during the outage, and stops cleanly on SIGTERM.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dangan.archive.catalog import Catalog
from dangan.archive.create import init_home
from dangan.archive.projects import add_project
from dangan.archive.sample import SAMPLE_ROLES
from dangan.archive.verify import verify
from tests import pgserver
from tests.conftest import write_text_doc

CODE = "BJ-2024-017"
ROOT = Path(__file__).resolve().parent.parent


def _until(predicate, what: str, timeout: float = 90.0) -> None:
    """Poll until ``predicate()`` holds (a generous bound, not a timing assertion)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting for {what}")


def _filed(home, name: str) -> bool:
    with Catalog.open(home) as cat:
        return any(d["original_name"] == name for d in cat.documents())


@pytest.fixture
def own_cluster():
    """A cluster of this test's own: stopping it must not disturb the session's."""
    bindir = pgserver.find_bindir()
    if bindir is None:
        pytest.fail("PostgreSQL server binaries (initdb, pg_ctl) not found: install Debian's postgresql package")
    cluster = pgserver.PgCluster(bindir).start()
    yield cluster
    cluster.stop()


def test_watch_waits_for_the_catalog_server_and_goes_on_when_it_returns(own_cluster, tmp_path):
    url = own_cluster.url(own_cluster.create_database("outage"))
    home, _ = init_home(tmp_path / "home", catalog_url=url)
    with Catalog.open(home) as cat:
        add_project(cat, CODE, "安居花园3号楼", roles=dict(SAMPLE_ROLES))
    box = home.inbox_dir / CODE
    err = (tmp_path / "watch.err").open("w")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    watch = subprocess.Popen([sys.executable, "-c", "from dangan.cli import main; main()", "--home", str(home.root),
                              "watch", "--stable", "0.2"], env=env, stdout=subprocess.PIPE, stderr=err, text=True)  # fmt: skip
    try:
        write_text_doc(box, "before.txt", "施工日志 2024年9月1日 晴")
        _until(lambda: _filed(home, "before.txt"), "the first file to be filed")
        own_cluster.pause()
        write_text_doc(box, "during.txt", "施工日志 2024年9月2日 雨 停电")
        said = tmp_path / "watch.err"
        _until(lambda: "cannot be reached" in said.read_text(encoding="utf-8"), "the watcher to say it waits")
        assert watch.poll() is None, "the watcher is still running during the outage"
        own_cluster.resume()
        _until(lambda: _filed(home, "during.txt"), "the file dropped during the outage to be filed")
        watch.send_signal(signal.SIGTERM)
        out, _ = watch.communicate(timeout=120)
    finally:
        if watch.poll() is None:
            watch.kill()
        err.close()
    assert watch.returncode == 0, out
    lines = (tmp_path / "watch.err").read_text(encoding="utf-8").splitlines()
    waits = [x for x in lines if "cannot be reached" in x]
    backs = [x for x in lines if " is back after " in x]
    assert len(waits) == 1 and waits[0].startswith(f"note: the catalog server {url} cannot be reached (")
    assert waits[0].endswith("); filing waits and tries again (after 1 s, then longer, at most every 30 s)")
    assert len(backs) == 1 and backs[0].startswith(f"note: the catalog server {url} is back after ")
    assert backs[0].endswith(" s; filing goes on")
    assert not list(box.iterdir()), "both files left the inbox"
    with Catalog.open(home) as cat:
        assert verify(cat).clean, "no vault copy stranded by the cut"
