"""统计: the archive's holdings and the year in numbers, as a 年报-like set of small tables.

Holdings are the filed records (status ``filed``) filed by the end of the year, counted and
paged by project, checklist group (门类), 保管期限 and the record's year (document date, else
filing).  The catalog has no carrier (载体) column yet, so there is no carrier table.  The year's
own figures: documents filed per month (every record that left review, whatever became of it
since), volumes made and their pages, completeness of every project
(:mod:`dangan.archive.completeness`), and records destroyed (the ``destroyed`` events).
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import select

from dangan.archive.catalog import Catalog
from dangan.archive.completeness import check_all
from dangan.archive.projects import ProjectCache
from dangan.archive.retention import record_retention
from dangan.archive.schema import events, volume_documents, volumes
from dangan.indexer.errors import UsageError

LEFT_REVIEW = ("filed", "destroyed", "discarded")  # statuses of records that were filed once


def _tally(pairs: list[tuple[str, int]]) -> list[dict]:
    """[(key, pages)] → [{"key", "documents", "pages"}] sorted by key."""
    docs, pages = Counter(k for k, _ in pairs), Counter[str]()
    for k, p in pairs:
        pages[k] += p
    return [{"key": k, "documents": docs[k], "pages": pages[k]} for k in sorted(docs)]


def holdings(cat: Catalog, year: int) -> dict:
    """Filed records filed by the end of ``year``, tallied four ways."""
    projects = ProjectCache(cat)
    by: dict[str, list[tuple[str, int]]] = {"project": [], "group": [], "retention": [], "year": []}
    for doc in cat.documents(status="filed"):
        if doc["filed_at"].year > year:
            continue
        project = projects.get(doc["project_code"])
        item = project.checklist.item(doc["item_code"]) if project and doc["item_code"] else None
        pages = doc["pages"] or 0
        by["project"].append((doc["project_code"] or "-", pages))
        by["group"].append((item.group if item else "-", pages))
        by["retention"].append((record_retention(doc, projects), pages))
        by["year"].append((str((doc["document_date"] or doc["filed_at"]).year), pages))
    return {k: _tally(v) for k, v in by.items()}


def filed_per_month(cat: Catalog, year: int) -> list[dict]:
    """Records filed in each month of ``year`` (twelve rows)."""
    months = Counter(
        d["filed_at"].month for d in cat.documents() if d["status"] in LEFT_REVIEW and d["filed_at"].year == year
    )
    return [{"month": f"{year}-{m:02d}", "documents": months[m]} for m in range(1, 13)]


def volume_figures(cat: Catalog, year: int) -> dict:
    """Volumes made by the end of ``year``: how many, sealed, and their pages."""
    with cat.engine.connect() as conn:
        vols = [dict(r) for r in conn.execute(select(volumes.c.id, volumes.c.status, volumes.c.created_at)).mappings()]
        spans = conn.execute(
            select(volume_documents.c.volume_id, volume_documents.c.start_page, volume_documents.c.end_page)
        ).all()
    kept = {v["id"] for v in vols if v["created_at"].year <= year}
    return {
        "volumes": len(kept),
        "sealed": sum(1 for v in vols if v["id"] in kept and v["status"] == "sealed"),
        "pages": sum(e - s + 1 for vid, s, e in spans if vid in kept),
    }


def disposals(cat: Catalog, year: int) -> dict:
    """Records destroyed in ``year``, by project."""
    with cat.engine.connect() as conn:
        rows = conn.execute(select(events.c.project_code, events.c.at).where(events.c.action == "destroyed")).all()
    by_project = Counter(p or "-" for p, at in rows if at.year == year)
    return {
        "destroyed": sum(by_project.values()),
        "by_project": [{"key": k, "documents": n} for k, n in sorted(by_project.items())],
    }


def completeness(cat: Catalog) -> list[dict]:
    """Every project's checklist completeness now, by project code."""
    return [
        {
            "project": r.project,
            "name": r.project_name,
            "items": r.total,
            "filed": r.filed,
            "missing": r.missing,
            "waived": r.waived,
        }  # fmt: skip
        for r in sorted(check_all(cat), key=lambda r: r.project)
    ]


def stats(cat: Catalog, year: int | None = None) -> dict:
    """Every table of the yearly statistics for ``year`` (this year by default)."""
    year = year or date.today().year
    if not 1900 <= year <= 9999:
        raise UsageError(f"--year {year}: give a year like 2025")
    return {
        "year": year,
        "holdings": holdings(cat, year),
        "volumes": volume_figures(cat, year),
        "filed_per_month": filed_per_month(cat, year),
        "completeness": completeness(cat),
        "disposals": disposals(cat, year),
    }


SHEETS = (
    ("按项目", ("holdings", "project"), ("项目", "件数", "页数")),
    ("按门类", ("holdings", "group"), ("门类", "件数", "页数")),
    ("按保管期限", ("holdings", "retention"), ("保管期限", "件数", "页数")),
    ("按年度", ("holdings", "year"), ("年度", "件数", "页数")),
    ("月度归档", ("filed_per_month",), ("月份", "件数")),
    ("齐全率", ("completeness",), ("项目", "名称", "应归档项", "已归档", "缺失", "免归档")),
    ("销毁", ("disposals", "by_project"), ("项目", "销毁件数")),
)


def write_xlsx(figures: dict, path: Path) -> Path:
    """The statistics as a workbook, one sheet per table, plus a summary sheet."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new workbook has its sheet
    ws.title = "概况"
    v = figures["volumes"]
    for row in (("年度", figures["year"]), ("案卷数", v["volumes"]), ("已封卷", v["sealed"]), ("案卷页数", v["pages"]),
                ("本年销毁件数", figures["disposals"]["destroyed"])):  # fmt: skip
        ws.append(list(row))
    for title, keys, headers in SHEETS:
        rows = figures
        for k in keys:
            rows = rows[k]
        sheet = wb.create_sheet(title)
        sheet.append(list(headers))
        for r in rows:
            sheet.append(list(r.values()))
    try:
        wb.save(path)
    except OSError as e:
        raise UsageError(f"--xlsx {path}: cannot write it ({e.strerror}); give a writable path") from e
    return path
