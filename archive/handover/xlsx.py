"""Spreadsheets of the handover package, byte for byte the same for the same catalog.

openpyxl stamps the save time into ``docProps/core.xml`` and the ZIP entries; a package a
receiving archive compares with an earlier delivery must not differ for that alone, so
every spreadsheet is rewritten with a fixed time (the ZIP epoch, 1980-01-01) and its
entries in a fixed order.  The 卷内目录 is the register :mod:`dangan.archive.registers` already
writes; the 案卷目录 (the list of volumes, GB/T 50328) is laid out here.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from dangan.archive.registers import render_register
from dangan.indexer.fsutil import atomic_write

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FIXED_W3C_TIME = b"1980-01-01T00:00:00Z"
VOLUME_LIST_COLUMNS = (("案卷号", 8), ("档号", 24), ("案卷题名", 40), ("文字（页）", 10), ("图纸（张）", 10),
                       ("其他", 8), ("编制单位", 22), ("编制日期", 20), ("保管期限", 10), ("密级", 8), ("备注", 14))  # fmt: skip


def reproducible(data: bytes) -> bytes:
    """The same XLSX with fixed timestamps inside and on every ZIP entry."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in sorted(source.namelist(), key=lambda n: (n != "[Content_Types].xml", n)):
            body = source.read(name)
            if name == "docProps/core.xml":
                body = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)",
                    rb"\g<1>" + FIXED_W3C_TIME + rb"\g<3>",
                    body,
                )
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, body)
    return out.getvalue()


def make_reproducible(path: Path) -> Path:
    """Rewrite an XLSX file in place with fixed timestamps."""
    atomic_write(path, reproducible(path.read_bytes()))
    return path


def volume_contents_xlsx(project: dict, entries: list[dict], out: Path) -> Path:
    """The 卷内目录 of one volume as a spreadsheet (the register's own layout)."""
    render_register("卷内目录", project, entries, out, xlsx=True)
    return make_reproducible(out)


def volume_list_xlsx(project: dict, rows: list[list], out: Path) -> Path:
    """The 案卷目录: one row per volume under the title and the project line."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    wb = Workbook()
    ws = wb.active
    ws.title = "案卷目录"
    ws.append(["案卷目录"])
    ws.append(
        [f"{project.get('company', '')}　工程编号：{project.get('code', '')}　工程名称：{project.get('name', '')}"]
    )
    ws.append([h for h, _w in VOLUME_LIST_COLUMNS])
    for r in rows:
        ws.append(r)
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type == "f":  # a title such as "=HYPERLINK(…)" stays text, never a formula
                cell.data_type = "s"
    width = len(VOLUME_LIST_COLUMNS)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    ws["A1"].font = Font(bold=True, size=16)
    ws["A1"].alignment = Alignment(horizontal="center")
    thin = Side(style="thin")
    for row in ws.iter_rows(min_row=3, max_row=ws.max_row, max_col=width):
        for cell in row:
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            cell.alignment = Alignment(vertical="center", wrap_text=True)
    for i, (_h, w) in enumerate(VOLUME_LIST_COLUMNS, 1):
        ws.column_dimensions[ws.cell(row=3, column=i).column_letter].width = w
    buf = io.BytesIO()
    wb.save(buf)
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(out, reproducible(buf.getvalue()))
    return out
