"""Image fields: a photo or a signature per form, named in a data column, sized in mm.

A manifest field ``type = "image"`` (with ``width_mm`` and/or ``height_mm``) takes, in each
row, the path of a picture file relative to the data file's folder – for example
``签名/王强.png`` next to ``派工单.xlsx``.  Cells are hostile: a name is checked when the row
is validated (a relative path with a picture suffix, no ``..``), and every file is looked up
before anything is written; a file outside the data's folder (through a link, say) is
refused like a missing one.  In the template the field is a plain tag, ``{{ signature }}``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff")


@dataclass(frozen=True)
class ImageField:
    """A picture to put where its tag is: a file, sized in millimetres (a manifest image field).

    Unlike docxtpl's ``InlineImage`` it is bound to no template, so it can cross to a batch
    worker process; it becomes an ``InlineImage`` of the template being rendered.
    """

    path: str
    width_mm: float | None = None
    height_mm: float | None = None


def parse_image(raw: str, _field: Any = None) -> str:
    """A cell naming a picture: the relative path, with / separators (ValueError if unusable)."""
    text = raw.strip().replace("\\", "/")
    path = PurePosixPath(text)
    if "\x00" in text or path.is_absolute() or (len(text) > 1 and text[1] == ":"):
        raise ValueError("is not a file name next to the data; give the picture's path relative to the data file")
    if ".." in path.parts:
        raise ValueError("leaves the data's folder (..); put the picture next to the data file")
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        raise ValueError(f"is not a picture; use one of {', '.join(IMAGE_SUFFIXES)}")
    return str(path)


def resolve_images(fields: Sequence[Any], typed: list[dict], base: Path) -> list[str]:
    """Each image field's relative path in ``typed`` replaced by the file under ``base``.

    Returns one problem line per missing, escaping or unreadable file.
    """
    root = Path(base).resolve()
    problems = []
    for values in typed:
        for f in fields:
            rel = values.get(f.name)
            if f.type != "image" or not rel or isinstance(rel, Path):
                continue
            path = (root / rel).resolve()
            where = f'row {values["_row"]}, {f.label}: picture "{rel}"'
            if not path.is_relative_to(root) or not path.is_file():
                problems.append(f"{where} is not a file in {root}; put it there or correct the name")
            elif not _readable(path):
                problems.append(f"{where} is not a picture Word can show; save it as PNG or JPEG")
            else:
                values[f.name] = path
    return problems


def _readable(path: Path) -> bool:
    """Whether python-docx (and so Word) recognises the file's picture format."""
    from docx.image.exceptions import UnrecognizedImageError
    from docx.image.image import Image

    try:
        Image.from_file(str(path))
    except (UnrecognizedImageError, OSError, ValueError, IndexError, KeyError):  # truncated files too
        return False
    return True


def image_value(f: Any, value: Any) -> ImageField | str:
    """What the template sees for an image field: the picture, or "" when the cell is empty."""
    if not value:
        return ""
    return ImageField(str(value), f.width_mm, f.height_mm)
