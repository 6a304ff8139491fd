"""Generate the shipped Word templates from forms.toml (forms) and the register layouts below.

Run it after changing forms.toml or a layout here, and commit the .docx files it writes:

    python templates/make_templates.py            # writes templates/*.docx and templates/registers/*.docx

The templates are ordinary Word files a user can open and edit: every ``{{ tag }}`` sits in
one run (so Word never splits it), labels sit in their own cell left of the value cell, list
fields are table rows between ``{%tr for it in x %}`` and ``{%tr endfor %}`` that grow with
the data, and the fonts are 宋体/黑体 set as East-Asian fonts so Chinese text never falls
back to a Latin font.
"""

from __future__ import annotations

import io
import sys
import tomllib
import zipfile
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

HERE = Path(__file__).resolve().parent
BODY_FONT = "宋体"
TITLE_FONT = "黑体"
LATIN_FONT = "Times New Roman"
LABEL_WIDTH = Cm(2.9)
VALUE_WIDTH = Cm(5.1)  # two label/value pairs fill the 16 cm between A4 margins
TEXT_WIDTH = Cm(16)

# Who signs each form at the bottom (blank lines written by hand), and a short instruction.
SIGNATURES: dict[str, list[str]] = {
    "service_request": ["顾客签字", "服务人员签字"],
    "dispatch_ticket": ["维修人员签字", "顾客签字"],
    "complaint_record": ["受理人", "部门负责人"],
    "corrective_action": ["责任部门负责人", "质量负责人"],
    "satisfaction_survey": ["顾客签字（盖章）"],
    "visit_record": ["走访人", "部门负责人"],
    "customer_file": ["建档人"],
    "follow_up_call": ["回访人", "客服主管"],
    "rectification_notice": ["签发人", "责任单位接收人"],
    "repair_order": ["客户签字", "服务顾问"],
    "repair_settlement": ["客户签字", "结算员"],
    "start_report": ["施工单位（盖章）", "监理单位意见", "建设单位意见"],
    "technical_briefing": ["交底人", "接受交底人"],
    "concealed_work_acceptance": ["施工单位", "监理（建设）单位"],
    "handover_certificate": ["建设单位（盖章）", "施工单位（盖章）", "监理单位（盖章）"],
    "completion_report": ["项目经理", "施工单位（盖章）"],
}
NOTES: dict[str, str] = {
    "service_request": "说明：本表在受理当日交服务中心。",
    "dispatch_ticket": "说明：服务完成后请顾客填写意见栏；派工单于次月2日前交回。",
    "complaint_record": "说明：严重投诉须在4小时内报告分管负责人。",
    "corrective_action": "说明：措施完成后由质量负责人验证并签字关闭。",
    "satisfaction_survey": "请在对应的方框内打勾，感谢您的支持。",
    "visit_record": "说明：走访后2日内提交本表并更新客户档案。",
    "customer_file": "说明：每次服务后补充服务记录。",
    "follow_up_call": "说明：首次回访在服务后3至7天内进行，第二次在首次回访7天后。",
    "rectification_notice": "说明：责任单位须在整改期限内书面反馈整改情况。",
    "repair_order": "说明：贵重物品请客户自行保管。",
    "repair_settlement": "说明：请核对结算金额后签字。",
    "start_report": "",
    "technical_briefing": "说明：交底双方签字后各执一份。",
    "concealed_work_acceptance": "说明：隐蔽工程未经验收不得进行下道工序。",
    "handover_certificate": "",
    "completion_report": "说明：停工、复工报告附后。",
}


# --------------------------------------------------------------------------- document basics

STAMP = datetime(2024, 1, 1)


def save_stable(doc, path: Path) -> None:
    """Save with fixed dates, so regenerating an unchanged template gives identical bytes
    (and git shows only real changes)."""
    props = doc.core_properties
    props.created = props.modified = props.last_printed = STAMP
    props.revision = 1
    buf = io.BytesIO()
    doc.save(buf)
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0)), src.read(info),
                         compress_type=zipfile.ZIP_DEFLATED)  # fmt: skip


