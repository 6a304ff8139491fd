"""Changing volumes by hand: moving a document, sealing and unsealing, renumbering pages.

A draft volume is renumbered after every change (件号 from 1, 页次 running on from page 1)
and its 保管期限/密级 recomputed.  A sealed volume's order and numbers are frozen: a change
needs ``unseal`` first, and both are logged, so the event log tells who reopened a volume.
"""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select, update

from dangan.archive.catalog import Catalog, now
from dangan.archive.dblock import writes
from dangan.archive.onloan import holder, open_loan
from dangan.archive.projects import get_project
from dangan.archive.schema import documents, volume_documents, volumes
from dangan.archive.volumes.metadata import highest_secrecy, longest_retention, retention_of, secrecy_of
from dangan.archive.volumes.model import Volume, get_volume
from dangan.archive.volumes.plan import doc_pages
from dangan.indexer.errors import ConflictError, UsageError


def _require_draft(v: Volume, action: str) -> None:
    if v.sealed:
        raise ConflictError(
            "volume {volume} of {project} is sealed, so {action} would change frozen numbers",
            volume=v.sequence, project=v.project, action=action,
            fix=f"run `dangan volume unseal {v.project} {v.sequence}` first",
        )  # fmt: skip


def volume_of(cat: Catalog, doc_id: int) -> Volume | None:
    """The volume holding a document, or None."""
    doc = cat.document(doc_id)
    with cat.engine.connect() as conn:
        row = conn.execute(
            select(volumes.c.sequence)
            .join(volume_documents, volume_documents.c.volume_id == volumes.c.id)
            .where(volume_documents.c.document_id == doc_id)
        ).first()
    return get_volume(cat, doc["project_code"], row.sequence) if row else None


@writes("volume move")
def move_document(cat: Catalog, doc_id: int, to: int, position: int | None = None) -> Volume:
    """Put document ``doc_id`` into volume ``to`` of its project at 件号 ``position`` (default: last)."""
    doc = cat.document(doc_id)
    if doc["status"] != "filed" or not doc["project_code"]:
        raise UsageError(f"document {doc_id} is not filed in a project; file it first with `dangan file {doc_id}`")
    target = get_volume(cat, doc["project_code"], to)
    source = volume_of(cat, doc_id)
    _require_draft(target, f"moving document {doc_id} into it")
    if source is not None:
        _require_draft(source, f"moving document {doc_id} out of it")
    others = [e.document_id for e in target.entries if e.document_id != doc_id]
    if position is not None and not 1 <= position <= len(others) + 1:
        raise UsageError(f"--position {position} is outside volume {to} (1 to {len(others) + 1})")
    pos = len(others) + 1 if position is None else position
    order = others[: pos - 1] + [doc_id] + others[pos - 1 :]
    with cat.engine.begin() as conn:
        conn.execute(delete(volume_documents).where(volume_documents.c.document_id == doc_id))
        if source is not None and source.id != target.id:
            renumber(conn, cat, source.id, [e.document_id for e in source.entries if e.document_id != doc_id])
        renumber(conn, cat, target.id, order)
        cat.log(conn, "volume-moved", project=doc["project_code"], document=doc_id,
                source=source.sequence if source else None, to=to, position=pos)  # fmt: skip
    return get_volume(cat, doc["project_code"], to)


def renumber(conn, cat: Catalog, volume_id: int, order: list[int]) -> None:
    """Rewrite a volume's members in ``order`` with fresh 件号 and 页次; recompute 保管期限 and 密级."""
    vrow = conn.execute(select(volumes).where(volumes.c.id == volume_id)).mappings().one()
    project = get_project(cat, vrow["project_code"])
    rows = {r["id"]: dict(r) for r in conn.execute(select(documents).where(documents.c.id.in_(order))).mappings()}
    conn.execute(delete(volume_documents).where(volume_documents.c.volume_id == volume_id))
    start, retentions, secrecies = 1, [], []
    for position, doc_id in enumerate(order, 1):
        d = rows[doc_id]
        end = start + doc_pages(d) - 1
        conn.execute(insert(volume_documents).values(
            document_id=doc_id, volume_id=volume_id, position=position, start_page=start, end_page=end))  # fmt: skip
        start = end + 1
        item = project.checklist.item(d["item_code"] or "")
        retentions.append(retention_of(d, item.retention if item else None))
        secrecies.append(secrecy_of(d))
    conn.execute(update(volumes).where(volumes.c.id == volume_id).values(
        retention=longest_retention(retentions), secrecy=highest_secrecy(secrecies)))  # fmt: skip


