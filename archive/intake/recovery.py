"""Start-up repair: whatever moment a previous process was killed at, put things right.

The pipeline's order makes every crash point recoverable:
- killed while copying into the vault → a ``.tmp-*`` partial: removed (the original is
  still in the inbox);
- killed after the vault copy, before the catalog commit → a vault file no row names, whose
  bytes equal a file still in the inbox: removed, and the inbox file is filed again;
- killed after the commit, before the inbox original was removed → the row still carries
  ``inbox_path``: the original is removed now;
- killed before the index caught up → documents missing from the index: indexed now;
- killed in the middle of an edit or discard that moves a file → the journaled move is
  finished or rolled back to match the catalog (``dangan.archive.life.journal``).
Each repair is an event in the log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from dangan.archive import vault
from dangan.archive.catalog import Catalog
from dangan.archive.dblock import writes
from dangan.archive.intake import names
from dangan.archive.intake.ingest import clear_inbox_marker, remove_committed_original
from dangan.archive.life.change import finish_moves
from dangan.archive.schema import documents
from dangan.archive.searchsync import index_difference, index_documents, remove_from_index
from dangan.indexer.errors import IndexDamagedError


@dataclass
class RecoveryReport:
    """What the start-up repair did."""

    partials_removed: list[str] = field(default_factory=list)
    orphans_removed: list[str] = field(default_factory=list)
    originals_removed: list[str] = field(default_factory=list)
    reindexed: list[int] = field(default_factory=list)
    moves_settled: list[int] = field(default_factory=list)  # documents whose killed edit/discard was settled
    index_damaged: str = ""  # the damage found; filing goes on, `dangan reindex` repairs

    @property
    def anything(self) -> bool:
        return bool(
            self.partials_removed
            or self.orphans_removed
            or self.originals_removed
            or self.reindexed
            or self.moves_settled
        )


@writes("recovery")
def reconcile(cat: Catalog, *, index: bool = True, inbox: Path | None = None) -> RecoveryReport:
    """Repair what an interrupted run left; safe to call at every start.

    ``inbox`` is the folder this station watches when it is not the home's inbox/: its
    originals are finished and its uncommitted vault copies recognised too.  Originals in
    inboxes this station cannot see (another station's) are left for that station.
    Call it holding the exclusive writer lock (no other station half-way through a file).
    """
    rep = RecoveryReport()
    vdir = cat.home.vault_dir
    inboxes = [cat.home.inbox_dir] + ([Path(inbox).absolute()] if inbox else [])
    rep.partials_removed = [str(p) for p in vault.sweep_partials(vdir)]
    rep.moves_settled = [m["document"] for m in finish_moves(cat)]
    _finish_removals(cat, rep, inboxes)
    _drop_uncommitted_copies(cat, rep, inboxes)
    if index:
        _catch_up_index(cat, rep)
    if rep.anything:
        with cat.engine.begin() as conn:
            cat.log(conn, "recovered", **{k: v for k, v in rep.__dict__.items() if v})
    return rep


def _finish_removals(cat: Catalog, rep: RecoveryReport, inboxes: list[Path]) -> None:
    with cat.engine.connect() as conn:
        rows = conn.execute(
            select(documents.c.id, documents.c.inbox_path, documents.c.sha256).where(
                documents.c.inbox_path.is_not(None)
            )
        ).all()
    for r in rows:
        p = Path(names.path_from_db(r.inbox_path))
        if not any(p.resolve().is_relative_to(box.resolve()) for box in inboxes):
            continue  # another station's inbox: that station finishes it at its next start
        # Only the very bytes we filed are removed; a new file with the same name stays.
        if _plain_file(p) and vault.sha256_file(p) == r.sha256:
            remove_committed_original(cat, r.id, p)
            rep.originals_removed.append(names.clean(str(p)))
        else:
            clear_inbox_marker(cat, r.id)


def _drop_uncommitted_copies(cat: Catalog, rep: RecoveryReport, inboxes: list[Path]) -> None:
    vdir = cat.home.vault_dir
    with cat.engine.connect() as conn:
        known = {r[0] for r in conn.execute(select(documents.c.vault_path))}
    orphans = [rel for rel in vault.stored_files(vdir) if rel not in known]
    pending = vault.pending_hashes(cat.home.root)
    if orphans:
        # Ours: bytes a killed run noted as pending (any source), or equal to a file in one of
        # this station's inboxes.
        ours = pending | {vault.sha256_file(p) for box in inboxes for p in box.rglob("*") if _plain_file(p)}
        for rel in orphans:
            if vault.sha256_file(vdir / rel) in ours:
                (vdir / rel).unlink()
                rep.orphans_removed.append(rel)
            # Other orphans are not ours to judge: `dangan verify` reports them.
    for sha in pending:
        vault.clear_pending(cat.home.root, sha)


def _plain_file(p: Path) -> bool:
    """A regular file that is not a link: never hash a FIFO (it blocks) or a link's target."""
    return p.is_file() and not p.is_symlink()


def _catch_up_index(cat: Catalog, rep: RecoveryReport) -> None:
    try:
        missing, extra = index_difference(cat)
    except IndexDamagedError as e:
        rep.index_damaged = str(e)
        return
    index_documents(cat, missing)  # also what changes queued for the index (an edit on a full disk)
    if missing:
        rep.reindexed = sorted(missing)
    if extra:
        remove_from_index(cat, extra)
