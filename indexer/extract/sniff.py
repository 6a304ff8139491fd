"""Judging a file's type from its content (magic bytes), never from its name.

Scanners and mail programs routinely produce ``scan.pdf`` files that are JPEGs and ``.doc``
files that are really DOCX, so the name only decides which advice a refusal gives.
"""

from __future__ import annotations

import unicodedata
import zipfile
from pathlib import Path

from dangan.indexer.errors import EmptyFileError, InputFileError, NotFoundError, UnsupportedFileError
from dangan.indexer.extract.common import (
    ACCEPTED,
    DOCX,
    EML,
    EXTENSIONS,
    JPEG,
    KIND_NAMES,
    LEGACY,
    MSG,
    OFD,
    PDF,
    PNG,
    PPTX,
    TEXT,
    TIFF,
    XLSX,
    corrupt,
    mime_for_extension,
)

SNIFF_BYTES = 4096


def sniff_type(path: Path) -> str:
    """Return the MIME type of ``path`` judged by its content, not its extension.

    Raises ``EmptyFileError`` for a zero-byte file, ``UnsupportedFileError`` for content
    dangan cannot read (with advice, e.g. old .doc/.xls), and ``CorruptFileError`` when
    the content is unrecognisable but the name claims a type dangan reads (a damaged or
    mislabelled download such as random bytes named ``.pdf``).
    """
    path = Path(path)
    head = _read_head(path)
    if not head:
        raise EmptyFileError("{path} is empty (0 bytes): re-scan or re-export it and drop it again", path=path)
    mime = _magic_type(head) or _zip_type(path, head)
    if not mime:
        _reject_known_unsupported(path, head)
        mime = (EML if _is_mail(head) else TEXT) if _is_text(head) else None
    if mime == LEGACY and path.suffix.lower() == ".msg":
        mime = MSG  # an Outlook item is an OLE2 file too; its reader checks it holds a mail
    if mime:
        _refuse_lying_package(path, mime)
        return mime
    claimed = mime_for_extension(path.suffix)
    if claimed:
        raise corrupt(path, KIND_NAMES[claimed], "re-scan or re-export it")
    raise UnsupportedFileError(
        "{path} is of an unknown type ({accepted}): convert it to PDF and drop it again", path=path, accepted=ACCEPTED
    )


# A file named as one of these packages must be one: an "invoice.ofd" that is really a PDF
# is refused rather than read, because the sender's system that should issue the OFD
# original has given something else (the PDF is kept, under its true name, if wanted).
_STRICT = (XLSX, PPTX, OFD)


def _refuse_lying_package(path: Path, mime: str) -> None:
    claimed = mime_for_extension(path.suffix)
    # An OLE2 file named .xlsx/.pptx is a password-protected one (Office wraps it so) or an old
    # .xls/.ppt renamed: LibreOffice reads the latter, the legacy reader names the password.
    if claimed in _STRICT and claimed != mime and mime != LEGACY:
        raise UnsupportedFileError(
            f"{path} is named {path.suffix} but is {_article(KIND_NAMES[mime])} file, not {_article(KIND_NAMES[claimed])} "
            f"file: rename it to {EXTENSIONS[mime][0]} (or ask the sender for the real {KIND_NAMES[claimed]}) and drop it again"
        )


def _article(kind: str) -> str:
    return ("an " if kind[0] in "AEIOU" else "a ") + kind


