"""Register layout: the template context of each register kind, rendered through the forms engine.

The caller (:mod:`dangan.archive.registers.rows`) reads the catalog and hands over plain dicts;
this module turns them into what ``templates/registers/<kind>.docx`` prints (or, with
``xlsx``, a spreadsheet by :mod:`dangan.archive.registers.xlsx`).  ``KINDS`` is the one list of
register kinds the command line and the catalog side both use.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Sequence

from dangan.archive.days import cn_date
from dangan.archive.forms import render_document, shipped_templates_dir
from dangan.archive.registers.arithmetic import archive_codes, page_column, page_count, page_totals, yyyymmdd
from dangan.archive.registers.xlsx import write_xlsx
from dangan.indexer.errors import UsageError

KINDS = ("卷内目录", "一览表", "备考表", "归档文件目录")
STATUS_LABELS = {"filed": "已归档", "missing": "缺失", "waived": "免交"}
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
    order (the keys used: see :mod:`dangan.archive.registers.rows`; the conventions: :mod:`dangan.archive.registers.arithmetic`).  ``checklist`` feeds 一览表 and the
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
        return write_xlsx(kind, context, out)
    return render_document(_template(kind, settings), context, out)


def _template(kind: str, settings: dict) -> Path:
    custom = settings.get("templates_dir")
    if custom:
        candidate = Path(custom) / "registers" / f"{kind}.docx"
        if candidate.is_file():
            return candidate
    return shipped_templates_dir() / "registers" / f"{kind}.docx"


def _volume_list(project: dict, entries: list[dict], checklist: list[dict], settings: dict) -> dict:
    pages = page_column(entries)
    rows = [
        {
            "seq": str(i),
            "doc_number": e.get("doc_number") or "",
            "person": e.get("person") or "",
            "title": e.get("title") or "",
            "date": yyyymmdd(e.get("document_date")),
            "pages": pages[i - 1],
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
    return {
        "items": rows,
        "total": len(rows),
        "filed": counts["filed"],
        "missing": counts["missing"],
        "waived": counts["waived"],
    }


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
        return cn_date(value)
    return str(value) if value else BLANK_DATE


def _file_list(project: dict, entries: list[dict], checklist: list[dict], settings: dict) -> dict:
    codes = archive_codes(entries, settings)
    rows = [
        {
            "seq": str(i),
            "code": codes[i - 1],
            "doc_number": e.get("doc_number") or "",
            "person": e.get("person") or "",
            "title": e.get("title") or "",
            "date": yyyymmdd(e.get("document_date")),
            "secrecy": e.get("secrecy") or settings.get("secrecy", ""),
            "pages": str(page_count(e)),
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
