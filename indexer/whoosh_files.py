"""Whoosh generation folders: opening one, what its damage looks like, small readers.

Split from ``index.py`` (which keeps ``SearchIndex``) to hold it under the size limit.
"""

from __future__ import annotations

import pickle
import struct
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from dangan.indexer.errors import IndexDamagedError
from dangan.indexer.schema import schema

if TYPE_CHECKING:
    from whoosh.filedb.filestore import FileStorage


# What Whoosh lets escape when a segment or TOC file is truncated or zeroed (seen in practice:
# a zeroed TOC is WhooshIndexError, a truncated one struct.error, a zeroed segment a pickle error).
# ModuleNotFoundError: the table of contents names a codec or format module this version
# does not have (an index written by a newer dangan).
def _damage() -> tuple[type[BaseException], ...]:
    from whoosh.index import IndexError as WhooshIndexError

    return (
    WhooshIndexError, EOFError, pickle.UnpicklingError, struct.error, zlib.error,
    ValueError, KeyError, IndexError, TypeError, AttributeError, UnicodeDecodeError, ModuleNotFoundError,
    FileNotFoundError,  # a segment file the table of contents names is gone
    )  # fmt: skip


@contextmanager
def damage_reported(index_dir: Path) -> Iterator[None]:
    """Turn Whoosh's low-level errors on damaged files into IndexDamagedError (exit 8)."""
    damage = _damage()  # Whoosh imported here: the tantivy engine never needs it
    try:
        yield
    except damage as e:
        raise IndexDamagedError(
            f"the search index is damaged: run dangan reindex (in {index_dir}: {type(e).__name__})"
        ) from e


def segment_count(ix) -> int:
    """Segments of a Whoosh index (its table of contents is the only place that says)."""
    return len(ix._segments())


def storage(path: Path) -> FileStorage:
    """Whoosh storage for one generation folder, reading files without mmap.

    With mmap, Whoosh copies every segment file it touches into memory (BytesIO): a search
    at 10,000 documents grew by 413 MB and spent up to 0.24 s opening the index; plain file
    reads opened it in 7 ms and 37 MB.
    """
    from whoosh.filedb.filestore import FileStorage

    return FileStorage(str(path), supports_mmap=False)


def open_generation(path: Path):
    from whoosh.index import EmptyIndexError

    try:
        ix = storage(path).open_index()
    except EmptyIndexError as e:
        raise IndexDamagedError(f"the search index in {path} is damaged ({e}); rebuild it with `dangan reindex`") from e
    if set(ix.schema.names()) != set(schema().names()):
        ix.close()
        raise IndexDamagedError(
            f"the search index in {path} was built by another version of dangan; rebuild it with `dangan reindex`"
        )
    return ix


def id_text(value) -> str:
    """An id from the sortable column, which Whoosh hands back as bytes or as text."""
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def is_tantivy(path: Path) -> bool:
    """Whether a generation folder is a tantivy index (it holds ``tantivy_engine.ENGINE_FILE``)."""
    return (path / "ENGINE").is_file()
