"""File names as they really arrive: undecodable bytes, control characters, names too long.

On Linux a file name is bytes.  Python hands names that are not UTF-8 (a GBK name copied
from a Windows share, say) over as str with "surrogate escapes", which cannot be written to
the catalog, a JSON document or a terminal.  So every name is turned into text leniently for
display and storage (UTF-8, else GB18030, else UTF-8 with replacement characters), and the
original bytes are kept beside it (``raw_name``) so nothing about the input is lost.

Vault and set-aside names must also fit the file system's 255-byte limit: an 81-character
Chinese name is 243 bytes before the date prefix and any ``_2`` suffix.  ``fit`` shortens a
name to a byte budget, keeping the extension and a short hash of the whole name so two long
names that share a beginning stay apart.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata

NAME_MAX = 255  # bytes per path component on ext4, XFS, btrfs, NTFS (as UTF-16 units, looser)
# Room kept for what dangan appends: "_9999" (a free name) and ".error.txt" (failures).
SUFFIX_ROOM = 16
_HASH_CHARS = 8
_MAX_EXT_BYTES = 16


def clean(text: str) -> str:
    """``text`` with any surrogate-escaped bytes decoded leniently (GB18030, else U+FFFD).

    Text that is valid Unicode already comes back unchanged, so it is safe (and cheap) to
    pass every message and name through here before it is stored or printed.
    """
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    raw = text.encode("utf-8", "surrogateescape")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "replace")


def raw_name(name: str) -> str | None:
    """The original bytes of a name that is not valid UTF-8, as hex; None for ordinary names."""
    try:
        name.encode("utf-8")
        return None
    except UnicodeEncodeError:
        return os.fsencode(name).hex()


def without_controls(text: str) -> str:
    """``text`` without control and format characters (Cc, Cf): a right-to-left override
    (U+202E) makes ``scan\u202etxt.exe`` read as ``scanexe.txt``; stored names never carry one."""
    return "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf"))


def removed_controls(name: str) -> list[str]:
    """The control and format characters ``without_controls`` takes out of ``name``, as U+XXXX."""
    return [f"U+{ord(ch):04X}" for ch in clean(name) if unicodedata.category(ch) in ("Cc", "Cf")]


def stored_raw_name(name: str) -> str | None:
    """What ``original_name_raw`` keeps: the original bytes (hex) of a name that was not
    UTF-8 or that lost control characters when stored; None for an ordinary name."""
    if raw_name(name) is None and not removed_controls(name):
        return None
    return os.fsencode(name).hex()


def printable(text: str) -> str:
    """``text`` with control and format characters shown as escapes (``\\x1b``), for terminals.

    A file named with an ANSI escape sequence must not recolour, move or clear the terminal
    of the person reading the ingest report.
    """
    text = clean(text)
    if all(unicodedata.category(ch) not in ("Cc", "Cf") for ch in text):
        return text
    return "".join(_escape(ch) if unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in text)


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def fit(name: str, limit: int = NAME_MAX - SUFFIX_ROOM) -> str:
    """``name`` shortened to at most ``limit`` UTF-8 bytes, keeping its extension and a hash.

    ``施工日志…(80 more characters).pdf`` becomes ``施工日志…~1a2b3c4d.pdf``; names that fit
    are returned unchanged.
    """
    if len(name.encode("utf-8", "surrogateescape")) <= limit:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or len(ext.encode("utf-8", "surrogateescape")) > _MAX_EXT_BYTES:
        stem, ext = name, ""
    tail = f"~{hashlib.sha256(name.encode('utf-8', 'surrogateescape')).hexdigest()[:_HASH_CHARS]}"
    tail += f".{ext}" if ext else ""
    return _cut(stem, limit - len(tail.encode("utf-8", "surrogateescape"))) + tail


def _cut(text: str, budget: int) -> str:
    """The longest prefix of ``text`` whose UTF-8 form fits ``budget`` bytes (never half a character)."""
    out, used = [], 0
    for ch in text:
        size = len(ch.encode("utf-8", "surrogateescape"))
        if used + size > budget:
            break
        out.append(ch)
        used += size
    return "".join(out)


def path_to_db(path: os.PathLike | str) -> str:
    """A path as text the catalog can store and give back exactly (``hex:`` for odd bytes)."""
    text = os.fspath(path)
    raw = raw_name(text)
    return f"hex:{raw}" if raw is not None else text


def path_from_db(text: str) -> str:
    """The inverse of :func:`path_to_db`."""
    if text.startswith("hex:"):
        return os.fsdecode(bytes.fromhex(text[4:]))
    return text
