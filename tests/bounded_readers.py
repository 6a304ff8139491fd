"""Readers that misbehave on purpose, installed inside a reader worker by the bounded tests.

A worker imports its preload modules as it starts (``dangan.indexer.bounded``); the tests add this
module to the preload, and importing it swaps the plain-text reader for one that, for a
text file starting "HANG", never returns, and for one starting "HUNGRY" takes memory until
none is left (the reader sees a staged copy, so the content, not the name, decides) — the way a content-stream bomb or a DOCX unpacking to 190 MB behaved, but
deterministically.  Every other file is read as usual.
"""

from __future__ import annotations

import time
from pathlib import Path

import dangan.indexer.extract as extract_module
from dangan.indexer.extract.common import TEXT
from dangan.indexer.extract.plain import read_text


def misbehaving_read(path: Path, mime: str, ocr: bool):
    """Hang on "HANG…", eat memory on "HUNGRY…", else read the text as dangan does."""
    head = Path(path).read_bytes()[:6]
    if head.startswith(b"HANG"):
        while True:  # stuck like a reader inside C code: no limit check is ever reached
            time.sleep(1)
    if head.startswith(b"HUNGRY"):
        eaten = []
        while True:
            eaten.append(bytearray(64 << 20))
    return read_text(path, mime, ocr)


def hang(seconds: float) -> None:
    """A worker target that outlasts any test's time limit."""
    time.sleep(seconds)


def eat(megabytes: int) -> int:
    """A worker target that asks for ``megabytes`` at once."""
    return len(bytearray(megabytes << 20))


extract_module._READERS[TEXT] = (__name__, "misbehaving_read")
