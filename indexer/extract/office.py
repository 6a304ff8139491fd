"""Excel (.xlsx) and PowerPoint (.pptx): cells and slide text, one page per sheet or slide.

Spreadsheets are read with openpyxl (already a dependency) in read-only mode with
``data_only=True``: a formula gives the value Excel cached when it last saved the file and is
never evaluated here.  Dates are written as dates (``2026-03-05``, with the time only when
there is one).  Presentations are read from the ZIP's XML directly (``zipxml``): slide text,
then the speaker notes, with no new dependency.  Both refuse a zip bomb before unpacking.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from dangan.indexer import limits
from dangan.indexer.extract.common import PAGE_SEPARATOR, Extraction, assemble, corrupt
from dangan.indexer.extract.zipxml import ZIP_ERRORS, local, open_checked, read_xml

_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_NOTES_TYPE = "/notesSlide"


def read_xlsx(path: Path, mime: str, ocr: bool) -> Extraction:
    """Every sheet as a page: its name as the first line, then one line per row, cells by tabs."""
    import openpyxl  # ~100 ms; only when a workbook comes
    from lxml.etree import LxmlError
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with zipfile.ZipFile(path) as archive:
            limits.check_unzipped(path, archive)
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            titles = [sheet.title for sheet in book.worksheets]
            limits.check_pages(path, len(titles))
            pages = [_sheet_text(path, sheet) for sheet in book.worksheets]
        finally:
            book.close()
    except (InvalidFileException, LxmlError, TypeError, AttributeError, *ZIP_ERRORS) as e:
        # openpyxl parses with lxml and trusts the parts' structure: a damaged part raises
        # lxml's syntax error or, for a wrong-typed attribute, TypeError/AttributeError.
        raise corrupt(path, "Excel (.xlsx)", "re-save it in Excel or WPS") from e
    if not pages:
        raise corrupt(path, "Excel (.xlsx)", "re-save it in Excel or WPS")
    return _with_headings(assemble(pages, mime, "xlsx", [], []), titles)


def _sheet_text(path: Path, sheet) -> str:
    rows = []
    for row in sheet.iter_rows(values_only=True):
        cells = [_cell(value) for value in row]
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            rows.append("\t".join(cells))
        limits.check_time(path)
    return "\n".join(rows)


def _with_headings(result: Extraction, titles: list[str]) -> Extraction:
    """Sheet names as headings; a sheet without cells is still noted as empty."""
    pages = result.text.split(PAGE_SEPARATOR)
    result.text = PAGE_SEPARATOR.join(f"{title}\n{text}" if text else title for title, text in zip(titles, pages))
    return result


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_pptx(path: Path, mime: str, ocr: bool) -> Extraction:
    """Every slide as a page: its text paragraphs in order, then its speaker notes."""
    try:
        with open_checked(path) as archive:
            names = _slide_names(archive)
            limits.check_pages(path, len(names))
            pages = [_slide_text(archive, name) for name in names]
    except ZIP_ERRORS as e:
        raise corrupt(path, "PowerPoint (.pptx)", "re-save it in PowerPoint or WPS") from e
    if not pages:
        raise corrupt(path, "PowerPoint (.pptx)", "re-save it in PowerPoint or WPS")
    return assemble(pages, mime, "pptx", [], [])


def _slide_names(archive: zipfile.ZipFile) -> list[str]:
    """Slide parts in the presentation's order (its slide list and relationships)."""
    targets = _relationships(archive, "ppt/presentation.xml")
    order = [
        targets[el.get(_REL, "")][0]
        for el in read_xml(archive, "ppt/presentation.xml").iter()
        if local(el.tag) == "sldId" and el.get(_REL, "") in targets
    ]
    return [name for name in order if name in archive.namelist()]


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (target part name, type) of ``part``; empty when it has none."""
    folder, base = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", base + ".rels")
    if rels not in archive.namelist():
        return {}
    found = {}
    for el in read_xml(archive, rels).iter():
        if local(el.tag) == "Relationship" and el.get("TargetMode") != "External":
            target = posixpath.normpath(posixpath.join(folder, el.get("Target", "")))
            found[el.get("Id", "")] = (target, el.get("Type", ""))
    return found


def _slide_text(archive: zipfile.ZipFile, name: str) -> str:
    lines = _paragraphs(read_xml(archive, name))
    for target, kind in _relationships(archive, name).values():
        if kind.endswith(_NOTES_TYPE) and target in archive.namelist():
            lines += _paragraphs(read_xml(archive, target))
    return "\n".join(line for line in lines if line.strip())


def _paragraphs(root: ET.Element) -> list[str]:
    """Each drawing paragraph's runs joined; fields (slide numbers, dates) left out."""
    lines = []
    for para in root.iter():
        if local(para.tag) != "p":
            continue
        runs = [t.text or "" for r in para if local(r.tag) == "r" for t in r if local(t.tag) == "t"]
        lines.append("".join(runs))
    return lines
