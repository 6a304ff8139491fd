"""OFD pages drawn as PDF pages for volume PDFs and thumbnails (issue 31 item 4).

The OFD files are written by the test (``tests.formatgen.make_ofd``), with a template page
and an embedded image; hostile ones are refused with their own message.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image
from pypdf import PdfReader

from dangan.archive.volumes.pdf.convert import document_pdf
from dangan.archive.volumes.pdf.fonts import register_font
from dangan.indexer import limits
from dangan.indexer.errors import CorruptFileError, LimitError, UnsupportedFileError
from dangan.indexer.extract.common import OFD
from dangan.indexer.extract.ofd_render import ofd_pdf, ofd_thumbnail
from tests.formatgen import make_ofd
from tests.test_formats import INVOICE_PAGE, INVOICE_TEMPLATE


def _png(width: int = 40, height: int = 40) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def test_an_invoice_becomes_a_volume_page_of_its_size_with_template_text_and_image(tmp_path):
    path = make_ofd(tmp_path / "发票.ofd", [INVOICE_PAGE], template=INVOICE_TEMPLATE, image=(150, 100, 30, 30, _png()))
    reader = PdfReader(io.BytesIO(document_pdf(path, OFD, register_font(), "document 3 发票")))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 397)  # 210 × 140 mm
    text = page.extract_text()
    assert "发票号码：26442000000318207715" in text and "苏州恒通暖通设备有限公司" in text
    images = [name for name, obj in page["/Resources"]["/XObject"].items() if obj.get_object()["/Subtype"] == "/Image"]
    assert len(images) == 1


def test_each_ofd_page_is_a_pdf_page_in_order(tmp_path):
    path = make_ofd(tmp_path / "通知.ofd", [[(20, 20, "第一页 防汛检查")], [(20, 20, "第二页 检查表")]])
    pages = PdfReader(io.BytesIO(ofd_pdf(path, register_font()))).pages
    assert [p.extract_text().strip() for p in pages] == ["第一页 防汛检查", "第二页 检查表"]


def test_a_thumbnail_is_the_first_page_as_a_png(tmp_path):
    path = make_ofd(tmp_path / "发票.ofd", [INVOICE_PAGE], template=INVOICE_TEMPLATE)
    with Image.open(io.BytesIO(ofd_thumbnail(path, register_font(), width=240))) as image:
        assert (image.format, image.width, abs(image.height - 160) <= 1) == ("PNG", 240, True)  # 210 × 140 mm
        assert image.convert("L").getextrema()[0] < 100, "the page's text is drawn, not a blank page"


def _truncated(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _doctype_page(path):
    make_ofd(path, [[(20, 20, "正文")]])
    with zipfile.ZipFile(path) as src:
        parts = {n: src.read(n) for n in src.namelist()}
    parts["Doc_0/Pages/Page_0/Content.xml"] = b'<!DOCTYPE x [<!ENTITY a "aaaa">]><ofd:Page xmlns:ofd="x">&a;</ofd:Page>'
    with zipfile.ZipFile(path, "w") as dst:
        for name, data in parts.items():
            dst.writestr(name, data)
    return path


def _broken_image(path):
    return make_ofd(path, [[(20, 20, "带图")]], image=(10, 10, 20, 20, b"\x89PNG\r\n\x1a\n not an image"))


@pytest.mark.parametrize("make", [_truncated, _doctype_page, _broken_image], ids=["truncated", "doctype", "bad-image"])
def test_a_damaged_ofd_is_refused_naming_it(tmp_path, make):
    path = tmp_path / "坏.ofd"
    if make is _truncated:
        make_ofd(path, [INVOICE_PAGE])
    path = make(path)
    with pytest.raises(CorruptFileError) as e:
        ofd_pdf(path, register_font())
    assert str(e.value) == (
        f"{path} is not a readable OFD file (damaged or incomplete): export it again from the issuing platform "
        "(or print it to PDF) and drop it again"
    )


def test_an_image_over_the_pixel_limit_is_refused_before_it_is_decoded(tmp_path):
    path = make_ofd(tmp_path / "大图.ofd", [[(20, 20, "图")]], image=(0, 0, 100, 100, _png(1200, 1000)))
    with limits.applied(limits.Limits(max_image_megapixels=1)), pytest.raises(LimitError) as e:
        ofd_pdf(path, register_font())
    assert "an image of 1200×1000 pixels is over the limit of 1 megapixels" in str(e.value)


def test_a_type_no_volume_takes_still_says_which_do(tmp_path):
    path = tmp_path / "x.bin"
    path.write_bytes(b"x")
    with pytest.raises(UnsupportedFileError) as e:
        document_pdf(path, "application/x-unknown", "Helvetica", "document 9")
    assert str(e.value) == (
        "document 9 (application/x-unknown) cannot be put into a volume PDF; "
        "use PDF, images, Office/WPS files, OFD, e-mails or TXT"
    )
