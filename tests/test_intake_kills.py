"""Issue 25 item 9: a kill -9 in the middle of an edit or discard strands nothing.

The process is killed at the named points ``dangan.archive.faults`` exposes (after the file was
linked at its new place, after the old name was removed, after the catalog commit); the
rerun, the next start or ``verify --repair`` puts the file where the catalog says and brings
the index up to date.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dangan.archive import vault
from dangan.archive.catalog import Catalog
from dangan.archive.intake.ingest import ingest_paths
from dangan.archive.life import journal
from dangan.archive.verify import verify
from tests.conftest import write_text_doc

pytestmark = pytest.mark.usefixtures("engine")  # both search engines (issue 24)
CODE = "BJ-2024-017"
ROOT = Path(__file__).resolve().parent.parent
KILL_AT = """
import os, signal, sys
from dangan.archive import faults
at = sys.argv.pop(1)
faults.hook = lambda name: os.kill(os.getpid(), signal.SIGKILL) if name == at else None
from dangan.cli import main
sys.argv = ["dangan", *sys.argv[1:]]
main()
"""


def _dangan(home, *args: str, kill_at: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    code = KILL_AT if kill_at else "from dangan.cli import main; main()"
    pre = [kill_at] if kill_at else []
    return subprocess.run([sys.executable, "-c", code, *pre, "--home", str(home.root), *args],
                          env=env, capture_output=True, text=True, check=False)  # fmt: skip


@pytest.fixture
def doc(cat, project, home) -> dict:
    write_text_doc(home.inbox_dir / CODE, "施工日志.txt", "施工日志 2024年5月6日 晴 浇筑三层楼板")
    [rec] = ingest_paths(cat, [home.inbox_dir])
    return cat.document(rec.doc_id)


def _state(home, doc_id: int) -> tuple[dict, list[str]]:
    with Catalog.open(home) as cat:
        return cat.document(doc_id), vault.stored_files(home.vault_dir)


@pytest.mark.parametrize("point", ["move-linked", "move-unlinked", "change-committed"])
def test_a_killed_edit_is_finished_by_running_it_again(home, doc, point):
    args = ["edit", str(doc["id"]), "--date", "2024-05-08"]
    assert _dangan(home, *args, kill_at=point).returncode == -9
    assert journal.intents(home.root), "the intent outlived the kill"
    r = _dangan(home, *args)
    assert r.returncode == 0, r.stderr
    row, files = _state(home, doc["id"])
    assert row["document_date"].isoformat() == "2024-05-08"
    assert files == [row["vault_path"]] and row["vault_path"].endswith("20240508_施工日志.txt")
    with Catalog.open(home) as cat:
        assert verify(cat).clean, "the index follows too"
    assert journal.intents(home.root) == []


@pytest.mark.parametrize("point", ["move-linked", "move-unlinked"])
def test_verify_repair_rolls_back_a_discard_killed_before_its_commit(home, doc, point):
    assert _dangan(home, "discard", str(doc["id"]), "--reason", "重复扫描", kill_at=point).returncode == -9
    v = _dangan(home, "verify", "--json")
    assert v.returncode == 8, v.stdout  # a file missing, or an orphan link with no row
    r = _dangan(home, "verify", "--repair", "--json")
    assert r.returncode == 0, r.stdout
    assert json.loads(r.stdout)["repaired"]["moves"] == [doc["id"]]
    row, files = _state(home, doc["id"])
    assert row["status"] == "filed" and files == [doc["vault_path"]], "back where the catalog says"


def test_a_discard_killed_between_commit_and_index_is_finished_at_the_next_start(home, doc):
    assert _dangan(home, "discard", str(doc["id"]), "--reason", "重复扫描", kill_at="change-committed").returncode == -9
    with Catalog.open(home) as cat:
        assert verify(cat).orphans_in_index == [doc["id"]], "still searchable after the kill"
    r = _dangan(home, "ingest", str(home.inbox_dir))  # the next start
    assert r.returncode == 0, r.stderr
    with Catalog.open(home) as cat:
        assert verify(cat).clean
    row, files = _state(home, doc["id"])
    assert row["status"] == "discarded" and files == [f"_trash/{doc['id']}/{Path(doc['vault_path']).name}"]
    s = _dangan(home, "search", "浇筑")
    assert "No documents match" in s.stdout + s.stderr
