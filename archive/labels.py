"""Printable PDF labels with a QR code: boxes, volume covers and the 案卷脊背 (spine).

Each label is one page of its own size, so a label printer prints it as it is and an office
printer prints it centred: a box label 100×150 mm (the place, the volumes in the box and the
box's code), a cover label 90×60 mm (档号, title, dates, 保管期限, 密级 and the volume's code)
and a spine 297 mm high, as wide as the volume is thick (20, 30 or 40 mm by its pages), laid
out after GB/T 50328's appendix: 档号 at the top, the title down the middle written one
character under another, the code at the foot.  The codes are :mod:`dangan.archive.labelcodes`
text, drawn by reportlab's own QR widget (level M: a scuffed label still reads).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from dangan.archive.catalog import Catalog
from dangan.archive.holdings import resolve, volume_by_id
from dangan.archive.labelcodes import box_code_text, volume_code_text
from dangan.archive.schema import holdings
from dangan.archive.volumes.model import Volume, code_settings, volume_code
from dangan.archive.volumes.pdf.fonts import register_font
from dangan.indexer.errors import UsageError
from dangan.indexer.fsutil import atomic_path

KINDS = ("box", "cover", "spine")
BOX_SIZE = (100 * mm, 150 * mm)
COVER_SIZE = (90 * mm, 60 * mm)
SPINE_HEIGHT = 297 * mm


@dataclass
class LabelVolume:
    """A volume as its labels print it."""

    volume: Volume
    archive_code: str
    place: str  # 库房/柜架/层/盒号, "" when not placed

    @property
    def code(self) -> str:
        """The QR text of its cover and spine labels."""
        return volume_code_text(self.volume.id, self.archive_code)


def draw_qr(c: canvas.Canvas, text: str, x: float, y: float, size: float) -> None:
    """A QR code of ``text``, ``size`` points square, its lower left corner at (x, y)."""
    widget = QrCodeWidget(text, barLevel="M", barBorder=2)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, c, x, y)


def label_volumes(cat: Catalog, names: list[str]) -> list[LabelVolume]:
    """The named volumes (PROJECT:案卷号) with 档号 and place; UsageError for a document or a bad name."""
    if not names:
        raise UsageError("name at least one volume, e.g. BJ-2024-017:1", fix="`dangan volume list CODE` lists them")
    settings = code_settings(cat)
    out = []
    with cat.engine.connect() as conn:
        for name in names:
            t = resolve(cat, name)
            if t.volume is None:
                raise UsageError("{name} is a document; labels are printed for volumes (PROJECT:案卷号)", name=name)
            row = conn.execute(holdings.select().where(holdings.c.volume_id == t.volume.id)).mappings().first()
            place = "/".join((row["store"], row["shelf"], row["layer"], row["box"])) if row else ""
            out.append(LabelVolume(t.volume, volume_code(t.volume, settings), place))
    return out


def _fit(c: canvas.Canvas, font: str, text: str, width: float, size: float) -> float:
    """The largest font size up to ``size`` at which ``text`` fits ``width``."""
    while size > 5 and c.stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def _line(c: canvas.Canvas, font: str, text: str, x: float, y: float, width: float, size: float) -> None:
    c.setFont(font, _fit(c, font, text, width, size))
    c.drawString(x, y, text)


def draw_box(c: canvas.Canvas, font: str, place: str, volumes: list[LabelVolume]) -> None:
    """One box label: the place in large type, the QR, then every volume the box holds."""
    w, h = BOX_SIZE
    c.setPageSize(BOX_SIZE)
    c.rect(4 * mm, 4 * mm, w - 8 * mm, h - 8 * mm)
    _line(c, font, "档案盒", 8 * mm, h - 14 * mm, w - 16 * mm, 14)
    _line(c, font, place, 8 * mm, h - 26 * mm, w - 16 * mm, 20)
    draw_qr(c, box_code_text(place), (w - 50 * mm) / 2, h - 80 * mm, 50 * mm)
    y = h - 88 * mm
    for lv in volumes:
        if y < 10 * mm:
            _line(c, font, f"…另有 {len(volumes) - volumes.index(lv)} 卷", 8 * mm, y, w - 16 * mm, 9)
            break
        _line(c, font, f"{lv.archive_code}  {lv.volume.title}", 8 * mm, y, w - 16 * mm, 9)
        y -= 5 * mm
    c.showPage()


def draw_cover(c: canvas.Canvas, font: str, lv: LabelVolume) -> None:
    """One cover label: 档号, 案卷题名, 起止日期, 保管期限 and 密级 beside the volume's QR."""
    w, h = COVER_SIZE
    c.setPageSize(COVER_SIZE)
    c.rect(3 * mm, 3 * mm, w - 6 * mm, h - 6 * mm)
    draw_qr(c, lv.code, w - 38 * mm, h - 38 * mm, 34 * mm)
    first, last = lv.volume.dates()
    dates = f"{first or ''}—{last or ''}" if first else "—"
    lines = [("档号", lv.archive_code), ("题名", lv.volume.title), ("起止", dates),
             ("期限", lv.volume.retention or "—"), ("密级", lv.volume.secrecy or "—")]  # fmt: skip
    y = h - 11 * mm
    for label, value in lines:
        _line(c, font, f"{label}：{value}", 6 * mm, y, w - 46 * mm, 9)
        y -= 8 * mm
    _line(c, font, f"存放：{lv.place or '未定'}", 6 * mm, 7 * mm, w - 12 * mm, 8)
    c.showPage()


