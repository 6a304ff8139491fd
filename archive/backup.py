"""Backups of a live home that can be proven and restored.

A backup folder (``DEST``) holds many snapshots and one store of file contents::

    DEST/dangan-backup.json          marks the folder as a dangan backup (format version)
    DEST/objects/ab/ab12…            the bytes of a stored file, named by its SHA-256
    DEST/snapshots/20261204T181500Z/ one snapshot:
        manifest.json                every file of the snapshot with its SHA-256 and size
        catalog.db                   the catalog as a SQLite file (a PostgreSQL catalog is copied into one)
        home/                        dangan.toml, checklists/, templates/ (small files, copied whole)

Why this shape: a vault file never changes its bytes once filed, so storing it under its
SHA-256 lets the next backup copy only what is new, and lets ``backup verify`` prove every
object by hashing it again.  The catalog is copied first, in one consistent read (SQLite's
online backup API; one REPEATABLE READ transaction on PostgreSQL), so ``watch`` and
``serve`` go on while it runs; a document filed after that read is simply not in this
snapshot.  The search index is not copied: it is derived from the catalog, changes under
the writer, and ``backup restore`` rebuilds it.

A snapshot is written in a hidden ``.part`` folder and renamed when complete, and objects are
written to a temporary name and renamed: a backup killed at any point leaves the previous
snapshots whole, and the next backup sweeps what it left.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import MetaData, create_engine, select

from dangan.archive.catalog import Catalog, display_url
from dangan.indexer.errors import ConflictError, IntegrityError, NotFoundError, UsageError

FORMAT = 1
MARKER = "dangan-backup.json"
# Small home files worth keeping beside the catalog; the vault goes to objects/, the index is rebuilt.
HOME_FILES = ("dangan.toml", "synonyms.toml")
HOME_DIRS = ("checklists", "templates")
_STAMP = "%Y%m%dT%H%M%SZ"
_CHUNK = 1 << 20


@dataclass
class BackupResult:
    """What one backup wrote: the snapshot, how many files it copied and reused, what it could not read."""

    dest: Path
    snapshot: str
    documents: int = 0
    copied: int = 0
    reused: int = 0
    bytes_copied: int = 0
    missing: list[dict] = field(default_factory=list)
    removed_snapshots: list[str] = field(default_factory=list)
    removed_objects: int = 0

    def to_json(self) -> dict:
        return {
            "dest": str(self.dest), "snapshot": self.snapshot, "documents": self.documents, "copied": self.copied,
            "reused": self.reused, "bytes_copied": self.bytes_copied, "missing": self.missing,
            "removed_snapshots": self.removed_snapshots, "removed_objects": self.removed_objects,
        }  # fmt: skip


def backup(
    cat: Catalog, dest: Path, *, keep: str | None = None, progress: Callable[[int], None] | None = None
) -> BackupResult:
    """Write a new snapshot of ``cat``'s home into ``dest``; apply ``keep`` (e.g. ``7d,4w,12m``) after."""
    rules = parse_keep(keep) if keep else None  # a bad --keep fails before anything is written
    dest = _prepare(cat.home.root, Path(dest))
    sweep(dest)
    stamp = datetime.now(UTC).strftime(_STAMP)
    while (dest / "snapshots" / stamp).exists():  # two backups in one second: keep both
        stamp = _next_second(stamp)
    part = dest / "snapshots" / f".{stamp}.{os.getpid()}.part"
    part.mkdir(parents=True, mode=0o700)
    result = BackupResult(dest=dest, snapshot=stamp)
    _snapshot_catalog(cat, part / "catalog.db")
    files = _store_vault(cat, dest, part / "catalog.db", result, progress)
    files += _copy_home_files(cat.home.root, part / "home")
    manifest = {
        "format": FORMAT, "created": stamp, "home": str(cat.home.root), "catalog": display_url(cat.home.catalog_url),
        "catalog_sha256": _sha256_file(part / "catalog.db"), "documents": result.documents,
        "missing": result.missing, "files": files,
    }  # fmt: skip
    _write_json(part / "manifest.json", manifest)
    _fsync_dir(part)
    part.rename(dest / "snapshots" / stamp)
    _fsync_dir(dest / "snapshots")
    if rules:
        result.removed_snapshots, result.removed_objects = prune(dest, rules)
    return result


