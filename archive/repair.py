"""Restoring a missing or changed vault file from an original the user dropped again.

When a stored file is lost or altered, the archivist's remedy is to drop the original into
the inbox once more.  Ingest sees the same SHA-256 as a catalogued document and sets the copy
aside in ``inbox/.duplicates/`` (it is not filed twice), so ``verify --repair`` looks there
(and in the inbox) for a file whose SHA-256 is the damaged document's and puts it back in the
vault.  A changed vault file is evidence, not rubbish: it is moved to ``quarantine/`` in the
home (outside the vault), never deleted.  Each restore is an event in the log.
"""

from __future__ import annotations

import os
from pathlib import Path

from dangan.archive import vault
from dangan.archive.catalog import Catalog, now
from dangan.archive.intake import names, preflight
from dangan.indexer.errors import InputFileError
from dangan.indexer.fsutil import fsync_dir

QUARANTINE_DIR = "quarantine"


def restore_from_drops(cat: Catalog, damaged: list[dict], *, changed: bool) -> list[int]:
    """Restore each of ``damaged`` ({"id", "vault_path"}) for which a dropped original exists.

    Returns the ids restored; the matching inbox copies are removed (they are in the vault now).
    """
    if not damaged:
        return []
    wanted = {cat.document(d["id"])["sha256"]: d for d in damaged}
    restored = []
    for path in _dropped_files(cat.home.inbox_dir):
        try:
            sha = vault.sha256_file(path)
        except OSError:
            continue  # unreadable: not a candidate
        entry = wanted.pop(sha, None)
        if entry is None:
            continue
        _put_back(cat, path, entry, sha, changed=changed)
        restored.append(entry["id"])
    return sorted(restored)


def _dropped_files(inbox: Path) -> list[Path]:
    """Plain files (no links, no FIFOs) in the inbox and its .duplicates/ folder."""
    if not inbox.is_dir():
        return []
    return sorted(p for p in inbox.rglob("*") if p.is_file() and not p.is_symlink() and ".failed" not in p.parts)


def _put_back(cat: Catalog, source: Path, entry: dict, sha: str, *, changed: bool) -> None:
    home = cat.home
    target = home.vault_dir / entry["vault_path"]
    try:
        staged = preflight.stage(source, home.vault_dir, mode=preflight.file_mode(home.root))
    except InputFileError:
        return  # changed or vanished since it was hashed: the next repair tries again
    if staged.sha256 != sha:
        staged.discard()
        return
    moved_to = _quarantine(home.root, target, entry["vault_path"]) if changed else None
    target.parent.mkdir(parents=True, exist_ok=True)
    os.link(staged.path, target)
    staged.discard()
    fsync_dir(target.parent)
    source.unlink()
    with cat.engine.begin() as conn:
        cat.log(conn, "restored", document=entry["id"], vault_path=entry["vault_path"], source=names.clean(str(source)),
                quarantined=moved_to)  # fmt: skip


def _quarantine(root: Path, target: Path, rel: str) -> str | None:
    """Move a changed vault file out of the vault, keeping it (it may be evidence)."""
    if not target.exists():
        return None
    stamp = now().strftime("%Y%m%dT%H%M%S")
    dest = root / QUARANTINE_DIR / f"{rel}.{stamp}"
    dest.parent.mkdir(parents=True, exist_ok=True)
    os.replace(target, dest)
    return str(dest)
