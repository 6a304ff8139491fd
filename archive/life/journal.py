"""The journal of vault moves: an intent written before a document's file moves, cleared
once the catalog and the index hold the change.

``apply_change`` moves a file before it commits the catalog row (so the row never names a
file that is not there).  A ``kill -9`` between the two left the file at its new place while
the catalog still named the old one: every later command on it failed (FileNotFoundError)
and ``verify --repair`` could not tell where the file had gone.  Now the intent
(``home/.moves/<id>.json``: the document, the old and the new path) is written, fsynced,
before the move, and removed only after the index update.  :func:`settle` puts the files
where the catalog says — the catalog decides whether the change happened — and is run by
every change, by the start-up repair and by ``verify --repair``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from dangan.indexer.fsutil import atomic_write

JOURNAL_DIR = ".moves"


def begin(home_root: Path, doc_id: int, old_rel: str, new_rel: str) -> None:
    """Record that document ``doc_id``'s file is about to move from ``old_rel`` to ``new_rel``."""
    folder = home_root / JOURNAL_DIR
    folder.mkdir(exist_ok=True)
    atomic_write(folder / f"{doc_id}.json", json.dumps({"document": doc_id, "old": old_rel, "new": new_rel}))


def end(home_root: Path, doc_id: int) -> None:
    """The change is complete (or undone): forget its intent."""
    (home_root / JOURNAL_DIR / f"{doc_id}.json").unlink(missing_ok=True)


def intents(home_root: Path) -> list[dict]:
    """Every move a killed process began and did not finish (unreadable notes are skipped:
    ``atomic_write`` never leaves half of one)."""
    folder = home_root / JOURNAL_DIR
    out = []
    for p in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            out.append(json.loads(p.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return out


def put_files_where_the_catalog_says(vault_dir: Path, intent: dict, catalog_rel: str | None) -> str:
    """Make the file of one interrupted move be at ``catalog_rel`` (the catalog's path) and
    nowhere else among the two; return what was done, for the log."""
    old, new = vault_dir / intent["old"], vault_dir / intent["new"]
    if catalog_rel == intent["new"]:
        here, other, outcome = new, old, "finished"
    elif catalog_rel == intent["old"]:
        here, other, outcome = old, new, "rolled back"
    else:
        return "left alone (the catalog names neither path)"
    if os.path.lexists(here) and os.path.lexists(other):
        if os.path.samefile(here, other):  # killed between the link and the unlink
            other.unlink()
    elif os.path.lexists(other):
        here.parent.mkdir(parents=True, exist_ok=True)
        os.link(other, here)
        other.unlink()
    return outcome
