"""统计: the archive's holdings and the year in numbers, as a 年报-like set of small tables.

Holdings are the filed records (status ``filed``) filed by the end of the year, counted and
paged by project, checklist group (门类), 保管期限, carrier (载体: the record's own place in
the physical holdings, else its volume's, else 电子 — a file in the vault with no paper place
recorded) and the record's year (document date, else filing).  The year's own figures:
documents filed per month (every record that left review, whatever became of it since),
volumes made and their pages, completeness of every project
(:mod:`dangan.archive.completeness`), use (利用: :func:`dangan.archive.userecords.year_uses`,
the one count `use count` gives too: records by kind, loans of volumes and documents, online
views and downloads, outside, people, by purpose and department),
appraisal decisions of batches approved that year, and records destroyed (the ``destroyed``
events) with their pages.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import select

from dangan.archive.catalog import Catalog
from dangan.archive.completeness import check_all
from dangan.archive.deadlines.duelist import deadline_projects
from dangan.archive.deadlines.obligations import deadlines
from dangan.archive.projects import ProjectCache
from dangan.archive.registers.xlsx import safe_row
from dangan.archive.retention import record_retention
from dangan.archive.schema import (
    appraisal_batches,
    appraisal_items,
    events,
    volume_documents,
    volumes,
)
from dangan.archive.schema import (
    holdings as places,
)
from dangan.archive.userecords import year_uses
from dangan.indexer.errors import UsageError

LEFT_REVIEW = ("filed", "destroyed", "discarded")  # statuses of records that were filed once


def _tally(pairs: list[tuple[str, int]]) -> list[dict]:
    """[(key, pages)] → [{"key", "documents", "pages"}] sorted by key."""
    docs, pages = Counter(k for k, _ in pairs), Counter[str]()
    for k, p in pairs:
        pages[k] += p
    return [{"key": k, "documents": docs[k], "pages": pages[k]} for k in sorted(docs)]


ELECTRONIC = "电子"  # the carrier of a record with no physical place recorded


def carriers(cat: Catalog) -> dict[int, str]:
    """Document id → carrier (载体) of its own place, else of its volume's place."""
    with cat.engine.connect() as conn:
        rows = conn.execute(select(places.c.volume_id, places.c.document_id, places.c.carrier)).all()
        members = conn.execute(select(volume_documents.c.document_id, volume_documents.c.volume_id)).all()
    by_volume = {v: c for v, d, c in rows if v is not None}
    found = {doc: by_volume[vol] for doc, vol in members if vol in by_volume}
    found.update({d: c for v, d, c in rows if d is not None})  # a document's own place wins
    return found


def holdings(cat: Catalog, year: int) -> dict:
    """Filed records filed by the end of ``year``, tallied five ways."""
    projects, carrier = ProjectCache(cat), carriers(cat)
    keys = ("project", "group", "retention", "carrier", "year")
    by: dict[str, list[tuple[str, int]]] = {k: [] for k in keys}
    for doc in cat.documents(status="filed"):
        if doc["filed_at"].year > year:
            continue
        project = projects.get(doc["project_code"])
        item = project.checklist.item(doc["item_code"]) if project and doc["item_code"] else None
        pages = doc["pages"] or 0
        by["project"].append((doc["project_code"] or "-", pages))
        by["group"].append((item.group if item else "-", pages))
        by["retention"].append((record_retention(doc, projects), pages))
        by["carrier"].append((carrier.get(doc["id"], ELECTRONIC), pages))
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
    """Records destroyed in ``year`` (by project, with their pages) and the decisions of the
    appraisal batches approved in ``year`` (延长/开放/销毁)."""
    with cat.engine.connect() as conn:
        rows = conn.execute(
            select(events.c.project_code, events.c.document_id, events.c.at).where(events.c.action == "destroyed")
        ).all()
        decided = conn.execute(
            select(appraisal_items.c.decision, appraisal_batches.c.approved_at)
            .join(appraisal_batches, appraisal_batches.c.id == appraisal_items.c.batch_id)
            .where(appraisal_batches.c.approved_at.is_not(None))
        ).all()
    gone = [(p or "-", d) for p, d, at in rows if at.year == year]
    by_project = Counter(p for p, _ in gone)
    pages = {d["id"]: d["pages"] or 0 for d in cat.documents(status="destroyed")}
    decisions = Counter(d for d, at in decided if at.year == year)
    return {
        "destroyed": len(gone),
        "pages": sum(pages.get(d, 0) for _, d in gone),
        "by_project": [{"key": k, "documents": n} for k, n in sorted(by_project.items())],
        "decisions": {k: decisions.get(k, 0) for k in ("keep", "open", "destroy")},
    }


