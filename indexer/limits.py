"""Limits on what one input file may cost: bytes, pages, decompressed bytes, pixels, time.

A 531 KB DOCX can unpack to gigabytes, a PDF of 2,000 blank pages keeps OCR busy for an
hour, a 9000×9000 PNG decodes to over a gigabyte.  Each reader asks this module before the
expensive step; over a limit it raises ``LimitError`` naming the limit and its dangan.toml
key, so the file goes to ``inbox/.failed/`` with that reason and the pipeline moves on.

The active limits are a context variable set by ``extract`` for the file being read, so the
readers keep their simple ``(path, mime, ocr)`` signature and a reader used on its own (in
tests, or by a caller that sets no limits) runs with the defaults.
"""

from __future__ import annotations

import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from dangan.indexer.errors import ConfigError, LimitError

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """The ``[limits]`` table of dangan.toml; every value has a default that fits real scans."""

    max_file_mb: float = 512.0  # any input file
    max_text_mb: float = 16.0  # a plain .txt file (its text is held, folded and indexed whole)
    max_pages: int = 1000  # PDF pages or TIFF frames
    max_unzipped_mb: float = 200.0  # all parts of a DOCX together, unpacked
    max_image_megapixels: float = 64.0  # one image or TIFF frame (an A1 drawing at 300 dpi is ~70)
    seconds_per_file: float = 900.0  # reading one file, OCR included; the reader is stopped at it
    # The reader's address space: OCR of one A4 page at 300 dpi reserves about 1.9 GB.
    memory_mb: float = 3072.0
    # Text kept (searched, classified, stored) per document, in characters: a 1,000-page scan
    # at an estimated 600 characters a page is 600,000.  Indexing costs per distinct word pair, and random text is all
    # distinct pairs: 250,000 random characters took 85 s and 1,000,000 took 393 s to file
    # (on a loaded 2-core machine), all of it in the index commit under the writer lock.
    max_document_chars: int = 1_000_000

    @classmethod
    def from_config(cls, table: dict | None) -> Limits:
        """Limits from dangan.toml's ``[limits]`` table; a bad value is a ConfigError naming the key."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            if table and f.name in table:
                value = table[f.name]
                if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                    raise ConfigError(f"dangan.toml: limits.{f.name} = {value!r} must be a positive number")
                if isinstance(f.default, int) and value != int(value):
                    raise ConfigError(f"dangan.toml: limits.{f.name} = {value!r} must be a whole number")
                values[f.name] = int(value) if isinstance(f.default, int) else float(value)
        return cls(**values)


@dataclass
class _Active:
    limits: Limits
    deadline: float


_ACTIVE: ContextVar[_Active | None] = ContextVar("dangan_limits", default=None)


@contextmanager
def applied(limits: Limits | None) -> Iterator[Limits]:
    """Apply ``limits`` (defaults when None) to the extraction run inside the block."""
    limits = limits or Limits()
    token = _ACTIVE.set(_Active(limits, time.monotonic() + limits.seconds_per_file))
    try:
        yield limits
    finally:
        _ACTIVE.reset(token)


def current() -> Limits:
    """The limits in force (the defaults outside :func:`applied`)."""
    active = _ACTIVE.get()
    return active.limits if active else Limits()


def _over(path: Path, what: str, key: str, limit: str, advice: str) -> LimitError:
    return LimitError(
        "{path}: {what} is over the limit of {limit} (limits.{key} in dangan.toml); {advice}",
        path=path, what=what, limit=limit, key=key, advice=advice,
    )  # fmt: skip


def check_file_size(path: Path, size: int, *, key: str = "max_file_mb") -> None:
    """LimitError when ``size`` bytes exceeds ``max_file_mb`` (or the given key)."""
    limit = getattr(current(), key)
    if size > limit * MB:
        raise _over(
            path, f"{size / MB:,.0f} MB", key, f"{limit:g} MB", "split or compress the file, or raise the limit"
        )


def check_pages(path: Path, pages: int, *, so_far: bool = False) -> None:
    """LimitError for a PDF or TIFF with more pages than ``max_pages``.

    ``so_far``: ``pages`` were counted while reading (the file may hold more), so the
    message says "more than" the limit rather than a total nobody counted.
    """
    limit = current().max_pages
    if pages > limit:
        what = f"more than {limit:,} pages" if so_far else f"{pages:,} pages"
        raise _over(path, what, "max_pages", f"{limit:,} pages", "split the file, or raise the limit")


def check_pixels(path: Path, width: int, height: int) -> None:
    """LimitError for an image (frame) larger than ``max_image_megapixels``; checked before decoding."""
    limit = current().max_image_megapixels
    if width * height > limit * 1_000_000:
        raise _over(
            path,
            f"an image of {width}×{height} pixels",
            "max_image_megapixels",
            f"{limit:g} megapixels",
            "scan it again at 300 dpi or less, or raise the limit",
        )


def check_unzipped(path: Path, archive: zipfile.ZipFile) -> None:
    """LimitError when the parts of a ZIP-based file (DOCX) unpack to more than ``max_unzipped_mb``.

    The sizes come from the ZIP directory; the reader never inflates more than a part
    declares, so a "zip bomb" is refused before a byte of it is unpacked.
    """
    limit = current().max_unzipped_mb
    total = sum(info.file_size for info in archive.infolist())
    if total > limit * MB:
        raise _over(
            path,
            f"its content ({total / MB:,.0f} MB unpacked)",
            "max_unzipped_mb",
            f"{limit:g} MB",
            "re-save it in Word (pictures compressed), or raise the limit",
        )


def over_time(path: Path) -> LimitError:
    """The error for a file whose reader was stopped at ``seconds_per_file``."""
    limit = current().seconds_per_file
    return _over(path, "reading it", "seconds_per_file", f"{limit:g} seconds", "split the file, or raise the limit")


def over_memory(path: Path) -> LimitError:
    """The error for a file whose reader needed more than ``memory_mb``."""
    limit = current().memory_mb
    return _over(
        path,
        "the memory reading it needs",
        "memory_mb",
        f"{limit:,.0f} MB",
        "split the file or save it again smaller, or raise the limit",
    )


def reader_stopped(path: Path, how: str) -> LimitError:
    """The error for a file whose reader crashed (``how``: the signal), usually at ``memory_mb``."""
    limit = current().memory_mb
    return LimitError(
        f"{path}: reading it stopped the reader ({how}), usually from needing more memory than the "
        f"limit of {limit:,.0f} MB (limits.memory_mb in dangan.toml); split the file or save it "
        f"again smaller, or raise the limit"
    )


def cap_text(text: str) -> tuple[str, str | None]:
    """``text`` cut to ``max_document_chars``, and the note saying so (None when it fits)."""
    limit = current().max_document_chars
    if len(text) <= limit:
        return text, None
    return text[:limit], (
        f"only the first {limit:,} of {len(text):,} characters are kept for search "
        f"(limits.max_document_chars in dangan.toml)"
    )


def check_time(path: Path) -> None:
    """LimitError once reading the current file has taken longer than ``seconds_per_file``."""
    active = _ACTIVE.get()
    if active is not None and time.monotonic() > active.deadline:
        raise over_time(path)
