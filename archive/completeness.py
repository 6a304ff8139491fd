"""Completeness: each project's archive against its required checklist.

Answers the project manager's question before 竣工验收 — what is filed, what is missing,
who owes it — and records waivers (items that do not apply, e.g. no stoppage happened).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import delete, insert, select

from dangan.archive.catalog import Catalog, now
from dangan.archive.dblock import writes
from dangan.archive.projects import UNASSIGNED, Project, get_project, list_projects
from dangan.archive.schema import documents, waivers
from dangan.indexer.errors import ConflictError, UsageError


@dataclass
class ItemStatus:
    """One checklist item's state on one project."""

    code: str
    title: str
    group: str
    number: int
    role: str
    person: str | None
    retention: str
    status: str  # filed | missing | waived
    documents: list[int] = field(default_factory=list)
    reason: str | None = None

    @property
    def owner(self) -> str:
        """Who owes the item: the person, or the role when nobody was named for it."""
        return self.person or f"{self.role}{UNASSIGNED}"

    def to_json(self) -> dict:
        return {
            "code": self.code,
            "title": self.title,
            "group": self.group,
            "number": self.number,
            "role": self.role,
            "person": self.person,
            "status": self.status,
            "documents": self.documents,
            "reason": self.reason,
        }


@dataclass
class Report:
    """The completeness of one project."""

    project: str
    project_name: str
    checklist: str
    items: list[ItemStatus]

    def count(self, status: str) -> int:
        return sum(1 for i in self.items if i.status == status)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def filed(self) -> int:
        return self.count("filed")

    @property
    def missing(self) -> int:
        return self.count("missing")

    @property
    def waived(self) -> int:
        return self.count("waived")

    @property
    def complete(self) -> bool:
        return self.missing == 0

    @property
    def ratio(self) -> float:
        """Share of items settled (filed or waived): what "how complete" means to a PM."""
        return (self.filed + self.waived) / self.total if self.total else 1.0

    def missing_by_owner(self) -> list[tuple[str, int]]:
        """Owners of missing items with their counts, most first then by name."""
        counts = Counter(i.owner for i in self.items if i.status == "missing")
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))

    def summary(self) -> str:
        """e.g. ``13/16 filed (81%), 3 missing: 张伟 1, 吴涛 1, 李娜 1``."""
        text = f"{self.filed}/{self.total} filed ({round(100 * self.filed / self.total) if self.total else 100}%)"
        if self.waived:
            text += f", {self.waived} waived"
        if self.missing:
            owners = ", ".join(f"{o} {n}" for o, n in self.missing_by_owner())
            text += f", {self.missing} missing: {owners}"
        else:
            text += ", complete"
        return text

    def to_json(self) -> dict:
        return {
            "project": self.project,
            "project_name": self.project_name,
            "checklist": self.checklist,
            "total": self.total,
            "filed": self.filed,
            "missing": self.missing,
            "waived": self.waived,
            "complete": self.complete,
            "summary": self.summary(),
            "items": [i.to_json() for i in self.items],
        }


def check(cat: Catalog, code: str) -> Report:
    """Completeness of one project against its checklist."""
    project = get_project(cat, code)
    with cat.engine.connect() as conn:
        docs = conn.execute(
            select(documents.c.id, documents.c.item_code)
            .where(documents.c.project_code == code, documents.c.status == "filed")
            .order_by(documents.c.id)
        ).all()
        waived = {r.item_code: r.reason for r in conn.execute(select(waivers).where(waivers.c.project_code == code))}
    by_item: dict[str, list[int]] = {}
    for d in docs:
        by_item.setdefault(d.item_code, []).append(d.id)
    return Report(
        project=project.code,
        project_name=project.name,
        checklist=project.checklist.id,
        items=[_status(project, it, by_item.get(it.code, []), waived.get(it.code)) for it in project.checklist.items],
    )


def _status(project: Project, it, doc_ids: list[int], reason: str | None) -> ItemStatus:
    # A filed document wins over a waiver: the paper exists, so the item is satisfied.
    status = "filed" if doc_ids else ("waived" if reason is not None else "missing")
    return ItemStatus(
        code=it.code,
        title=it.title,
        group=it.group,
        number=it.number,
        role=it.role,
        person=project.person_for(it.role),
        retention=it.retention,
        status=status,
        documents=doc_ids,
        reason=reason if status == "waived" else None,
    )


def check_all(cat: Catalog) -> list[Report]:
    """Every project, least complete first (the ones that need attention on top)."""
    reports = [check(cat, p.code) for p in list_projects(cat)]
    return sorted(reports, key=lambda r: (r.ratio, r.project))


@writes("waive")
def waive(cat: Catalog, code: str, item: str, reason: str) -> ItemStatus:
    """Mark an item not applicable to a project, with the reason, in the event log."""
    if not reason or not reason.strip():
        raise UsageError("a waiver needs a reason: --reason 本工程未发生停工")
    project = get_project(cat, code)
    it = project.item(item)
    filed = _find(check(cat, code), it.code)
    if filed.status == "filed":
        ids = ", ".join(f"#{d}" for d in filed.documents)
        raise ConflictError(
            "item {item} of project {project} is already filed ({ids}); a waiver is only for an item "
            "that does not apply (discard or refile the document first if it is wrong)",
            item=it.code, project=code, ids=ids,
        )  # fmt: skip
    with cat.engine.begin() as conn:
        conn.execute(delete(waivers).where(waivers.c.project_code == code, waivers.c.item_code == it.code))
        conn.execute(insert(waivers).values(project_code=code, item_code=it.code, reason=reason.strip(), at=now()))
        cat.log(conn, "item-waived", project=code, item=it.code, reason=reason.strip())
    return _find(check(cat, code), it.code)


@writes("unwaive")
def unwaive(cat: Catalog, code: str, item: str) -> ItemStatus:
    """Reverse a waiver; the item counts as required again."""
    project = get_project(cat, code)
    it = project.item(item)
    with cat.engine.begin() as conn:
        gone = conn.execute(
            delete(waivers).where(waivers.c.project_code == code, waivers.c.item_code == it.code)
        ).rowcount
        if not gone:
            raise ConflictError(
                "item {item} of project {project} is not waived; nothing to undo", item=it.code, project=code
            )
        cat.log(conn, "waiver-undone", project=code, item=it.code)
    return _find(check(cat, code), it.code)


def _find(report: Report, code: str) -> ItemStatus:
    return next(i for i in report.items if i.code == code)