def leave_volume(conn, cat: Catalog, doc_id: int) -> dict | None:
    """Take a document that is no longer kept (discarded, destroyed) out of its volume.

    A draft volume is renumbered; a sealed one keeps its other pieces' frozen 件号 and 页次
    (they are on paper), leaving a gap.  Returns where it was (for the event), or None.
    """
    q = (
        select(volumes.c.id, volumes.c.sequence, volumes.c.status, volume_documents.c.position,
               volume_documents.c.start_page, volume_documents.c.end_page)
        .join(volume_documents, volume_documents.c.volume_id == volumes.c.id)
        .where(volume_documents.c.document_id == doc_id)
    )  # fmt: skip
    row = conn.execute(q).mappings().first()
    if row is None:
        return None
    conn.execute(delete(volume_documents).where(volume_documents.c.document_id == doc_id))
    if row["status"] != "sealed":
        rest = select(volume_documents.c.document_id).where(volume_documents.c.volume_id == row["id"])
        order = [r[0] for r in conn.execute(rest.order_by(volume_documents.c.position))]
        renumber(conn, cat, row["id"], order)
    return {"volume": row["sequence"], "piece": row["position"], "pages": f"{row['start_page']}-{row['end_page']}",
            "volume_id": row["id"]}  # fmt: skip


@writes("volume seal")
def seal(cat: Catalog, code: str, sequence: int) -> Volume:
    """Freeze a volume's order and page numbers (logged)."""
    v = get_volume(cat, code, sequence)
    if v.sealed:
        raise ConflictError("volume {volume} of {project} is already sealed", volume=sequence, project=code)
    if not v.entries:
        raise ConflictError(
            "volume {volume} of {project} is empty; move documents into it or plan again", volume=sequence, project=code
        )
    with cat.engine.begin() as conn:
        conn.execute(update(volumes).where(volumes.c.id == v.id).values(status="sealed", sealed_at=now()))
        loan = open_loan(conn, volume_id=v.id)  # sealed all the same; the log and the command say it is out
        cat.log(conn, "volume-sealed", project=code, volume=sequence, documents=len(v.entries), pages=v.pages,
                on_loan=holder(loan) if loan else None)  # fmt: skip
    return get_volume(cat, code, sequence)


@writes("volume unseal")
def unseal(cat: Catalog, code: str, sequence: int, reason: str) -> Volume:
    """Reopen a sealed volume for changes; the reason goes into the event log."""
    if not reason or not reason.strip():
        raise UsageError("unsealing needs a reason for the log", fix="--reason 补充设计变更单")
    v = get_volume(cat, code, sequence)
    if not v.sealed:
        raise ConflictError(
            "volume {volume} of {project} is not sealed; nothing to undo", volume=sequence, project=code
        )
    with cat.engine.begin() as conn:
        conn.execute(update(volumes).where(volumes.c.id == v.id).values(status="draft", sealed_at=None))
        cat.log(conn, "volume-unsealed", project=code, volume=sequence, reason=reason.strip())
    return get_volume(cat, code, sequence)


@writes("volume build")
def record_pages(cat: Catalog, v: Volume, real: dict[int, int]) -> Volume:
    """Take the page counts found when building (document id → pages) into a draft volume.

    A catalog page count can be an estimate (a Word file's pages depend on its rendering);
    the stamped numbers are what counts.  A sealed volume whose real pages differ raises
    ConflictError naming the document: its frozen 页次 would no longer be true.
    """
    changed = {e.document_id: real[e.document_id] for e in v.entries if e.pages != real[e.document_id]}
    if not changed:
        return v
    if v.sealed:
        doc_id = next(iter(changed))
        raise ConflictError(
            "document {doc_id} in sealed volume {volume} of {project} now has {pages} page(s), "
            "not the sealed {sealed}; unseal the volume and build again",
            doc_id=doc_id, volume=v.sequence, project=v.project, pages=changed[doc_id],
            sealed=next(e.pages for e in v.entries if e.document_id == doc_id),
        )  # fmt: skip
    with cat.engine.begin() as conn:
        for doc_id, pages in changed.items():
            conn.execute(update(documents).where(documents.c.id == doc_id).values(pages=pages))
        renumber(conn, cat, v.id, [e.document_id for e in v.entries])
        cat.log(
            conn, "volume-numbered", project=v.project, volume=v.sequence, pages={str(k): n for k, n in changed.items()}
        )
    return get_volume(cat, v.project, v.sequence)


def count_unassigned(cat: Catalog, code: str) -> int:
    """Filed documents of the project that are in no volume."""
    with cat.engine.connect() as conn:
        return int(conn.execute(
            select(func.count()).select_from(documents)
            .where(documents.c.project_code == code, documents.c.status == "filed",
                   ~documents.c.id.in_(select(volume_documents.c.document_id)))
        ).scalar_one())  # fmt: skip
