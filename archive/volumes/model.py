"""Volumes as the library hands them out: a Volume with its ordered Entry rows, read from the catalog.

An entry joins a ``volume_documents`` row with its document and the effective archival
metadata (:mod:`dangan.archive.volumes.metadata`), so the PDF builder, the registers and the
handover package all read one shape.  档号 (DA/T 13: 全宗号-类别号-案卷号-件号, ``-`` between
levels, ``·`` inside one) come from ``[volume] code_pattern`` in dangan.toml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from dangan.archive.catalog import Catalog, document_dict
from dangan.archive.projects import Project, get_project
from dangan.archive.schema import document_texts, documents, volume_documents, volumes
from dangan.archive.volumes.metadata import author_of, retention_of, secrecy_of
from dangan.indexer.errors import ConfigError, NotFoundError
from dangan.indexer.text import fold

DEFAULT_CODE_PATTERN = "{fonds}-{project}·{gbt_class}-{volume:03d}"
DEFAULT_MAX_PAGES = 200
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
# Characters XML 1.0 (so DOCX, XLSX and our XML) cannot hold; text read from scans may carry them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(value: object) -> str:
    """``value`` as text without the characters XML cannot hold."""
    return _NOT_XML.sub("", str(value))


@dataclass
class Entry:
    """One document in a volume: its 件号 (position), 页次 and what the registers print."""

    document_id: int
    position: int
    start_page: int
    end_page: int
    doc: dict  # the documents row
    author: str
    retention: str
    secrecy: str
    on_document: bool = True  # the title can be read in the document's own text

    @property
    def shown_title(self) -> str:
        """文件题名 as registers print it: a title the archivist wrote (not on the document) in [ ]."""
        title = xml_safe(self.doc["title"])
        return title if self.on_document else f"[{title}]"

    @property
    def pages(self) -> int:
        return self.end_page - self.start_page + 1

    def register_entry(self) -> dict:
        """The keys :mod:`dangan.archive.registers` reads, with 责任者 already defaulted."""
        d = self.doc
        return {
            "id": d["id"], "doc_number": xml_safe(d.get("doc_number") or ""), "person": xml_safe(self.author),
            "title": self.shown_title, "document_date": d.get("document_date"), "pages": self.pages,
            "remarks": xml_safe(d.get("remarks") or ""), "item_code": d.get("item_code"), "mime_type": d.get("mime_type"),
            "retention": self.retention, "secrecy": self.secrecy,
        }  # fmt: skip


@dataclass
class Volume:
    """A 案卷 of one project with its entries in 件号 order."""

    id: int
    project: str
    sequence: int
    title: str
    kind: str
    gbt_class: str
    retention: str
    secrecy: str
    status: str
    created_at: datetime | None = None
    sealed_at: datetime | None = None
    entries: list[Entry] = field(default_factory=list)

    @property
    def sealed(self) -> bool:
        return self.status == "sealed"

    @property
    def pages(self) -> int:
        return self.entries[-1].end_page if self.entries else 0

    def dates(self) -> tuple[date | None, date | None]:
        """编制日期 起止: the earliest and latest document date (None when none is known)."""
        known = sorted(e.doc["document_date"] for e in self.entries if e.doc.get("document_date"))
        return (known[0], known[-1]) if known else (None, None)

    def to_json(self, code: str = "") -> dict:
        first, last = self.dates()
        return {
            "project": self.project, "volume": self.sequence, "code": code, "title": self.title, "kind": self.kind,
            "retention": self.retention, "secrecy": self.secrecy, "status": self.status, "pages": self.pages,
            "from": first, "to": last,
            "documents": [
                {"piece": e.position, "id": e.document_id, "title": e.doc["title"], "author": e.author,
                 "pages": f"{e.start_page}-{e.end_page}", "retention": e.retention, "secrecy": e.secrecy}
                for e in self.entries
            ],
        }  # fmt: skip


def code_settings(cat: Catalog) -> dict[str, Any]:
    """档号 parts from dangan.toml: fonds ([archive_code]), pattern and 档案馆号 ([volume])."""
    conf = cat.home.config
    return {
        "fonds": str(conf.get("archive_code", {}).get("fonds", "")),
        "pattern": str(conf.get("volume", {}).get("code_pattern", DEFAULT_CODE_PATTERN)),
        "archive_no": str(conf.get("volume", {}).get("archive_no", "")),
        "client": str(conf.get("volume", {}).get("client", "")),
    }


def volume_code(volume: Volume, settings: dict[str, Any]) -> str:
    """The volume's 档号; the project code loses its dashes (``-`` separates levels)."""
    values = {
        "fonds": settings.get("fonds", ""), "project": re.sub(r"[-·]", "", volume.project),
        "gbt_class": volume.gbt_class or "X", "volume": volume.sequence,
    }  # fmt: skip
    pattern = settings.get("pattern") or DEFAULT_CODE_PATTERN
    try:
        code = pattern.format(**values)
    except (KeyError, ValueError, IndexError) as e:
        raise ConfigError(
            f"[volume] code_pattern {pattern!r} in dangan.toml cannot be filled ({e}); "
            f"use the fields fonds, project, gbt_class, volume"
        ) from e
    # The 档号 names folders and files of the handover package: it must be one plain name.
    if not code or code.startswith(".") or _UNSAFE_NAME.search(code):
        raise ConfigError(
            f"[volume] code_pattern {pattern!r} in dangan.toml gives the 档号 {code!r}, which cannot name a file; "
            f"use letters, digits, '-' and '·' (check [archive_code] fonds too)"
        )
    return code


