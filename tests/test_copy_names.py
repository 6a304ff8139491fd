"""An original and its copies arriving together: the original is filed, each copy is set
aside as the duplicate, whatever names the file manager gave the copies and whatever their
sort order (``scan_0001 (副本).pdf`` sorts before ``scan_0001.pdf``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dangan.archive.catalog import Catalog
from dangan.archive.intake.inbox import looks_like_copy, originals_first
from dangan.archive.intake.ingest import ingest_paths
from tests.conftest import write_text_doc

CODE = "BJ-2024-017"

COPIES = [
    "scan_0001 (副本).pdf",
    "scan_0001 (副本 2).pdf",
    "scan_0001 副本 (2).pdf",
    "scan_0001 - 副本.pdf",
    "scan_0001 - 副本 (3).pdf",
    "scan_0001 - 复制.pdf",
    "scan_0001 - 复制 (2).pdf",
    "复件 scan_0001.pdf",
    "复件 (2) scan_0001.pdf",
    "scan_0001 (另一个副本).pdf",
    "scan_0001 (第 3 个副本).pdf",
    "scan_0001 的副本.pdf",
    "scan_0001 的副本 2.pdf",
    "scan_0001（1）.pdf",
    "scan_0001 (1).pdf",
    "scan_0001 (copy).pdf",
    "scan_0001 (another copy).pdf",
    "scan_0001 (3rd copy).pdf",
    "scan_0001 copy 2.pdf",
    "scan_0001 - Copy.pdf",
    "Copy of scan_0001.pdf",
    "Copy (2) of scan_0001.pdf",
    "scan_0001_copy.pdf",
    "副本 - scan_0001.pdf",
]
ORIGINALS = [
    "scan_0001.pdf",
    "施工日志.pdf",
    "2024-03-05 施工方案 第2版.pdf",
    "IMG_2041.jpg",
    "复工报告.pdf",
    "会审纪要 2.pdf",
]


@pytest.mark.parametrize("name", COPIES)
def test_copy_names_are_recognised(name):
    assert looks_like_copy(Path(name))


@pytest.mark.parametrize("name", ORIGINALS)
def test_ordinary_names_are_not_copies(name):
    assert not looks_like_copy(Path(name))


def test_originals_come_first_whatever_the_name_order():
    names = [
        Path(n)
        for n in sorted(["scan_0001 (副本).pdf", "scan_0001.pdf", "复件 scan_0001.pdf", "a - 复制.pdf", "a.pdf"])
    ]
    assert [p.name for p in originals_first(names)] == [
        "a.pdf",
        "scan_0001.pdf",
        "a - 复制.pdf",
        "scan_0001 (副本).pdf",
        "复件 scan_0001.pdf",
    ]


def test_the_original_is_filed_and_its_copies_set_aside(home, project):
    box = home.inbox_dir / CODE
    text = "施工日志\n2024年5月1日 天气晴\n二层楼板浇筑完成。"
    names = [
        "scan_0001 (副本).txt",
        "scan_0001 副本 (2).txt",
        "scan_0001 - 复制.txt",
        "scan_0001 - 副本 (3).txt",
        "复件 scan_0001.txt",
        "scan_0001.txt",
    ]
    for n in names:
        write_text_doc(box, n, text)
    with Catalog.open(home) as cat:
        records = {r.path.name: r for r in ingest_paths(cat, [home.inbox_dir])}
        assert records["scan_0001.txt"].outcome == "filed"
        assert cat.document(records["scan_0001.txt"].doc_id)["original_name"] == "scan_0001.txt"
    assert {n: records[n].outcome for n in names[:-1]} == dict.fromkeys(names[:-1], "duplicate")
    assert sorted(p.name for p in (home.inbox_dir / ".duplicates").iterdir()) == sorted(names[:-1])
    assert list(box.iterdir()) == []
