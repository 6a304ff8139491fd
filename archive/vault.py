"""The vault: where filed documents live, under readable paths, written atomically.

Files are copied to a temporary name in the target folder, fsynced, then linked to their
final name (``os.link`` refuses to overwrite, so two documents can never clobber each other)
and the temporary name removed.  A crash leaves at most a ``.tmp-*`` file, which
:func:`sweep_partials` removes at the next start.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import uuid
from pathlib import Path

from dangan.archive.intake.names import fit
from dangan.indexer.fsutil import fsync_dir

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


def safe_component(text: str) -> str:
    """A path component that is valid on Windows and Linux (for shares and USB copies).

    It fits the 255-byte name limit with room for a ``_2`` suffix: a long name is shortened
    keeping its extension and a hash (``dangan.archive.intake.names.fit``).
    """
    cleaned = _UNSAFE.sub("_", str(text)).strip().strip(".")
    return fit(cleaned or "_")


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


def link_staged(vault_dir: Path, staged: Path, rel: str) -> str:
    """Link a staged temporary file (see ``dangan.archive.intake.preflight``) in at ``rel`` or a free name; remove the temp."""
    target = vault_dir / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    final = _link_no_clobber(staged, target)
    staged.unlink()
    return final.relative_to(vault_dir).as_posix()


# -- the pending journal: what a run is about to link in but has not committed yet -------------
# A kill between the vault link and the catalog commit leaves a vault file no row names.  For
# an inbox original the next start recognises it by its bytes; for a source outside the inbox
# only this note (one empty file per SHA-256, under home/.pending/) says the file was ours.
PENDING_DIR = ".pending"


def note_pending(home_root: Path, sha256: str) -> None:
    """Record that a file with ``sha256`` is about to be linked into the vault.

    Not fsynced: a killed process loses nothing it wrote (the kernel has it), and two fsyncs
    per file cost ~12 ms, a quarter of filing a text PDF.  After a power cut a note may be
    missing; its vault copy is then an orphan that `dangan verify` reports, nothing is lost.
    """
    folder = home_root / PENDING_DIR
    folder.mkdir(exist_ok=True)
    os.close(os.open(folder / sha256, os.O_WRONLY | os.O_CREAT, 0o600))


def clear_pending(home_root: Path, sha256: str) -> None:
    """Forget a pending note once its document is committed (or its copy removed)."""
    (home_root / PENDING_DIR / sha256).unlink(missing_ok=True)


def pending_hashes(home_root: Path) -> set[str]:
    """SHA-256s of files a killed run linked into the vault without committing."""
    folder = home_root / PENDING_DIR
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


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


def free_rel(vault_dir: Path, rel: str) -> str:
    """The first name among ``rel``, ``rel_2``, … that nothing in the vault has yet."""
    target = vault_dir / rel
    for attempt in range(1, 10_000):
        final = _free_name(target, attempt)
        if not os.path.lexists(final):
            return final.relative_to(vault_dir).as_posix()
    raise FileExistsError(f"{target}: no free name left")


def move_exact(vault_dir: Path, old_rel: str, new_rel: str) -> None:
    """Move a stored file to ``new_rel`` (which must be free): link, then unlink the old name."""
    from dangan.archive import faults  # the points tests kill at (see dangan.archive.life.journal)

    src, target = vault_dir / old_rel, vault_dir / new_rel
    target.parent.mkdir(parents=True, exist_ok=True)
    os.link(src, target)
    fsync_dir(target.parent)
    faults.point("move-linked")
    src.unlink()
    faults.point("move-unlinked")
    prune_empty(src.parent, vault_dir)


def prune_empty(folder: Path, stop: Path) -> None:
    """Remove folders a move left empty, up to the vault root (keeps the tree readable)."""
    while folder != stop and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def sweep_partials(vault_dir: Path) -> list[Path]:
    """Remove ``.tmp-*`` files a killed process left; they are never the only copy.

    A temporary file whose flock is held belongs to a live process still reading its input
    (``dangan.archive.intake.preflight``) and is left alone.
    """
    gone = []
    for p in vault_dir.rglob(f"{TMP_PREFIX}*"):
        if p.is_file() and not p.is_symlink() and not _in_use(p):
            p.unlink(missing_ok=True)
            gone.append(p)
    return gone


def _in_use(path: Path) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


def stored_files(vault_dir: Path) -> list[str]:
    """Every stored file's rel path (partials excluded)."""
    return sorted(
        p.relative_to(vault_dir).as_posix()
        for p in vault_dir.rglob("*")
        if p.is_file() and not p.name.startswith(TMP_PREFIX)
    )
