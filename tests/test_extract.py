"""Tests of dangan.indexer.extract: what an archivist gets out of the files they drop.

Real OCR runs only on a handful of small pages, each extracted once in a module-scoped
fixture, because the engine costs about a second to load and one to three per page.
Tests about page bookkeeping use a stand-in OCR function instead.
"""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import pypdf
import pytest
from docx import Document
from docx.enum.text import WD_BREAK
from PIL import Image, ImageDraw
from pypdf.errors import DependencyError

from dangan.indexer.errors import (
    CorruptFileError,
    EmptyFileError,
    EncryptedFileError,
    InputFileError,
    NotFoundError,
    UnsupportedFileError,
)
from dangan.indexer.extract import PAGE_SEPARATOR, extract, sniff_type, supported_extensions
from dangan.indexer.extract import ocr as extract_module
from tests.docgen import char_error_rate, make_docx, make_scan_image, make_scan_pdf, make_text_pdf, make_tiff

PROJECT = "工程名称：安居花园3号楼"
SMALL = (900, 420)  # small pages keep real OCR near half a second each

COMPLETION = "竣工报告\n工程名称：安居花园3号楼\n日期：2024年11月20日"
SURVEY = "施工定位测量记录\n工程名称：安居花园3号楼\n测量员：赵磊"
BODY = "本工程根据红线桩和水准点进行定位放线，轴线偏差均在允许范围内，复核无误。"


@pytest.fixture(scope="module")
def scans(tmp_path_factory) -> dict[str, object]:
    """Each scanned input extracted once with real OCR, keyed by a short name."""
    d = tmp_path_factory.mktemp("scans")
    files = {
        "scan_pdf": make_scan_pdf(d / "scan.pdf", [COMPLETION], size=SMALL),
        "png": make_scan_image(d / "page.png", SURVEY + "\n" + BODY, size=(1000, 520)),
        "jpg_rotated": make_scan_image(d / "tilted.jpg", SURVEY, rotate=2.5, size=SMALL),
        "tiff": make_tiff(d / "fax.tif", ["开工报告\n第一页", "竣工报告\n第二页", ""], size=(700, 300)),
        "png_named_pdf": make_scan_image(d / "photo.png", COMPLETION, size=SMALL).rename(d / "scan_0003.pdf"),
    }
    return {name: extract(path) for name, path in files.items()}


@pytest.fixture
def fake_ocr(monkeypatch) -> list[tuple[int, int]]:
    """Replace OCR with a stand-in that reads "OCR" plus the image size; records calls."""
    calls: list[tuple[int, int]] = []

    def ocr(img: Image.Image) -> str:
        calls.append(img.size)
        return f"OCR文字 {img.size[0]}x{img.size[1]}"

    monkeypatch.setattr(extract_module, "ocr_image", ocr)
    return calls


def assert_names_file(error: pytest.ExceptionInfo, path: Path) -> None:
    message = str(error.value)
    assert path.name in message
    assert "\n" not in message


# --------------------------------------------------------------------------- text PDFs


def test_text_pdf_gives_its_chinese_text_per_page(tmp_path):
    path = make_text_pdf(
        tmp_path / "竣工报告.pdf", [COMPLETION + "\n" + BODY * 3, "施工日志\n2024年3月15日，浇筑二层楼板。"]
    )
    result = extract(path)
    pages = result.text.split(PAGE_SEPARATOR)
    assert (result.pages, result.method, result.mime_type) == (2, "text", "application/pdf")
    assert "竣工报告" in pages[0] and PROJECT in pages[0]
    assert (BODY * 3) in "".join(pages[0].split()), "a wrapped long line must come out whole"
    assert "施工日志" in pages[1]
    assert result.ocr_pages == [] and result.empty_pages == []


def test_traditional_characters_are_extracted_as_written(tmp_path):
    path = make_text_pdf(tmp_path / "隱蔽.pdf", ["隱蔽工程驗收記錄\n鋼筋綁紮檢查合格，準予隱蔽。"])
    text = extract(path).text
    assert "隱蔽工程驗收記錄" in text
    assert "隐蔽" not in text


def test_pdf_page_without_text_layer_is_ocred_and_counted_as_mixed(tmp_path, fake_ocr):
    text_pdf = make_text_pdf(tmp_path / "t.pdf", ["开工报告\n" + BODY])
    scan_pdf = make_scan_pdf(tmp_path / "s.pdf", ["竣工报告"], size=SMALL)
    writer = pypdf.PdfWriter()
    writer.append(text_pdf)
    writer.append(scan_pdf)
    writer.write(tmp_path / "mixed.pdf")
    result = extract(tmp_path / "mixed.pdf")
    assert result.method == "mixed"
    assert result.ocr_pages == [2]
    assert len(fake_ocr) == 1
    assert result.text.split(PAGE_SEPARATOR)[1].startswith("OCR文字")


