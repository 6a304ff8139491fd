"""Registers as spreadsheets: one worksheet with title, project line, header row and one row per entry.

For archivists who keep registers in Excel; the tabular kinds get their columns here, the
备考表 becomes a two-column list of its items.  The file appears atomically.
"""

from __future__ import annotations

from pathlib import Path

from indexer.fsutil import atomic_path

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
        header, rows = ["项目", "内容"], [[label, context[key]] for label, key in _NOTE_ROWS]
        widths = [26, 60]
    else:
        key, columns = _COLUMNS[kind]
        header = [c[0] for c in columns]
        rows = [[r[c[1]] for c in columns] for r in context[key]]
        widths = [c[2] for c in columns]
    title = "科技档案一览表" if kind == "一览表" else ("卷内备考表" if kind == "备考表" else kind)
    ws.append([title])
    ws.append([f"{context['company']}　工程编号：{context['project_code']}　工程名称：{context['project_name']}"])
    ws.append(header)
    for r in rows:
        ws.append(r)
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


def _save_atomically(wb, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(out) as tmp:
        wb.save(tmp)
    return out
