"""Issue 25 item 6: index damage beyond truncation never stops filing, and repair rebuilds.

A missing segment file, a ``CURRENT`` pointer naming no generation (empty, ``../../etc``,
a generation that is not there) and ``index`` being a plain file: ingest and watch file
every document (the index work waits in the queue), `verify` reports the damage (exit 8)
and `verify --repair` rebuilds the index from the catalog.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dangan.archive.catalog import Catalog
from dangan.archive.searchsync import queued_index_work
from dangan.archive.verify import verify
from tests.conftest import write_text_doc

CODE = "BJ-2024-017"
LOG = "施工日志 2024年6月{n}日 多云 第{n}天记录"


def _missing_segment(index: Path) -> str:
    for seg in index.glob("gen-*/*.seg"):
        seg.unlink()
    return "the search index is damaged: run dangan reindex (in {index}: FileNotFoundError)"


def _pointer(value: str):
    def damage(index: Path) -> str:
        (index / "CURRENT").write_text(value, encoding="utf-8")
        return (
            f"the search index pointer {index}/CURRENT names no index ({value.strip()!r}); "
            "rebuild the index with `dangan reindex`"
        )

    return damage


def _index_is_a_file(index: Path) -> str:
    shutil.rmtree(index)
    index.write_text("not an index", encoding="utf-8")
    return "the search index is damaged: {index} is not a folder; run dangan verify --repair"


DAMAGE = {
    "missing-segment": _missing_segment,
    "empty-pointer": _pointer(""),
    "pointer-outside": _pointer("../../etc\n"),
    "pointer-to-nothing": _pointer("gen-000099\n"),
    "index-is-a-file": _index_is_a_file,
}


@pytest.mark.parametrize("kind", sorted(DAMAGE))
def test_filing_goes_on_and_repair_rebuilds_whatever_the_index_damage(cli, project, home, kind):
    box = home.inbox_dir / CODE
    write_text_doc(box, "first.txt", LOG.format(n=1))
    assert cli("ingest", str(home.inbox_dir)).exit_code == 0
    message = DAMAGE[kind](home.index_dir).format(index=home.index_dir)

    write_text_doc(box, "second.txt", LOG.format(n=2))
    r = cli("ingest", str(home.inbox_dir))
    assert r.exit_code == 0, r.output
    assert r.stderr.splitlines()[0] == (
        f"warning: {message}; filing goes on and new documents wait in the index queue "
        "until `dangan verify --repair` rebuilds the index"
    )
    assert "1 input(s): 1 filed" in r.stdout
    write_text_doc(box, "third.txt", LOG.format(n=3))
    w = cli("watch", "--once", "--stable", "0")
    assert w.exit_code == 0 and "1 input(s): 1 filed" in w.stdout, w.output
    assert not list(box.iterdir()), "every inbox original was filed and removed"

    v = cli("verify")
    assert v.exit_code == 8
    with Catalog.open(home) as cat:
        assert len(cat.documents()) == 3
        assert queued_index_work(cat)[0], "the new documents wait in the index queue"
    assert cli("verify", "--repair").exit_code == 0
    assert cli("verify").exit_code == 0
    with Catalog.open(home) as cat:
        assert verify(cat).clean and queued_index_work(cat) == (set(), [])
    s = cli("search", "施工日志", "--json")
    assert s.exit_code == 0 and sorted(h["original_name"] for h in json.loads(s.stdout)) == [
        "first.txt",
        "second.txt",
        "third.txt",
    ]
    if kind == "index-is-a-file":
        assert (home.root / "index.not-a-folder.1").read_text(encoding="utf-8") == "not an index", (
            "set aside, not deleted"
        )
