"""Files uploaded through the web app, filed by the same ingest pipeline as the inbox.

Each upload is written under a private folder of the home (``.uploads/``) with a cleaned
name, ingested like a file from outside the inbox (copied into the vault, the upload left
in place), then the folder is removed.  The outcome of every file is reported, including
the ones the pipeline refuses, so nothing is lost without a word.
"""

from __future__ import annotations

import shutil
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from dangan.archive.catalog import Catalog
from dangan.archive.intake.ingest import ingest_paths
from dangan.archive.intake.record import Record
from dangan.archive.projects import get_project
from dangan.archive.vault import safe_component
from dangan.indexer.messages import say
from dangan.web.base import said

UPLOADS_DIR = ".uploads"
DEFAULT_MAX_BYTES = 100 * 1024 * 1024


@dataclass(frozen=True)
class Upload:
    """One uploaded file: the name the browser sent and its bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class UploadOutcome:
    """What became of one upload: filed, review, duplicate or failed, with the document id."""

    name: str
    outcome: str
    document: int | None
    message: str
    vault_path: str | None = None

    def to_json(self) -> dict:
        return {"name": self.name, "outcome": self.outcome, "document": self.document,
                "message": self.message, "vault_path": self.vault_path}  # fmt: skip


def clean_upload_name(name: str) -> str:
    """The last component of a browser-sent name, without control or path characters.

    A name like ``../../etc/passwd`` or ``C:\\x\\y.pdf`` keeps only ``passwd`` / ``y.pdf``;
    what is left is never empty and never starts with a dot (hidden files are skipped).
    """
    base = unicodedata.normalize("NFC", str(name or "")).replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = safe_component(base).lstrip(".")
    return cleaned or "upload"


def ingest_uploads(
    cat: Catalog, uploads: list[Upload], *, project: str | None, max_bytes: int = DEFAULT_MAX_BYTES
) -> list[UploadOutcome]:
    """File uploaded files under ``project`` (or wherever the classifier places them).

    Too large or empty uploads are reported as failed and not written; the rest go through
    the ingest pipeline, which takes the writer lock per file to commit it.
    """
    if project:
        get_project(cat, project)
    outcomes: dict[int, UploadOutcome] = {}
    root = cat.home.root / UPLOADS_DIR
    root.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=root))
    try:
        paths = _write_uploads(work, uploads, max_bytes, outcomes)
        if paths:
            # ingest_paths holds the writer lock per file for its commit only: reading and OCR
            # of a long scan never keep another station (or the next upload) waiting.
            records = ingest_paths(cat, list(paths.values()), project=project)
            by_path = {r.path: r for r in records}
            for n, path in paths.items():
                r = by_path.get(path)
                outcomes[n] = (
                    UploadOutcome(
                        uploads[n].name,
                        r.outcome,
                        r.doc_id or r.duplicate_of,
                        _said(r, path, uploads[n].name),
                        r.vault_rel or None,
                    )
                    if r
                    else UploadOutcome(uploads[n].name, "failed", None, "不是文件（系统文件或隐藏文件），没有归档。")
                )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return [outcomes[n] for n in sorted(outcomes)]


def _said(r: Record, path: Path, name: str) -> str:
    """What happened to one upload, in Chinese (the catalog's sentence for its error or its
    outcome), naming it by the name the browser sent, never by its work path on the server."""
    text = say(r.error) if r.error is not None else said(r.message)
    return text.replace(str(path), name).replace(str(path.parent), "")


def sweep_uploads(home_root: Path) -> list[Path]:
    """Remove upload folders left by a server that stopped mid-upload; returns what went.

    They hold copies of files the browser sent (the user still has the originals), never a
    filed document: the vault has its own copy of anything filed.
    """
    root = Path(home_root) / UPLOADS_DIR
    gone = sorted(root.iterdir()) if root.is_dir() else []
    for folder in gone:
        shutil.rmtree(folder, ignore_errors=True)
    return gone


def _write_uploads(
    work: Path, uploads: list[Upload], max_bytes: int, outcomes: dict[int, UploadOutcome]
) -> dict[int, Path]:
    """Write each acceptable upload into its own sub-folder (so equal names never collide)."""
    paths: dict[int, Path] = {}
    for n, up in enumerate(uploads):
        problem = _problem(up, max_bytes)
        if problem:
            outcomes[n] = UploadOutcome(up.name, "failed", None, problem)
            continue
        folder = work / str(n)
        folder.mkdir()
        path = folder / clean_upload_name(up.name)
        path.write_bytes(up.data)
        paths[n] = path
    return paths


def _problem(up: Upload, max_bytes: int) -> str:
    """Why an upload is refused before it is written (in Chinese: the web app's own check), or ""."""
    if not up.data:
        return "文件是空的（0 字节）：请重新上传。"
    if len(up.data) > max_bytes:
        return (
            f"{len(up.data) // (1024 * 1024)} MB 超过了上传上限 {max_bytes // (1024 * 1024)} MB：请拆分文件后再上传。"
        )
    return ""
