"""The paper forms of a volume drawn as PDF pages: 案卷封面, 卷内目录 and 卷内备考表.

Layouts follow the forms in GB/T 50328's appendices: the cover is a framed A4 page with
档号 and 档案馆代号 at the top right and the labelled fields below; the 卷内目录 is a ruled
table (序号, 文件编号, 责任者, 文件题名, 日期, 页次, 备注) running over as many pages as it
needs, its header repeated; the 备考表 gives the page totals, 说明 and the two signatures.
None of these pages is numbered.  reportlab writes them with ``invariant`` set, so the
same volume gives the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

WIDTH, HEIGHT = A4
CONTENTS_COLUMNS = (
    ("序号", 11),
    ("文件编号", 27),
    ("责任者", 21),
    ("文件题名", 59),
    ("日期", 22),
    ("页次", 17),
    ("备注", 13),
)


@dataclass
class CoverFields:
    """What a 案卷封面 shows."""

    code: str  # 档号
    archive_no: str  # 档案馆代号
    title: str  # 案卷题名
    compiler_org: str  # 编制单位
    date_from: str  # 编制日期 起
    date_to: str  # 编制日期 止
    retention: str  # 保管期限
    secrecy: str  # 密级
    volume_no: int = 1  # 第 n 卷
    volume_count: int = 1  # 共 N 卷


@dataclass
class NoteFields:
    """What a 卷内备考表 shows."""

    code: str
    total: int
    text: int
    drawings: int
    photos: int
    remarks: str
    compiler: str = ""
    compiled_on: str = ""
    reviewer: str = ""
    reviewed_on: str = ""
    extra: list[str] = field(default_factory=list)


def _canvas(buf: io.BytesIO, title: str, font: str) -> canvas.Canvas:
    # initialFontName: otherwise every page names Helvetica, a font a PDF/A reader wants embedded.
    c = canvas.Canvas(buf, pagesize=A4, invariant=1, pageCompression=1, initialFontName=font)
    c.setTitle(title)
    c.setCreator("dangan")
    return c


def wrap_lines(text: str, font: str, size: float, width: float) -> list[str]:
    """Break Chinese text at any character so each line fits ``width``."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines, current = [], ""
    for ch in text:
        if current and stringWidth(current + ch, font, size) > width:
            lines.append(current)
            current = ""
        current += ch
    return [*lines, current] if current or not lines else lines


def cover_pdf(f: CoverFields, font: str) -> bytes:
    """One A4 page: the 案卷封面."""
    buf = io.BytesIO()
    c = _canvas(buf, f"{f.code} 案卷封面", font)
    c.setLineWidth(1.2)
    c.rect(20 * mm, 20 * mm, WIDTH - 40 * mm, HEIGHT - 40 * mm)
    c.setFont(font, 11)
    right = WIDTH - 30 * mm
    for i, (label, value) in enumerate((("档　　号", f.code), ("档案馆代号", f.archive_no))):
        y = HEIGHT - 38 * mm - i * 9 * mm
        c.drawString(right - 85 * mm, y, label)
        c.line(right - 62 * mm, y - 1.5 * mm, right, y - 1.5 * mm)
        c.drawString(right - 60 * mm, y, value)
    c.setFont(font, 30)
    c.drawCentredString(WIDTH / 2, HEIGHT - 90 * mm, "案 卷 封 面")
    _labelled_block(c, font, "案卷题名", f.title, HEIGHT - 120 * mm)
    rows = (
        ("编制单位", f.compiler_org),
        ("编制日期", f"自 {f.date_from or '　　年　月　日'}　至 {f.date_to or '　　年　月　日'}"),
        ("保管期限", f.retention),
        ("密　　级", f.secrecy),
    )
    y = HEIGHT - 170 * mm
    for label, value in rows:
        _field_line(c, font, label, value, y)
        y -= 14 * mm
    c.setFont(font, 13)
    c.drawCentredString(WIDTH / 2, 38 * mm, f"共　{f.volume_count}　卷　　　第　{f.volume_no}　卷")
    c.showPage()
    c.save()
    return buf.getvalue()