def test_page_with_only_a_stamped_number_is_treated_as_a_scan(tmp_path, fake_ocr):
    path = make_text_pdf(tmp_path / "stamped.pdf", ["第1页"])
    result = extract(path)
    assert result.ocr_pages == [1]
    assert result.method == "ocr"


def test_ocr_off_leaves_scanned_pages_empty_and_noted(tmp_path, monkeypatch):
    def must_not_run(img):
        raise AssertionError("OCR ran although ocr=False")

    monkeypatch.setattr(extract_module, "ocr_image", must_not_run)
    path = make_scan_pdf(tmp_path / "scan.pdf", ["竣工报告"], size=SMALL)
    result = extract(path, ocr=False)
    assert result.text == ""
    assert result.empty_pages == [1]
    assert any("OCR is off" in note for note in result.notes)


# --------------------------------------------------------------------------- real OCR


def test_image_only_pdf_is_read_by_ocr(scans):
    result = scans["scan_pdf"]
    assert (result.method, result.ocr_pages, result.pages) == ("ocr", [1], 1)
    assert "竣工报告" in result.text
    assert char_error_rate(COMPLETION, result.text) < 0.15


def test_png_scan_is_read_in_line_order(scans):
    result = scans["png"]
    assert result.mime_type == "image/png"
    assert result.text.index("施工定位测量记录") < result.text.index("测量员")
    assert char_error_rate(SURVEY + BODY, result.text) < 0.15


def test_slightly_rotated_jpeg_scan_still_reads(scans):
    result = scans["jpg_rotated"]
    assert result.mime_type == "image/jpeg"
    assert "施工定位测量记录" in result.text
    assert char_error_rate(SURVEY, result.text) < 0.2


def test_multipage_tiff_gives_one_page_per_frame(scans):
    result = scans["tiff"]
    pages = result.text.split(PAGE_SEPARATOR)
    assert result.pages == 3
    assert "开工报告" in pages[0] and "竣工报告" in pages[1]
    assert result.empty_pages == [3]
    assert result.ocr_pages == [1, 2]
    assert "page 3: no text found" in result.notes


def test_wrong_extension_is_read_by_content_and_noted(scans):
    result = scans["png_named_pdf"]
    assert result.mime_type == "image/png"
    assert "竣工报告" in result.text
    assert any(".pdf" in note and "PNG" in note for note in result.notes)


def test_exif_orientation_is_applied_before_ocr(tmp_path, fake_ocr):
    img = Image.new("L", (300, 100), 255)
    ImageDraw.Draw(img).rectangle((20, 20, 200, 60), fill=0)  # some ink: blank pages skip OCR
    exif = img.getexif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display": a phone photo taken upright
    img.save(tmp_path / "IMG_2041.jpg", exif=exif.tobytes())
    extract(tmp_path / "IMG_2041.jpg")
    assert fake_ocr == [(100, 300)]


# --------------------------------------------------------------------------- OCR line order


def test_ocr_boxes_are_joined_in_reading_order(monkeypatch):
    def box(x0, y0, x1, y1):
        return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]

    boxes = [
        [box(400, 102, 600, 138), "张伟", 0.9],
        [box(50, 20, 300, 60), "开工报告", 0.9],
        [box(50, 100, 380, 140), "项目经理：", 0.9],
        [box(50, 180, 200, 215), "Project", 0.9],
        [box(220, 182, 360, 214), "BJ-2024-017", 0.9],
    ]
    monkeypatch.setattr(extract_module, "_ocr_engine", lambda: lambda arr, use_cls: (boxes, None))
    text = extract_module.ocr_image(Image.new("RGB", (700, 300), "white"))
    assert text.split("\n") == ["开工报告", "项目经理：张伟", "Project BJ-2024-017"]


# --------------------------------------------------------------------------- DOCX, TXT


