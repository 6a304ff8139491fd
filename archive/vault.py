"""The vault: where filed documents live, under readable paths, written atomically.

Files are copied to a temporary name in the target folder, fsynced, then linked to their
final name (``os.link`` refuses to overwrite, so two documents can never clobber each other)
and the temporary name removed.  A crash leaves at most a ``.tmp-*`` file, which
:func:`sweep_partials` removes at the next start.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import uuid
from pathlib import Path

from indexer.fsutil import fsync_dir

TMP_PREFIX = ".tmp-"
REVIEW_DIR = "_review"
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes, read in chunks (scans can be large)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def safe_component(text: str, limit: int = 120) -> str:
    """A path component that is valid on Windows and Linux (for shares and USB copies)."""
    cleaned = _UNSAFE.sub("_", str(text)).strip().strip(".")
    return (cleaned or "_")[:limit]


def render_path(pattern: str, fields: dict[str, str]) -> str:
    """Fill the vault path pattern; each ``/``-separated part is made safe on its own."""
    parts = pattern.split("/")
    return "/".join(safe_component(p.format(**fields)) for p in parts)


def _free_name(target: Path, attempt: int) -> Path:
    return target if attempt == 1 else target.with_name(f"{target.stem}_{attempt}{target.suffix}")


def _link_no_clobber(src: Path, target: Path) -> Path:
    """Link ``src`` to the first free name of ``target``, ``target_2``, …; ``src`` stays."""
    for attempt in range(1, 10_000):
        final = _free_name(target, attempt)
        try:
            os.link(src, final)
        except FileExistsError:
            continue
        fsync_dir(final.parent)
        return final
    raise FileExistsError(f"{target}: no free name left")


def store(vault_dir: Path, src: Path, rel: str) -> str:
    """Copy ``src`` into the vault at ``rel`` (or a suffixed free name); return the final rel path."""
    target = vault_dir / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f"{TMP_PREFIX}{uuid.uuid4().hex}"
    with open(src, "rb") as fin, open(tmp, "wb") as fout:
        shutil.copyfileobj(fin, fout, 1 << 20)
        fout.flush()
        os.fsync(fout.fileno())
    final = _link_no_clobber(tmp, target)
    tmp.unlink()
    return final.relative_to(vault_dir).as_posix()


def move(vault_dir: Path, old_rel: str, new_rel: str) -> str:
    """Move a stored file to a new rel path without overwriting; return the final rel path."""
    src = vault_dir / old_rel
    target = vault_dir / new_rel
    if src == target:
        return old_rel
    target.parent.mkdir(parents=True, exist_ok=True)
    final = _link_no_clobber(src, target)
    src.unlink()
    prune_empty(src.parent, vault_dir)
    return final.relative_to(vault_dir).as_posix()


def prune_empty(folder: Path, stop: Path) -> None:
    """Remove folders a move left empty, up to the vault root (keeps the tree readable)."""
    while folder != stop and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def sweep_partials(vault_dir: Path) -> list[Path]:
    """Remove ``.tmp-*`` files a killed process left; they are never the only copy."""
    gone = []
    for p in vault_dir.rglob(f"{TMP_PREFIX}*"):
        if p.is_file():
            p.unlink()
            gone.append(p)
    return gone


def stored_files(vault_dir: Path) -> list[str]:
    """Every stored file's rel path (partials excluded)."""
    return sorted(
        p.relative_to(vault_dir).as_posix()
        for p in vault_dir.rglob("*")
        if p.is_file() and not p.name.startswith(TMP_PREFIX)
    )
