"""Registers as spreadsheets: one worksheet with title, project line, header row and one row per entry.

For archivists who keep registers in Excel; the tabular kinds get their columns here, the
备考表 becomes a two-column list of its items.  The file appears atomically.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

from dangan.indexer.fsutil import atomic_path

# Cells that hold counts are numbers and dates are dates, so Excel sums and sorts them.
_NUMBER_KEYS = {"seq", "number", "total_pages", "text_pages", "drawing_pages", "photos"}
_NUMBER_KEYS_BY_KIND = {"归档文件目录": {"pages"}}  # 页数 is a count; 卷内目录's 页次 is a range ("5-7")
_DATE_KEYS = {"date"}
# A cell starting with one of these is read as a formula by spreadsheet programs (formula
# injection: a title "=HYPERLINK(…)" or a name "==cmd|' /C calc'!A0"); OWASP advises a quote.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_COLUMNS: dict[str, tuple[str, list[tuple[str, str, int]]]] = {
    # kind: (rows key, [(header, key, width)])
    "卷内目录": ("entries", [("序号", "seq", 6), ("文件编号", "doc_number", 16), ("责任者", "person", 12),
                           ("文件题名", "title", 40), ("日期", "date", 11), ("页次", "pages", 9), ("备注", "remarks", 16)]),
    "一览表": ("items", [("序号", "number", 6), ("类别", "group", 16), ("文件名称", "title", 34),
                        ("责任人", "responsible", 16), ("状态", "status", 12), ("已归档文件", "documents", 48)]),
    "归档文件目录": ("entries", [("序号", "seq", 6), ("档号", "code", 26), ("文号", "doc_number", 16),
                             ("责任者", "person", 12), ("题名", "title", 40), ("日期", "date", 11),
                             ("密级", "secrecy", 8), ("页数", "pages", 8), ("备注", "remarks", 16)]),
}  # fmt: skip

_NOTE_ROWS = [
    ("本案卷共有文件材料（页）", "total_pages"), ("文字材料（页）", "text_pages"), ("图样材料（页）", "drawing_pages"),
    ("照片（张）", "photos"), ("说明", "remarks"), ("立卷人", "compiler"), ("立卷日期", "compiled_on"),
    ("审核人", "reviewer"), ("审核日期", "reviewed_on"),
]  # fmt: skip


def write_xlsx(kind: str, context: dict, out: Path) -> Path:
    """The register as one worksheet: title, project line, header row, one row per entry."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    wb = Workbook()
    ws = wb.active
    ws.title = kind
    if kind == "备考表":
        header, rows = ["项目", "内容"], [[label, _typed(kind, key, context[key])] for label, key in _NOTE_ROWS]
        widths = [26, 60]
    else:
        key, columns = _COLUMNS[kind]
        header = [c[0] for c in columns]
        rows = [[_typed(kind, c[1], r[c[1]]) for c in columns] for r in context[key]]
        widths = [c[2] for c in columns]
    title = "科技档案一览表" if kind == "一览表" else ("卷内备考表" if kind == "备考表" else kind)
    _append(ws, [title])
    _append(ws, [f"{context['company']}　工程编号：{context['project_code']}　工程名称：{context['project_name']}"])
    _append(ws, header)
    for r in rows:
        _append(ws, r)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(header))
    ws["A1"].font = Font(bold=True, size=16)
    ws["A1"].alignment = Alignment(horizontal="center")
    thin = Side(style="thin")
    for row in ws.iter_rows(min_row=3, max_row=ws.max_row, max_col=len(header)):
        for cell in row:
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            cell.alignment = Alignment(vertical="center", wrap_text=True)
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F2F2F2")
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[ws.cell(row=3, column=i).column_letter].width = w
    ws.freeze_panes = "A4"
    return _save_atomically(wb, out)


def _typed(kind: str, key: str, value):
    """A register value as the cell should hold it: number, date, or text."""
    if isinstance(value, (int, float, date)) or value is None:
        return value
    text = str(value).strip()
    if (key in _NUMBER_KEYS or key in _NUMBER_KEYS_BY_KIND.get(kind, ())) and re.fullmatch(r"\d{1,9}", text):
        return int(text)
    if key in _DATE_KEYS and re.fullmatch(r"\d{8}", text):
        try:
            return datetime.strptime(text, "%Y%m%d").date()
        except ValueError:
            return value
    return value


def _append(ws, values: list) -> None:
    """Append a row: numbers and dates typed, every text written as text, never a formula."""
    row = ws.max_row + 1 if ws.max_row > 1 or ws.cell(1, 1).value is not None else 1
    for col, value in enumerate(values, 1):
        cell = ws.cell(row=row, column=col)
        if isinstance(value, (date, datetime)):
            cell.value = value
            cell.number_format = "yyyymmdd"  # as the standards print dates: 20240305
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            cell.value = value
        elif value is not None:
            cell.value = safe_text(str(value))
            cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula


def safe_text(text: str) -> str:
    """Text a spreadsheet shows as text: a leading = + - @ gets a quote in front (OWASP)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def safe_row(values) -> list:
    """A row for ``worksheet.append``: every text through :func:`safe_text`, numbers as they are
    (openpyxl stores a text starting with "=" as a formula)."""
    return [safe_text(v) if isinstance(v, str) else v for v in values]


def _save_atomically(wb, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(out) as tmp:
        wb.save(tmp)
    return out
