"""The cover-sheet step of intake: a scanned PDF with QR cover sheets is split at them.

Runs before the pipeline's own steps (:func:`take`).  Every page of a PDF is rendered small
(pypdfium2) and searched for a QR code (zxing-cpp); a page carrying one of dangan's codes
(:mod:`dangan.archive.labelcodes`) is a cover sheet.  The pages behind a sheet, up to the next
sheet, are one part, filed exactly where the sheet says (a checklist item, or beside a
document) — no classifier, no guessing.  Pages in front of the first sheet are filed as an
ordinary input.  A sheet whose code is damaged, of an unknown kind, or names a project, item
or document the catalog does not have sends its part to review with that reason.

A PDF without a sheet, or one that cannot be opened here, goes on through the ordinary
pipeline unchanged (which reports a damaged file as it always does), so this step never
blocks a file.  The batch itself goes once every part is filed; if a part failed, the batch
moves to ``inbox/.failed/`` with the reasons beside it, as any failed input does.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from dangan.archive.intake import names, preflight
from dangan.archive.intake.inbox import FAILED_DIR, move_aside
from dangan.archive.intake.record import Record
from dangan.archive.labelcodes import LabelCode, is_ours, parse
from dangan.indexer.errors import DanganError, NotFoundError
from dangan.indexer.messages import Message


class Ingester(Protocol):
    """What this step uses of ``dangan.archive.intake.ingest.Ingester`` (which calls it: no import back)."""

    cat: Any
    limits: Any

    def run(self, rec: Record, *, raise_errors: bool = False) -> Record: ...

    def _project(self, code: str) -> Any: ...


SCALE = 72 / 72  # 72 dpi: the sheet's 90 mm code is 255 px (8 px a module), plenty for zxing; a page renders in ms


@dataclass
class Part:
    """The pages behind one cover sheet (or in front of the first one: ``sheet`` None)."""

    first: int  # 0-based page index
    last: int
    sheet: str | None = None  # the code text read from the sheet
    sheet_page: int = 0


def find_sheets(path: Path, max_pages: int) -> list[tuple[int, str]] | None:
    """(page index, code) of every page carrying a dangan code; None for a PDF that cannot be searched."""
    import pypdfium2 as pdfium
    import zxingcpp

    try:
        pdf = pdfium.PdfDocument(str(path))
    except (pdfium.PdfiumError, OSError):
        return None  # the ordinary pipeline reports what is wrong with it
    try:
        if len(pdf) > max_pages:
            return None  # over the limit: the ordinary preflight refuses it with the limit named
        found, QR = [], zxingcpp.barcode_formats_from_str("QRCode")
        for i in range(len(pdf)):
            image = pdf[i].render(scale=SCALE, grayscale=True).to_pil()
            codes = [b.text for b in zxingcpp.read_barcodes(image, formats=QR)]
            ours = [c for c in codes if is_ours(c)]
            if ours:
                found.append((i, ours[0]))
        return found
    except pdfium.PdfiumError:
        return None
    finally:
        pdf.close()


def plan(sheets: list[tuple[int, str]], pages: int) -> list[Part]:
    """The parts of a batch of ``pages`` pages with sheets at the given pages (empty parts dropped)."""
    parts = []
    if sheets and sheets[0][0] > 0:
        parts.append(Part(0, sheets[0][0] - 1))
    for n, (page, code) in enumerate(sheets):
        end = sheets[n + 1][0] - 1 if n + 1 < len(sheets) else pages - 1
        parts.append(Part(page + 1, end, code, page))
    return parts


def place(ing: "Ingester", code: str, rec: Record) -> str:
    """Set where a sheet's part goes (``rec``'s project and item); the reason when it cannot be used."""
    try:
        label = parse(code)
        return _place(ing, label, rec)
    except DanganError as e:
        return str(Message("a cover sheet could not be used: {reason}; file the pages by hand", {"reason": e.message}))


def _place(ing: "Ingester", label: LabelCode, rec: Record) -> str:
    if label.kind == "item":
        project, item = label.values
        ing._project(project).item(item)  # NotFoundError for a project or item that is gone
        rec.project_hint, rec.forced_item = project, item
        return ""
    if label.kind == "document":
        doc = ing.cat.document(label.document_id)
        if not doc["project_code"] or not doc["item_code"]:
            raise NotFoundError("document {doc_id} has no checklist item yet", doc_id=label.document_id)
        rec.project_hint, rec.forced_item = doc["project_code"], doc["item_code"]
        rec.title = f"{doc['title'] or doc['original_name']}（纸质件）"
        rec.remarks = f"纸质件扫描，对应文件 #{label.document_id}"
        return ""
    return str(Message("page has a {kind} label, not a cover sheet", {"kind": label.kind}))


def take(ing: "Ingester", rec: Record) -> list[Record]:
    """The cover-sheet step, then the pipeline: a batch with sheets becomes its parts, else runs as one."""
    if rec.path.suffix.lower() != ".pdf" or not rec.path.is_file() or rec.path.is_symlink():
        return [ing.run(rec)]
    sheets = find_sheets(rec.path, ing.limits.max_pages)
    if not sheets:
        return [ing.run(rec)]
    return _split(ing, rec, sheets)


def _split(ing: "Ingester", rec: Record, sheets: list[tuple[int, str]]) -> list[Record]:
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError

    identity = preflight._identity(rec.path.stat()) if rec.consume else None
    try:
        reader = PdfReader(str(rec.path))
        len(reader.pages)
    except (PyPdfError, ValueError, KeyError, OSError):
        return [ing.run(rec)]  # pdfium read it, pypdf cannot split it: filed whole, as before
    stem = Path(rec.name).stem
    done = []
    with tempfile.TemporaryDirectory(prefix="dangan-batch-") as tmp:
        for n, part in enumerate(plan(sheets, len(reader.pages)), 1):
            if part.last < part.first:
                continue  # a sheet with nothing behind it (two sheets in a row, or one at the end)
            writer = PdfWriter()
            for i in range(part.first, part.last + 1):
                writer.add_page(reader.pages[i])
            path = Path(tmp) / f"{stem}-{n:02d}.pdf"
            with path.open("wb") as fh:
                writer.write(fh)
            prec = Record(path=path, project_hint=rec.project_hint, source=rec.source, inbox=rec.inbox)
            if part.sheet is not None:
                prec.project_hint = None
                prec.hold_reason = place(ing, part.sheet, prec)
            ing.run(prec)
            prec.message = f"{names.clean(str(rec.path))} p.{part.first + 1}-{part.last + 1}: {prec.message}"
            done.append(prec)
    _finish_batch(ing, rec, done, identity)
    return done


def _finish_batch(ing: "Ingester", rec: Record, parts: list[Record], identity) -> None:
    """The batch goes once its parts are filed; a failed part moves it to .failed/ with the reasons."""
    failed = [p.message for p in parts if p.outcome == "failed"]
    with ing.cat.engine.begin() as conn:
        ing.cat.log(conn, "split-at-cover-sheets", input=names.clean(str(rec.path)),
                    documents=[p.doc_id or p.duplicate_of for p in parts], failed=failed or None)  # fmt: skip
    if not rec.consume or (identity is not None and preflight.changed_since(rec.path, identity)):
        return
    if failed:
        target = move_aside(rec.path, (rec.inbox or ing.cat.home.inbox_dir) / FAILED_DIR)
        target.with_name(target.name + ".error.txt").write_text("\n".join(failed) + "\n", encoding="utf-8")
    else:
        rec.path.unlink()
