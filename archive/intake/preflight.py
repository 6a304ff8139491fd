"""Preflight: take hold of exactly one version of an input before anything reads it.

An inbox is written by other people and programs, so an input may be a symbolic link to a
file the archivist may not see (``/etc/shadow``), a FIFO that blocks every reader, or a scan
still being appended to.  ``stage`` therefore:

1. opens the input without following a link (``O_NOFOLLOW``) and without blocking
   (``O_NONBLOCK``: a FIFO opens at once), and refuses anything that is not a regular file;
2. checks the size limit on the open descriptor;
3. copies those bytes into a temporary file in the vault (mode no wider than the home's),
   hashing them on the way — so the SHA-256 in the catalog, the text that is extracted and
   the file that is stored are one and the same version;
4. remembers the source's identity (device, inode, size, mtime) so that ``unchanged`` can
   tell, before the original is removed, whether someone replaced or appended to it since.

A staged copy is a ``.tmp-*`` file, flock-ed by its process for as long as it lives: reading
happens outside the writer lock, so another process's start-up sweep (``vault.sweep_partials``)
must pass over a live copy, while a killed run's copy (its lock died with it) is swept.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import re
import stat
import uuid
from dataclasses import dataclass
from pathlib import Path

from dangan.archive import faults
from dangan.archive.vault import TMP_PREFIX
from dangan.indexer import limits
from dangan.indexer.errors import InputFileError, SourceChangedError, UnsafeInputError

CHUNK = 1 << 20
_SAFE_SUFFIX = re.compile(r"^\.[A-Za-z0-9]{1,10}$")
_KINDS = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
}


@dataclass(frozen=True)
class Staged:
    """One version of an input, copied into the vault's temporary space."""

    path: Path  # the temporary copy (same folder tree as the vault, so it can be linked in)
    sha256: str
    size: int
    identity: tuple[int, int, int, int]  # st_dev, st_ino, st_size, st_mtime_ns of the source
    fd: int = -1  # open on the copy, holding its flock (see the module docstring)

    def discard(self) -> None:
        """Remove the temporary copy (after a failure, or once it is linked into the vault)."""
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass
        if self.fd >= 0:
            try:
                os.close(self.fd)
            except OSError:
                pass  # already closed by an earlier discard


def file_mode(home_root: Path) -> int:
    """Permissions for stored files: the home's own read/write bits, never wider."""
    try:
        return stat.S_IMODE(home_root.stat().st_mode) & 0o666
    except OSError:
        return 0o600


def refuse_link(path: Path) -> None:
    """UnsafeInputError when ``path`` is a symbolic link (dangan never follows one out of a folder)."""
    if path.is_symlink():
        raise UnsafeInputError(
            f"{path} is a symbolic link; dangan never follows links out of the inbox or the folder "
            "it was given: copy the file itself in"
        )


def stage(path: Path, vault_dir: Path, *, mode: int = 0o600, inside: Path | None = None) -> Staged:
    """Copy the regular file at ``path`` into ``vault_dir`` as a temporary file, hashing it.

    ``inside``: the inbox the file was found in.  The file opened must really lie there (a
    folder on its path swapped for a link to elsewhere is caught after the open) and have
    no other name (a hard link to a file outside the inbox is refused).
    """
    refuse_link(path)
    fd = _open_source(path)
    try:
        before = os.fstat(fd)
        _refuse_special(path, before)
        if inside is not None:
            _refuse_outside(path, fd, before, inside)
        limits.check_file_size(path, before.st_size)
        os.set_blocking(fd, True)
        staged = _copy(fd, path, vault_dir, mode)
        after = os.fstat(fd)
    finally:
        os.close(fd)
    if _identity(after) != _identity(before) or staged.size != before.st_size:
        staged.discard()
        raise SourceChangedError(
            f"{path} changed while it was being read (still being written?); "
            "it stays where it is and is taken at the next pass"
        )
    return Staged(staged.path, staged.sha256, staged.size, _identity(before), staged.fd)


def unchanged(path: Path, identity: tuple) -> bool:
    """True when ``path`` is still the very file (same inode, size and mtime) that was staged."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return False
    return _identity(st) == tuple(identity)


def changed_since(path: Path, identity: tuple) -> bool:
    """True when ``path`` still exists but is no longer the version staged as ``identity``."""
    return bool(identity) and os.path.lexists(path) and not unchanged(path, identity)


def _identity(st: os.stat_result) -> tuple[int, int, int, int]:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def _open_source(path: Path) -> int:
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        return os.open(path, flags)
    except FileNotFoundError as e:
        raise InputFileError("{path}: file disappeared before it could be filed; drop it again", path=path) from e
    except PermissionError as e:
        raise InputFileError(
            "{path}: cannot read the file ({reason}); check its permissions", path=path, reason=e.strerror
        ) from e
    except IsADirectoryError as e:
        raise UnsafeInputError("{path} is a folder, not a file: drop the files inside it instead", path=path) from e
    except OSError as e:
        if e.errno == errno.ELOOP:  # replaced by a link between the check and the open
            refuse_link(path)
        raise InputFileError(
            "{path}: cannot open the file ({reason}); check it and drop it again", path=path, reason=e.strerror
        ) from e


def _refuse_outside(path: Path, fd: int, st: os.stat_result, inside: Path) -> None:
    """Refuse a file that is not the inbox's own: opened through a folder swapped for a link
    (it stays where it is: moving it would move someone else's file), or with hard links."""
    real = _real_path(fd)
    if real is not None and not real.is_relative_to(Path(inside).resolve()):
        raise SourceChangedError(
            f"{path}: a folder on its way was replaced by a link to a place outside the inbox; "
            "it is not filed and nothing was moved: put the file itself in the inbox"
        )
    if st.st_nlink > 1:
        raise UnsafeInputError(
            f"{path} has {st.st_nlink} names (hard links), so it may be a file from outside the inbox; "
            "only a copy is filed: copy the file into the inbox instead of linking it"
        )


def _real_path(fd: int) -> Path | None:
    """Where the open file really is (Linux: /proc/self/fd), or None where that cannot be told."""
    try:
        return Path(os.readlink(f"/proc/self/fd/{fd}"))
    except OSError:
        return None


def _refuse_special(path: Path, st: os.stat_result) -> None:
    if not stat.S_ISREG(st.st_mode):
        kind = _KINDS.get(stat.S_IFMT(st.st_mode), "not a regular file")
        raise UnsafeInputError("{path} is {kind}, not a regular file; only plain files are filed", path=path, kind=kind)


def _copy(fd: int, path: Path, vault_dir: Path, mode: int) -> Staged:
    """Bytes of ``fd`` into a new temporary file in the vault, hashed and fsynced."""
    vault_dir.mkdir(parents=True, exist_ok=True)
    # The suffix stays so the readers' "extension does not match" notes still work.
    suffix = path.suffix if _SAFE_SUFFIX.match(path.suffix) else ""
    tmp = vault_dir / f"{TMP_PREFIX}{uuid.uuid4().hex}{suffix}"
    out = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), mode)
    h, size = hashlib.sha256(), 0
    try:
        fcntl.flock(out, fcntl.LOCK_EX)  # "alive": sweep_partials passes over it
        while block := os.read(fd, CHUNK):
            size += len(block)
            limits.check_file_size(path, size)  # a file appended to while we copy
            h.update(block)
            faults.point("vault-copy")
            _write_all(out, block)
        os.fsync(out)
    except BaseException:
        os.close(out)
        tmp.unlink(missing_ok=True)
        raise
    return Staged(tmp, h.hexdigest(), size, (0, 0, 0, 0), out)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