def test_docx_paragraphs_and_table_cells_come_in_document_order(tmp_path):
    table = [["序号", "图纸问题", "处理意见"], ["1", "基础标高不一致", "按结施-02执行"]]
    path = make_docx(tmp_path / "图纸会审纪要.docx", ["图纸会审纪要", "会审意见经各方确认。", "记录人：李娜"], table)
    result = extract(path)
    lines = result.text.split("\n")
    assert lines == [
        "图纸会审纪要",
        "序号\t图纸问题\t处理意见",
        "1\t基础标高不一致\t按结施-02执行",
        "会审意见经各方确认。",
        "记录人：李娜",
    ]
    assert (result.method, result.pages) == ("docx", 1)


def test_docx_header_page_breaks_and_merged_cells(tmp_path):
    doc = Document()
    doc.sections[0].header.paragraphs[0].text = "安居花园3号楼 技术交底记录"
    doc.add_paragraph("第一页")
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    doc.add_paragraph("第二页")
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    grid = doc.add_table(rows=1, cols=3)
    merged = grid.cell(0, 0).merge(grid.cell(0, 1))
    merged.text = "交底内容"
    grid.cell(0, 2).text = "接收人：吴涛"
    doc.save(tmp_path / "交底.docx")
    result = extract(tmp_path / "交底.docx")
    assert result.text.startswith("安居花园3号楼 技术交底记录\n")
    assert "交底内容\t接收人：吴涛" in result.text
    assert result.pages == 3


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_text_files_decode_in_common_chinese_encodings(tmp_path, encoding):
    path = tmp_path / "说明.txt"
    path.write_bytes("施工日志\n2024年3月15日 晴，浇筑二层楼板。".encode(encoding))
    result = extract(path)
    assert result.text == "施工日志\n2024年3月15日 晴，浇筑二层楼板。"
    assert (result.pages, result.method, result.mime_type) == (1, "plain", "text/plain")


def test_pdf_named_docx_is_read_as_pdf(tmp_path):
    path = make_text_pdf(tmp_path / "x.pdf", ["开工报告\n" + PROJECT]).rename(tmp_path / "开工报告.docx")
    result = extract(path)
    assert result.mime_type == "application/pdf"
    assert "开工报告" in result.text
    assert ".docx" in result.notes[0]


# --------------------------------------------------------------------------- encryption


def _encrypted(tmp_path: Path, password: str) -> Path:
    writer = pypdf.PdfWriter(clone_from=make_text_pdf(tmp_path / "plain.pdf", ["施工合同书\n" + PROJECT]))
    # RC4: pypdf can write it without the optional cryptography package.
    writer.encrypt(user_password=password, owner_password="owner-secret", algorithm="RC4-128")
    path = tmp_path / f"locked{len(password)}.pdf"
    writer.write(path)
    return path


def test_pdf_encrypted_with_empty_password_is_read(tmp_path):
    assert "施工合同书" in extract(_encrypted(tmp_path, "")).text


def test_pdf_with_a_real_password_is_refused(tmp_path):
    path = _encrypted(tmp_path, "1234")
    with pytest.raises(EncryptedFileError) as error:
        extract(path)
    assert_names_file(error, path)
    assert "password" in str(error.value)


@pytest.mark.parametrize(("password", "readable"), [("", True), ("1234", False)])
def test_pdf_pypdf_cannot_decrypt_is_read_by_pdfium(tmp_path, monkeypatch, password, readable):
    path = _encrypted(tmp_path, password)

    def needs_cryptography(self, pw):
        raise DependencyError("cryptography>=3.1 is required for AES algorithm")

    # Stands in for AES encryption, which pypdf cannot decrypt without `cryptography`.
    monkeypatch.setattr(pypdf.PdfReader, "decrypt", needs_cryptography)
    if readable:
        assert "施工合同书" in extract(path).text
    else:
        with pytest.raises(EncryptedFileError) as error:
            extract(path)
        assert_names_file(error, path)


def test_pdf_pypdf_rejects_but_pdfium_repairs_is_read_and_noted(tmp_path, monkeypatch):
    path = make_text_pdf(tmp_path / "开工报告.pdf", ["开工报告\n" + PROJECT])

    def unparsable(*args, **kwargs):
        raise pypdf.errors.PdfReadError("Could not read malformed PDF file")

    # Stands in for damage pypdf gives up on while PDF viewers (PDFium) still open the file.
    monkeypatch.setattr(pypdf, "PdfReader", unparsable)
    result = extract(path)
    assert "开工报告" in result.text
    assert any("damaged" in note for note in result.notes)


# --------------------------------------------------------------------------- bad inputs


def _random_bytes(n: int, seed: int = 7) -> bytes:
    return random.Random(seed).randbytes(n)


def _zero_byte(d: Path) -> Path:
    path = d / "scan_0001.pdf"
    path.write_bytes(b"")
    return path


