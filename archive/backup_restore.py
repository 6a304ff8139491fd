"""Proving a backup complete (``backup verify``) and rebuilding a home from it (``backup restore``).

Both trust nothing in the backup folder: every object is hashed again, every path a manifest
or a catalog row names must stay inside the new home, and a restore writes into a new or
empty folder only.  See :mod:`dangan.archive.backup` for the folder's layout.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from dangan.archive.backup import load_manifest, object_path, pick, sha256_file, snapshots
from dangan.archive.catalog import Catalog
from dangan.archive.create import init_home
from dangan.archive.home import CONFIG_NAME, Home
from dangan.archive.searchsync import rebuild_index
from dangan.indexer.errors import HomeNotEmptyError, IntegrityError

_SQLITE_URL_LINE = 'url = "sqlite:///catalog.db"'


@dataclass
class BackupReport:
    """What ``backup verify`` found: snapshots and objects checked, and each problem as one line."""

    dest: Path
    snapshots: list[str] = field(default_factory=list)
    objects: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.problems

    def to_json(self) -> dict:
        return {"dest": str(self.dest), "snapshots": self.snapshots, "objects": self.objects,
                "problems": self.problems, "clean": self.clean}  # fmt: skip


def verify_backup(
    dest: Path, snapshot: str | None = None, progress: Callable[[int], None] | None = None
) -> BackupReport:
    """Hash every file of one snapshot (or all) again and compare with the manifests."""
    dest = Path(dest).expanduser().absolute()
    names = [pick(dest, snapshot)] if snapshot else snapshots(dest)
    report = BackupReport(dest=dest, snapshots=names)
    checked: dict[str, bool] = {}
    for name in names:
        try:
            manifest = load_manifest(dest, name)
        except IntegrityError as e:
            report.problems.append(str(e))
            continue
        folder = dest / "snapshots" / name
        _check_file(report, folder / "catalog.db", manifest.get("catalog_sha256", ""), f"{name}: catalog.db")
        for f in manifest.get("files", []):
            if f.get("kind") == "home":
                _check_file(report, folder / "home" / f["path"], f["sha256"], f"{name}: home/{f['path']}")
            elif f["sha256"] not in checked:
                checked[f["sha256"]] = _check_object(report, dest, f, name)
                if progress:
                    progress(1)
        for m in manifest.get("missing", []):
            report.problems.append(
                f"{name}: document #{m['id']} ({m['vault_path']}) could not be read from the vault when this backup ran"
            )
    report.objects = len(checked)
    return report


def _check_file(report: BackupReport, path: Path, sha: str, label: str) -> bool:
    if not path.is_file():
        report.problems.append(f"{label} is missing")
        return False
    if sha256_file(path) != sha:
        report.problems.append(f"{label} has changed (SHA-256 differs from the manifest)")
        return False
    return True


def _check_object(report: BackupReport, dest: Path, f: dict, snapshot: str) -> bool:
    try:
        path = object_path(dest, f["sha256"])
    except IntegrityError as e:
        report.problems.append(f"{snapshot}: {f.get('path')}: {e}")
        return False
    return _check_file(report, path, f["sha256"], f"{snapshot}: {f['path']} (object {f['sha256'][:12]}…)")


@dataclass
class RestoreResult:
    """The home a restore made and what it holds."""

    home: Path
    snapshot: str
    documents: int = 0
    indexed: int = 0
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"home": str(self.home), "snapshot": self.snapshot, "documents": self.documents,
                "indexed": self.indexed, "notes": self.notes}  # fmt: skip


def restore_backup(
    dest: Path, home_dir: Path, snapshot: str | None = None, progress: Callable[[int], None] | None = None
) -> RestoreResult:
    """Rebuild a working home at ``home_dir`` (new or empty) from a snapshot; the index is rebuilt."""
    dest = Path(dest).expanduser().absolute()
    home_dir = Path(home_dir).expanduser().absolute()
    if home_dir.exists() and (not home_dir.is_dir() or any(home_dir.iterdir())):
        raise HomeNotEmptyError(f"{home_dir} is not empty; restore into a new or empty folder")
    name = pick(dest, snapshot)
    manifest = load_manifest(dest, name)
    folder = dest / "snapshots" / name
    if not _check_file(
        report := BackupReport(dest), folder / "catalog.db", manifest.get("catalog_sha256", ""), "catalog.db"
    ):
        raise IntegrityError(f"{folder}: {report.problems[0]}; restore another snapshot (`dangan backup list {dest}`)")
    result = RestoreResult(home=home_dir, snapshot=name)
    home_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    _restore_home_files(folder, manifest, home_dir, result)
    shutil.copyfile(folder / "catalog.db", home_dir / "catalog.db")
    init_home(home_dir)  # the folders, and any shipped checklist or template the backup did not hold
    home = Home.open(home_dir)
    for f in (f for f in manifest.get("files", []) if f.get("kind") == "vault"):
        _restore_object(dest, f, home.vault_dir)
        result.documents += 1
        if progress:
            progress(1)
    with Catalog.open(home) as cat:  # brings an older catalog's schema up to date
        result.indexed = rebuild_index(cat)
    return result


def _restore_home_files(folder: Path, manifest: dict, home_dir: Path, result: RestoreResult) -> None:
    for f in (f for f in manifest.get("files", []) if f.get("kind") == "home"):
        target = _inside(home_dir, f["path"])
        src = folder / "home" / f["path"]
        if sha256_file(src) != f["sha256"]:
            raise IntegrityError(
                f"{src} differs from the manifest; run `dangan backup verify` and restore another snapshot"
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)
    config = home_dir / CONFIG_NAME
    os.chmod(config, 0o600)
    text = config.read_text(encoding="utf-8")
    url = re.search(r'(?m)^url\s*=\s*"(.*)"\s*$', text)
    if url and not url.group(1).startswith("sqlite:///"):
        # A server catalog was copied into catalog.db: the restored home uses that file.
        config.write_text(text[: url.start()] + _SQLITE_URL_LINE + text[url.end() :], encoding="utf-8")
        result.notes.append(
            f"the catalog was on a server ({manifest.get('catalog')}); the restored home uses catalog.db"
        )


def _restore_object(dest: Path, f: dict, vault_dir: Path) -> None:
    target = _inside(vault_dir, f["path"])
    src = object_path(dest, f["sha256"])
    if not src.is_file():
        raise IntegrityError(f"{src} is missing for {f['path']}; run `dangan backup verify {dest}`")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.restoring")
    shutil.copyfile(src, tmp)
    if sha256_file(tmp) != f["sha256"]:
        tmp.unlink()
        raise IntegrityError(f"{src} has changed since the backup (SHA-256 differs); run `dangan backup verify {dest}`")
    tmp.rename(target)


def _inside(root: Path, rel: str) -> Path:
    """``root / rel`` when ``rel`` is a plain relative path; a manifest naming ``..`` or ``/`` is refused."""
    parts = PurePosixPath(rel).parts
    if not parts or PurePosixPath(rel).is_absolute() or ".." in parts or "\\" in rel or "\x00" in rel:
        raise IntegrityError(
            f"the backup names the path {rel!r}, which leaves the home; this backup is damaged or forged"
        )
    return root.joinpath(*parts)


def catalog_documents(db_file: Path) -> int:
    """How many documents a snapshot's catalog holds (for `backup list`)."""
    db = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
    try:
        return int(db.execute("SELECT count(*) FROM documents").fetchone()[0])
    finally:
        db.close()