def new_document(*, landscape: bool = False) -> DocxDocument:
    """An empty A4 document with 宋体 as the East-Asian font of every style we use."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.top_margin = section.bottom_margin = Cm(2.0)
    section.left_margin = section.right_margin = Cm(2.5)
    for style_name in ("Normal", "Table Grid"):
        style = doc.styles[style_name]
        set_fonts(style.element.get_or_add_rPr(), BODY_FONT)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)
    doc.core_properties.author = "dangan"
    return doc


def set_fonts(rpr, east_asian: str) -> None:
    """Latin and East-Asian fonts on a run or style: Word picks the font per script."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asian)


def add_run(paragraph, text: str, *, bold: bool = False, size: float | None = None, font: str = BODY_FONT):
    """One run: a tag written here is never split across runs."""
    run = paragraph.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    set_fonts(run._element.get_or_add_rPr(), font)
    return run


def add_heading(doc, company_tag: str, title: str) -> None:
    """Company name (a tag) over the form title, both centred."""
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_run(p, company_tag, size=12)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = Pt(10)
    add_run(p, title, bold=True, size=18, font=TITLE_FONT)


def set_cell(cell, text: str, *, bold: bool = False, center: bool = False, shade: bool = False, width=None) -> None:
    """Write one run into a cell (replacing its empty paragraph)."""
    p = cell.paragraphs[0]
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if text:
        add_run(p, text, bold=bold)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    if shade:
        shd = OxmlElement("w:shd")
        shd.set(qn("w:val"), "clear")
        shd.set(qn("w:color"), "auto")
        shd.set(qn("w:fill"), "F2F2F2")
        cell._tc.get_or_add_tcPr().append(shd)
    if width is not None:
        cell.width = width


def new_table(doc, cols: int, widths):
    table = doc.add_table(rows=0, cols=cols)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for col, w in zip(table.columns, widths):
        col.width = w
    return table


def min_height(row, height) -> None:
    row.height = height
    row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST


def add_signatures(doc, names: list[str], date_tag: str = "") -> None:
    """Blank signature and date lines, signed by hand on the printed form."""
    doc.add_paragraph()
    for name in names:
        p = doc.add_paragraph()
        p.paragraph_format.space_before = Pt(8)
        add_run(p, f"{name}：＿＿＿＿＿＿＿＿　　日期：{date_tag or '　　　年　　月　　日'}")


def add_note(doc, text: str) -> None:
    if text:
        p = doc.add_paragraph()
        p.paragraph_format.space_before = Pt(6)
        add_run(p, text, size=9)


# --------------------------------------------------------------------------- forms


def value_tag(field: dict) -> str:
    """How a field is printed: choices as ☑/☐ boxes, everything else as its value."""
    if field.get("type") == "choice":
        return "{{ %s_boxes }}" % field["name"]
    return "{{ %s }}" % field["name"]


class FieldGrid:
    """Label/value pairs, two to a row; wide fields take a whole row."""

    def __init__(self, doc):
        self.doc = doc
        self.table = None
        self.half = None  # a row whose right pair is still free

    def add(self, field: dict) -> None:
        if self.table is None:
            self.table = new_table(self.doc, 4, [LABEL_WIDTH, VALUE_WIDTH, LABEL_WIDTH, VALUE_WIDTH])
        if field.get("wide"):
            self.close_half()
            row = self.table.add_row()
            self._pair(row, 0, field, wide=True)
            if field.get("type") != "choice":
                min_height(row, Cm(1.6))
        elif self.half is not None:
            self._pair(self.half, 2, field)
            self.half = None
        else:
            self.half = self.table.add_row()
            self._pair(self.half, 0, field)

    def _pair(self, row, at: int, field: dict, *, wide: bool = False) -> None:
        cells = row.cells
        set_cell(cells[at], field["label"], bold=True, center=True, shade=True, width=LABEL_WIDTH)
        value = cells[at + 1]
        if wide:
            value = value.merge(cells[3])
        set_cell(value, value_tag(field), width=VALUE_WIDTH if not wide else VALUE_WIDTH * 2 + LABEL_WIDTH)
        min_height(row, Cm(0.8))

    def close_half(self) -> None:
        """A lone pair at the end of a row gets the whole row."""
        if self.half is not None:
            cells = self.half.cells
            cells[1].merge(cells[3])
            self.half = None

    def finish(self) -> None:
        self.close_half()
        self.table = None


