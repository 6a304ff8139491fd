"""QR cover sheets (扫描封面): one A4 page put in front of paper before it is scanned.

A sheet names a checklist item of a project, or one document of the catalog; the ingester
reads its code (``dangan.archive.intake.coversheet``) and files the pages behind it exactly
there, without guessing.  The sheet also says in words what it is for, so the person at the
scanner puts it in front of the right paper.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from dangan.archive.catalog import Catalog
from dangan.archive.holdings import resolve
from dangan.archive.labelcodes import encode
from dangan.archive.labels import draw_qr
from dangan.archive.projects import get_project
from dangan.archive.volumes.pdf.fonts import register_font
from dangan.indexer.errors import UsageError
from dangan.indexer.fsutil import atomic_path


@dataclass(frozen=True)
class Sheet:
    """What one cover sheet says: its code and the lines printed above it."""

    code: str
    heading: str
    lines: tuple[str, ...]


def item_sheet(cat: Catalog, project: str, item: str) -> Sheet:
    """The sheet of a checklist item; NotFoundError for an unknown project or item."""
    p = get_project(cat, project)
    it = p.item(item)  # UnknownItemError names the project and what it has
    person = p.person_for(it.role) or "—"
    return Sheet(encode("item", p.code, it.code), "扫描封面 · 按清单项归档",
                 (f"项目：{p.code} {p.name}", f"清单项：{it.code} {it.title}", f"责任人：{it.role} {person}"))  # fmt: skip


def document_sheet(cat: Catalog, name: str) -> Sheet:
    """The sheet of one document (``#12``): its paper is filed beside it."""
    t = resolve(cat, name)
    if t.document_id is None:
        raise UsageError("{name} is a volume; a cover sheet is for a checklist item or a document (#12)", name=name)
    doc = cat.document(t.document_id)
    return Sheet(encode("document", t.document_id), "扫描封面 · 对应已登记文件",
                 (f"文件：#{t.document_id} {t.title}", f"项目：{t.project or '—'}",
                  f"清单项：{doc['item_code'] or '未归类'}"))  # fmt: skip


def write_sheet(cat: Catalog, sheet: Sheet, out: Path, *, copies: int = 1) -> Path:
    """The sheet as an A4 PDF (``copies`` identical pages, one per batch to be scanned)."""
    if Path(out).suffix.lower() != ".pdf":
        raise UsageError("-o {out} must name a .pdf file, e.g. 封面.pdf", out=str(out))
    if not 1 <= copies <= 500:
        raise UsageError("--copies {copies} must be between 1 and 500", copies=copies)
    font = register_font(cat.home.config.get("volume", {}).get("font"))
    w, h = A4
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(out) as tmp:
        c = canvas.Canvas(str(tmp), pagesize=A4, invariant=True)
        c.setTitle("扫描封面")
        for _ in range(copies):
            c.setFont(font, 22)
            c.drawCentredString(w / 2, h - 35 * mm, sheet.heading)
            c.setFont(font, 11)
            c.drawCentredString(
                w / 2, h - 45 * mm, "请把本页放在纸质文件的最前面一起扫描；本页之后直到下一张封面的各页归入此处。"
            )
            draw_qr(c, sheet.code, (w - 90 * mm) / 2, h - 150 * mm, 90 * mm)
            y = h - 170 * mm
            for line in sheet.lines:
                c.setFont(font, 14)
                c.drawString(30 * mm, y, line[:60])
                y -= 10 * mm
            c.setFont(font, 8)
            c.drawString(30 * mm, 20 * mm, f"{sheet.code}    打印于 {date.today().isoformat()}")
            c.showPage()
        c.save()
    return out