def piece_code(volume_code_: str, position: int) -> str:
    """档号 of one document: the volume's 档号 and its 件号 (DA/T 13's last level)."""
    return f"{volume_code_}-{position:03d}"


def max_pages(cat: Catalog) -> int:
    """``[volume] max_pages`` (default 200): a volume thicker than this is split."""
    value = cat.home.config.get("volume", {}).get("max_pages", DEFAULT_MAX_PAGES)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ConfigError(f"[volume] max_pages = {value!r} in dangan.toml must be a whole number ≥ 1, e.g. 200")
    return value


def list_volumes(cat: Catalog, code: str) -> list[Volume]:
    """Every volume of a project with its entries, by 案卷号."""
    project = get_project(cat, code)
    with cat.engine.connect() as conn:
        rows = list(
            conn.execute(select(volumes).where(volumes.c.project_code == code).order_by(volumes.c.sequence)).mappings()
        )
        members = list(
            conn.execute(
                select(volume_documents, documents, document_texts.c.content)
                .join(documents, documents.c.id == volume_documents.c.document_id)
                .join(document_texts, document_texts.c.document_id == documents.c.id, isouter=True)
                .where(volume_documents.c.volume_id.in_([r["id"] for r in rows]))
                .order_by(volume_documents.c.volume_id, volume_documents.c.position)
            ).mappings()
        )
    by_volume: dict[int, list[Entry]] = {}
    for m in members:
        by_volume.setdefault(m["volume_id"], []).append(_entry(project, m))
    return [_volume(r, by_volume.get(r["id"], [])) for r in rows]


def get_volume(cat: Catalog, code: str, sequence: int) -> Volume:
    """One volume by project and 案卷号; NotFoundError lists the ones there are."""
    found = list_volumes(cat, code)
    for v in found:
        if v.sequence == sequence:
            return v
    have = ", ".join(str(v.sequence) for v in found)
    if have:
        raise NotFoundError(
            "project {project} has no volume {volume}; volumes: {have}", project=code, volume=sequence, have=have
        )
    raise NotFoundError("project {project} has no volume {volume}", project=code, volume=sequence,
                        fix=f"plan them with `dangan volume plan {code}`")  # fmt: skip


def _entry(project: Project, row) -> Entry:
    doc = document_dict(row)
    item = project.checklist.item(doc["item_code"] or "")
    return Entry(
        document_id=row["document_id"], position=row["position"], start_page=row["start_page"],
        end_page=row["end_page"], doc=doc, author=author_of(doc),
        retention=retention_of(doc, item.retention if item else None), secrecy=secrecy_of(doc),
        on_document=title_on_document(doc["title"], row["content"] or ""),
    )  # fmt: skip


def title_on_document(title: str, text: str) -> bool:
    """Whether the title can be read in the document's text (spaces, width and Traditional forms ignored).

    GB/T 50328 puts a title the archivist made up in [ ]; a title that is not in the text
    (a scan without a text layer, a name taken from the file name) is one.
    """
    wanted = _squash(title)
    return bool(wanted) and wanted in _squash(text)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", fold(text))  # OCR puts spaces between characters


def _volume(row, entries: list[Entry]) -> Volume:
    return Volume(
        id=row["id"], project=row["project_code"], sequence=row["sequence"], title=row["title"], kind=row["kind"],
        gbt_class=row["gbt_class"] or "", retention=row["retention"], secrecy=row["secrecy"], status=row["status"],
        created_at=row["created_at"], sealed_at=row["sealed_at"], entries=entries,
    )  # fmt: skip