def _field_line(c: canvas.Canvas, font: str, label: str, value: str, y: float) -> None:
    left = 40 * mm
    c.setFont(font, 14)
    c.drawString(left, y, label)
    c.line(left + 30 * mm, y - 2 * mm, WIDTH - 40 * mm, y - 2 * mm)
    c.drawString(left + 33 * mm, y, value)


def _labelled_block(c: canvas.Canvas, font: str, label: str, value: str, top: float) -> None:
    """案卷题名: up to three underlined lines beside the label."""
    left, width = 40 * mm, WIDTH - 80 * mm - 30 * mm
    c.setFont(font, 14)
    c.drawString(left, top, label)
    lines = wrap_lines(value, font, 14, width - 6 * mm)[:3]
    for i in range(3):
        y = top - i * 11 * mm
        c.line(left + 30 * mm, y - 2 * mm, WIDTH - 40 * mm, y - 2 * mm)
        if i < len(lines):
            c.drawString(left + 33 * mm, y, lines[i])


def contents_pdf(code: str, rows: Sequence[Sequence[str]], font: str) -> bytes:
    """The 卷内目录 as a ruled table over one or more A4 pages, header repeated."""
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, title=f"{code} 卷内目录", creator="dangan", invariant=1,
                            initialFontName=font)  # fmt: skip
    title = ParagraphStyle("title", fontName=font, fontSize=20, leading=26, alignment=1)
    small = ParagraphStyle("small", fontName=font, fontSize=10.5, leading=14, alignment=2)
    cell = ParagraphStyle("cell", fontName=font, fontSize=9.5, leading=12.5, wordWrap="CJK")
    centre = ParagraphStyle("centre", parent=cell, alignment=1)
    header = [Paragraph(h, centre) for h, _w in CONTENTS_COLUMNS]
    body = [[Paragraph(escape(str(v)), cell if i in (1, 2, 3, 6) else centre) for i, v in enumerate(r)] for r in rows]
    table = Table([header, *body], colWidths=[w * mm for _h, w in CONTENTS_COLUMNS], repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("FONTNAME", (0, 0), (-1, -1), font),  # else the table sets Helvetica, an unembedded font
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ROWBACKGROUNDS", (0, 0), (-1, 0), [colors.Color(0.93, 0.93, 0.93)]),
        ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]))  # fmt: skip
    doc.build([Paragraph("卷 内 目 录", title), Spacer(1, 4 * mm), Paragraph(f"档号：{escape(code)}", small),
               Spacer(1, 2 * mm), table])  # fmt: skip
    return buf.getvalue()


def note_pdf(f: NoteFields, font: str) -> bytes:
    """One A4 page: the 卷内备考表."""
    buf = io.BytesIO()
    c = _canvas(buf, f"{f.code} 卷内备考表", font)
    c.setFont(font, 20)
    c.drawCentredString(WIDTH / 2, HEIGHT - 30 * mm, "卷 内 备 考 表")
    c.setFont(font, 10.5)
    c.drawRightString(WIDTH - 20 * mm, HEIGHT - 40 * mm, f"档号：{f.code}")
    left, top, bottom = 20 * mm, HEIGHT - 44 * mm, 25 * mm
    c.setLineWidth(1)
    c.rect(left, bottom, WIDTH - 40 * mm, top - bottom)
    c.setFont(font, 12.5)
    y = top - 14 * mm
    lines = [
        f"本案卷共有文件材料　{f.total}　页，其中：文字材料　{f.text}　页，",
        f"图样材料　{f.drawings}　页，照片　{f.photos}　张。",
        "说明：",
        *wrap_lines(f.remarks, font, 12.5, WIDTH - 60 * mm),
        *f.extra,
    ]
    for line in lines:
        c.drawString(left + 10 * mm, y, line)
        y -= 9 * mm
    for i, (who, name, day) in enumerate(
        (("立卷人", f.compiler, f.compiled_on), ("检查人", f.reviewer, f.reviewed_on))
    ):
        base = bottom + 40 * mm - i * 22 * mm
        c.drawString(WIDTH - 100 * mm, base, f"{who}：{name or '＿＿＿＿＿＿'}")
        c.drawString(WIDTH - 100 * mm, base - 9 * mm, f"{day or '　　　年　　月　　日'}")
    c.showPage()
    c.save()
    return buf.getvalue()
