"""Plain text (.txt) in the encodings Chinese offices write: UTF-8, UTF-16, GBK/GB18030."""

from __future__ import annotations

from pathlib import Path

from dangan.indexer import limits
from dangan.indexer.errors import InputFileError
from dangan.indexer.extract.common import Extraction, assemble, corrupt
from dangan.indexer.text import decode_text

_ADVICE = "save it again as UTF-8 (e.g. in Notepad: Save As, Encoding UTF-8)"


def read_text(path: Path, mime: str, ocr: bool) -> Extraction:
    """The text of a plain text file, noting the encoding when it was not UTF-8."""
    limits.check_file_size(path, path.stat().st_size, key="max_text_mb")
    text, encoding = _decode_text(path, path.read_bytes())
    notes = [] if encoding == "utf-8" else [f"decoded as {encoding}"]
    return assemble([text.strip()], mime, "plain", [], notes)


def _decode_text(path: Path, data: bytes) -> tuple[str, str]:
    """(text, encoding) through the project's one decoder, ``dangan.indexer.text.decode_text``.

    A UTF-8 BOM is reported as plain "utf-8" (no note: it is what we recommend), and an
    undecodable file stays a ``CorruptFileError`` with the advice archivists already know.
    """
    try:
        text, encoding = decode_text(data, path, advice=_ADVICE)
    except InputFileError as e:
        raise corrupt(path, "text", _ADVICE) from e
    return text, encoding.replace("-sig", "")