def spine_width(pages: int) -> float:
    """How wide a spine is: 20 mm up to 100 pages, 30 mm up to 200, else 40 mm (the usual boxes)."""
    return (20 if pages <= 100 else 30 if pages <= 200 else 40) * mm


def draw_spine(c: canvas.Canvas, font: str, lv: LabelVolume) -> None:
    """One 案卷脊背: 档号 at the top, the title one character a line, the QR at the foot."""
    w, h = spine_width(lv.volume.pages), SPINE_HEIGHT
    c.setPageSize((w, h))
    c.rect(1.5 * mm, 1.5 * mm, w - 3 * mm, h - 3 * mm)
    c.setFont(font, 7)
    c.drawCentredString(w / 2, h - 8 * mm, "档号")
    for i, part in enumerate(lv.archive_code.split("-")):
        c.setFont(font, _fit(c, font, part, w - 4 * mm, 9))
        c.drawCentredString(w / 2, h - (14 + 5 * i) * mm, part)
    qr = w - 4 * mm
    top, foot = h - 40 * mm, qr + 10 * mm
    size = min(14.0, (w - 6 * mm), (top - foot) / max(len(lv.volume.title), 1))
    c.setFont(font, size)
    for i, ch in enumerate(lv.volume.title):
        c.drawCentredString(w / 2, top - i * size * 1.05, ch)
    c.setFont(font, 7)
    c.drawCentredString(w / 2, qr + 5 * mm, lv.volume.retention or "")
    draw_qr(c, lv.code, 2 * mm, 3 * mm, qr)
    c.showPage()


def box_contents(cat: Catalog, place: str) -> list[LabelVolume]:
    """Every volume placed in the box at ``place`` (库房/柜架/层/盒号), by project and 案卷号."""
    store, shelf, layer, box = place.split("/")
    query = holdings.select().where(holdings.c.store == store, holdings.c.shelf == shelf, holdings.c.layer == layer,
                                    holdings.c.box == box, holdings.c.volume_id.is_not(None))  # fmt: skip
    with cat.engine.connect() as conn:
        ids = [r["volume_id"] for r in conn.execute(query).mappings()]
    settings = code_settings(cat)
    vols = sorted((volume_by_id(cat, i) for i in ids), key=lambda v: (v.project, v.sequence))
    return [LabelVolume(v, volume_code(v, settings), place) for v in vols]


def write_labels(cat: Catalog, names: list[str], kind: str, out: Path) -> int:
    """Write the labels of ``kind`` for the named volumes to ``out`` (PDF); returns the label count."""
    if kind not in KINDS:
        raise UsageError("unknown label kind '{kind}'; use box, cover or spine", kind=kind)
    if Path(out).suffix.lower() != ".pdf":
        raise UsageError("-o {out} must name a .pdf file, e.g. 标签.pdf", out=str(out))
    vols = label_volumes(cat, names)
    font = register_font(cat.home.config.get("volume", {}).get("font"))
    boxes: dict[str, list[LabelVolume]] = {}
    for lv in vols:
        if kind == "box" and not lv.place:
            raise UsageError("{name} has no place yet, so it has no box label", name=f"{lv.volume.project}:"
                             f"{lv.volume.sequence}", fix="place it first with `dangan location set`")  # fmt: skip
        boxes.setdefault(lv.place, []).append(lv)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(out) as tmp:
        c = canvas.Canvas(str(tmp), invariant=True)
        c.setTitle("档案标签")
        if kind == "box":
            for place in boxes:
                draw_box(c, font, place, box_contents(cat, place))
        for lv in vols if kind != "box" else []:
            (draw_cover if kind == "cover" else draw_spine)(c, font, lv)
        c.save()
    return len(boxes) if kind == "box" else len(vols)
