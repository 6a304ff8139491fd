"""Documents a viewer opens but whose text layer lies: each is read as a person would read it.

Every case is generated here: a PDF whose ToUnicode map points at the wrong script, a scan
behind an invisible layer of glyph names, of spaced letters or of mis-mapped text, a blank
page, and a PDF only pdfminer.six can open.  For each, the test asserts what is stored (how
each page was read) and that a search for a word on the page finds the document.
"""

from __future__ import annotations

import re
from pathlib import Path

import pypdf
import pytest
from PIL import Image
from pypdf.generic import NameObject

from dangan.archive.catalog import Catalog
from dangan.archive.intake.ingest import ingest_paths
from dangan.archive.intake.pages import page_methods, summary
from dangan.indexer.extract import extract
from dangan.indexer.extract import ocr as ocr_module
from dangan.indexer.extract.judge import judge_layer
from dangan.indexer.index import SearchIndex
from tests.docgen import make_text_pdf, render_page, require_cjk_font

SMALL = (900, 420)  # small pages keep real OCR near half a second each


# --------------------------------------------------------------------------- generators


def _tt_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "WQY" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("WQY", str(require_cjk_font()), subfontIndex=0))
    return "WQY"


def make_layered_pdf(
    path: Path,
    *,
    visible: list[str] = (),
    scan: str | None = None,
    invisible: str | None = None,
    font: str = "Helvetica",
) -> Path:
    """One page: visible lines in an embedded TrueType font, a scanned picture, and/or an
    invisible text layer (render mode 3, as OCR tools and some scanners write it)."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    doc = canvas.Canvas(str(path), pagesize=(SMALL[0] * 0.6, SMALL[1] * 0.6), invariant=True)
    width, height = SMALL[0] * 0.6, SMALL[1] * 0.6
    if scan is not None:
        doc.drawImage(ImageReader(render_page(scan, size=SMALL)), 0, 0, width, height)
    if visible:
        doc.setFont(_tt_font(), 16)
        for n, line in enumerate(visible):
            doc.drawString(20, height - 40 - 26 * n, line)
    if invisible is not None:
        text = doc.beginText(20, height / 2)
        text.setTextRenderMode(3)
        text.setFont(_tt_font() if font == "WQY" else font, 12)
        text.textLine(invisible)
        doc.drawText(text)
    doc.showPage()
    doc.save()
    return path


def break_tounicode(path: Path) -> Path:
    """Point every ToUnicode entry at Tamil/Kannada letters, as a broken font map does."""
    writer = pypdf.PdfWriter(clone_from=str(path))
    for page in writer.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            if "/ToUnicode" not in font:
                continue
            stream = font["/ToUnicode"].get_object()
            data = stream.get_data().decode("latin-1")
            broken = re.sub(
                r"<([0-9A-Fa-f]{2})> <[0-9A-Fa-f]{4}>",
                lambda m: f"<{m[1]}> <{0x0B80 + int(m[1], 16) % 0x70:04X}>",
                data,
            )
            stream.set_data(broken.encode("latin-1"))
            font[NameObject("/ToUnicode")] = stream.indirect_reference or stream
    writer.write(path)
    return path


def refuse_page_tree(path: Path) -> Path:
    """Point the catalog's /Pages at an object that does not exist (same byte length, so the
    cross-reference table stays right): pypdf and PDFium both refuse such a file."""
    data = path.read_bytes()
    match = re.search(rb"/Pages (\d+) 0 R", data)
    missing = str(int(match[1]) + 90).encode()[: len(match[1])].ljust(len(match[1]), b"9")
    path.write_bytes(data[: match.start(1)] + missing + data[match.end(1) :])
    return path


def filed_and_found(home, path: Path, word: str) -> dict:
    """Ingest ``path`` into ``home`` and return its document, asserting search finds ``word``."""
    with Catalog.open(home) as cat:
        (record,) = ingest_paths(cat, [path])
        assert record.doc_id is not None, record.message
        hits = SearchIndex(home.index_dir).search(word)
        assert record.doc_id in [h.id for h in hits], f"search {word!r} did not find {path.name}"
        return {
            "doc": cat.document(record.doc_id),
            "pages": page_methods(cat, record.doc_id),
            "text": cat.text(record.doc_id),
        }


# --------------------------------------------------------------------------- the judge


@pytest.mark.parametrize(
    "layer, reason",
    [
        ("ୈ ೋ ৚ ୈ Ұ ୈ ೋ ৚ ୈ Ұ ୈ ೋ ৚", "text layer in unexpected scripts"),
        ("F n e m b \\ h e h k ; e Z \\ d", "text layer of single letters between spaces"),
        ("/g437/g258", "text layer of unmapped glyph names"),  # exactly ten characters
        ("第1页", "no text layer"),
    ],
)
def test_the_judge_refuses_layers_a_person_could_not_read(layer, reason):
    verdict = judge_layer(layer)
    assert not verdict.usable
    assert verdict.reason.startswith(reason)


@pytest.mark.parametrize(
    "layer",
    [
        "工程名称：安居花园3号楼 施工日志 2024年3月5日 天气晴 气温-3℃～5℃",
        "Multicolor Black / Pure Magenta, 300 dpi, Φ12@200 ±0.5mm",
    ],
)
def test_the_judge_trusts_ordinary_pages(layer):
    assert judge_layer(layer).usable


# --------------------------------------------------------------------------- real OCR


def test_a_wrong_tounicode_map_is_ocred_and_found(tmp_path, home):
    pdf = make_layered_pdf(tmp_path / "隐蔽.pdf", visible=["隐蔽工程验收记录", "钢筋绑扎检查合格"])
    break_tounicode(pdf)
    assert not judge_layer(pypdf.PdfReader(pdf).pages[0].extract_text()).usable  # the file really lies
    got = filed_and_found(home, pdf, "钢筋绑扎")
    assert got["pages"][0]["method"] == "ocr"
    assert got["pages"][0]["why"].startswith("text layer in unexpected scripts")
    assert "\u0b80" not in got["text"] and not re.search(r"[\u0b80-\u0bff]", got["text"])


@pytest.mark.parametrize(
    "name, invisible, font, reason",
    [
        ("glyphs.pdf", "/g437/g258/g12/g99/g3/g41/g437/g258", "Helvetica", "text layer of unmapped glyph names"),
        ("spaced.pdf", "F n e m b \\ h e h k ; e Z \\ d", "Helvetica", "text layer of single letters between spaces"),
        ("junk.pdf", "竣工验收证明书工程名称安居花园", "WQY", "text layer in unexpected scripts"),
    ],
)
def test_a_scan_behind_a_junk_invisible_layer_is_ocred_and_found(tmp_path, home, name, invisible, font, reason):
    pdf = make_layered_pdf(tmp_path / name, scan="施工日志\n天气晴 混凝土浇筑", invisible=invisible, font=font)
    if name == "junk.pdf":
        break_tounicode(pdf)  # the invisible layer decodes to Tamil letters
    got = filed_and_found(home, pdf, "混凝土浇筑")
    assert got["pages"][0]["method"] == "ocr"
    assert got["pages"][0]["why"].startswith(reason)
    assert "施工日志" in got["text"]


def test_pdf_both_parsers_refuse_is_read_by_pdfminer_and_found(tmp_path, home):
    pdf = refuse_page_tree(make_text_pdf(tmp_path / "datasheet.pdf", ["Datasheet 220V 5A\n钢筋原材料出厂质量证明书"]))
    with pytest.raises(pypdf.errors.PdfReadError):
        pypdf.PdfReader(pdf).pages[0]
    got = filed_and_found(home, pdf, "质量证明书")
    assert got["pages"] == [
        {
            "page": 1,
            "method": "text-pdfminer",
            "why": "pypdf and PDFium refused the file",
            "label": "text layer (pdfminer.six)",
        }
    ]


def test_a_file_no_parser_can_open_is_still_refused(tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4\n" + b"\x00garbage" * 200)
    with pytest.raises(Exception, match="not a readable PDF file"):
        extract(bad)


# --------------------------------------------------------------------------- blank pages, PDFium


@pytest.fixture
def counted_ocr(monkeypatch) -> list[tuple[int, int]]:
    calls: list[tuple[int, int]] = []

    def ocr(img: Image.Image) -> str:
        calls.append(img.size)
        return "识别文字 竣工图"

    monkeypatch.setattr(ocr_module, "ocr_image", ocr)
    return calls


def test_blank_pages_are_counted_but_not_ocred(tmp_path, home, counted_ocr):
    writer = pypdf.PdfWriter()
    writer.append(make_text_pdf(tmp_path / "t.pdf", ["施工日志\n天气晴，混凝土浇筑完成，养护开始。"]))
    writer.add_blank_page(595, 842)
    blank_scan = tmp_path / "b.pdf"
    Image.new("L", SMALL, 255).save(blank_scan, "PDF", resolution=150)
    writer.append(blank_scan)
    writer.write(tmp_path / "log.pdf")
    result = extract(tmp_path / "log.pdf")
    assert result.pages == 3
    assert [p["method"] for p in result.page_methods] == ["text", "blank", "blank"]
    assert counted_ocr == []
    assert "page 2: no ink on the page: OCR skipped" in result.notes


def test_blank_image_frames_are_not_ocred(tmp_path, counted_ocr):
    frames = [render_page("施工日志 第一页", size=SMALL), Image.new("RGB", SMALL, "white")]
    frames[0].save(tmp_path / "scan.tif", save_all=True, append_images=frames[1:])
    result = extract(tmp_path / "scan.tif")
    assert result.pages == 2
    assert [p["method"] for p in result.page_methods] == ["ocr", "blank"]
    assert len(counted_ocr) == 1


def test_pypdf_junk_is_replaced_by_pdfiums_good_layer(tmp_path, monkeypatch, counted_ocr):
    pdf = make_text_pdf(tmp_path / "kaigong.pdf", ["开工报告\n工程名称：安居花园3号楼，计划开工日期2024年3月1日。"])
    monkeypatch.setattr(pypdf.PageObject, "extract_text", lambda self, *a, **k: "ୈ ೋ ৚ ୈ Ұ ୈ ೋ ৚ ୈ Ұ ୈ ೋ ৚ ୈ")
    result = extract(pdf)
    assert result.page_methods[0]["method"] == "text-pdfium"
    assert "开工报告" in result.text
    assert counted_ocr == []


def test_show_summary_explains_each_page(tmp_path, home, counted_ocr):
    writer = pypdf.PdfWriter()
    writer.append(make_text_pdf(tmp_path / "t.pdf", ["竣工报告\n工程名称：安居花园3号楼，本工程已按设计完成。"]))
    writer.add_blank_page(595, 842)
    writer.write(tmp_path / "two.pdf")
    with Catalog.open(home) as cat:
        (record,) = ingest_paths(cat, [tmp_path / "two.pdf"])
        assert (
            summary(page_methods(cat, record.doc_id))
            == "page 1 text layer; page 2 blank page, not OCR'd (no ink on the page: OCR skipped)"
        )


# --------------------------------------------------------------------------- tiles


def test_large_sheets_are_read_in_tiles_at_full_resolution(monkeypatch):
    seen: list[tuple[int, int]] = []

    def engine():
        def read(array, use_cls):
            height, width = array.shape[:2]
            seen.append((width, height))
            # Every tile reports one box at its own top-left, and the far tiles also see the
            # title block that sits in the overlap of the last two columns.
            boxes = [([[10, 10], [110, 10], [110, 40], [10, 40]], f"tile{len(seen)}", 0.9)]
            return boxes, None

        return read

    monkeypatch.setattr(ocr_module, "_ocr_engine", engine)
    text = ocr_module.ocr_image(Image.new("RGB", (5000, 3500), "white"))
    assert all(max(size) <= ocr_module.TILE for size in seen)
    assert len(seen) == len(ocr_module.tile_origins((5000, 3500))) == 6
    assert sorted(text.split()) == sorted(f"tile{n}" for n in range(1, 7))


def test_a_box_read_twice_in_a_tile_overlap_is_kept_once(monkeypatch):
    # The title block at x 1850–1950 lies in the overlap of the first two tiles of a 3800 px sheet.
    origins = ocr_module.tile_origins((3800, 1000))

    calls = []

    def read(array, use_cls):
        left = origins[len(calls)][0]
        calls.append(left)
        x0 = 1850 - left
        return [([[x0, 100], [x0 + 100, 100], [x0 + 100, 140], [x0, 140]], "图号JG-01", 0.9)], None

    monkeypatch.setattr(ocr_module, "_ocr_engine", lambda: read)
    assert ocr_module.ocr_image(Image.new("RGB", (3800, 1000), "white")) == "图号JG-01"