def _read_head(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(SNIFF_BYTES)
    except FileNotFoundError as e:
        raise NotFoundError("{path} does not exist: check the path (was it moved or renamed?)", path=path) from e
    except IsADirectoryError as e:
        raise UnsupportedFileError("{path} is a folder, not a file: drop the files inside it instead", path=path) from e
    except PermissionError as e:
        raise InputFileError(
            "{path} cannot be read (permission denied): fix its permissions and retry", path=path
        ) from e


def _magic_type(head: bytes) -> str | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    # The PDF spec lets junk precede the header (some scanners write a few bytes first).
    if b"%PDF-" in head[:1024]:
        return PDF
    # Office 97–2003 and WPS (an OLE2 compound file), and RTF: read through LibreOffice.
    if head.startswith((b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"{\\rtf")):
        return LEGACY
    return None


_ZIP_KINDS = (
    ("word/document.xml", DOCX, (".docx",), "Word (.docx)", "re-save it in Word"),
    ("xl/workbook.xml", XLSX, (".xlsx",), "Excel (.xlsx)", "re-save it in Excel or WPS"),
    ("ppt/presentation.xml", PPTX, (".pptx",), "PowerPoint (.pptx)", "re-save it in PowerPoint or WPS"),
    ("OFD.xml", OFD, (".ofd",), "OFD", "export it again from the issuing platform"),
)
_MAIL_HEADERS = (b"from:", b"to:", b"subject:", b"date:", b"message-id:", b"mime-version:", b"received:")


def _is_mail(head: bytes) -> bool:
    """An RFC 822 message: its first lines are headers, among them at least two a mail has."""
    lines = head.lstrip().split(b"\n", 40)[:40]
    headers = []
    for line in lines:
        if not line.strip():
            break
        if line[:1] in (b" ", b"\t"):
            continue  # a folded header's continuation
        name, colon, _value = line.partition(b":")
        if not colon or not name or b" " in name:
            return False
        headers.append(name.lower() + b":")
    return len(set(headers) & set(_MAIL_HEADERS)) >= 2 and bool({b"from:", b"received:"} & set(headers))


def _zip_type(path: Path, head: bytes) -> str | None:
    """DOCX is a ZIP; tell it apart from XLSX/PPTX/plain ZIP by its members."""
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError) as e:
        for _member, _mime, suffixes, kind, advice in _ZIP_KINDS:
            if path.suffix.lower() in suffixes:
                raise corrupt(path, kind, advice) from e
        raise UnsupportedFileError(
            f"{path} is a damaged ZIP archive, which {ACCEPTED}: unpack a good copy and drop the files inside"
        ) from e
    for member, mime, _suffixes, _kind, _advice in _ZIP_KINDS:
        if member in names:
            return mime
    raise UnsupportedFileError(
        f"{path} is a ZIP archive, which is not supported ({ACCEPTED}): unpack it and drop the files inside"
    )


def _is_text(head: bytes) -> bool:
    """Plain text: decodes as UTF-8/UTF-16/GB18030 and is nearly free of control bytes."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):  # UTF-16/UTF-32 BOMs
        return True
    if b"\x00" in head:
        return False
    # The head may cut a multi-byte character in half; drop up to 3 trailing bytes.
    for cut in range(4):
        text = _decode_probe(head[: len(head) - cut])
        if text is not None:
            return _looks_like_text(text)
    return False


def _decode_probe(data: bytes) -> str | None:
    """The head decoded as UTF-8 (BOM or not), GB18030, Big5 or Shift-JIS, or None: a yes/no probe only.

    Deliberately not ``dangan.indexer.text.decode_text``, which decodes whole files: this runs on a
    head cut at an arbitrary byte, failing is an answer ("not text") rather than an error,
    and it is more lenient — a UTF-8 BOM followed by GBK bytes still counts as text here, so
    the text reader's decode_text rejects it with the "save it again as UTF-8" advice instead
    of the sniffer calling it an unknown or damaged file.
    """
    for encoding in ("utf-8-sig", "gb18030", "big5", "cp932"):  # decode_text's candidates
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _looks_like_text(text: str) -> bool:
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\r\n\t\f")
    return controls <= len(text) // 100


def _reject_known_unsupported(path: Path, head: bytes) -> None:
    """Raise UnsupportedFileError with specific advice for formats people often drop."""
    known = _known_unsupported(head)
    if known:
        raise UnsupportedFileError(
            "{path} is {kind}, which is not supported ({accepted}): {advice}",
            path=path, kind=known[0], accepted=ACCEPTED, advice=known[1],
        )  # fmt: skip


def _known_unsupported(head: bytes) -> tuple[str, str] | None:
    image_advice = "save it as PNG or JPEG and drop it again"
    signatures = [
        ((b"GIF87a", b"GIF89a"), "a GIF image", image_advice),
        ((b"Rar!\x1a\x07",), "a RAR archive", "unpack it and drop the files inside"),
        ((b"7z\xbc\xaf\x27\x1c",), "a 7-Zip archive", "unpack it and drop the files inside"),
    ]
    for magics, kind, advice in signatures:
        if head.startswith(magics):
            return kind, advice
    # "BM" alone could start a text file; a BMP also has four reserved zero bytes at 6..9.
    if head.startswith(b"BM") and head[6:10] == b"\x00\x00\x00\x00":
        return "a BMP image", image_advice
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "a WebP image", image_advice
    if head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1"):
        return "a HEIC photo", "export it as JPEG (or set the phone camera to 'Most Compatible')"
    return None


def extension_note(path: Path, mime: str) -> str | None:
    """A note when the name's extension does not match the content, else None."""
    if path.suffix.lower() in EXTENSIONS[mime]:
        return None
    shown = path.suffix or "(none)"
    rename = "its old Office/WPS extension" if mime == LEGACY else EXTENSIONS[mime][0]
    return (
        f"extension {shown} does not match the content ({KIND_NAMES[mime]}); "
        f"read as {KIND_NAMES[mime]} — rename the file to {rename}"
    )
