"""Proposing volumes (立卷): a project's filed documents grouped by checklist group and split by thickness.

GB/T 50328 groups files into volumes by stage and kind (施工文件, 竣工图, 竣工验收文件…) per
单位工程; the checklist's groups are that grouping.  Inside a group documents go in checklist
item order, then by date, then by id; a group thicker than ``[volume] max_pages`` pages is
split into 第1卷, 第2卷… without ever splitting a document.  Sealed volumes are kept as they
are; planning again replaces only the drafts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, insert, select

from dangan.archive.catalog import Catalog, now
from dangan.archive.dblock import writes
from dangan.archive.onloan import tied_volume
from dangan.archive.projects import Project, get_project
from dangan.archive.schema import volume_documents, volumes
from dangan.archive.volumes.metadata import highest_secrecy, longest_retention, retention_of, secrecy_of
from dangan.archive.volumes.model import Volume, code_settings, list_volumes
from dangan.archive.volumes.model import max_pages as configured_max_pages
from dangan.indexer.errors import ConflictError

OTHER_GROUP = "其他文件"


@dataclass
class Proposal:
    """One volume to be: its group, title and documents (rows of ``documents``) in order."""

    kind: str
    gbt_class: str
    title: str
    docs: list[dict] = field(default_factory=list)
    part: int = 0  # 第N卷 of its group, 0 when the group fits one volume

    @property
    def pages(self) -> int:
        return sum(doc_pages(d) for d in self.docs)


def doc_pages(doc: dict) -> int:
    """Pages a document takes in a volume (at least one)."""
    try:
        return max(1, int(doc.get("pages") or 1))
    except (TypeError, ValueError):
        return 1


def propose(cat: Catalog, code: str, *, max_pages: int | None = None) -> list[Proposal]:
    """The volumes the project's filed documents outside sealed volumes would make."""
    project = get_project(cat, code)
    limit = max_pages or configured_max_pages(cat)
    sealed_docs = {e.document_id for v in list_volumes(cat, code) if v.sealed for e in v.entries}
    docs = [d for d in cat.documents(project=code, status="filed") if d["id"] not in sealed_docs]
    position = {it.code: it.position for it in project.checklist.items}
    docs.sort(key=lambda d: (position.get(d["item_code"], 10_000), d["document_date"] or d["filed_at"].date(), d["id"]))
    by_group: dict[str, list[dict]] = {}
    for d in docs:
        item = project.checklist.item(d["item_code"] or "")
        by_group.setdefault(item.group if item else OTHER_GROUP, []).append(d)
    client = code_settings(cat)["client"]
    proposals = []
    for group in [*project.checklist.groups, OTHER_GROUP]:
        if group in by_group:
            proposals += _split(project, group, by_group[group], limit, client)
    return proposals


def _split(project: Project, group: str, docs: list[dict], limit: int, client: str) -> list[Proposal]:
    gbt = next((it.gbt_class for it in project.checklist.items if it.group == group), "")
    parts: list[list[dict]] = [[]]
    for d in docs:
        if parts[-1] and sum(doc_pages(x) for x in parts[-1]) + doc_pages(d) > limit:
            parts.append([])
        parts[-1].append(d)
    title = f"{client}{project.name}{group}"
    if len(parts) == 1:
        return [Proposal(group, gbt, title, parts[0])]
    return [Proposal(group, gbt, f"{title}（第{i}卷）", p, part=i) for i, p in enumerate(parts, 1)]


@writes("volume plan")
def plan_volumes(cat: Catalog, code: str, *, max_pages: int | None = None) -> list[Volume]:
    """Replace the project's draft volumes by a new proposal; sealed volumes stay.  Returns all volumes."""
    project = get_project(cat, code)
    proposals = propose(cat, code, max_pages=max_pages)
    with cat.engine.begin() as conn:
        drafts = [
            r.id
            for r in conn.execute(
                select(volumes.c.id).where(volumes.c.project_code == code, volumes.c.status == "draft")
            )
        ]
        if (tied := tied_volume(conn, drafts)) is not None:
            sequence = conn.execute(select(volumes.c.sequence).where(volumes.c.id == tied)).scalar_one()
            raise ConflictError(
                "draft volume {project}:{volume} has a place or loans, which re-planning would lose",
                project=code, volume=sequence,
                fix=f"seal it first with `dangan volume seal {code} {sequence}` (sealed volumes stay)",
            )  # fmt: skip
        conn.execute(delete(volume_documents).where(volume_documents.c.volume_id.in_(drafts)))
        conn.execute(delete(volumes).where(volumes.c.id.in_(drafts)))
        taken = {r.sequence for r in conn.execute(select(volumes.c.sequence).where(volumes.c.project_code == code))}
        sequence = 0
        for p in proposals:
            sequence += 1
            while sequence in taken:
                sequence += 1
            _insert(conn, project, sequence, p)
        cat.log(conn, "volumes-planned", project=code, drafts_replaced=len(drafts),
                volumes=[{"kind": p.kind, "documents": len(p.docs), "pages": p.pages} for p in proposals])  # fmt: skip
    return list_volumes(cat, code)


def _insert(conn, project: Project, sequence: int, p: Proposal) -> None:
    retentions, secrecies = [], []
    for d in p.docs:
        item = project.checklist.item(d["item_code"] or "")
        retentions.append(retention_of(d, item.retention if item else None))
        secrecies.append(secrecy_of(d))
    vid = conn.execute(
        insert(volumes).values(
            project_code=project.code,
            sequence=sequence,
            title=p.title,
            kind=p.kind,
            gbt_class=p.gbt_class,
            retention=longest_retention(retentions),
            secrecy=highest_secrecy(secrecies),
            status="draft",
            created_at=now(),
        )
    ).inserted_primary_key[0]
    start = 1
    for position, d in enumerate(p.docs, 1):
        end = start + doc_pages(d) - 1
        conn.execute(insert(volume_documents).values(
            document_id=d["id"], volume_id=vid, position=position, start_page=start, end_page=end))  # fmt: skip
        start = end + 1
