"""Crash-safe file helpers: durable renames and all-or-nothing writes.

Every module that writes a file a user relies on (vault copies, index pointers, rendered
forms, registers, handover packages) goes through these two functions, so "a kill at any
moment leaves the old file or the new one, never half of one" is implemented once.
"""

from __future__ import annotations

import itertools
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


def fsync_dir(folder: Path) -> None:
    """Make a rename or link in ``folder`` durable (directories cannot be fsynced on Windows)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def atomic_path(target: Path, *, durable: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it replaces ``target`` at once.

    The caller writes the temporary file by any means (a library's ``save(path)``, say).  On an
    exception the temporary file is removed and ``target`` is untouched.  The temporary name
    starts with ``.`` and holds ``.part`` (``.name.PID.part.docx``) so watchers and listings skip it.
    """
    target = Path(target)
    tmp = target.with_name(f".{target.stem}.{os.getpid()}.part{target.suffix}")
    try:
        yield tmp
        if durable:
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
        os.replace(tmp, target)
        if durable:
            fsync_dir(target.parent)
    finally:
        tmp.unlink(missing_ok=True)


def atomic_write(target: Path, data: bytes | str, *, durable: bool = True) -> None:
    """Write ``data`` (text is UTF-8) to ``target`` all or nothing."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_path(target, durable=durable) as tmp:
        tmp.write_bytes(payload)


def set_aside_non_folder(index_dir: Path) -> Path | None:
    """Move a file (or link) standing where the index folder belongs out of the way, so a
    rebuild can make the folder; nothing is deleted.  Returns where it went, or None."""
    index_dir = Path(index_dir)
    if index_dir.is_dir() or not (index_dir.exists() or index_dir.is_symlink()):
        return None  # a folder (or a link to one: an index kept on another disk), or nothing
    for n in itertools.count(1):
        target = index_dir.with_name(f"{index_dir.name}.not-a-folder.{n}")
        if not target.exists() and not target.is_symlink():
            index_dir.rename(target)
            return target
    return None  # unreachable: count() never ends


def write_private(target: Path, data: bytes | str) -> None:
    """Write ``data`` to ``target`` all or nothing, readable by its owner only (mode 0600).

    For files holding secrets (a database password, the web app's signing key): the file is
    created 0600 before a byte is written, so there is no moment when others may read it.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_path(target) as tmp:
        tmp.unlink(missing_ok=True)  # a leftover of a killed run may have other permissions
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
