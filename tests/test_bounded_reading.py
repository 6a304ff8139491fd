"""Every file is read where it can be stopped (issue 25 item 12).

A reader that hangs inside C code or takes gigabytes is stopped from outside: reading runs
in a worker process with an address-space cap, timed by the parent.  The misbehaving
readers come from ``tests.bounded_readers``, imported inside the worker; each test asserts
the file goes to ``inbox/.failed/`` with the exact message naming the bound, and that the
files after it are filed.
"""

from __future__ import annotations

import re

import pytest

import dangan.indexer.extract as extract_module
from dangan.archive.intake.ingest import ingest_paths
from dangan.indexer import bounded
from dangan.indexer.errors import LimitError
from dangan.indexer.extract import extract
from dangan.indexer.limits import Limits
from tests.conftest import write_text_doc
from tests.docgen import make_text_pdf
from tests.test_hostile_pipeline import LOG, _box, _set


@pytest.fixture
def misbehaving_worker(monkeypatch):
    """Reader workers that import tests.bounded_readers as they start."""
    monkeypatch.setattr(extract_module, "_PRELOAD", (*extract_module._PRELOAD, "tests.bounded_readers"))
    yield
    bounded.close_pools()


@pytest.mark.parametrize(
    ("content", "setting", "value", "message"),
    [
        ("HANG 施工日志", "seconds_per_file", 5,
         "{p}: reading it is over the limit of 5 seconds (limits.seconds_per_file in dangan.toml); "
         "split the file, or raise the limit"),
        ("HUNGRY 施工日志", "memory_mb", 400,
         "{p}: the memory reading it needs is over the limit of 400 MB (limits.memory_mb in dangan.toml); "
         "split the file or save it again smaller, or raise the limit"),
    ],
)  # fmt: skip
def test_a_reader_over_time_or_memory_is_stopped_and_the_next_files_are_filed(
    cat, project, home, misbehaving_worker, content, setting, value, message
):
    _set(home, "limits", **{setting: value})
    box = _box(home)
    bad = write_text_doc(box, "a_bad.txt", content)
    write_text_doc(box, "b_good.txt", LOG.format(n=3))
    write_text_doc(box, "c_good.txt", LOG.format(n=4))
    records = {r.path.name: r for r in ingest_paths(cat, [home.inbox_dir])}
    assert records["a_bad.txt"].outcome == "failed"
    assert records["a_bad.txt"].message == message.format(p=bad)
    error_txt = home.inbox_dir / ".failed" / "a_bad.txt.error.txt"
    assert error_txt.read_text(encoding="utf-8").splitlines()[0] == message.format(p=bad)
    assert (records["b_good.txt"].outcome, records["c_good.txt"].outcome) == ("filed", "filed")


def test_a_stopped_worker_is_replaced_for_the_next_call():
    worker = bounded.BoundedWorker(memory_mb=400)
    try:
        with pytest.raises(bounded.WorkerTimeout):
            worker.call("tests.bounded_readers:hang", 60, seconds=1)
        with pytest.raises(bounded.WorkerOutOfMemory):
            worker.call("tests.bounded_readers:eat", 2000, seconds=30)
        assert worker.call("tests.bounded_readers:eat", 10, seconds=30) == 10 << 20
    finally:
        worker.close()


def test_an_error_raised_by_the_reader_arrives_whole():
    worker = bounded.BoundedWorker(memory_mb=400)
    try:
        with pytest.raises(FileNotFoundError):
            worker.call("builtins:open", "/nonexistent/dangan-bounds", seconds=30)
    finally:
        worker.close()


def test_pdfminer_fallback_obeys_max_pages(tmp_path):
    """A /Pages pointing at a missing object sends the file to pdfminer; it filed 60,000 pages."""
    pdf = make_text_pdf(tmp_path / "long.pdf", [LOG.format(n=n) for n in range(1, 6)])
    data = pdf.read_bytes()
    catalog = re.search(rb"/Pages (\d+) 0 R", data)  # the catalog's page tree, same length → 99…9
    pdf.write_bytes(data[: catalog.start(1)] + b"9" * len(catalog[1]) + data[catalog.end(1) :])
    with pytest.raises(LimitError) as error:
        extract(pdf, limits=Limits(max_pages=3))
    assert str(error.value) == (
        f"{pdf}: more than 3 pages is over the limit of 3 pages (limits.max_pages in dangan.toml); "
        "split the file, or raise the limit"
    )
    assert extract(pdf, limits=Limits(max_pages=5)).pages == 5


def test_text_kept_per_document_is_capped_with_a_note(tmp_path):
    """15 MB of random text took 277 s to classify and index: only the first part is kept."""
    big = tmp_path / "big.txt"
    big.write_text("施工日志" * 1000, encoding="utf-8")
    got = extract(big, limits=Limits(max_document_chars=1000))
    assert got.text == "施工日志" * 250
    assert got.notes[0] == (
        "only the first 1,000 of 4,000 characters are kept for search (limits.max_document_chars in dangan.toml)"
    )


def test_a_failed_index_commit_leaves_no_temporary_run_files(tmp_path, monkeypatch):
    """A commit that failed (a full disk, no memory) left 171 MB of sorted runs in the index."""
    import dangan.indexer.index as index_module
    from dangan.indexer.index import SearchIndex
    from dangan.indexer.writer import GroupedPool
    from tests.test_index import doc

    monkeypatch.setattr(index_module, "WRITER_LIMITMB", 0.01)  # spill runs to disk after a few postings

    def disk_full(self):
        assert self.runs, "the test needs runs on disk"
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(GroupedPool, "iter_postings", disk_full)
    with SearchIndex(tmp_path / "index") as ix:
        with pytest.raises(OSError):
            ix.add([doc(n, "施工日志", LOG.format(n=n) * 20) for n in range(1, 40)])
    leftovers = [p.name for p in (tmp_path / "index").rglob("*") if ".tmp" in p.name or p.suffix == ".run"]
    assert leftovers == []
    monkeypatch.undo()
    with SearchIndex(tmp_path / "index") as ix:  # and the index still takes a writer
        assert ix.add([doc(1, "施工日志", LOG.format(n=1))]) == 1


def test_a_docx_whose_parts_need_more_memory_than_the_cap_is_refused_naming_memory_mb(tmp_path):
    """A 78 KB DOCX of 300,000 paragraphs (18 MB of XML, under max_unzipped_mb) took 3.8 GB."""
    import io
    import zipfile

    from dangan.indexer.extract import extract_bounded
    from tests.docgen import make_docx

    path = make_docx(tmp_path / "heavy.docx", ["施工日志"])
    paragraph = "<w:p><w:r><w:t>混凝土浇筑</w:t></w:r></w:p>".encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body>" + paragraph * 300_000, 1)
            dst.writestr(info, data, zipfile.ZIP_DEFLATED)
    path.write_bytes(buf.getvalue())
    with pytest.raises(LimitError) as error:
        extract_bounded(path, limits=Limits(memory_mb=200))
    assert str(error.value) == (
        f"{path}: the memory reading it needs is over the limit of 200 MB (limits.memory_mb in dangan.toml); "
        "split the file or save it again smaller, or raise the limit"
    )
