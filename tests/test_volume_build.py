"""Building a volume PDF from the sample project, checked page by page with pypdf.

The volume is cover + 卷内目录 + every document's pages + 备考表; only the document pages
carry a number, bottom right, running 1..N; the 卷内目录's 页次 are where each document
really starts; the 备考表's totals are the pages counted from the files themselves.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from dangan.archive.catalog import Catalog
from dangan.archive.sample import SAMPLE_PROJECT as CODE
from dangan.archive.volumes import plan_volumes
from dangan.archive.volumes.pdf import build_volume
from dangan.archive.volumes.pdf.convert import document_pdf
from dangan.archive.volumes.pdf.fonts import register_font
from tests.sample_home import sample_home


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The sample project's first volume planned and built; (BuiltVolume, reader, catalog home)."""
    home = sample_home(tmp_path_factory.mktemp("build") / "home")
    with Catalog.open(home) as cat:
        volume = plan_volumes(cat, CODE)[0]
        result = build_volume(cat, volume, home.root / "out")
    return result, PdfReader(result.path), home


_counted: dict[str, int] = {}


def source_pages(home, doc: dict) -> int:
    """Pages of a document counted from its own file (Word and text through the converter)."""
    path = home.vault_dir / doc["vault_path"]
    if doc["sha256"] not in _counted:
        _counted[doc["sha256"]] = _count(path, doc)
    return _counted[doc["sha256"]]


def _count(path: Path, doc: dict) -> int:
    if doc["mime_type"] == "application/pdf":
        return len(PdfReader(path).pages)
    if doc["mime_type"].startswith("image/"):
        with Image.open(path) as img:
            return getattr(img, "n_frames", 1)
    return len(PdfReader(io.BytesIO(document_pdf(path, doc["mime_type"], register_font(), "t"))).pages)


def stamp_of(page) -> str:
    """Text drawn in the bottom-right corner (the page number's place), or ""."""
    right = float(page.cropbox.right)
    found = []

    def visit(text, cm, tm, _font, _size):
        x, y = tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]
        if text.strip() and x > right - 80 and y < 45:
            found.append(text.strip())

    page.extract_text(visitor_text=visit)
    return "".join(found)


def test_page_count_is_cover_contents_documents_and_note(built):
    result, reader, home = built
    kinds = {e.doc["mime_type"].split("/")[-1] for e in result.volume.entries}
    assert len(result.volume.entries) == 11  # every filed 施工文件 of the sample, scans and photos included
    assert kinds == {
        "pdf",
        "jpeg",
        "png",
        "tiff",
        "plain",
        "vnd.openxmlformats-officedocument.wordprocessingml.document",
    }
    counted = sum(source_pages(home, e.doc) for e in result.volume.entries)
    assert result.document_pages == counted
    assert result.front_pages == 2 and result.note_pages == 1  # one 卷内目录 page for 11 documents
    assert len(reader.pages) == 1 + 1 + counted + 1
    assert "案 卷 封 面" in reader.pages[0].extract_text()
    assert "卷 内 目 录" in reader.pages[1].extract_text()
    assert "卷 内 备 考 表" in reader.pages[-1].extract_text()


def test_stamped_numbers_run_one_to_n_on_document_pages_only(built):
    result, reader, _ = built
    stamps = [stamp_of(p) for p in reader.pages]
    front, n = result.front_pages, result.document_pages
    assert stamps[:front] == ["", ""] and stamps[-1] == ""
    assert stamps[front : front + n] == [str(i) for i in range(1, n + 1)]


def page_cell(lines: list[str], title: str) -> str:
    """The 页次 cell of the row with ``title``: after the title comes the date (if known), then 页次."""
    at = lines.index(title)
    return lines[at + 2] if re.fullmatch(r"\d{8}", lines[at + 1]) else lines[at + 1]


def test_contents_page_numbers_are_where_each_document_starts(built):
    result, reader, home = built
    lines = [ln.strip() for ln in reader.pages[1].extract_text().splitlines()]
    entries = result.volume.entries
    for i, e in enumerate(entries):
        shown = page_cell(lines, e.shown_title)
        expected_start = result.front_pages + 1 + sum(source_pages(home, x.doc) for x in entries[:i])
        assert shown.split("-")[0] == str(e.start_page)
        assert result.front_pages + e.start_page == expected_start
        page = reader.pages[expected_start - 1]
        assert stamp_of(page) == str(e.start_page)
        own = ""
        if e.doc["mime_type"] == "application/pdf":  # the page shows the document's own first page
            own = PdfReader(home.vault_dir / e.doc["vault_path"]).pages[0].extract_text().strip()
        if own:  # (a scanned PDF has no text layer to compare)
            assert page.extract_text().startswith(own.splitlines()[0])
        else:
            assert "/XObject" in page["/Resources"] or e.doc["mime_type"] != "application/pdf"
    assert page_cell(lines, entries[-1].shown_title) == f"{entries[-1].start_page}-{entries[-1].end_page}"


def test_note_totals_match_the_files(built):
    result, reader, home = built
    entries = result.volume.entries
    photos = sum(source_pages(home, e.doc) for e in entries if e.doc["mime_type"].startswith("image/"))
    total = result.document_pages
    text = reader.pages[-1].extract_text()
    assert f"本案卷共有文件材料\u3000{total}\u3000页，其中：文字材料\u3000{total - photos}\u3000页，" in text
    assert f"图样材料\u30000\u3000页，照片\u3000{photos}\u3000张。" in text


def test_fonts_are_embedded(built):
    _, reader, _ = built
    for page in (reader.pages[0], reader.pages[1], reader.pages[-1]):
        fonts = page["/Resources"]["/Font"]
        for ref in fonts.values():
            font = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            assert descriptor is not None and "/FontFile2" in descriptor.get_object(), font.get("/BaseFont")


def test_catalog_page_numbers_follow_the_real_pages(built):
    result, _, home = built
    with Catalog.open(home) as cat:
        from dangan.archive.volumes import get_volume

        stored = get_volume(cat, CODE, 1)
    assert [(e.start_page, e.end_page) for e in stored.entries] == [
        (e.start_page, e.end_page) for e in result.volume.entries
    ]
    assert stored.pages == result.document_pages
