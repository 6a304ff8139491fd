"""OFD pages drawn as PDF pages: for volume PDFs and page thumbnails.

A simple renderer, not a full OFD one.  It draws, per page, in the page's own size (its
``PhysicalBox``, else the document's), the text of every ``TextObject`` — at its box's
position plus the ``TextCode``'s X/Y, in the object's ``Size`` (mm), in the given CJK font —
and every ``ImageObject`` whose resource is a PNG/JPEG/BMP/TIFF in the package, scaled into
its ``Boundary``; template pages (where an e-invoice's printed labels are) are drawn first.
Its limits, said plainly: no vector paths (an invoice's frame lines and the red seal's
outline), no transforms (``CTM``), no per-glyph spacing (``DeltaX``): characters take the
font's own widths, and a font other than the one given is not used.  The text is where the
reader finds it and legible, which is what a volume's page and a thumbnail need.

The package is read as hostile like the reader reads it (``zipxml``): the ZIP directory is
checked against the limits before anything is inflated, a DOCTYPE is refused, an image over
the pixel limit is refused, and the page count limit applies.
"""

from __future__ import annotations

import io
import posixpath
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from dangan.indexer import limits
from dangan.indexer.extract.common import corrupt
from dangan.indexer.extract.ofd import _ADVICE, _numbers, _part
from dangan.indexer.extract.zipxml import ZIP_ERRORS, local, open_checked, read_xml

_PT = 72 / 25.4  # points per millimetre
_A4 = (210.0, 297.0)


def ofd_pdf(path: Path, font: str) -> bytes:
    """Every page of the OFD at ``path`` as a PDF page; ``font`` a reportlab font name (CJK)."""
    from PIL import UnidentifiedImageError
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    try:
        with open_checked(path) as archive:
            doc = _Document(path, archive)
            pdf = canvas.Canvas(out)
            for page in doc.pages:
                _draw_page(pdf, doc, page, font)
                limits.check_time(path)
            pdf.save()
    except (*ZIP_ERRORS, UnidentifiedImageError) as e:
        raise corrupt(path, "OFD", _ADVICE) from e
    return out.getvalue()


def ofd_thumbnail(path: Path, font: str, width: int = 240) -> bytes:
    """The first page of the OFD at ``path`` as a PNG ``width`` pixels wide (via pypdfium2)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(ofd_pdf(path, font))
    try:
        page = document[0]
        image = page.render(scale=width / page.get_width()).to_pil()
        buffer = io.BytesIO()
        image.save(buffer, "PNG")
        return buffer.getvalue()
    finally:
        document.close()


class _Document:
    """The parts of the first document of an OFD package that drawing needs."""

    def __init__(self, path: Path, archive: zipfile.ZipFile):
        self.path, self.archive = path, archive
        root = read_xml(archive, "OFD.xml")
        doc_root = next((el.text or "" for el in root.iter() if local(el.tag) == "DocRoot"), "")
        name = _part(doc_root, "")
        self.folder = posixpath.dirname(name)
        document = read_xml(archive, name)
        self.size = _box_size(document) or _A4
        self.templates = {
            el.get("ID", ""): _part(el.get("BaseLoc", ""), self.folder)
            for el in document.iter()
            if local(el.tag) == "TemplatePage"
        }
        self.pages = [_part(el.get("BaseLoc", ""), self.folder) for el in document.iter() if local(el.tag) == "Page"]
        limits.check_pages(path, len(self.pages))
        self.media = self._media(document)

    def _media(self, document: ET.Element) -> dict[str, str]:
        """Image resource ID → part name, from the document's PublicRes and DocumentRes files."""
        found: dict[str, str] = {}
        for el in document.iter():
            if local(el.tag) not in ("PublicRes", "DocumentRes") or not (el.text or "").strip():
                continue
            res_name = _part(el.text or "", self.folder)
            res = read_xml(self.archive, res_name)
            base = posixpath.join(posixpath.dirname(res_name), res.get("BaseLoc", ""))
            for media in res.iter():
                if local(media.tag) == "MultiMedia":
                    file = next((m.text or "" for m in media if local(m.tag) == "MediaFile"), "")
                    if file.strip():
                        found[media.get("ID", "")] = _part(file, base)
        return found


def _box_size(element: ET.Element) -> tuple[float, float] | None:
    box = next((_numbers(el.text or "") for el in element.iter() if local(el.tag) == "PhysicalBox"), [])
    return (box[2], box[3]) if len(box) == 4 and box[2] > 0 and box[3] > 0 else None


def _draw_page(pdf, doc: _Document, part: str, font: str) -> None:
    content = read_xml(doc.archive, part)
    width, height = _box_size(content) or doc.size
    pdf.setPageSize((width * _PT, height * _PT))
    used = [t.get("TemplateID", "") for t in content.iter() if local(t.tag) == "Template"]
    layers = [read_xml(doc.archive, doc.templates[t]) for t in used if t in doc.templates] + [content]
    for layer in layers:
        for obj in layer.iter():
            kind = local(obj.tag)
            if kind == "ImageObject":
                _image(pdf, doc, obj, height)
            elif kind == "TextObject":
                _text(pdf, obj, height, font)
    pdf.showPage()


def _text(pdf, obj: ET.Element, page_height: float, font: str) -> None:
    box = _numbers(obj.get("Boundary", ""))
    bx, by = (box[0], box[1]) if len(box) >= 2 else (0.0, 0.0)
    size = (_numbers(obj.get("Size", "")) or [3.5])[0]
    pdf.setFont(font, max(1.0, min(size, 200.0)) * _PT)
    for code in obj:
        text = code.text or ""
        if local(code.tag) != "TextCode" or not text.strip():
            continue
        x = (_numbers(code.get("X", "0")) or [0.0])[0]
        y = (_numbers(code.get("Y", "0")) or [0.0])[0]
        pdf.drawString((bx + x) * _PT, (page_height - by - y) * _PT, text)


def _image(pdf, doc: _Document, obj: ET.Element, page_height: float) -> None:
    from PIL import Image
    from reportlab.lib.utils import ImageReader

    box = _numbers(obj.get("Boundary", ""))
    part = doc.media.get(obj.get("ResourceID", ""))
    if len(box) != 4 or part is None:
        return  # an image the package does not hold is left out, like a missing picture
    data = doc.archive.read(part)
    with Image.open(io.BytesIO(data)) as image:
        limits.check_pixels(doc.path, *image.size)
        image.load()
        x, y, w, h = box
        pdf.drawImage(ImageReader(image), x * _PT, (page_height - y - h) * _PT, w * _PT, h * _PT, mask="auto")
