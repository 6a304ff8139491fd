"""Word (.docx): headers, body paragraphs and tables in document order, footers."""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path

import docx
from docx.opc.exceptions import OpcError
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml.etree import LxmlError

from dangan.indexer import limits
from dangan.indexer.extract.common import Extraction, corrupt

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DOCX_ERRORS = (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError, zlib.error)


def read_docx(path: Path, mime: str, ocr: bool) -> Extraction:
    """The text of a Word file; pages are Word's stored count, or page breaks + 1 if more."""
    try:
        with zipfile.ZipFile(path) as archive:
            limits.check_unzipped(path, archive)
        document = docx.Document(str(path))
        lines = _docx_lines(document)
        breaks = sum(1 for br in document.element.body.iter(f"{_W}br") if br.get(f"{_W}type") == "page")
    except (OpcError, LxmlError, *_DOCX_ERRORS) as e:
        raise corrupt(path, "Word (.docx)", "re-save it in Word") from e
    text = "\n".join(line for line in lines if line.strip())
    pages = max(_docx_app_pages(path), 1 + breaks)
    empty = [] if text else list(range(1, pages + 1))
    notes = [] if text else ["document has no text"]
    return Extraction(text=text, pages=pages, mime_type=mime, method="docx", empty_pages=empty, notes=notes)


def _docx_lines(document) -> list[str]:
    """Headers, then body paragraphs and table rows in document order, then footers."""
    headers, footers = [], []
    for section in document.sections:
        for part in (section.first_page_header, section.header, section.even_page_header):
            headers += [] if part.is_linked_to_previous else _block_lines(part._element, part)
        for part in (section.first_page_footer, section.footer, section.even_page_footer):
            footers += [] if part.is_linked_to_previous else _block_lines(part._element, part)
    body = _block_lines(document.element.body, document)
    return _unique(headers) + body + _unique(footers)


def _block_lines(element, parent) -> list[str]:
    """Lines of paragraphs and tables under ``element``, in order; content controls opened."""
    lines: list[str] = []
    for child in element.iterchildren():
        if child.tag == f"{_W}p":
            lines.append(Paragraph(child, parent).text)
        elif child.tag == f"{_W}tbl":
            lines += _table_lines(Table(child, parent))
        elif child.tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            lines += _block_lines(content, parent) if content is not None else []
    return lines


def _table_lines(table) -> list[str]:
    """One line per row, cells separated by tabs; a merged cell is written once."""
    lines = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            # Holding the lxml elements (not their ids) keeps one proxy per node alive.
            if cell._tc in seen:
                continue
            seen.add(cell._tc)
            cells.append(" ".join(line for line in _block_lines(cell._tc, cell) if line.strip()))
        lines.append("\t".join(cells))
    return lines


def _unique(lines: list[str]) -> list[str]:
    return list(dict.fromkeys(line for line in lines if line.strip()))


def _docx_app_pages(path: Path) -> int:
    """Page count Word stored in docProps/app.xml, or 0 when absent."""
    with zipfile.ZipFile(path) as archive:
        try:
            xml = archive.read("docProps/app.xml").decode("utf-8", errors="replace")
        except KeyError:
            return 0
    match = re.search(r"<(?:\w+:)?Pages>\s*(\d+)\s*</", xml)
    return int(match.group(1)) if match else 0
