"""The index writer: Whoosh's segment writer with postings grouped by term as they arrive.

Whoosh's writer puts every posting into a sorting pool as a tuple (field, term, document,
weight, value), sorts all of them at commit and hands them one by one to the codec, which
looks up each one's document length and appends it to a block: five Python calls and a
share of a sort per posting (about half of a build's time, bench/README.md).  Postings of
one term arrive in document order, so grouping them by field and term as they arrive gives
the same order without the sort, and ``PackedFieldWriter`` writes each term's postings a
block at a time.

The pool still respects ``limitmb``: past it the groups are flattened into one sorted run
on disk, Whoosh's own way, and the commit merges the runs as Whoosh does.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator

from whoosh.writing import PostingPool, SegmentWriter

from dangan.indexer.codec import Group, GroupedPostings, PackedCodec

# What a posting held in a ``Group`` costs in memory besides its value's bytes (a document
# number, a weight and a length in C arrays), and what a new term costs (its key, the
# group and its arrays), for the pool's ``limitmb`` accounting.
_POSTING_BYTES = 12
_TERM_BYTES = 400


class GroupedPool(PostingPool):
    """A posting pool that groups postings by field and term instead of sorting them.

    A term's postings arrive in document order without sorting: document numbers only grow
    while a writer is open, whether a document is added or another segment merged in.
    """

    def __init__(self, tempstore, segment, limitmb: int = 128):
        super().__init__(tempstore, segment, limitmb=limitmb)
        self._fields: dict[str, dict[bytes, Group]] = {}

    def add(self, item) -> None:
        # item = (field, term, document, weight, value); the hot loop of indexing.
        terms = self._fields.get(item[0])
        if terms is None:
            terms = self._fields[item[0]] = {}
            self.fieldnames.add(item[0])
        group = terms.get(item[1])
        if group is None:
            group = terms[item[1]] = Group()
            self.currentsize += _TERM_BYTES
        group.add(item[2], item[3], item[4])
        self.currentsize += _POSTING_BYTES + len(item[4] or b"")
        if self.currentsize > self.limit:
            self.save()

    def save(self) -> None:
        """Write the groups to disk as one sorted run (Whoosh's way), and start afresh."""
        self.current = list(GroupedPostings(self._fields))
        self._fields = {}
        super().save()

    def iter_postings(self):
        if self.runs:
            self.save()
            return self.items()
        return GroupedPostings(self._fields)


class PackedWriter(SegmentWriter):
    """Whoosh's ``SegmentWriter`` writing with ``PackedCodec`` from a ``GroupedPool``."""

    def __init__(self, ix, *, limitmb: int = 128, **kwargs):
        super().__init__(ix, codec=PackedCodec(), limitmb=limitmb, **kwargs)
        self.pool = GroupedPool(self._tempstorage, self.newsegment, limitmb=limitmb)


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while a batch is written.

    A batch puts millions of small lists and tuples in the pool; each full collection
    walks all of them again, for nothing, as none is garbage until the commit ends (about
    a tenth of a build's time).  Reference counting still frees everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def discard_runs(writer) -> None:
    """After a failed commit: remove the writer's sorted runs on disk and release its lock.

    Whoosh removes its temporary folder only when a commit succeeds or is cancelled; a commit
    that fails (out of memory, a full disk) left 171 MB of run files in the index for good.
    """
    writer.pool.cleanup()
    writer._tempstorage.destroy()
    if writer.writelock:
        writer.writelock.release()
    writer.is_closed = True