def service(cat: Catalog, year: int) -> list[dict]:
    """Service records owed in ``year`` by each project with deadlines, as seen at the year's
    end (or today, in the current year): still overdue, filed late, filed on time."""
    seen = min(date.today(), date(year, 12, 31))
    if seen < date(year, 1, 1):
        return []
    rows = []
    for project in deadline_projects(cat):
        report = deadlines(cat, project.code, today=seen, first=date(year, 1, 1), last=seen)
        rows.append({"project": project.code, "name": project.name, "overdue": report.count("overdue"),
                     "late": report.count("late"), "on_time": report.count("on-time")})  # fmt: skip
    return rows


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
        raise UsageError("--year {year}: give a year like 2025", year=year)
    return {
        "year": year,
        "holdings": holdings(cat, year),
        "volumes": volume_figures(cat, year),
        "filed_per_month": filed_per_month(cat, year),
        "completeness": completeness(cat),
        "service": service(cat, year),
        "uses": year_uses(cat, year),
        "disposals": disposals(cat, year),
    }


SHEETS = (
    ("按项目", ("holdings", "project"), ("项目", "件数", "页数")),
    ("按门类", ("holdings", "group"), ("门类", "件数", "页数")),
    ("按保管期限", ("holdings", "retention"), ("保管期限", "件数", "页数")),
    ("按载体", ("holdings", "carrier"), ("载体", "件数", "页数")),
    ("按年度", ("holdings", "year"), ("年度", "件数", "页数")),
    ("月度归档", ("filed_per_month",), ("月份", "件数")),
    ("齐全率", ("completeness",), ("项目", "名称", "应归档项", "已归档", "缺失", "免归档")),
    ("服务记录", ("service",), ("项目", "名称", "逾期未交", "逾期补交", "按时")),
    ("利用目的", ("uses", "by_purpose"), ("利用目的", "利用次数")),
    ("利用部门", ("uses", "by_dept"), ("部门", "利用次数")),
    ("销毁", ("disposals", "by_project"), ("项目", "销毁件数")),
)


def write_xlsx(figures: dict, path: Path) -> Path:
    """The statistics as a workbook, one sheet per table, plus a summary sheet."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new workbook has its sheet
    ws.title = "概况"
    v = figures["volumes"]
    u, d = figures["uses"], figures["disposals"]
    for row in (("年度", figures["year"]), ("案卷数", v["volumes"]), ("已封卷", v["sealed"]), ("案卷页数", v["pages"]),
                ("利用登记条数", u["records"]), ("利用次数", u["uses"]), ("借出次数", u["loans"]),
                ("借出案卷", u["volume_loans"]), ("借出文件", u["document_loans"]), ("外借", u["outside"]),
                ("在线查阅", u["views"]), ("在线下载", u["downloads"]), ("利用人数", u["people"]),
                ("鉴定延长", d["decisions"]["keep"]), ("鉴定开放", d["decisions"]["open"]),
                ("鉴定销毁", d["decisions"]["destroy"]), ("本年销毁件数", d["destroyed"]), ("本年销毁页数", d["pages"])):  # fmt: skip
        ws.append(list(row))
    for title, keys, headers in SHEETS:
        rows = figures
        for k in keys:
            rows = rows[k]
        sheet = wb.create_sheet(title)
        sheet.append(list(headers))
        for r in rows:
            sheet.append(safe_row(r.values()))  # project names, departments, purposes: never a formula
    try:
        wb.save(path)
    except OSError as e:
        raise UsageError(
            "--xlsx {path}: cannot write it ({reason}); give a writable path", path=path, reason=e.strerror
        ) from e
    return path
