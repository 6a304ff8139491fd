"""OFD e-documents (GB/T 33190): page text, page count and an e-invoice's fields.

An OFD file is a ZIP of XML: ``OFD.xml`` names the document's ``Document.xml``, which lists
the pages (``Pages/Page_N/Content.xml``) and their template pages; the text is in the
``TextCode`` elements of ``TextObject``s, positioned in millimetres.  The XML is read here
directly (``zipxml``) rather than through a library such as easyofd: that needs no new
dependency (easyofd pulls in PyMuPDF, OpenCV and others to render pages), the reading is
bounded (a zip bomb is refused from the ZIP directory before a byte is inflated, page
count and time limits apply) and a part declaring a DOCTYPE is refused, so a hostile file
cannot expand entities or reach the network.  Pages are drawn for volume PDFs and
thumbnails by ``dangan.indexer.extract.ofd_render`` (text and images; its limits are there).

An electronic invoice (电子发票) is recognised by its labels — 发票号码, 开票日期, 购买方,
销售方, 价税合计 — and those fields go into ``Extraction.metadata`` and a note.
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from dangan.indexer import limits
from dangan.indexer.extract.common import Extraction, assemble, corrupt
from dangan.indexer.extract.judge import MIN_TEXT_CHARS, judge_layer, meaningful_chars
from dangan.indexer.extract.zipxml import ZIP_ERRORS, local, open_checked, read_xml

_ADVICE = "export it again from the issuing platform (or print it to PDF)"
# Text pieces whose baselines are this close (mm) are one line.
_LINE_MM = 2.0


def read_ofd(path: Path, mime: str, ocr: bool) -> Extraction:
    """The text of every page of the first document in the package, in reading order."""
    try:
        with open_checked(path) as archive:
            pages = _page_texts(path, archive)
    except ZIP_ERRORS as e:
        raise corrupt(path, "OFD", _ADVICE) from e
    if not pages:
        raise corrupt(path, "OFD", _ADVICE)
    result = _judged(pages, mime)
    result.metadata = invoice_fields(result.text)
    if result.metadata:
        result.notes.append("e-invoice: " + ", ".join(f"{k} {v}" for k, v in result.metadata.items()))
    return result


def _judged(pages: list[str], mime: str) -> Extraction:
    """Pages judged like PDF text layers: garbled text is left out and the reason shown."""
    kept, whys = [], []
    for text in pages:
        verdict = judge_layer(text)
        garbled = len(meaningful_chars(text)) >= MIN_TEXT_CHARS and not verdict.usable
        kept.append("" if garbled else text)
        whys.append(verdict.reason if garbled else "")
    result = assemble(kept, mime, "ofd", [], [])
    for entry, why in zip(result.page_methods, whys):
        entry["why"] = why
    result.notes += [f"page {n}: {why}" for n, why in enumerate(whys, 1) if why]
    return result


def _page_texts(path: Path, archive: zipfile.ZipFile) -> list[str]:
    root = read_xml(archive, "OFD.xml")
    doc_root = next((el.text or "" for el in root.iter() if local(el.tag) == "DocRoot"), "")
    doc_name = _part(doc_root, "")
    document = read_xml(archive, doc_name)
    folder = posixpath.dirname(doc_name)
    templates = {
        el.get("ID", ""): _part(el.get("BaseLoc", ""), folder)
        for el in document.iter()
        if local(el.tag) == "TemplatePage"
    }
    pages = [el for el in document.iter() if local(el.tag) == "Page"]
    limits.check_pages(path, len(pages))
    texts = []
    for page in pages:
        content = read_xml(archive, _part(page.get("BaseLoc", ""), folder))
        # A page names its template pages (where an invoice's printed labels are) in its content.
        used = [t.get("TemplateID", "") for t in content.iter() if local(t.tag) == "Template"]
        layers = [content] + [read_xml(archive, templates[t]) for t in used if t in templates]
        texts.append(_lines([piece for layer in layers for piece in _pieces(layer)]))
        limits.check_time(path)
    return texts


def _part(location: str, folder: str) -> str:
    """A part name from an OFD location: absolute (``/Doc_0/…``) or relative to ``folder``."""
    location = location.strip()
    if not location:
        raise KeyError("empty location")
    joined = location.lstrip("/") if location.startswith("/") else posixpath.join(folder, location)
    name = posixpath.normpath(joined)
    if name.startswith(".."):
        raise KeyError(location)
    return name


def _pieces(content: ET.Element) -> list[tuple[float, float, str]]:
    """(y, x, text) of every TextCode, in page millimetres."""
    found = []
    for obj in content.iter():
        if local(obj.tag) != "TextObject":
            continue
        box = _numbers(obj.get("Boundary", ""))
        bx, by = (box[0], box[1]) if len(box) >= 2 else (0.0, 0.0)
        for code in obj:
            text = (code.text or "").strip()
            if local(code.tag) == "TextCode" and text:
                x = _numbers(code.get("X", "0"))
                y = _numbers(code.get("Y", "0"))
                found.append((by + (y[0] if y else 0.0), bx + (x[0] if x else 0.0), text))
    return found


def _numbers(value: str) -> list[float]:
    try:
        return [float(v) for v in value.split()]
    except ValueError:
        return []


def _lines(pieces: list[tuple[float, float, str]]) -> str:
    """Pieces grouped into lines by baseline (within _LINE_MM), each line left to right."""
    lines: list[list[tuple[float, float, str]]] = []
    for piece in sorted(pieces):
        if lines and piece[0] - lines[-1][0][0] <= _LINE_MM:
            lines[-1].append(piece)
        else:
            lines.append([piece])
    return "\n".join(" ".join(text for _y, _x, text in sorted(line, key=lambda p: p[1])) for line in lines)


_VALUE = r"\s*[:：]?\s*([^\s:：]+)"
_FIELDS = {
    "invoice_number": re.compile(r"发票号码" + _VALUE),
    "date": re.compile(r"开票日期\s*[:：]?\s*(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}-\d{1,2}-\d{1,2})"),
    "amount": re.compile(r"价税合计[^¥￥\n]*(?:\n[^¥￥\n]*)?[¥￥]\s*([\d,]+(?:\.\d{1,2})?)"),
}
# Per party: the label, and the one-character label of layouts that print 购/销 beside the
# block (only taken when 名称 follows at once, so 采购 … 名称 elsewhere is not a buyer).
_PARTIES = {"buyer": ("购买方", "购"), "seller": ("销售方", "销")}


def invoice_fields(text: str) -> dict[str, str]:
    """An e-invoice's number, date, buyer, seller and amount, as far as the labels are present."""
    if "发票" not in text:
        return {}
    fields = {}
    for key, pattern in _FIELDS.items():
        match = pattern.search(text)
        if match:
            fields[key] = re.sub(r"\s+", "", match.group(1))
    for key, (label, short) in _PARTIES.items():
        # Side by side (购买方 … 名称：甲 … 销售方 … 名称：乙), abbreviated (购 名称：甲) or on
        # its own (销售方名称：乙, 销售方：乙).
        patterns = (label + r"[^\n]*?名\s*称", r"(?<![采经促])" + short + r"\s+名\s*称", label + r"(?:信息)?")
        match = next((m for p in patterns if (m := re.search(p + _VALUE, text))), None)
        if match:
            fields[key] = match.group(1)
    return fields
