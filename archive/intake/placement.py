"""Where a filed document lives, and letting go of its inbox original.

The vault path rule is one function that ingest, filing by hand, refiling and edits all use, so
a document lands in the same place whichever way it was placed.  Removing a committed
original and clearing its marker are the last step of filing and of crash recovery alike.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from dangan.archive import vault
from dangan.archive.catalog import Catalog, now
from dangan.archive.checklist import Item
from dangan.archive.projects import UNASSIGNED, Project


def vault_path(home, project: Project | None, item: Item | None, day: date | None, name: str) -> str:
    """The vault path rule: where a document named ``name`` dated ``day`` is stored.

    Placed documents follow ``[vault] path_pattern``; unplaced ones wait under ``_review/``.
    Ingest, filing by hand and refiling all use this one rule, so a document lands in the same
    place whichever way it was placed.
    """
    stamp = (day or now().date()).strftime("%Y%m%d")
    if item is None or project is None:
        return f"{vault.REVIEW_DIR}/{vault.safe_component(stamp + '_' + name)}"
    pattern = home.setting("vault", "path_pattern", "{project}/{person}/{item_code}-{item_title}/{date}_{name}")
    person = project.person_for(item.role)
    return vault.render_path(
        pattern,
        {
            "project": project.code,
            "person": person or f"{item.role}{UNASSIGNED}",
            "role": item.role,
            "item_code": item.code,
            "item_title": item.title,
            "date": stamp,
            "name": name,
        },
    )


def remove_committed_original(cat: Catalog, doc_id: int, path: Path) -> None:
    """Delete an inbox original whose document is committed, then clear the marker."""
    try:
        path.unlink()
    except FileNotFoundError:
        pass  # already gone: a previous run removed it before it could clear the marker
    clear_inbox_marker(cat, doc_id)


def clear_inbox_marker(cat: Catalog, doc_id: int) -> None:
    """Forget the inbox path of a committed document (its original is handled)."""
    with cat.engine.begin() as conn:
        cat.update_document(conn, doc_id, inbox_path=None)