def _prepare(home_root: Path, dest: Path) -> Path:
    """The backup folder, made or recognised; never inside the home, never an unrelated folder."""
    dest = dest.expanduser().absolute()
    real, home = dest.resolve(), home_root.resolve()  # a link into the home is inside it too
    if real == home or real.is_relative_to(home):
        raise UsageError(f"{dest} is inside the archive home {home_root}; back up to another disk or folder")
    marker = dest / MARKER
    if dest.exists() and not marker.is_file():
        if not dest.is_dir() or any(dest.iterdir()):
            raise ConflictError(f"{dest} is not empty and is no dangan backup; choose an empty or new folder")
    if not marker.is_file():
        dest.mkdir(parents=True, exist_ok=True, mode=0o700)
        _write_json(marker, {"format": FORMAT, "what": "dangan backup: snapshots/ and objects/ by SHA-256"})
    return dest


def sweep(dest: Path) -> list[Path]:
    """Remove what killed backups left: ``.part`` snapshots and half-written objects."""
    gone = []
    snapshots = dest / "snapshots"
    for p in snapshots.glob(".*.part") if snapshots.is_dir() else []:
        shutil.rmtree(p, ignore_errors=True)
        gone.append(p)
    objects = dest / "objects"
    for p in objects.glob("*/.*.tmp") if objects.is_dir() else []:
        p.unlink(missing_ok=True)
        gone.append(p)
    return gone


def _snapshot_catalog(cat: Catalog, target: Path) -> None:
    """One consistent copy of the catalog as a SQLite file."""
    url = cat.home.catalog_url
    if url.startswith("sqlite:///"):
        source = sqlite3.connect(f"file:{url[len('sqlite:///') :]}?mode=ro", uri=True)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # the online backup API: consistent while others write
        finally:
            copy.close()
            source.close()
        return
    _copy_server_catalog(cat, target)


def _copy_server_catalog(cat: Catalog, target: Path) -> None:
    """Every table of a PostgreSQL catalog into a SQLite file, read in one snapshot transaction."""
    reflected = MetaData()
    reflected.reflect(cat.engine)
    for table in reflected.tables.values():
        for column in table.columns:
            column.server_default = None  # nextval(…) and now() mean nothing to SQLite
    lite = create_engine(f"sqlite:///{target}")
    reflected.create_all(lite)
    with cat.engine.connect().execution_options(isolation_level="REPEATABLE READ") as src, lite.begin() as out:
        for table in reflected.sorted_tables:
            rows = [dict(r) for r in src.execute(select(table)).mappings()]
            if rows:
                out.execute(table.insert(), rows)
    lite.dispose()


def _store_vault(cat: Catalog, dest: Path, snapshot_db: Path, result: BackupResult, progress) -> list[dict]:
    """Copy each document's file the snapshot names into objects/ unless it is there already."""
    files = []
    db = sqlite3.connect(f"file:{snapshot_db}?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT id, sha256, size, vault_path FROM documents WHERE vault_path IS NOT NULL").fetchall()
    finally:
        db.close()
    result.documents = len(rows)
    for doc_id, sha, size, vault_path in rows:
        obj = _object_path(dest, sha)
        if obj.is_file():
            result.reused += 1
        else:
            source = _live_file(cat, sha, vault_path)
            if source is None or not _copy_object(source, obj, sha):
                result.missing.append({"id": doc_id, "vault_path": vault_path, "sha256": sha})
                continue
            result.copied += 1
            result.bytes_copied += size
        files.append({"kind": "vault", "path": vault_path, "sha256": sha, "size": size, "id": doc_id})
        if progress:
            progress(1)
    return files


def _live_file(cat: Catalog, sha: str, vault_path: str) -> Path | None:
    """Where the snapshot's file is now: its snapshot path, or wherever an edit since moved it."""
    path = cat.home.vault_dir / vault_path
    if path.is_file():
        return path
    now = cat.document_by_sha(sha)
    if now and now.get("vault_path"):
        moved = cat.home.vault_dir / now["vault_path"]
        return moved if moved.is_file() else None
    return None


def _copy_object(source: Path, obj: Path, sha: str) -> bool:
    """Copy ``source`` to ``obj`` if its bytes hash to ``sha``; a temporary name until complete."""
    obj.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = obj.parent / f".{obj.name}.{os.getpid()}.tmp"
    digest = hashlib.sha256()
    with source.open("rb") as src, open(tmp, "wb") as out:
        os.fchmod(out.fileno(), 0o600)
        while chunk := src.read(_CHUNK):
            digest.update(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    if digest.hexdigest() != sha:  # changed in the vault since it was filed: `verify` reports it
        tmp.unlink()
        return False
    tmp.rename(obj)
    return True


def _copy_home_files(root: Path, target: Path) -> list[dict]:
    """dangan.toml, checklists and templates, copied whole (regular files only, no links)."""
    names = [root / n for n in HOME_FILES] + [p for d in HOME_DIRS for p in sorted((root / d).rglob("*"))]
    files = []
    for path in names:
        if path.is_symlink() or not path.is_file():
            continue
        rel = path.relative_to(root)
        out = target / rel
        out.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        shutil.copyfile(path, out)
        os.chmod(out, 0o600)  # dangan.toml may hold the catalog server's password
        files.append({"kind": "home", "path": rel.as_posix(), "sha256": _sha256_file(out), "size": out.stat().st_size})
    return files


def snapshots(dest: Path) -> list[str]:
    """The complete snapshots in ``dest``, oldest first."""
    folder = Path(dest) / "snapshots"
    if not (Path(dest) / MARKER).is_file():
        raise NotFoundError(f"{dest} is no dangan backup (no {MARKER}); give the folder `dangan backup` wrote")
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) if folder.is_dir() else []


