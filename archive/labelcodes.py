"""What the QR codes on labels and cover sheets say, and the one reader of it.

A code is plain ASCII (``DA1:V:12:BJ2024017%C2%B7…:3f9a1c``), so a barcode scanner that types
like a US keyboard types it unchanged into any field (scanners cannot type Chinese); values
are percent-encoded UTF-8.  Every code ends in a check of six hex digits (the start of the
SHA-256 of the rest), so a code that was damaged or typed wrong is refused, never misread.

Kinds: ``V`` a volume (its id and 档号), ``B`` a box (库房/柜架/层/盒号), ``I`` a checklist
item of a project (a cover sheet), ``D`` one document (a cover sheet).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import quote, unquote

from dangan.indexer.errors import UsageError

PREFIX = "DA1"
KINDS = {"V": "volume", "B": "box", "I": "item", "D": "document"}
MAX_CODE = 600


@dataclass(frozen=True)
class LabelCode:
    """One decoded code: its kind and its values (strings, in the order the kind defines)."""

    kind: str  # volume | box | item | document
    values: tuple[str, ...]

    @property
    def volume_id(self) -> int:
        """The volume's row id (kind volume)."""
        return int(self.values[0])

    @property
    def document_id(self) -> int:
        """The document's id (kind document)."""
        return int(self.values[0])


def _check(body: str) -> str:
    return hashlib.sha256(body.encode("ascii")).hexdigest()[:6]


def encode(kind: str, *values: object) -> str:
    """The ASCII text of a code of ``kind`` (volume, box, item, document) with its values."""
    letter = next(k for k, name in KINDS.items() if name == kind)
    body = ":".join([PREFIX, letter, *(quote(str(v), safe="") for v in values)])
    return f"{body}:{_check(body)}"


def volume_code_text(volume_id: int, archive_code: str) -> str:
    """A volume label's code: its id and its 档号."""
    return encode("volume", volume_id, archive_code)


def box_code_text(place: str) -> str:
    """A box label's code: its place 库房/柜架/层/盒号."""
    return encode("box", place)


def is_ours(text: str) -> bool:
    """Whether a code read from paper looks like one of dangan's (it may still be damaged)."""
    return (text or "").strip().startswith(PREFIX + ":")


_ARITY = {"V": 2, "B": 1, "I": 2, "D": 1}


def parse(text: str) -> LabelCode:
    """Read a code; UsageError saying what is wrong with a damaged, unknown or foreign one."""
    raw = (text or "").strip()
    if len(raw) > MAX_CODE or not raw.isascii():
        raise UsageError("the code '{code}' is not a dangan label or cover-sheet code", code=raw[:60])
    parts = raw.split(":")
    if len(parts) < 4 or parts[0] != PREFIX:
        raise UsageError("the code '{code}' is not a dangan label or cover-sheet code", code=raw[:60])
    body, check = ":".join(parts[:-1]), parts[-1].lower()
    if _check(body) != check:
        raise UsageError("the code '{code}' is damaged (its check digits do not match); print the label again",
                         code=raw[:60])  # fmt: skip
    letter = parts[1]
    if letter not in _ARITY or len(parts) - 3 != _ARITY[letter]:
        raise UsageError("the code '{code}' is of a kind this version does not know", code=raw[:60])
    values = tuple(unquote(p) for p in parts[2:-1])
    if letter in "VD" and not values[0].isdigit():
        raise UsageError("the code '{code}' is damaged (its id is not a number); print the label again",
                         code=raw[:60])  # fmt: skip
    return LabelCode(KINDS[letter], values)
