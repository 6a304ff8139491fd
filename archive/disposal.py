"""销毁: disposing of an approved batch's destroyed records, and the 销毁清册 that stays.

Disposal needs an approved batch and at least two 监销人.  Each destroyed record's stored
file is removed from the vault (``remove_stored_file``, as ``trash empty`` does) after its
catalog row says 已销毁 (status ``destroyed``, no vault path) with an event naming its SHA-256;
the row stays, the search index drops it.  The 销毁清册 (XLSX and DOCX: 题名, 档号, 应保管期限,
已保管期限, 页数, reason, 监销人) is then filed into each project as a permanent (永久) record,
under the item dangan.toml ``[retention] register_item`` names or the checklist's 销毁清册
item; without either it waits in review, saying so.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from datetime import date
from pathlib import Path

from docx import Document as DocxDocument
from openpyxl import Workbook
from sqlalchemy import select, update

from dangan.archive.appraisal import batch
from dangan.archive.catalog import Catalog, now
from dangan.archive.dblock import writes
from dangan.archive.intake.ingest import file_document
from dangan.archive.life.trash import remove_stored_file
from dangan.archive.projects import ProjectCache
from dangan.archive.registers.xlsx import safe_row
from dangan.archive.retention import DESTROYED, period_years, project_dates, record_start, refuse_if_held
from dangan.archive.schema import appraisal_batches, documents, legacy_rows
from dangan.archive.searchsync import remove_from_index
from dangan.archive.volumes.edit import leave_volume
from dangan.indexer.errors import ConfigError, ConflictError, UsageError

REGISTER_DIR = "销毁清册"  # in the home: the XLSX copies of the registers
HEADERS = ("序号", "题名", "档号", "应保管期限", "已保管期限", "页数", "销毁理由")


def _witnesses(names: list[str]) -> list[str]:
    people = list(dict.fromkeys(n.strip() for n in names if n and n.strip()))
    if len(people) < 2:
        raise UsageError("disposal needs at least two 监销人: --witness 姓名 --witness 姓名")
    return people


def _archive_code(cat: Catalog, doc_id: int) -> str:
    """The record's 档号 from an imported catalogue, if it has one."""
    with cat.engine.connect() as conn:
        q = select(legacy_rows.c.archive_code).where(legacy_rows.c.document_id == doc_id)
        return conn.execute(q).scalar() or ""


@writes("appraise dispose")
def dispose(cat: Catalog, batch_id: int, *, witnesses: list[str]) -> dict:
    """Destroy the approved batch's 销毁 records and file the 销毁清册; returns the batch."""
    people = _witnesses(witnesses)
    b = batch(cat, batch_id)
    if b["status"] != "approved":
        raise ConflictError(
            "appraisal batch {batch_id} is {status}, not approved: nothing is destroyed before its approval",
            batch_id=batch_id, status=b["status"], fix=f"`dangan appraise approve {batch_id} --by 姓名`",
        )  # fmt: skip
    doomed = [it for it in b["items"] if it["decision"] == "destroy"]
    for it in doomed:
        refuse_if_held(cat, cat.document(it["document_id"]), "disposed of")
    for code in {it["project_code"] for it in doomed}:
        register_item(cat, code)  # a bad [retention] register_item stops it before anything is destroyed
    years, today, cache, dates = period_years(cat), date.today(), ProjectCache(cat), project_dates(cat)
    rows = []
    for it in doomed:
        doc = cat.document(it["document_id"])
        start = record_start(doc, cache, dates) or it["expired_year"] - years.get(it["retention"], 0) + 1
        kept = today.year - start + 1
        rows.append({
            "id": doc["id"], "project": doc["project_code"], "title": doc["title"],
            "code": _archive_code(cat, doc["id"]), "retention": f"{it['retention']}（{years[it['retention']]}年）",
            "kept": f"{kept}年", "pages": doc["pages"], "reason": it["reason"],
        })  # fmt: skip
        _destroy(cat, doc, batch_id)
    remove_from_index(cat, [r["id"] for r in rows])
    registers = [_file_register(cat, b, code, [r for r in rows if r["project"] == code], people)
                 for code in sorted({r["project"] for r in rows})]  # fmt: skip
    with cat.engine.begin() as conn:
        conn.execute(update(appraisal_batches).where(appraisal_batches.c.id == batch_id).values(
            status="disposed", disposed_at=now(), witnesses=json.dumps(people, ensure_ascii=False)))  # fmt: skip
        cat.log(conn, "appraisal-disposed", batch=batch_id, destroyed=[r["id"] for r in rows],
                witnesses=people, registers=registers)  # fmt: skip
    out = batch(cat, batch_id)
    out["registers"] = registers
    return out


