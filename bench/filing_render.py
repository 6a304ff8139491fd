"""Drawing the evaluation documents of bench/filing_docs.py as files people send.

Text PDFs (reportlab with the WenQuanYi font, heading larger, letterhead, two pages with a
repeated header), Word files (python-docx, two-field lines as table rows), phone photos
(Pillow: tilted, uneven light, noise, JPEG) and drawings (a landscape sheet with lines, the
notes at the top and the title block and 竣工图 stamp in the corner).
"""

from __future__ import annotations

import random
import re
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
_GAP = re.compile(r"(?:\s{2,}|\t|　　)")


def render(doc, folder: Path) -> Path:
    """Write ``doc`` into its own subfolder of ``folder`` (names repeat) and return the path."""
    out = folder / doc.key / doc.name
    out.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(doc.key)
    {"pdf": _pdf, "pdf2": _pdf, "docx": _docx, "photo": _photo, "drawing": _drawing}[doc.fmt](doc, out, rng)
    return out


def _font():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "WQY" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("WQY", FONT, subfontIndex=0))
    return "WQY"


def _pdf(doc, out: Path, rng: random.Random) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    font = _font()
    cv = canvas.Canvas(str(out), pagesize=A4, invariant=1)
    pages = [doc.lines]
    if doc.fmt == "pdf2":  # the second page repeats the header and the date line, as forms do
        half = max(2, len(doc.lines) // 2)
        pages = [doc.lines[:half] + [doc.lines[-1]], doc.lines[:1] + doc.lines[half:]]
    title_size = rng.choice([16, 18, 22])
    for page in pages:
        y = A4[1] - 70
        for i, line in enumerate(page):
            heading = _is_title(line, page, i)
            size = title_size if heading else rng.choice([10.5, 11, 12])
            cv.setFont(font, size)
            for part in _wrap(line, 42 if size < 14 else 24):
                if heading:
                    cv.drawCentredString(A4[0] / 2, y, part)
                else:
                    cv.drawString(60, y, part)
                y -= size * 1.9
        cv.showPage()
    cv.save()


def _is_title(line: str, page: list[str], i: int) -> bool:
    """The printed heading: the first short line that is not a number or a company name."""
    for n, ln in enumerate(page[:3]):
        if "：" not in ln and not ln.endswith(("公司", "院", "中心", "所", "厂", "场")):
            return n == i
    return False


def _wrap(line: str, width: int) -> list[str]:
    return [line[k : k + width] for k in range(0, len(line), width)] or [""]


def _docx(doc, out: Path, rng: random.Random) -> None:
    from docx import Document
    from docx.shared import Pt

    d = Document()
    d.core_properties.author = "dangan-eval"
    for i, line in enumerate(doc.lines):
        cells = _GAP.split(line)
        if len(cells) == 2 and rng.random() < 0.7:
            row = d.add_table(rows=1, cols=2).rows[0]
            row.cells[0].text, row.cells[1].text = cells
            continue
        para = d.add_paragraph()
        run = para.add_run(line)
        if _is_title(line, doc.lines, i):
            run.bold, run.font.size = True, Pt(rng.choice([16, 18]))
    d.save(str(out))


def _photo(doc, out: Path, rng: random.Random) -> None:
    w, h = 1240, 1754
    img = Image.new("L", (w, h), 250)
    draw = ImageDraw.Draw(img)
    body = ImageFont.truetype(FONT, 34)
    big = ImageFont.truetype(FONT, 50)
    y = 110
    for i, line in enumerate(doc.lines):
        font = big if _is_title(line, doc.lines, i) else body
        for part in _wrap(line, 18 if font is big else 30):
            draw.text((100, y), part, font=font, fill=rng.randrange(0, 60))
            y += int(font.size * 1.7)
    # uneven light and sensor noise, a slight tilt and blur: a phone photo of a paper
    shade = Image.linear_gradient("L").resize((w, h)).point(lambda v: 255 - v // 5)
    img = Image.composite(img, shade, img.point(lambda v: 255 if v < 128 else 0))
    noise = Image.effect_noise((w, h), 18)
    img = Image.blend(img, noise, 0.12).rotate(rng.uniform(-3, 3), resample=Image.Resampling.BICUBIC, fillcolor=235)
    img = img.filter(ImageFilter.GaussianBlur(0.6))
    if out.suffix == ".jpg":
        img.save(out, "JPEG", quality=rng.randrange(55, 80))
    else:
        img.save(out, "PNG")


def _drawing(doc, out: Path, rng: random.Random) -> None:
    from reportlab.lib.pagesizes import A3, landscape
    from reportlab.pdfgen import canvas

    font = _font()
    W, H = landscape(A3)
    cv = canvas.Canvas(str(out), pagesize=(W, H), invariant=1)
    cv.rect(20, 20, W - 40, H - 40)
    for _ in range(40):  # the drawing itself: walls and axis lines
        x, y = rng.uniform(60, W - 400), rng.uniform(200, H - 200)
        cv.line(x, y, x + rng.uniform(-200, 200), y + rng.uniform(-200, 200))
    cv.setFont(font, 9)
    y = H - 60
    for line in doc.lines:  # the notes come first in the page's content
        cv.drawString(50, y, line)
        y -= 14
    bx, by = W - 380, 30  # the title block, bottom right
    cells = list(doc.drawing["block"].items())
    for n, (label, value) in enumerate(cells):
        yy = by + 20 * n
        cv.rect(bx, yy, 360, 20)
        cv.setFont(font, 12 if label == "图名" else 9)
        cv.drawString(bx + 6, yy + 6, f"{label}：{value}")
    sx, sy = W - 300, by + 20 * len(cells) + 30  # the 竣工图 stamp above it
    cv.rect(sx, sy, 260, 18 * len(doc.drawing["stamp"]) + 8)
    for n, line in enumerate(doc.drawing["stamp"]):
        cv.setFont(font, 16 if n == 0 else 9)
        cv.drawString(sx + 8, sy + 18 * (len(doc.drawing["stamp"]) - n - 1) + 8, line)
    cv.showPage()
    cv.save()
