"""The index's generations: ``gen-NNNNNN`` folders and the ``CURRENT`` file naming the live one.

A rebuild fills a new generation beside the live one and switches ``CURRENT`` to it in one
atomic write, so searches never see a half-built index; what a killed rebuild left is removed
by the next writer.  A ``CURRENT`` that is missing, empty, names no folder or names a path
(``../../etc``) is not trusted: the index is reported damaged and ``dangan reindex`` rebuilds.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from dangan.indexer.errors import IndexDamagedError
from dangan.indexer.fsutil import atomic_write

POINTER = "CURRENT"
_GEN_RE = re.compile(r"gen-(\d{6})")


def pointer_name(index_dir: Path) -> str | None:
    """What ``CURRENT`` says (stripped), None when it is absent, ``<Error>`` when it is no text file."""
    try:
        return (index_dir / POINTER).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except (IsADirectoryError, UnicodeDecodeError) as e:  # not a pointer at all: damaged, not absent
        return f"<{type(e).__name__}>"


def valid_pointer(index_dir: Path) -> str | None:
    """The generation CURRENT names, or None if it is missing or names no folder."""
    name = pointer_name(index_dir)
    if name is None or not _GEN_RE.fullmatch(name) or not (index_dir / name).is_dir():
        return None
    return name


def current(index_dir: Path) -> str:
    """The live generation; IndexDamagedError when CURRENT names none."""
    name = valid_pointer(index_dir)
    if name is None:
        raise IndexDamagedError(
            f"the search index pointer {index_dir / POINTER} names no index ({pointer_name(index_dir)!r}); "
            "rebuild the index with `dangan reindex`"
        )
    return name


def listed(index_dir: Path) -> list[str]:
    """Every generation folder, oldest first."""
    return sorted(p.name for p in index_dir.iterdir() if p.is_dir() and _GEN_RE.fullmatch(p.name))


def next_generation(index_dir: Path) -> str:
    """A name after every folder and after what CURRENT names."""
    numbers = [int(m.group(1)) for g in listed(index_dir) if (m := _GEN_RE.fullmatch(g))]
    pointer = pointer_name(index_dir)
    if pointer and (m := _GEN_RE.fullmatch(pointer)):
        numbers.append(int(m.group(1)))
    return f"gen-{max(numbers, default=0) + 1:06d}"


def write_pointer(index_dir: Path, gen: str) -> None:
    """Switch CURRENT to ``gen`` atomically (temp file, fsync, rename, fsync the folder)."""
    atomic_write(index_dir / POINTER, gen + "\n")


def remove_leftovers(index_dir: Path, keep: str | None) -> None:
    """Delete generation folders other than ``keep`` (call only while holding the lock)."""
    for gen in listed(index_dir):
        if gen != keep:
            shutil.rmtree(index_dir / gen)
    (index_dir / f"{POINTER}.tmp").unlink(missing_ok=True)  # left by releases before atomic_write


# A generation's text fold (``text.FOLD_VERSION``), written when it is made: an index built by
# an older fold misses the spellings folded since (Taiwan 紀錄 for 记录) until it is rebuilt.
FOLD_STAMP = "dangan-fold"


def stamp_fold(gen_dir: Path) -> None:
    """Record in a new generation which text fold built it."""
    from dangan.indexer.text import FOLD_VERSION

    atomic_write(gen_dir / FOLD_STAMP, f"{FOLD_VERSION}\n")


def stale_fold(index_dir: Path) -> bool:
    """Whether the live generation was built by an older text fold (or before the stamp)."""
    from dangan.indexer.text import FOLD_VERSION

    try:
        built = (index_dir / current(index_dir) / FOLD_STAMP).read_text().strip()
    except OSError:
        return True
    return built != str(FOLD_VERSION)
