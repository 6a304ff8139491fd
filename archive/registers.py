"""Archive registers from plain data: 卷内目录, 科技档案一览表, 卷内备考表, 归档文件目录.

The caller (archive/archive_registers.py) reads the catalog and hands over plain dicts; this
module does the arithmetic the filing standards ask for (page ranges, page totals by kind,
档号 codes) and lays the result out through the forms engine (``templates/registers/*.docx``),
or as a spreadsheet with openpyxl.

Conventions, following GB/T 50328 and DA/T 22:

* 卷内目录 页次: the page on which each document starts, counting through the volume in
  filing order from page 1; the last document shows its first and last page ("12-14").
  A document recorded with no page count counts as one page.
* 卷内备考表: drawings are documents of a checklist item in group 竣工图 or whose item code
  starts with D; photos are image files (one per page); the rest is text.
* 归档文件目录 档号: ``settings["pattern"]`` filled with fonds, category, org, the document's
  year, its retention code (永久 → Y, 长期 → D30, 短期 → D10) and the 件号 ``seq``, numbered
  from 1 within each (year, retention) group in filing order.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Sequence

from indexer.errors import ConfigError, UsageError
from archive.forms import render_document, shipped_templates_dir

KINDS = ("卷内目录", "一览表", "备考表", "归档文件目录")
RETENTION_CODES = {"永久": "Y", "长期": "D30", "短期": "D10"}
STATUS_LABELS = {"filed": "已归档", "missing": "缺失", "waived": "免交"}
DEFAULT_PATTERN = "{fonds}-{category}·{year}-{retention}-{org}-{seq:04d}"
BLANK_NAME = "＿＿＿＿＿＿"
BLANK_DATE = "　　年　　月　　日"


def render_register(
    kind: str,
    project: dict,
    entries: list[dict],
    out: Path,
    *,
    checklist: list[dict] | None = None,
    settings: dict | None = None,
    xlsx: bool = False,
) -> Path:
    """Write the register ``kind`` of ``project`` to ``out`` (.docx, or .xlsx with ``xlsx``).

    ``project``: {"code", "name", "company"}.  ``entries``: the volume's documents in filing
    order (see the module docstring for the keys used).  ``checklist`` feeds 一览表 and the
    drawing/missing notes of 备考表.  ``settings``: 档号 parts {"fonds", "category", "org",
    "pattern"}, and optionally "compiler", "reviewer", "compiled_on", "reviewed_on",
    "remarks" (备考表) and "templates_dir" (a folder whose registers/<kind>.docx overrides
    the shipped layout).  Returns the path written.
    """
    if kind not in KINDS:
        raise UsageError(f"unknown register kind '{kind}'; use one of {'|'.join(KINDS)}")
    out = Path(out)
    xlsx = xlsx or out.suffix.lower() == ".xlsx"
    if xlsx and out.suffix.lower() == ".docx":
        raise UsageError(f"{out}: a spreadsheet needs an .xlsx name")
    settings = dict(settings or {})
    context = _BUILDERS[kind](project, entries, checklist or [], settings)
    context.update(company=project.get("company", ""), project_code=project.get("code", ""),
                   project_name=project.get("name", ""), today=date.today().isoformat())  # fmt: skip
    if xlsx:
        return _write_xlsx(kind, context, out)
    return render_document(_template(kind, settings), context, out)


def _template(kind: str, settings: dict) -> Path:
    custom = settings.get("templates_dir")
    if custom:
        candidate = Path(custom) / "registers" / f"{kind}.docx"
        if candidate.is_file():
            return candidate
    return shipped_templates_dir() / "registers" / f"{kind}.docx"


# --------------------------------------------------------------------------- arithmetic


def yyyymmdd(value: Any) -> str:
    """A date as the standards print it: 20240305 ("" when unknown)."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%Y%m%d")
    return str(value or "").replace("-", "")


def page_count(entry: dict) -> int:
    """Pages of a document; one when the catalog has no count."""
    try:
        return max(1, int(entry.get("pages") or 1))
    except (TypeError, ValueError):
        return 1


def page_column(entries: Sequence[dict]) -> list[str]:
    """页次 of every document: its start page, and start-end for the last one."""
    column, start = [], 1
    for i, entry in enumerate(entries):
        end = start + page_count(entry) - 1
        column.append(f"{start}-{end}" if i == len(entries) - 1 else str(start))
        start = end + 1
    return column


def retention_code(retention: str | None) -> str:
    """DA/T 22 retention code of 永久/长期/短期 (codes pass through unchanged)."""
    value = (retention or "").strip()
    if value in RETENTION_CODES.values():
        return value
    if value not in RETENTION_CODES:
        raise UsageError(f"unknown retention {value!r}; use 永久, 长期 or 短期")
    return RETENTION_CODES[value]


def archive_codes(entries: Sequence[dict], settings: dict) -> list[str]:
    """档号 of every document; 件号 counts within each (year, retention) group."""
    pattern = settings.get("pattern") or DEFAULT_PATTERN
    counters: dict[tuple[Any, str], int] = {}
    codes = []
    for entry in entries:
        year = _year(entry, settings)
        retention = retention_code(entry.get("retention") or "永久")
        seq = counters[(year, retention)] = counters.get((year, retention), 0) + 1
        values = {
            "fonds": settings.get("fonds", ""), "category": settings.get("category", ""),
            "org": settings.get("org", ""), "year": year, "retention": retention, "seq": seq,
        }  # fmt: skip
        try:
            codes.append(pattern.format(**values))
        except (KeyError, ValueError, IndexError) as e:
            raise ConfigError(
                f"[archive_code] pattern {pattern!r} in dangan.toml cannot be filled ({e}); "
                f"use the fields fonds, category, year, retention, org, seq"
            ) from e
    return codes


