"""Verify: the vault and the index checked against the catalog, the source of truth.

Every stored file is hashed and compared with its recorded SHA-256 (missing, changed),
files in the vault that no catalog row names are orphans, and the index must hold exactly
the catalog's documents.  ``repair`` fixes the index (rebuilding a damaged one) and restores a
missing or changed file only from an original the user dropped into the inbox again with the
very SHA-256 recorded (``dangan.archive.repair``; a changed file is kept in ``quarantine/``).  Orphan
files are never touched: they are evidence a person must look at.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from dangan.archive import vault
from dangan.archive.catalog import Catalog
from dangan.archive.dblock import writing
from dangan.archive.handover import parts
from dangan.archive.life.change import finish_moves
from dangan.archive.repair import restore_from_drops
from dangan.archive.searchsync import (
    index_difference,
    index_documents,
    index_fold_stale,
    rebuild_index,
    remove_from_index,
)
from dangan.indexer.errors import IndexDamagedError


@dataclass
class VerifyReport:
    """Everything verify found (and, with repair, what it fixed)."""

    documents: int = 0
    missing_files: list[dict] = field(default_factory=list)
    changed_files: list[dict] = field(default_factory=list)
    orphan_files: list[str] = field(default_factory=list)
    missing_in_index: list[int] = field(default_factory=list)
    orphans_in_index: list[int] = field(default_factory=list)
    index_damaged: str = ""  # the index's files cannot be read: `reindex` or `--repair` rebuilds
    index_stale: bool = False  # built by an older text fold: `reindex` or `--repair` rebuilds
    stale_parts_removed: list[str] = field(default_factory=list)  # folders of killed handovers, swept
    repaired: dict = field(default_factory=dict)

    @property
    def clean(self) -> bool:
        """True when nothing is wrong (after repair, index problems count as fixed)."""
        index_ok = self.repaired.get("index") or not (
            self.missing_in_index or self.orphans_in_index or self.index_damaged or self.index_stale
        )
        return not (self.missing_files or self.changed_files or self.orphan_files) and bool(index_ok)

    def to_json(self) -> dict:
        return {**self.__dict__, "clean": self.clean}


def verify(cat: Catalog, *, repair: bool = False, progress: Callable[[], None] | None = None) -> VerifyReport:
    """Check every stored file and the index; with ``repair``, re-index and drop index orphans.

    Under the writer lock, repair or not: no other station may be half-way through a file.
    """
    with writing(cat, "verify --repair" if repair else "verify"):
        return _verify(cat, repair, progress)


def _verify(cat: Catalog, repair: bool, progress: Callable[[], None] | None) -> VerifyReport:
    rep = VerifyReport()
    vdir = cat.home.vault_dir
    if repair:
        settled = finish_moves(cat)  # a killed edit/discard: its file goes where the catalog says
        if settled:
            rep.repaired["moves"] = [m["document"] for m in settled]
    known: set[str] = set()
    for doc in cat.documents():
        if doc["status"] == "destroyed":
            continue  # disposed of: its bytes were removed on purpose and logged (dangan.archive.disposal)
        rep.documents += 1
        known.add(doc["vault_path"])
        _check_file(vdir, doc, rep)
        if progress:
            progress()
    rep.orphan_files = [rel for rel in vault.stored_files(vdir) if rel not in known]
    rep.stale_parts_removed = parts.sweep(cat.home.root)  # their writer is gone: nothing of use is in them
    if repair:
        _restore(cat, rep)
    try:
        missing, extra = index_difference(cat)
    except IndexDamagedError as e:
        rep.index_damaged = str(e)
        if repair:
            rep.repaired.update({"index": True, "rebuilt": rebuild_index(cat)})
            with cat.engine.begin() as conn:
                cat.log(conn, "index-rebuilt", documents=rep.repaired["rebuilt"], reason=str(e))
        return rep
    rep.missing_in_index, rep.orphans_in_index = sorted(missing), sorted(extra)
    rep.index_stale = index_fold_stale(cat)
    if repair and rep.index_stale:  # a rebuild also settles what is missing or extra
        rep.repaired.update({"index": True, "rebuilt": rebuild_index(cat)})
        with cat.engine.begin() as conn:
            cat.log(conn, "index-rebuilt", documents=rep.repaired["rebuilt"], reason="older text fold")
        return rep
    if repair and (missing or extra):
        index_documents(cat, missing, wait=30.0)  # repair must write, not queue for another station
        remove_from_index(cat, extra)
        rep.repaired.update({"index": True, "indexed": sorted(missing), "removed": sorted(extra)})
        with cat.engine.begin() as conn:
            cat.log(conn, "index-repaired", **rep.repaired)
    return rep


def _check_file(vdir, doc: dict, rep: VerifyReport) -> None:
    path = vdir / doc["vault_path"]
    entry = {"id": doc["id"], "vault_path": doc["vault_path"]}
    if not path.is_file():
        rep.missing_files.append(entry)
    elif vault.sha256_file(path) != doc["sha256"]:
        rep.changed_files.append(entry)


def _restore(cat: Catalog, rep: VerifyReport) -> None:
    """Put back missing or changed vault files from originals dropped into the inbox again."""
    restored = restore_from_drops(cat, rep.missing_files, changed=False)
    restored += restore_from_drops(cat, rep.changed_files, changed=True)
    if restored:
        rep.missing_files = [e for e in rep.missing_files if e["id"] not in restored]
        rep.changed_files = [e for e in rep.changed_files if e["id"] not in restored]
        rep.repaired["restored"] = sorted(restored)
