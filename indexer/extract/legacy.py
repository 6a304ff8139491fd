"""Old Office and WPS files (.doc .xls .ppt .wps .et .dps) and RTF, read through LibreOffice.

The file is converted by ``soffice --headless --convert-to`` into a temporary folder — to
.docx, .xlsx or .pptx as its content says (the OLE2 directory names ``WordDocument``,
``Workbook`` or ``PowerPoint Document``; WPS writes the same streams) — and the conversion
is read by the DOCX/XLSX/PPTX reader.  The original is what intake stores and hashes; the
conversion is only for the text.  This runs inside the reader worker of
``extract_bounded``, so LibreOffice inherits its memory cap, and it is stopped (its whole
process group) at the time limit.  Each worker keeps one LibreOffice profile folder for its
life, so only its first conversion pays for creating one.  When a batch is filed, its old
Office files are converted together first (``dangan.indexer.extract.batch``); the reader
takes a file's conversion from there when its bytes were converted, else converts it alone.

Without LibreOffice the file is refused naming the Debian package to install.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from dangan.indexer import limits
from dangan.indexer.errors import EncryptedFileError, UnsupportedFileError
from dangan.indexer.extract import converted as batch
from dangan.indexer.extract.common import DOCX, MSG, PPTX, XLSX, Extraction, corrupt
from dangan.indexer.extract.msg import is_msg, read_msg

# (OLE2 stream name as UTF-16LE, target format, reader, Debian package that converts it)
_KINDS = (
    ("WordDocument", "docx", DOCX, "libreoffice-writer-nogui"),
    ("Workbook", "xlsx", XLSX, "libreoffice-calc-nogui"),
    ("Book", "xlsx", XLSX, "libreoffice-calc-nogui"),
    ("PowerPoint Document", "pptx", PPTX, "libreoffice-impress-nogui"),
)
_WRITER = ("", "docx", DOCX, "libreoffice-writer-nogui")
_BY_SUFFIX = {".xls": _KINDS[1], ".et": _KINDS[1], ".ppt": _KINDS[3], ".dps": _KINDS[3]}
_READERS = {
    DOCX: ("dangan.indexer.extract.word", "read_docx"),
    XLSX: ("dangan.indexer.extract.office", "read_xlsx"),
    PPTX: ("dangan.indexer.extract.office", "read_pptx"),
}
_ADVICE = (
    "LibreOffice could not convert it (damaged or password-protected): open it in WPS or Office, "
    "save it as .docx/.xlsx/.pptx"
)
_profile: list[Path] = []


def read_legacy(path: Path, mime: str, ocr: bool) -> Extraction:
    """Convert with LibreOffice, read the conversion, and say so in ``page_methods``."""
    import importlib

    data = path.read_bytes()  # within max_file_mb: checked before any reader runs
    if "EncryptedPackage".encode("utf-16-le") in data:
        raise EncryptedFileError(
            f"{path} is protected by a password: remove the password in WPS or Office and drop it again"
        )
    if is_msg(data):  # an Outlook mail under another name (.doc): read as the mail it is
        return read_msg(path, MSG, ocr)
    _stream, target, target_mime, package = _kind(path, data)
    done = batch.cached(data, target)  # converted with the rest of its batch (dangan.indexer.extract.batch)
    soffice = soffice_path()
    if soffice is None and done is None:
        raise UnsupportedFileError(
            f"{path} is an old Office/WPS file, which dangan reads through LibreOffice, and LibreOffice is not "
            f"installed: install it (apt-get install {package}) and drop the file again"
        )
    with tempfile.TemporaryDirectory(prefix="dangan-convert-") as tmp:
        converted = done or convert(str(soffice), path, target, Path(tmp))
        module, function = _READERS[target_mime]
        result = getattr(importlib.import_module(module), function)(converted, target_mime, ocr)
    result.mime_type = mime
    result.method = "libreoffice"
    why = f"converted to .{target} by LibreOffice"
    result.page_methods = [
        {"page": n, "method": "none" if n in result.empty_pages else "libreoffice", "why": why}
        for n in range(1, result.pages + 1)
    ]
    return result


def soffice_path() -> str | None:
    """LibreOffice's command, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def _kind(path: Path, data: bytes) -> tuple[str, str, str, str]:
    if data.startswith(b"{\\rtf"):
        return _WRITER
    for kind in _KINDS:
        if kind[0].encode("utf-16-le") + b"\x00\x00" in data:
            return kind
    return _BY_SUFFIX.get(path.suffix.lower(), _WRITER)


def convert(soffice: str, path: Path, target: str, folder: Path) -> Path:
    """``path`` converted to ``target`` (docx/xlsx/pptx) in ``folder``; the converted file."""
    source = folder / f"source{path.suffix.lower()[:8] or '.bin'}"
    os.symlink(path.resolve(), source)
    command = [
        soffice,
        f"-env:UserInstallation={_profile_dir().as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        target,
        "--outdir",
        str(folder),
        str(source),
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, start_new_session=True
    )
    try:
        process.wait(timeout=limits.current().seconds_per_file)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise limits.over_time(path) from None
    converted = folder / f"source.{target}"
    if not converted.is_file() or converted.stat().st_size == 0:
        raise corrupt(path, "old Office/WPS", _ADVICE)
    return converted


def _profile_dir() -> Path:
    """This process's LibreOffice profile, made once and removed when the process ends."""
    if not _profile:
        folder = Path(tempfile.mkdtemp(prefix="dangan-soffice-profile-"))
        atexit.register(shutil.rmtree, folder, True)
        _profile.append(folder)
    return _profile[0]