def add_list_table(doc, field: dict) -> None:
    """A list field: header row, then one row per item between {%tr for %} and {%tr endfor %}."""
    p = doc.add_paragraph()
    p.paragraph_format.space_before = Pt(6)
    add_run(p, field["label"], bold=True)
    subs = field["subfields"]
    number_width = Cm(1.2)
    width = Cm(0) + (TEXT_WIDTH - number_width) // len(subs)
    table = new_table(doc, len(subs) + 1, [number_width] + [width] * len(subs))
    header = table.add_row()
    set_cell(header.cells[0], "序号", bold=True, center=True, shade=True, width=number_width)
    for cell, sub in zip(header.cells[1:], subs):
        set_cell(cell, sub["label"], bold=True, center=True, shade=True, width=width)
    set_cell(table.add_row().cells[0], "{%tr for it in " + field["name"] + " %}")
    item = table.add_row()
    min_height(item, Cm(0.7))
    set_cell(item.cells[0], "{{ it.no }}", center=True, width=number_width)
    for cell, sub in zip(item.cells[1:], subs):
        set_cell(cell, "{{ it.%s }}" % sub["name"], width=width)
    set_cell(table.add_row().cells[0], "{%tr endfor %}")
    doc.add_paragraph()


def build_form(form: dict) -> DocxDocument:
    doc = new_document()
    doc.core_properties.title = form["title"]
    add_heading(doc, "{{ company }}", form["title"])
    grid = FieldGrid(doc)
    for field in form["fields"]:
        if field.get("type") == "list":
            grid.finish()
            add_list_table(doc, field)
        else:
            grid.add(field)
    grid.finish()
    add_signatures(doc, SIGNATURES.get(form["id"], []))
    add_note(doc, NOTES.get(form["id"], ""))
    return doc


def make_forms(manifest: Path, out_dir: Path) -> list[Path]:
    """One template per form of ``manifest``; returns the files written."""
    forms = tomllib.loads(manifest.read_text(encoding="utf-8"))["forms"]
    written = []
    for form in forms:
        target = out_dir / form["file"]
        save_stable(build_form(form), target)
        written.append(target)
    return written


# --------------------------------------------------------------------------- registers


CENTERED = {"序号", "日期", "页次", "页数", "密级", "状态"}


def register_table(doc, headers: list[tuple[str, float]], cells: list[str], loop: str):
    """A register table: header row, then one row per entry of ``loop`` (``{%tr for e in … %}``)."""
    widths = [Cm(w) for _, w in headers]
    table = new_table(doc, len(headers), widths)
    head = table.add_row()
    for cell, (label, _), w in zip(head.cells, headers, widths):
        set_cell(cell, label, bold=True, center=True, shade=True, width=w)
    set_cell(table.add_row().cells[0], "{%tr for e in " + loop + " %}")
    row = table.add_row()
    min_height(row, Cm(0.8))
    for cell, tag, w, (label, _) in zip(row.cells, cells, widths, headers):
        set_cell(cell, tag, width=w, center=label in CENTERED)
    set_cell(table.add_row().cells[0], "{%tr endfor %}")
    return table


def info_line(doc, text: str) -> None:
    p = doc.add_paragraph()
    p.paragraph_format.space_after = Pt(4)
    add_run(p, text)


def make_volume_list() -> DocxDocument:
    """卷内目录 (GB/T 50328): one row per document with its page or page range."""
    doc = new_document()
    add_heading(doc, "{{ company }}", "卷内目录")
    info_line(doc, "工程编号：{{ project_code }}　　工程名称：{{ project_name }}")
    register_table(
        doc,
        [
            ("序号", 1.1),
            ("文件编号", 2.6),
            ("责任者", 1.9),
            ("文件题名", 4.8),
            ("日期", 2.4),
            ("页次", 1.8),
            ("备注", 1.4),
        ],
        [
            "{{ e.seq }}",
            "{{ e.doc_number }}",
            "{{ e.person }}",
            "{{ e.title }}",
            "{{ e.date }}",
            "{{ e.pages }}",
            "{{ e.remarks }}",
        ],
        "entries",
    )
    info_line(doc, "")
    info_line(doc, "共 {{ count }} 件，{{ total_pages }} 页。　　编制日期：{{ today }}")
    return doc


