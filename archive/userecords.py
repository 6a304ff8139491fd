"""利用登记: the use records of every loan, return and renewal and of every view and download
through a grant (:mod:`~dangan.archive.grants`), listed, exported to XLSX and counted.

:func:`year_uses` is the one count of a year's 利用: the statistics (page, workbook, `stats`)
and `use count` all show its figures, so they cannot disagree.

Text cells go through the registers' :func:`~dangan.archive.registers.xlsx.safe_text`, so a
borrower named ``=HYPERLINK(…)`` is shown as text, never run as a formula.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sqlalchemy import select

from dangan.archive.catalog import Catalog
from dangan.archive.grants import grant_use_rows
from dangan.archive.holdings import resolve
from dangan.archive.lending import loans_of
from dangan.archive.registers.xlsx import safe_text
from dangan.archive.schema import loans, use_records
from dangan.indexer.errors import UsageError
from dangan.indexer.fsutil import atomic_path

COLUMNS = [("日期", "day", 12), ("利用方式", "action", 9), ("利用人", "person", 12), ("部门", "dept", 14),
           ("档案", "what", 16), ("题名", "title", 36), ("利用目的", "purpose", 24), ("利用效果", "effect", 30)]  # fmt: skip


def list_uses(cat: Catalog, *, person: str | None = None, year: int | None = None, of: str | None = None) -> list[dict]:
    """Use records (loans, and views and downloads through grants), oldest first; only one person's
    (``person``), one year's (``year``) or those of one volume and its documents or of one document
    (``of``: ``PROJECT:案卷号`` or ``#id``) when given."""
    query = select(use_records).order_by(use_records.c.day, use_records.c.id)
    online = grant_use_rows(cat)
    if person:
        query = query.where(use_records.c.person == person.strip())
        online = [r for r in online if r["person"] == person.strip()]
    if of:
        t = resolve(cat, of)
        query = query.where(use_records.c.loan_id.in_(select(loans.c.id).where(loans_of(t))))
        docs = {e.document_id for e in t.volume.entries} if t.volume else {t.document_id}
        online = [r for r in online if r["document_id"] in docs]
    with cat.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
    merged = sorted(rows + online, key=lambda r: r["day"])  # stable: each source keeps its own order
    return [
        {key: (r[key].isoformat() if key == "day" else r[key]) for _, key, _ in COLUMNS}
        for r in merged
        if year is None or r["day"].year == year
    ]


USES = ("借出", "在线查阅", "在线下载")  # a use of the archive; a return or a renewal is not a new one


def _counted(counter: Counter) -> list[dict]:
    return [{"key": k, "count": n} for k, n in sorted(counter.items())]


def year_uses(cat: Catalog, year: int) -> dict:
    """A year's 利用 figures from every use record of the year, loans' and grants' alike.

    ``records`` and ``by_action`` count every record (借出, 归还, 续借, 在线查阅, 在线下载); the
    uses (``uses``: loans made, online views and downloads; a return or renewal is not a new
    use) give the people (利用人数), the items used, and the uses by purpose and by department
    (a grant's reader's organisation); ``loans`` splits into volumes and documents and counts
    those lent outside the company; ``views`` and ``downloads`` are the electronic uses.
    """
    q = select(use_records.c.action, use_records.c.day, use_records.c.person, use_records.c.dept,
               use_records.c.purpose, use_records.c.what, loans.c.volume_id, loans.c.outside).join(
        loans, loans.c.id == use_records.c.loan_id)  # fmt: skip
    with cat.engine.connect() as conn:
        lending = [dict(r) for r in conn.execute(q).mappings() if r["day"].year == year]
    every = lending + [r for r in grant_use_rows(cat) if r["day"].year == year]
    used = [r for r in every if r["action"] in USES]
    lent = [r for r in lending if r["action"] == "借出"]
    actions = Counter(r["action"] for r in every)
    return {
        "year": year,
        "records": len(every),
        "by_action": _counted(actions),
        "uses": len(used),
        "loans": len(lent),
        "volume_loans": sum(1 for r in lent if r["volume_id"] is not None),
        "document_loans": sum(1 for r in lent if r["volume_id"] is None),
        "outside": sum(1 for r in lent if r["outside"]),
        "views": actions["在线查阅"],
        "downloads": actions["在线下载"],
        "people": len({r["person"] for r in used}),
        "items": len({r["what"] for r in used}),
        "by_purpose": _counted(Counter(r["purpose"] for r in used)),
        "by_dept": _counted(Counter(r["dept"] or "-" for r in used)),
    }


def write_uses_xlsx(rows: list[dict], out: Path) -> Path:
    """The use register as one worksheet 利用登记; the file appears atomically."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    if out.suffix.lower() != ".xlsx":
        raise UsageError(f"--xlsx {out} must name a .xlsx file, e.g. 利用登记.xlsx")

    wb = Workbook()
    ws = wb.active
    ws.title = "利用登记"
    ws.append([c[0] for c in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        line = ws.max_row + 1
        for col, (_, key, _) in enumerate(COLUMNS, 1):
            if r[key] is not None:
                cell = ws.cell(row=line, column=col, value=safe_text(str(r[key])))
                cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
    for i, (_, _, width) in enumerate(COLUMNS, 1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = width
    ws.freeze_panes = "A2"
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(out) as tmp:
        wb.save(tmp)
    return out
