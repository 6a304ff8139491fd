"""Two real `dangan watch` stations, one PostgreSQL catalog, one vault; one is killed mid-batch.

Each station watches its own inbox (a scanner folder on its machine) and both file into the
same home on a share: the catalog on the server decides who files what.  Station A is killed
with SIGKILL while filing its batch and started again; afterwards every input is filed
exactly once, both inboxes are empty, nothing waits in the index queue and `verify` is clean.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dangan.archive import vault
from dangan.archive.catalog import Catalog
from dangan.archive.projects import add_project
from dangan.archive.sample import SAMPLE_ROLES
from dangan.archive.schema import index_queue
from tests.conftest import write_text_doc

CODE = "BJ-2024-017"
ROOT = Path(__file__).resolve().parent.parent
PER_STATION = 40


def _wait_for(cond, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.1)
    return False


def _fill(inbox: Path, station: str) -> set[str]:
    box = inbox / CODE
    for i in range(PER_STATION):
        write_text_doc(
            box,
            f"施工日志_{station}_{i:03d}.txt",
            f"施工日志 站{station} 2024年5月{i % 28 + 1}日 第{i}天 编号{i * 7919}",
        )
    return {vault.sha256_file(p) for p in box.iterdir()}


def _station(home: Path, inbox: Path, log: Path) -> subprocess.Popen:
    cmd = [
        sys.executable,
        "-c",
        "from dangan.cli import main; main()",
        "--home",
        str(home),
        "watch",
        "--inbox",
        str(inbox),
        "--stable",
        "0.1",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=open(log, "ab"))


def _left(inbox: Path) -> int:
    return len(list((inbox / CODE).iterdir()))


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("home", ["postgresql"], indirect=True)
def test_two_stations_one_killed_mid_batch_file_everything_exactly_once(home, tmp_path):
    with Catalog.open(home) as cat:
        add_project(cat, CODE, "安居花园3号楼", roles=dict(SAMPLE_ROLES))
    box_a, box_b = tmp_path / "scanner-a", tmp_path / "scanner-b"
    hashes = _fill(box_a, "A") | _fill(box_b, "B")
    assert len(hashes) == 2 * PER_STATION
    a = _station(home.root, box_a, tmp_path / "a.log")
    b = _station(home.root, box_b, tmp_path / "b.log")
    procs = [a, b]
    try:
        assert _wait_for(lambda: _left(box_a) <= PER_STATION - 10, timeout=90), (tmp_path / "a.log").read_text()
        a.send_signal(signal.SIGKILL)
        a.wait()
        assert _left(box_a) > 0, "station A was killed after its batch, not in the middle of it"
        a = _station(home.root, box_a, tmp_path / "a.log")
        procs.append(a)
        with Catalog.open(home) as cat:

            def settled() -> bool:
                with cat.engine.connect() as conn:
                    queued = conn.execute(select(func.count()).select_from(index_queue)).scalar_one()
                return _left(box_a) == 0 and _left(box_b) == 0 and cat.count_documents() == len(hashes) and queued == 0

            assert _wait_for(settled, timeout=120), (tmp_path / "a.log").read_text() + (tmp_path / "b.log").read_text()
    finally:
        for p in procs:
            _stop(p)
    with Catalog.open(home) as cat:
        docs = cat.documents()
        assert sorted(d["sha256"] for d in docs) == sorted(hashes)  # each exactly once
        assert all(d["status"] == "filed" and d["inbox_path"] is None for d in docs)
    r = subprocess.run(
        [sys.executable, "-c", "from dangan.cli import main; main()", "--home", str(home.root), "verify"],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip().splitlines()[-1] == "Clean."