def make_checklist() -> DocxDocument:
    """科技档案一览表: every checklist item with its status and the documents filed for it."""
    doc = new_document()
    add_heading(doc, "{{ company }}", "科技档案一览表")
    info_line(doc, "工程编号：{{ project_code }}　　工程名称：{{ project_name }}")
    register_table(
        doc,
        [("序号", 1.2), ("类别", 2.2), ("文件名称", 4.2), ("责任人", 2.4), ("状态", 1.4), ("已归档文件", 4.6)],
        [
            "{{ e.number }}",
            "{{ e.group }}",
            "{{ e.title }}",
            "{{ e.responsible }}",
            "{{ e.status }}",
            "{{ e.documents }}",
        ],
        "items",
    )
    info_line(doc, "")
    info_line(
        doc,
        "共 {{ total }} 项：已归档 {{ filed }} 项，缺 {{ missing }} 项，免 {{ waived }} 项。　　统计日期：{{ today }}",
    )
    return doc


def make_volume_note() -> DocxDocument:
    """卷内备考表: page and photo counts of the volume, remarks, and who made and checked it."""
    doc = new_document()
    add_heading(doc, "{{ company }}", "卷内备考表")
    info_line(doc, "工程编号：{{ project_code }}　　工程名称：{{ project_name }}")
    table = new_table(doc, 2, [Cm(3.2), Cm(12.8)])
    rows = [
        ("本案卷共有文件材料", "{{ total_pages }} 页"),
        ("其中：文字材料", "{{ text_pages }} 页"),
        ("图样材料", "{{ drawing_pages }} 页"),
        ("照片", "{{ photos }} 张"),
        ("说明", "{{ remarks }}"),
    ]
    for label, tag in rows:
        row = table.add_row()
        min_height(row, Cm(0.9) if label != "说明" else Cm(6))
        set_cell(row.cells[0], label, bold=True, center=True, shade=True, width=Cm(3.2))
        set_cell(row.cells[1], tag, width=Cm(12.8))
    doc.add_paragraph()
    for who, tag in (("立卷人", "{{ compiler }}"), ("审核人", "{{ reviewer }}")):
        p = doc.add_paragraph()
        p.paragraph_format.space_before = Pt(10)
        add_run(p, f"{who}：")
        add_run(p, tag)
        add_run(p, "　　　　日期：")
        add_run(p, "{{ compiled_on }}" if who == "立卷人" else "{{ reviewed_on }}")
    return doc


def make_file_list() -> DocxDocument:
    """归档文件目录 (DA/T 22): one row per item with its 档号, landscape for the wide table."""
    doc = new_document(landscape=True)
    add_heading(doc, "{{ company }}", "归档文件目录")
    info_line(doc, "全宗号：{{ fonds }}　　工程编号：{{ project_code }}　　工程名称：{{ project_name }}")
    register_table(
        doc,
        [("序号", 1.2), ("档号", 5.0), ("文号", 2.8), ("责任者", 2.4), ("题名", 6.8), ("日期", 2.4), ("密级", 1.4), ("页数", 1.4), ("备注", 1.3)],
        ["{{ e.seq }}", "{{ e.code }}", "{{ e.doc_number }}", "{{ e.person }}", "{{ e.title }}", "{{ e.date }}",
         "{{ e.secrecy }}", "{{ e.pages }}", "{{ e.remarks }}"],
        "entries",
    )  # fmt: skip
    return doc


REGISTERS = {
    "卷内目录.docx": make_volume_list,
    "一览表.docx": make_checklist,
    "备考表.docx": make_volume_note,
    "归档文件目录.docx": make_file_list,
}


def make_registers(out_dir: Path) -> list[Path]:
    out_dir.mkdir(exist_ok=True)
    written = []
    for name, build in REGISTERS.items():
        save_stable(build(), out_dir / name)
        written.append(out_dir / name)
    return written


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else HERE
    out.mkdir(parents=True, exist_ok=True)
    written = make_forms(HERE / "forms.toml", out) + make_registers(out / "registers")
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
