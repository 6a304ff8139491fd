"""The inbox's rules, shared by one-shot ingest and the watcher.

What counts as a file to file (not OS junk, not a half-downloaded file, not inside a
set-aside folder), which project an ``inbox/<CODE>/…`` path names, and where failures and
duplicates are set aside.  Kept apart from both ``ingest`` and ``watcher`` so neither has to
import the other for these rules.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import re
from dataclasses import dataclass, field
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
    parts = _inbox_parts(inbox, path)
    return parts[0] if parts is not None and len(parts) > 1 else None


def is_in_inbox(inbox: Path, path: Path) -> bool:
    """True for files under the inbox that are not set aside (.failed, .duplicates)."""
    parts = _inbox_parts(inbox, path)
    return parts is not None and not any(part.startswith(".") for part in parts[:-1])


def _inbox_parts(inbox: Path, path: Path) -> tuple[str, ...] | None:
    """``path``'s parts below the inbox, or None when it is not under it.

    Judged by the path as written first: a folder under the inbox swapped for a link to
    elsewhere is still the inbox's (so its files get the inbox's checks, see
    ``preflight.stage``); then with folders resolved (an inbox reached by another name).
    """
    for base, p in ((Path(os.path.abspath(inbox)), Path(os.path.abspath(path))), (inbox.resolve(), _lexical(path))):
        try:
            return p.relative_to(base).parts
        except ValueError:
            continue
    return None


# How file managers and scanners name a copy.  Windows: "scan - 副本.pdf", "scan - 副本 (2).pdf",
# "scan - 复制.pdf", "scan (1).pdf", "scan - Copy.pdf", "Copy of scan.pdf", "复件 scan.pdf",
# "复件 (2) scan.pdf"; GNOME: "scan (副本).pdf", "scan (另一个副本).pdf", "scan (第 3 个副本).pdf",
# "scan (copy).pdf", "scan (another copy).pdf", "scan (3rd copy).pdf"; macOS: "scan 的副本.pdf",
# "scan copy 2.pdf"; others: "scan 副本 (2).pdf", "scan_copy.pdf", "scan（1）.pdf".
# One rule: a copy word (or only a number) in brackets at the end of the name, or a copy word
# at the end with an optional number; or a copy word in front.  A name wrongly taken for a
# copy costs nothing: copies are only taken after originals, and set aside only when their
# bytes are the same.
_COPY_WORD = r"(?:副本|复制|拷贝|复件|copy|另一个副本|第\s*\d+\s*个副本|another\s+copy|\d+(?:st|nd|rd|th)\s+copy)"
_COPY_NUMBER = r"(?:\s*[(（]\s*\d+\s*[)）]|\s*\d+)"
_COPY_SUFFIX = re.compile(
    rf"(?:\s*[(（]\s*(?:{_COPY_WORD}\s*\d*|\d+)\s*[)）]|[\s_-]*的?{_COPY_WORD}{_COPY_NUMBER}?)$", re.IGNORECASE
)
_COPY_PREFIX = re.compile(r"^(copy\s*(\(\d+\)\s*)?of |(复件|副本)\s*([(（]\d+[)）])?\s*-?\s*)", re.IGNORECASE)


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
            found.extend(f for f in walk(p).files if not is_junk(f))
        else:
            found.append(p)
    return originals_first(found)


# Folders nested deeper than this under the folder walked are reported, not entered: a
# 1,100-deep folder ran the recursive walk out of stack and stopped every file from filing.
MAX_DEPTH = 64
TOO_DEEP = f"nested more than {MAX_DEPTH} folders deep; move its files nearer the top"


@dataclass
class Walk:
    """What a walk of one folder found: entries to file, and what it passed over and why."""

    files: list[Path] = field(default_factory=list)
    passed: list[tuple[Path, str]] = field(default_factory=list)


def walk(folder: Path) -> Walk:
    """Every non-folder entry under ``folder`` (sorted), without recursion or following links.

    Set-aside (dot) folders are skipped; a link to a folder is an entry (an input to refuse,
    not a place to enter); a folder deeper than ``MAX_DEPTH`` or one that cannot be opened
    is passed over with the reason.  Each folder is opened with ``O_NOFOLLOW`` and listed
    through that descriptor, so a folder swapped for a link is never listed.
    """
    out = Walk()
    stack = [(Path(folder), 0)]
    while stack:
        here, depth = stack.pop()
        try:
            entries = _list(here)
        except OSError as e:
            if e.errno in (errno.ELOOP, errno.ENOTDIR):  # became a link (or a file) since it was seen
                out.files.append(here)
            else:
                out.passed.append((here, f"cannot open the folder ({e.strerror}); check its permissions"))
            continue
        for name, is_dir in entries:
            path = here / name
            if not is_dir:
                out.files.append(path)
            elif name.startswith("."):
                continue  # .failed, .duplicates and other set-aside folders
            elif depth + 1 > MAX_DEPTH:
                out.passed.append((path, TOO_DEEP))
            else:
                stack.append((path, depth + 1))
    out.files.sort()
    return out


def _list(folder: Path) -> list[tuple[str, bool]]:
    """(name, is a real folder) for each entry, read through a descriptor opened without
    following a link (a link to a folder is reported as not a folder)."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        with os.scandir(fd) as it:
            return [(e.name, e.is_dir(follow_symlinks=False)) for e in it]
    finally:
        os.close(fd)


def hidden_files(paths: Iterable[Path]) -> list[Path]:
    """Files whose names start with "." under the given folders: never filed, but reported once."""
    found: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir() and not p.is_symlink():
            found.extend(
                f
                for f in walk(p).files
                if f.name.startswith(".") and f.name.lower() not in JUNK_NAMES and not f.name.startswith("._")
            )
    return found


_SKIP_WHY = (
    ("*.error.txt", "a failure note"),
    ("~$*", "an Office lock file"),
    ("*", "a temporary or unfinished download"),
)


def passed_over(paths: Iterable[Path]) -> list[tuple[Path, str]]:
    """What a walk of the given folders leaves unfiled, with why: temporary files, Office lock
    files and failure notes (hidden files and OS metadata aside), and folders too deep or
    unreadable.  Said in the summary so nothing is skipped without a word."""
    out: list[tuple[Path, str]] = []
    for p in paths:
        p = Path(p)
        if p.is_dir() and not p.is_symlink():
            found = walk(p)
            out.extend((f, _why_skipped(f.name)) for f in found.files if is_junk(f) and _told(f.name))
            out.extend(found.passed)
    return out


def _told(name: str) -> bool:
    low = name.lower()
    return not (name.startswith(".") or low in JUNK_NAMES)


def _why_skipped(name: str) -> str:
    low = name.lower()
    return next(why for pattern, why in _SKIP_WHY if fnmatch.fnmatch(low, pattern))


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