def _destroy(cat: Catalog, doc: dict, batch_id: int) -> None:
    """The row first (已销毁, with the event), then the bytes: a crash leaves at most an orphan."""
    if doc["status"] == DESTROYED:
        return
    with cat.engine.begin() as conn:
        conn.execute(update(documents).where(documents.c.id == doc["id"]).values(status=DESTROYED, vault_path=None))
        # Out of its volume: a volume lists what it holds, and a sealed one keeps its other
        # pieces' numbers; the event keeps where it was (案卷号, 件号, 页次) for the 备考表.
        was = leave_volume(conn, cat, doc["id"])
        cat.log(conn, "destroyed", project=doc["project_code"], document=doc["id"], batch=batch_id,
                sha256=doc["sha256"], original_name=doc["original_name"], title=doc["title"],
                vault_path=doc["vault_path"], volume=was)  # fmt: skip
    if doc["vault_path"]:
        remove_stored_file(cat, doc["vault_path"], doc["sha256"])


REGISTER_WORD = "销毁清册"  # a checklist item whose title or alias holds it takes the registers
NO_ITEM = "no checklist item holds 销毁清册: file it by hand, or name the item in dangan.toml [retention] register_item"


def register_item(cat: Catalog, code: str) -> str | None:
    """The item of project ``code`` its 销毁清册 is filed under: dangan.toml ``[retention]
    register_item`` (which must be an item of the project's checklist), else the checklist's
    item named 销毁清册; None (the register waits in review) when there is neither."""
    checklist = ProjectCache(cat).require(code).checklist
    named = cat.home.setting("retention", "register_item", None)
    if named is not None:
        item = checklist.item(named) if isinstance(named, str) else None
        if item is None:
            raise ConfigError(
                "dangan.toml [retention] register_item = {value}: checklist {checklist} of project {project} "
                "has no such item; name one of its item codes",
                value=repr(named), checklist=checklist.id, project=code,
            )  # fmt: skip
        return item.code
    for item in checklist.items:
        if REGISTER_WORD in item.title or REGISTER_WORD in item.aliases:
            return item.code
    return None


def _file_register(cat: Catalog, b: dict, code: str, rows: list[dict], people: list[str]) -> dict:
    """Write the project's 销毁清册 as DOCX and XLSX and file both as 永久 records of the
    project (under its register item, else in review); a copy of the XLSX stays in the home's
    ``销毁清册/`` folder.  Returns the two filed ids and the XLSX copy."""
    title = f"{code} 档案销毁清册（鉴定批次 {b['id']}）"
    stem = f"销毁清册_{code}_批次{b['id']}"
    folder = cat.home.root / REGISTER_DIR
    folder.mkdir(exist_ok=True)
    xlsx = _xlsx(folder / f"{stem}.xlsx", title, rows, people, b)
    item = register_item(cat, code)
    filed = []
    with tempfile.TemporaryDirectory(prefix="dangan-destroy-") as tmp:
        docx = _docx(Path(tmp) / f"{stem}.docx", title, rows, people, b)
        for path in (docx, shutil.copy2(xlsx, Path(tmp) / xlsx.name)):
            rec = file_document(cat, Path(path), project=code, item=item, title=title, document_date=date.today(),
                                source="api", review="" if item else NO_ITEM)  # fmt: skip
            assert rec.doc_id is not None  # filed or in review: either way a catalog row
            filed.append(rec.doc_id)
    with cat.engine.begin() as conn:
        conn.execute(update(documents).where(documents.c.id.in_(filed)).values(retention="永久"))
        cat.log(conn, "destruction-register", project=code, document=filed[0], xlsx_document=filed[1],
                batch=b["id"], xlsx=str(xlsx))  # fmt: skip
    return {"project": code, "document": filed[0], "xlsx_document": filed[1],
            "xlsx": str(xlsx.relative_to(cat.home.root)), "item": item}  # fmt: skip


def _lines(rows: list[dict]) -> list[tuple]:
    return [
        (n, r["title"], r["code"], r["retention"], r["kept"], r["pages"], r["reason"]) for n, r in enumerate(rows, 1)
    ]


def _footer(people: list[str], b: dict) -> list[str]:
    return [f"批准人：{b['approved_by']}（{b['approved_at']:%Y-%m-%d}）", f"监销人：{'、'.join(people)}",
            f"销毁日期：{date.today():%Y-%m-%d}"]  # fmt: skip


def _xlsx(path: Path, title: str, rows: list[dict], people: list[str], b: dict) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new workbook has its sheet
    ws.title = "销毁清册"
    ws.append([title])
    ws.append(list(HEADERS))
    for line in _lines(rows):
        ws.append(safe_row(line))  # titles come from the documents: never a formula
    for text in _footer(people, b):
        ws.append([text])
    wb.save(path)
    return path


def _docx(path: Path, title: str, rows: list[dict], people: list[str], b: dict) -> Path:
    doc = DocxDocument()
    doc.add_heading(title, level=1)
    table = doc.add_table(rows=1, cols=len(HEADERS))
    for cell, head in zip(table.rows[0].cells, HEADERS):
        cell.text = head
    for line in _lines(rows):
        for cell, value in zip(table.add_row().cells, line):
            cell.text = str(value)
    for text in _footer(people, b):
        doc.add_paragraph(text)
    doc.save(str(path))
    return path
