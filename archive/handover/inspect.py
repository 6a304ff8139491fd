"""Looking inside one stored file for the 可用性 and 安全性 checks (DA/T 70).

可用性 (usability): the file opens in its format — a PDF parses and has pages, an image
decodes (every frame), a DOCX opens as a Word document, a text file decodes, an XLSX, PPTX,
OFD or e-mail is read by dangan's own reader, an old Office/WPS file has its header.
安全性 (security): nothing a receiving archive must refuse — an encrypted PDF, a PDF with
JavaScript or launch actions, a Word file with macros, an executable in disguise.

Each function returns a problem sentence, or "" when the file is fine; they never raise
for a bad file, since a bad file is exactly what the check reports.
"""

from __future__ import annotations

import importlib
import io
import re
import zipfile
from pathlib import Path

from PIL import Image, ImageSequence, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from dangan.indexer.errors import InputFileError
from dangan.indexer.extract.common import EML, KIND_NAMES, LEGACY, MSG, OFD, PPTX, XLSX
from dangan.indexer.text import decode_text

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXECUTABLE_MAGIC = ((b"MZ", "a Windows program"), (b"\x7fELF", "a Linux program"), (b"#!", "a script"),
                    (b"\xca\xfe\xba\xbe", "a Java or macOS program"), (b"\xcf\xfa\xed\xfe", "a macOS program"))  # fmt: skip
EXECUTABLE_SUFFIXES = {".exe", ".dll", ".com", ".bat", ".cmd", ".msi", ".scr", ".ps1", ".vbs", ".js", ".jar", ".sh"}
PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile)\b")
_READ_BY_DANGAN = {
    XLSX: ("dangan.indexer.extract.office", "read_xlsx"),
    PPTX: ("dangan.indexer.extract.office", "read_pptx"),
    OFD: ("dangan.indexer.extract.ofd", "read_ofd"),
    EML: ("dangan.indexer.extract.mail", "read_eml"),
    MSG: ("dangan.indexer.extract.msg", "read_msg"),
    LEGACY: ("", ""),
}


def usability_problem(path: Path, mime: str) -> str:
    """Why the file does not open in its format, or ""."""
    try:
        data = path.read_bytes()
    except OSError as e:
        return f"cannot be read ({e.strerror})"
    if mime == PDF:
        return _pdf_opens(data)
    if mime.startswith("image/"):
        return _image_opens(data)
    if mime == DOCX:
        return _docx_opens(data)
    if mime == "text/plain":
        try:
            decode_text(data, path)
        except InputFileError:
            return "is not readable text in UTF-8 or GB18030"
        return ""
    if mime in _READ_BY_DANGAN:
        return _reader_opens(path, mime)
    return f"is of a type ({mime}) the archive does not accept; use PDF, JPEG/PNG/TIFF, DOCX or TXT"


def _reader_opens(path: Path, mime: str) -> str:
    """Spreadsheets, presentations, OFD and e-mails open when dangan's own reader reads them;
    an old Office/WPS file when it has its OLE2 or RTF header (converting every one through
    LibreOffice for the check would cost seconds a file)."""
    if mime == LEGACY:
        with path.open("rb") as fh:
            head = fh.read(8)
        ok = head.startswith((b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"{\\rtf"))
        return "" if ok else "is not a readable old Office/WPS file"
    module, function = _READ_BY_DANGAN[mime]
    try:
        getattr(importlib.import_module(module), function)(path, mime, False)
    except InputFileError as e:
        return f"is not a readable {KIND_NAMES[mime]} file ({e.__class__.__name__})"
    return ""


def _pdf_opens(data: bytes) -> str:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            return ""  # 安全性 reports it; whether it opens needs the password
        if len(reader.pages) == 0:
            return "is a PDF without pages"
        for page in reader.pages:
            page.get_contents()
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError) as e:
        return f"is not a readable PDF ({e.__class__.__name__}: {e})"
    return ""


def _image_opens(data: bytes) -> str:
    try:
        with Image.open(io.BytesIO(data)) as img:
            for frame in ImageSequence.Iterator(img):
                frame.load()
    except (UnidentifiedImageError, OSError, ValueError) as e:
        return f"is not a readable image ({e})"
    return ""


def _docx_opens(data: bytes) -> str:
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    try:
        Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as e:
        return f"is not a readable Word file ({e.__class__.__name__})"
    return ""


def security_problem(path: Path, mime: str) -> str:
    """Why a receiving archive would refuse the file, or ""."""
    try:
        data = path.read_bytes()
    except OSError:
        return ""  # 可用性 reports an unreadable file
    for magic, what in EXECUTABLE_MAGIC:
        if data.startswith(magic):
            return f"is {what}, not a document"
    if path.suffix.lower() in EXECUTABLE_SUFFIXES:
        return f"has the name of a program ({path.suffix}); rename or remove it"
    if mime == PDF:
        return _pdf_security(data)
    if zipfile.is_zipfile(io.BytesIO(data)):
        return _zip_security(data)
    return ""


def _pdf_security(data: bytes) -> str:
    try:
        if PdfReader(io.BytesIO(data)).is_encrypted:
            return "is an encrypted (password-protected) PDF; file an unprotected copy"
    except (PdfReadError, ValueError, KeyError, TypeError):
        return ""  # 可用性 reports a PDF that does not parse
    found = PDF_ACTIVE.search(data)
    if found:
        return f"is a PDF with active content (/{found.group(1).decode()}); print it to a plain PDF"
    return ""


def _zip_security(data: bytes) -> str:
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except zipfile.BadZipFile:
        return ""
    lowered = [n.lower() for n in names]
    if any(n.endswith("vbaproject.bin") or "macrosheets/" in n for n in lowered):
        return "contains macros (vbaProject.bin); save it as a plain .docx"
    inside = [n for n in names if Path(n).suffix.lower() in EXECUTABLE_SUFFIXES]
    if inside:
        return f"carries a program inside ({inside[0]})"
    return ""
