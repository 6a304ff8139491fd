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
    """``inbox/<CODE>/…`` means project CODE."""
    try:
        rel = path.resolve().relative_to(inbox.resolve())
    except ValueError:
        return None
    return rel.parts[0] if len(rel.parts) > 1 else None


def is_in_inbox(inbox: Path, path: Path) -> bool:
    """True for files under the inbox that are not set aside (.failed, .duplicates)."""
    try:
        rel = path.resolve().relative_to(inbox.resolve())
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


def collect(paths: Iterable[Path]) -> list[Path]:
    """Files named or found (recursively) under folders, junk and set-aside folders skipped."""
    found: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            found.extend(
                f for f in sorted(p.rglob("*"))
                if f.is_file() and not is_junk(f) and not any(x.startswith(".") for x in f.relative_to(p).parts[:-1])
            )
        else:
            found.append(p)
    return originals_first(found)


def move_aside(src: Path, folder: Path) -> Path:
    """Move a file into ``folder`` under a free name (never overwriting an earlier one)."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(1, 10_000):
        target = folder / (src.name if n == 1 else f"{src.stem}_{n}{src.suffix}")
        if not target.exists() and not Path(str(target) + ".error.txt").exists():
            os.replace(src, target)
            return target
    raise FileExistsError(f"{folder}: no free name for {src.name}")