def pick(dest: Path, snapshot: str | None) -> str:
    """``snapshot`` if it exists, else the newest; NotFoundError lists what there is."""
    have = snapshots(dest)
    if not have:
        raise NotFoundError(f"{dest} holds no complete snapshot yet; run `dangan backup {dest}`")
    if snapshot in (None, "latest"):
        return have[-1]
    if snapshot not in have:
        raise NotFoundError(f"{dest} has no snapshot {snapshot!r}; snapshots: {', '.join(have)}")
    return snapshot


def load_manifest(dest: Path, snapshot: str) -> dict:
    """A snapshot's manifest; a damaged one is an IntegrityError naming the file."""
    path = Path(dest) / "snapshots" / snapshot / "manifest.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise IntegrityError(f"{path} cannot be read ({e}); this snapshot is damaged, restore an older one") from e


def object_path(dest: Path, sha: str) -> Path:
    """Where the bytes with this SHA-256 are stored in ``dest``."""
    return _object_path(Path(dest), sha)


def _object_path(dest: Path, sha: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{64}", sha or ""):
        raise IntegrityError(f"{sha!r} is not a SHA-256; the backup's manifest or catalog is damaged")
    return dest / "objects" / sha[:2] / sha


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in 1 MiB pieces."""
    return _sha256_file(path)


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        os.fchmod(fh.fileno(), 0o600)
        json.dump(data, fh, ensure_ascii=False, indent=1)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.rename(path)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _next_second(stamp: str) -> str:
    from datetime import timedelta

    return (datetime.strptime(stamp, _STAMP) + timedelta(seconds=1)).strftime(_STAMP)


def parse_keep(spec: str) -> dict[str, int]:
    """``7d,4w,12m`` → keep the newest snapshot of each of the last 7 days, 4 weeks and 12 months."""
    rules: dict[str, int] = {}
    for part in (p.strip() for p in spec.split(",") if p.strip()):
        m = re.fullmatch(r"(\d{1,4})([dwmy])", part)
        if not m or int(m.group(1)) == 0:
            raise UsageError(f"--keep {spec!r}: {part!r} is not a count and a unit, use e.g. 7d,4w,12m (d, w, m, y)")
        rules[m.group(2)] = int(m.group(1))
    if not rules:
        raise UsageError(f"--keep {spec!r} keeps nothing; use e.g. 7d,4w,12m")
    return rules


def kept(names: list[str], rules: dict[str, int]) -> set[str]:
    """Which snapshots ``rules`` keep: per unit, the newest of each of the last N days/weeks/months/years.

    The newest snapshot is always kept, whatever the rules say.
    """
    keys: dict[str, Callable[[datetime], tuple]] = {
        "d": lambda t: (t.year, t.month, t.day),
        "w": lambda t: tuple(t.isocalendar()[:2]),
        "m": lambda t: (t.year, t.month),
        "y": lambda t: (t.year,),
    }
    keep = {names[-1]} if names else set()
    for unit, count in rules.items():
        seen: list[tuple] = []
        for name in reversed(names):  # newest first: the first of each period is its newest
            key = keys[unit](datetime.strptime(name, _STAMP))
            if key not in seen:
                seen.append(key)
                if len(seen) > count:
                    break
                keep.add(name)
    return keep


def prune(dest: Path, rules: dict[str, int]) -> tuple[list[str], int]:
    """Delete the snapshots ``rules`` do not keep, then the objects no kept snapshot names."""
    names = snapshots(dest)
    keep = kept(names, rules)
    removed = [n for n in names if n not in keep]
    for name in removed:
        shutil.rmtree(dest / "snapshots" / name)
    wanted = {f["sha256"] for n in keep for f in load_manifest(dest, n)["files"] if f["kind"] == "vault"}
    gone = 0
    for obj in (dest / "objects").glob("*/*"):
        if obj.name not in wanted and not obj.name.startswith("."):
            obj.unlink()
            gone += 1
    return removed, gone
