"""The one record an input carries through the ingest pipeline.

Each step of ``dangan.archive.intake.ingest`` reads and fills this record (paperless-ngx's consumer works the
same way): what the file is, what was read from it, where it was placed and how it ended.
``to_json`` is what ``ingest --json`` and ``watch --json`` print for it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from dangan.archive.checklist import Item
from dangan.archive.intake import names, preflight
from dangan.archive.intake.classify import Classification
from dangan.archive.projects import Project
from dangan.indexer.errors import DanganError
from dangan.indexer.extract.common import Extraction


@dataclass
class Record:
    """Everything known about one input as it moves through the pipeline."""

    path: Path
    project_hint: str | None = None  # --project, or the inbox sub-folder
    consume: bool = False  # True for inbox files: the original goes once filed
    inbox: Path | None = None  # the inbox it came from: .failed/ and .duplicates/ go there
    forced_item: str | None = None  # set by file_document / forms --file-into
    forced_review: str = ""  # file_document: straight to review with this reason, not classified
    source: str = "ingest"
    title: str | None = None
    document_date: date | None = None
    date_candidates: list = field(default_factory=list)  # every date in the text, for `show`
    doc_number: str | None = None
    remarks: str | None = None
    sha256: str = ""
    size: int = 0
    extraction: Extraction | None = None  # set by the extract step
    project: Project | None = None
    item: Item | None = None
    classification: Classification | None = None
    review_reason: str = ""
    hold_reason: str = ""  # a cover sheet that could not be used: review with this reason, never a guess
    vault_rel: str = ""
    doc_id: int | None = None
    outcome: str = "pending"  # filed | review | duplicate | failed
    message: str = ""
    error: DanganError | None = None  # why it failed: the web app says it in Chinese
    duplicate_of: int | None = None
    moved_to: str | None = None
    staged: preflight.Staged | None = None  # the one version hashed, extracted and stored
    source_identity: tuple = ()  # device, inode, size, mtime of the input when it was staged
    from_mail: int | None = None  # an e-mail attachment: the mail's document id
    attachment_name: str = ""  # an e-mail attachment: its name in the mail, made safe
    input_label: str = ""  # how to name the input when its path is a temporary one (an attachment)
    attachments: list[Record] = field(default_factory=list)  # a mail: its attachments' records

    @property
    def name(self) -> str:
        """The file name as stored: undecodable bytes decoded leniently, control characters removed."""
        return names.without_controls(names.clean(self.path.name)) or "_"  # no bidi overrides in stored names

    def to_json(self) -> dict:
        cls = self.classification
        return {
            "input": self.input_text,
            "outcome": self.outcome,
            "document": self.doc_id,
            "project": self.project.code if self.project else None,
            "item": self.item.code if self.item else None,
            "person": self.person,
            "confidence": cls.confidence if cls else None,
            "suggestions": [s.to_json() for s in cls.suggestions] if cls and self.outcome == "review" else [],
            "vault_path": self.vault_rel or None,
            "duplicate_of": self.duplicate_of,
            "moved_to": self.moved_to,
            "message": self.message,
            "from_mail": self.from_mail,
        }

    @property
    def input_text(self) -> str:
        """The input as its events and ``--json`` name it (an attachment: its mail and its name)."""
        return self.input_label or names.clean(str(self.path))

    @property
    def person(self) -> str | None:
        if self.project and self.item:
            return self.project.person_for(self.item.role)
        return None

    def mark_duplicate(self, existing: dict) -> None:
        """This input's bytes are already filed as ``existing``: it becomes a duplicate."""
        self.outcome = "duplicate"
        self.duplicate_of = existing["id"]
        self.message = (
            f"same content as document {existing['id']} ({existing['original_name']}, {existing['vault_path']})"
        )

    def suggestions_json(self) -> str | None:
        """The review suggestions as stored in the catalog (None once an item is chosen)."""
        cls = self.classification
        if self.item is not None or cls is None:
            return None
        return json.dumps([s.to_json() for s in cls.suggestions], ensure_ascii=False)


def summarize(records: list[Record]) -> dict[str, int]:
    """Counts by outcome; inputs = filed + review + duplicate + failed."""
    counts = {"inputs": len(records), "filed": 0, "review": 0, "duplicate": 0, "failed": 0}
    for r in records:
        counts[r.outcome] = counts.get(r.outcome, 0) + 1
    return counts