def _year(entry: dict, settings: dict) -> int:
    d = entry.get("document_date")
    if isinstance(d, (date, datetime)):
        return d.year
    return int(settings.get("year") or date.today().year)


def _drawing_codes(checklist: Sequence[dict]) -> set[str]:
    return {str(c.get("code") or c.get("number")) for c in checklist if c.get("group") == "竣工图"}


def _kind_of(entry: dict, drawing_codes: set[str]) -> str:
    code = str(entry.get("item_code") or "")
    if code.upper().startswith("D") or code in drawing_codes:
        return "drawing"
    if str(entry.get("mime_type") or "").startswith("image/"):
        return "photo"
    return "text"


@dataclass
class PageTotals:
    """The counts of a 卷内备考表."""

    total: int
    text: int
    drawings: int
    photos: int


def page_totals(entries: Sequence[dict], checklist: Sequence[dict] = ()) -> PageTotals:
    """Pages of the volume split into text, drawings and photos."""
    drawing_codes = _drawing_codes(checklist)
    sums = {"text": 0, "drawing": 0, "photo": 0}
    for entry in entries:
        sums[_kind_of(entry, drawing_codes)] += page_count(entry)
    return PageTotals(total=sum(sums.values()), text=sums["text"], drawings=sums["drawing"], photos=sums["photo"])


# --------------------------------------------------------------------------- contexts


def _volume_list(project: dict, entries: list[dict], checklist: list[dict], settings: dict) -> dict:
    pages = page_column(entries)
    rows = [
        {
            "seq": str(i), "doc_number": e.get("doc_number") or "", "person": e.get("person") or "",
            "title": e.get("title") or "", "date": yyyymmdd(e.get("document_date")), "pages": pages[i - 1],
            "remarks": e.get("remarks") or "",
        }  # fmt: skip
        for i, e in enumerate(entries, 1)
    ]
    return {"entries": rows, "count": len(rows), "total_pages": sum(page_count(e) for e in entries)}


def _checklist(project: dict, entries: list[dict], checklist: list[dict], settings: dict) -> dict:
    titles = {e.get("id"): _doc_label(e) for e in entries}
    rows = []
    for c in checklist:
        status = STATUS_LABELS.get(c.get("status", ""), c.get("status", ""))
        if c.get("status") == "waived" and c.get("reason"):
            status += f"（{c['reason']}）"
        responsible = "：".join(x for x in (c.get("role"), c.get("person")) if x)
        docs = "；".join(titles.get(d, f"#{d}") for d in c.get("documents") or [])
        rows.append({"number": str(c.get("number", "")), "group": c.get("group") or "", "title": c.get("title") or "",
                     "responsible": responsible, "status": status, "documents": docs})  # fmt: skip
    counts = {k: sum(1 for c in checklist if c.get("status") == k) for k in STATUS_LABELS}
    return {"items": rows, "total": len(rows), "filed": counts["filed"], "missing": counts["missing"], "waived": counts["waived"]}


def _doc_label(entry: dict) -> str:
    number = entry.get("doc_number")
    return f"{entry.get('title', '')}（{number}）" if number else str(entry.get("title", ""))


def _volume_note(project: dict, entries: list[dict], checklist: list[dict], settings: dict) -> dict:
    totals = page_totals(entries, checklist)
    return {
        "total_pages": totals.total, "text_pages": totals.text, "drawing_pages": totals.drawings,
        "photos": totals.photos, "remarks": settings.get("remarks") or _missing_note(checklist),
        "compiler": settings.get("compiler") or BLANK_NAME, "reviewer": settings.get("reviewer") or BLANK_NAME,
        "compiled_on": _date_line(settings.get("compiled_on")), "reviewed_on": _date_line(settings.get("reviewed_on")),
    }  # fmt: skip


def _missing_note(checklist: Sequence[dict]) -> str:
    missing = [c for c in checklist if c.get("status") == "missing"]
    if not missing:
        return "本卷文件齐全。" if checklist else ""
    listed = "；".join(f"{c.get('number', '')} {c.get('title', '')}".strip() for c in missing)
    return f"尚缺 {len(missing)} 项：{listed}。"


def _date_line(value: Any) -> str:
    if isinstance(value, (date, datetime)):
        return f"{value.year}年{value.month}月{value.day}日"
    return str(value) if value else BLANK_DATE


def _file_list(project: dict, entries: list[dict], checklist: list[dict], settings: dict) -> dict:
    codes = archive_codes(entries, settings)
    rows = [
        {
            "seq": str(i), "code": codes[i - 1], "doc_number": e.get("doc_number") or "",
            "person": e.get("person") or "", "title": e.get("title") or "", "date": yyyymmdd(e.get("document_date")),
            "secrecy": e.get("secrecy") or settings.get("secrecy", ""), "pages": str(page_count(e)),
            "remarks": e.get("remarks") or "",
        }  # fmt: skip
        for i, e in enumerate(entries, 1)
    ]
    return {"entries": rows, "fonds": settings.get("fonds", "")}


_BUILDERS: dict[str, Callable[[dict, list[dict], list[dict], dict], dict]] = {
    "卷内目录": _volume_list,
    "一览表": _checklist,
    "备考表": _volume_note,
    "归档文件目录": _file_list,
}


# --------------------------------------------------------------------------- xlsx

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


def _write_xlsx(kind: str, context: dict, out: Path) -> Path:
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
    tmp = out.with_name(f".dangan-{uuid.uuid4().hex}.part")
    try:
        wb.save(tmp)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return out
