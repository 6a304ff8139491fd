"""Where the legacy reader finds the conversions of the batch being filed.

``dangan.indexer.extract.batch`` converts a batch's old Office files together into one
folder, each conversion named by the SHA-256 of its source's bytes; ``extract`` makes that
folder current (``conversions``) while it reads, and the legacy reader asks ``cached``.
Kept apart from both so that neither imports the other.
"""

from __future__ import annotations

import contextlib
import hashlib
from contextvars import ContextVar
from pathlib import Path
from typing import Iterator

# The folder of the batch being filed, seen by the legacy reader (set by ``extract``).
_FOLDER: ContextVar[Path | None] = ContextVar("dangan_conversions", default=None)


@contextlib.contextmanager
def conversions(folder: Path | None) -> Iterator[None]:
    """Let the legacy reader use the batch's conversions in ``folder`` (None: none)."""
    token = _FOLDER.set(folder)
    try:
        yield
    finally:
        _FOLDER.reset(token)


def cached(data: bytes, target: str) -> Path | None:
    """The batch's conversion of these bytes to ``target``, or None."""
    folder = _FOLDER.get()
    if folder is None:
        return None
    made = folder / f"{hashlib.sha256(data).hexdigest()}.{target}"
    return made if made.is_file() else None
