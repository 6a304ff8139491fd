"""Half-written handover packages: noted while they are written, swept once their writer died.

A package is assembled in ``.<OUT>.<PID>.part`` beside ``OUT`` and renamed into place; a
``kill -9`` (or a power cut) in between left that folder forever.  So the folder is noted in
the home (``.handover-parts/<PID>``, its path inside) before it is made, and the note goes
when the package is in place.  The next handover and every ``verify`` remove the folders of
notes whose process is gone, and the next handover also those beside its own ``OUT``.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

NOTES_DIR = ".handover-parts"
_PART = re.compile(r"^\..+\.(\d+)\.part$")


def part_folder(out: Path) -> Path:
    """Where the package for ``out`` is assembled by this process."""
    return out.parent / f".{out.name}.{os.getpid()}.part"


def note(home_root: Path, part: Path) -> None:
    """Remember ``part`` (this process's) so a later run can remove it if this one dies."""
    folder = home_root / NOTES_DIR
    folder.mkdir(exist_ok=True)
    (folder / str(os.getpid())).write_text(str(part), encoding="utf-8")


def forget(home_root: Path) -> None:
    """This process's package is in place (or its folder removed): the note goes."""
    (home_root / NOTES_DIR / str(os.getpid())).unlink(missing_ok=True)


def sweep(home_root: Path, beside: Path | None = None) -> list[str]:
    """Remove the half-written package folders of processes that are gone; return them.

    Noted folders are found through the home; ``beside`` (a new package's OUT) adds the
    ``.<OUT>.<PID>.part`` folders next to it, noted or not (written before notes existed).
    """
    found: dict[Path, int] = {}
    folder = home_root / NOTES_DIR
    notes = sorted(folder.iterdir()) if folder.is_dir() else []
    for n in notes:
        if n.name.isdigit() and not _alive(int(n.name)):
            found[Path(n.read_text(encoding="utf-8"))] = int(n.name)
    if beside is not None and beside.parent.is_dir():
        for p in beside.parent.iterdir():
            m = _PART.match(p.name)
            if m and p.name.startswith(f".{beside.name}.") and not _alive(int(m[1])):
                found[p] = int(m[1])
    removed = []
    for part, pid in found.items():
        if _PART.match(part.name) and part.name.endswith(f".{pid}.part") and part.is_dir() and not part.is_symlink():
            shutil.rmtree(part)
            removed.append(str(part))
    for n in notes:
        if n.name.isdigit() and not _alive(int(n.name)):
            n.unlink(missing_ok=True)
    return removed


def _alive(pid: int) -> bool:
    """Whether a process with this id exists (one of another user counts as alive)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
