"""The inbox's rules, shared by one-shot ingest and the watcher.

What counts as a file to file (not OS junk, not a half-downloaded file, not inside a
set-aside folder), which project an ``inbox/<CODE>/…`` path names, and where failures and
duplicates are set aside.  Kept apart from both ``ingest`` and ``watcher`` so neither has to
import the other for these rules.
"""

from __future__ import annotations

import fnmatch
import os
import re
from pathlib import Path
from typing import Iterable

from dangan.archive.intake.names import fit

FAILED_DIR = ".failed"
DUPLICATES_DIR = ".duplicates"

JUNK_NAMES = {".ds_store", "thumbs.db", "desktop.ini"}
JUNK_GLOBS = ("~$*", "*.part", "*.crdownload", "*.tmp", "*.partial", "*.download", "*.error.txt")


def is_junk(path: Path) -> bool:
    """OS and editor leftovers and files still downloading: never filed."""
    name = path.name
    low = name.lower()
    return low in JUNK_NAMES or name.startswith(".") or any(fnmatch.fnmatch(low, g) for g in JUNK_GLOBS)


def inbox_project(inbox: Path, path: Path) -> str | None:
    """``inbox/<CODE>/…`` means project CODE (a link is judged by where it lies, not where it points)."""
    try:
        rel = _lexical(path).relative_to(inbox.resolve())
    except ValueError:
        return None
    return rel.parts[0] if len(rel.parts) > 1 else None


def is_in_inbox(inbox: Path, path: Path) -> bool:
    """True for files under the inbox that are not set aside (.failed, .duplicates)."""
    try:
        rel = _lexical(path).relative_to(inbox.resolve())
    except ValueError:
        return False
    return not any(part.startswith(".") for part in rel.parts[:-1])


# How file managers and scanners name a copy: "scan - 副本.pdf", "scan - 副本 (2).pdf",
# "scan (1).pdf", "scan - Copy.pdf", "Copy of scan.pdf", "复件 scan.pdf", "scan_copy.pdf".
_COPY_SUFFIX = re.compile(r"(\s*-\s*(副本|复制|拷贝|copy)(\s*\(\d+\))?|\s*\(\d+\)|[ _]copy(\s*\d+)?)$", re.IGNORECASE)
_COPY_PREFIX = re.compile(r"^(copy of |复件\s*|副本\s*-?\s*)", re.IGNORECASE)


def looks_like_copy(path: Path) -> bool:
    """Whether the name is how a file manager names a copy of another file."""
    return bool(_COPY_SUFFIX.search(path.stem) or _COPY_PREFIX.match(path.name))


def originals_first(paths: Iterable[Path]) -> list[Path]:
    """The same files with copies after originals, so when a file and its copy arrive
    together the original is filed and the copy is the duplicate, whatever the name order."""
    return sorted(paths, key=looks_like_copy)  # stable: otherwise the order is kept


def _lexical(path: Path) -> Path:
    """``path`` with its folder resolved but not its last part: a link stays the link."""
    path = Path(path)
    return path.parent.resolve() / path.name


def collect(paths: Iterable[Path]) -> list[Path]:
    """Files named or found (recursively) under folders, junk and set-aside folders skipped.

    Links are never followed into other folders, and links and special files (FIFOs,
    devices) found in a folder are returned too, so ingest refuses each with a reason
    instead of passing over them in silence.
    """
    found: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir() and not p.is_symlink():
            found.extend(f for f in _walk(p) if not is_junk(f))
        else:
            found.append(p)
    return originals_first(found)


def _walk(folder: Path) -> list[Path]:
    """Every non-folder entry under ``folder``, sorted, set-aside (dot) folders and folder links skipped."""
    out: list[Path] = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        base = Path(root)
        # os.walk lists a link to a folder among dirs; it is an input to refuse, not a place to enter.
        out.extend(base / d for d in list(dirs) if (base / d).is_symlink())
        dirs[:] = [d for d in dirs if not (base / d).is_symlink()]
        out.extend(base / f for f in files)
    return sorted(out)


def hidden_files(paths: Iterable[Path]) -> list[Path]:
    """Files whose names start with "." under the given folders: never filed, but reported once."""
    found: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir() and not p.is_symlink():
            found.extend(
                f for f in _walk(p)
                if f.name.startswith(".") and f.name.lower() not in JUNK_NAMES and not f.name.startswith("._")
            )
    return found


def move_aside(src: Path, folder: Path) -> Path:
    """Move a file into ``folder`` under a free name (never overwriting an earlier one)."""
    folder.mkdir(parents=True, exist_ok=True)
    # Shortened to leave room for ".error.txt" beside it (a 255-byte name would not get one).
    name = fit(src.name)
    stem, suffix = Path(name).stem, Path(name).suffix
    for n in range(1, 10_000):
        target = folder / (name if n == 1 else f"{stem}_{n}{suffix}")
        if not target.exists() and not Path(str(target) + ".error.txt").exists():
            os.replace(src, target)
            return target
    raise FileExistsError(f"{folder}: no free name for {src.name}")