def _garbage_pdf(d: Path) -> Path:
    path = d / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\n" + _random_bytes(3000))
    return path


def _truncated_pdf(d: Path) -> Path:
    data = make_text_pdf(d / "whole.pdf", ["开工报告"]).read_bytes()
    path = d / "half.pdf"
    path.write_bytes(data[: len(data) // 2])
    return path


def _no_pages_pdf(d: Path) -> Path:
    path = d / "nopages.pdf"
    pypdf.PdfWriter().write(path)
    return path


def _truncated_docx(d: Path) -> Path:
    data = make_docx(d / "whole.docx", ["技术交底记录"]).read_bytes()
    path = d / "技术交底记录.docx"
    path.write_bytes(data[: len(data) // 2])
    return path


def _random_named_pdf(d: Path) -> Path:
    path = d / "download.pdf"
    path.write_bytes(_random_bytes(2000))
    return path


def _truncated_png(d: Path) -> Path:
    buffer = d / "whole.png"
    Image.effect_noise((300, 300), 60).save(buffer)
    data = buffer.read_bytes()
    path = d / "IMG_0001.png"
    path.write_bytes(data[: len(data) // 2])
    return path


def _old_doc(d: Path) -> Path:
    path = d / "施工组织设计.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000))
    return path


def _xlsx(d: Path) -> Path:
    path = d / "材料台账.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return path


def _unknown(d: Path) -> Path:
    path = d / "drawing.dwg"
    path.write_bytes(b"AC1032" + _random_bytes(500))
    return path


def _gif(d: Path) -> Path:
    path = d / "stamp.gif"
    Image.new("L", (20, 20), 255).save(path)
    return path


BAD_INPUTS = [
    (_zero_byte, EmptyFileError, "empty"),
    (_no_pages_pdf, EmptyFileError, "no pages"),
    (_garbage_pdf, CorruptFileError, "re-scan"),
    (_truncated_pdf, CorruptFileError, "re-scan"),
    (_truncated_docx, CorruptFileError, "Word"),
    (_random_named_pdf, CorruptFileError, "re-scan"),
    (_truncated_png, CorruptFileError, "re-scan"),
    (_old_doc, CorruptFileError, "LibreOffice could not convert it (damaged or password-protected)"),
    (_xlsx, CorruptFileError, "is not a readable Excel (.xlsx) file"),
    (_unknown, UnsupportedFileError, "PDF, PNG, JPEG, TIFF, DOCX, XLSX, PPTX, OFD, EML, MSG, TXT and old Office/WPS"),
    (_gif, UnsupportedFileError, "PNG or JPEG"),
]


@pytest.mark.parametrize(
    ("make", "error_class", "advice"), BAD_INPUTS, ids=[m.__name__.strip("_") for m, _, _ in BAD_INPUTS]
)
def test_bad_input_raises_typed_error_naming_file_and_remedy(tmp_path, make, error_class, advice):
    path = make(tmp_path)
    with pytest.raises(error_class) as error:
        extract(path)
    assert_names_file(error, path)
    assert advice in str(error.value)
    assert isinstance(error.value, InputFileError)


def test_missing_file_is_not_found(tmp_path):
    with pytest.raises(NotFoundError) as error:
        extract(tmp_path / "gone.pdf")
    assert_names_file(error, tmp_path / "gone.pdf")


# --------------------------------------------------------------------------- sniffing


def test_sniff_type_goes_by_content_not_name(tmp_path):
    pdf = make_text_pdf(tmp_path / "a.pdf", ["x"]).rename(tmp_path / "a.jpg")
    docx = make_docx(tmp_path / "b.docx", ["x"]).rename(tmp_path / "b.doc")
    tiff = tmp_path / "c.png"
    Image.new("L", (10, 10)).save(tiff, "TIFF")
    text = tmp_path / "d"
    text.write_text("施工日志", encoding="gb18030")
    # Starts like a BMP's "BM" magic but is a note about a car.
    note = tmp_path / "e.txt"
    note.write_text("BMW X5 保养记录", encoding="utf-8")
    assert [sniff_type(p) for p in (pdf, docx, tiff, text, note)] == [
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "image/tiff",
        "text/plain",
        "text/plain",
    ]


def test_supported_extensions():
    assert supported_extensions() == frozenset(
        {".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".docx", ".txt", ".xlsx", ".pptx", ".ofd", ".eml", ".msg"}
        | {".doc", ".xls", ".ppt", ".wps", ".et", ".dps", ".rtf"}
    )
