"""The four-property check (四性检测, DA/T 70) of a project's archive before handover.

* 真实性 authenticity: every stored file still has the SHA-256 and size recorded at ingest.
* 完整性 integrity: every required checklist item is filed or waived with a reason; every
  filed document is in a volume; 件号 and 页次 run without gaps; 题名 and 责任者 are present
  and 保管期限/密级 are valid values.
* 可用性 usability: every file opens in its format (:mod:`dangan.archive.handover.inspect`).
* 安全性 security: no encrypted PDF, no macros, no executables.

Each failure is one :class:`Finding` row naming the volume, 件号, document and what to do.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field

from dangan.archive.catalog import Catalog, now
from dangan.archive.completeness import check
from dangan.archive.handover.inspect import security_problem, usability_problem
from dangan.archive.projects import get_project
from dangan.archive.vault import sha256_file
from dangan.archive.volumes import Volume, list_volumes
from dangan.archive.volumes.metadata import author_of, normal_retention, normal_secrecy
from dangan.indexer.errors import UsageError
from dangan.indexer.messages import Message

PROPERTIES = ("真实性", "完整性", "可用性", "安全性")


@dataclass
class Finding:
    """One failing row of the check: what is wrong (a :class:`Message`, so the web app says it
    in Chinese) and ``remedy``, the kind of fix — ``waive`` (file or waive the item),
    ``edit`` (correct the document's metadata), ``volume`` (plan or move volumes),
    ``backup`` (restore the file from a backup), ``file`` (replace the stored file)."""

    property: str
    note: Message
    volume: int | None = None
    piece: int | None = None
    document: int | None = None
    item: str | None = None
    remedy: str = ""

    @builtins.property
    def message(self) -> str:
        """The row in English with its command-line advice (the CLI's and --json's text)."""
        return str(self.note)

    @builtins.property  # the field `property` above shadows the builtin in this class body
    def where(self) -> str:
        """第1卷 件3 #12, or the checklist item, for the row's second column."""
        parts = []
        if self.volume is not None:
            parts.append(f"第{self.volume}卷")
        if self.piece is not None:
            parts.append(f"件{self.piece}")
        if self.document is not None:
            parts.append(f"#{self.document}")
        if self.item:
            parts.append(self.item)
        return " ".join(parts)

    def to_json(self) -> dict:
        return {"property": self.property, "volume": self.volume, "piece": self.piece, "document": self.document,
                "item": self.item, "message": self.message}  # fmt: skip


@dataclass
class CheckReport:
    """The result of the four checks on one project."""

    project: str
    project_name: str
    checked_at: object
    files: int
    volumes: int
    findings: list[Finding] = field(default_factory=list)

    def failed(self, prop: str) -> list[Finding]:
        return [f for f in self.findings if f.property == prop]

    @property
    def passed(self) -> bool:
        return not self.findings

    def summary(self) -> str:
        """e.g. ``真实性 通过, 完整性 不通过 (2), 可用性 通过, 安全性 通过``."""
        return ", ".join(
            f"{p} {'通过' if not self.failed(p) else f'不通过 ({len(self.failed(p))})'}" for p in PROPERTIES
        )

    def to_json(self) -> dict:
        return {
            "project": self.project, "project_name": self.project_name, "checked_at": str(self.checked_at),
            "files": self.files, "volumes": self.volumes, "passed": self.passed,
            "properties": {p: {"passed": not self.failed(p), "failures": len(self.failed(p))} for p in PROPERTIES},
            "findings": [f.to_json() for f in self.findings],
        }  # fmt: skip


def run_checks(cat: Catalog, code: str) -> CheckReport:
    """The four checks on project ``code``; the report lists every failing row."""
    project = get_project(cat, code)
    vols = list_volumes(cat, code)
    docs = cat.documents(project=code, status="filed")
    where = {e.document_id: (v.sequence, e.position) for v in vols for e in v.entries}
    report = CheckReport(code, project.name, now(), len(docs), len(vols))
    for d in docs:
        vol, piece = where.get(d["id"], (None, None))
        for prop, note, remedy in _file_findings(cat, d):
            report.findings.append(Finding(prop, note, vol, piece, d["id"], remedy=remedy))
        for note in _metadata_problems(project, d):
            report.findings.append(Finding("完整性", note, vol, piece, d["id"], remedy="edit"))
        if d["id"] not in where:
            note = Message("{title} is in no volume", {"title": d["title"]},
                           fix=f"run `dangan volume plan {code}` or `dangan volume move {d['id']} --to N`")  # fmt: skip
            report.findings.append(Finding("完整性", note, document=d["id"], remedy="volume"))
    report.findings += _item_findings(cat, code)
    for v in vols:
        report.findings += _numbering_findings(v)
    order = {p: i for i, p in enumerate(PROPERTIES)}
    report.findings.sort(key=lambda f: (order[f.property], f.volume or 0, f.piece or 0, f.document or 0, f.item or ""))
    return report


def _file_findings(cat: Catalog, d: dict) -> list[tuple[str, Message, str]]:
    name = d["original_name"]
    path = cat.home.vault_dir / (d["vault_path"] or "")
    if not d["vault_path"] or not path.is_file():
        note = Message("{name}: the stored file vault/{path} is missing; restore it from a backup",
                       {"name": name, "path": d["vault_path"]})  # fmt: skip
        return [("真实性", note, "backup")]
    found = []
    if path.stat().st_size != d["size"] or sha256_file(path) != d["sha256"]:
        note = Message("{name}: content differs from the SHA-256 recorded at ingest (changed since filing); "
                       "restore vault/{path} from a backup", {"name": name, "path": d["vault_path"]})  # fmt: skip
        found.append(("真实性", note, "backup"))
    usability = usability_problem(path, d["mime_type"])
    if usability:
        found.append(("可用性", Message("{name} {problem}", {"name": name, "problem": usability}), "file"))
    security = security_problem(path, d["mime_type"])
    if security:
        found.append(("安全性", Message("{name} {problem}", {"name": name, "problem": security}), "file"))
    return found


def _metadata_problems(project, d: dict) -> list[Message]:
    problems = []
    if not (d["title"] or "").strip():
        problems.append(Message("{name}: 题名 is empty", {"name": d["original_name"]},
                                fix=f"set it with `dangan edit {d['id']} --title …`"))  # fmt: skip
    if not author_of(d):
        problems.append(Message("{title}: 责任者 is empty", {"title": d["title"]},
                                fix=f"set it with `dangan edit {d['id']} --author 姓名`"))  # fmt: skip
    for _label, value, normal in (
        ("保管期限", d.get("retention"), normal_retention),
        ("密级", d.get("secrecy"), normal_secrecy),
    ):
        if value:
            try:
                normal(value)
            except UsageError as e:
                problems.append(Message("{title}: {problem}", {"title": d["title"], "problem": e}))
    if project.checklist.item(d["item_code"] or "") is None:
        problems.append(Message("{title}: checklist item {item!r} is not in checklist {checklist}",
                                {"title": d["title"], "item": d["item_code"], "checklist": project.checklist.id}))  # fmt: skip
    return problems


def _item_findings(cat: Catalog, code: str) -> list[Finding]:
    found = []
    for it in check(cat, code).items:
        if it.status == "missing":
            note = Message("{title}: required, neither filed nor waived (owed by {owner})",
                           {"title": it.title, "owner": it.owner}, fix=f"file it or `dangan waive {code} {it.code} --reason …`")  # fmt: skip
            found.append(Finding("完整性", note, item=it.code, remedy="waive"))
    return found


def _numbering_findings(v: Volume) -> list[Finding]:
    if not v.entries:
        note = Message("volume {volume} is empty; move documents into it or plan again", {"volume": v.sequence})
        return [Finding("完整性", note, v.sequence, remedy="volume")]
    found, expected_page = [], 1
    for n, e in enumerate(v.entries, 1):
        if e.position != n:
            found.append(
                Finding(
                    "完整性",
                    Message(
                        "件号 {piece} where {expected} was expected (a gap in 件号)",
                        {"piece": e.position, "expected": n},
                    ),
                    v.sequence,
                    e.position,
                    e.document_id,
                    remedy="volume",
                )
            )
        if e.start_page != expected_page or e.end_page < e.start_page:
            note = Message("页次 {start}-{end} where page {expected} was expected (a gap in page numbers)",
                           {"start": e.start_page, "end": e.end_page, "expected": expected_page})  # fmt: skip
            found.append(Finding("完整性", note, v.sequence, e.position, e.document_id, remedy="volume"))
        expected_page = e.end_page + 1
    return found
