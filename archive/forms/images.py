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
# A picture in a form: a photo of 24 megapixels (a phone's) fits; more is only a burden to Word.
MAX_PICTURE_MEGAPIXELS = 25


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
            else:
                problem = _picture_problem(path)
                if problem:
                    problems.append(f"{where} {problem}")
                else:
                    values[f.name] = path
    return problems


def _picture_problem(path: Path) -> str | None:
    """Why python-docx (and so Word) cannot take the picture, or None when it can.

    The size comes from the file's header: a 50,000×50,000 signature was embedded as it was,
    and Word or the PDF conversion would have to decode 2.5 gigapixels to show it.
    """
    from docx.image.exceptions import UnrecognizedImageError
    from docx.image.image import Image

    try:
        image = Image.from_file(str(path))
    except (UnrecognizedImageError, OSError, ValueError, IndexError, KeyError):  # truncated files too
        return "is not a picture Word can show; save it as PNG or JPEG"
    width, height = image.px_width, image.px_height
    if width * height > MAX_PICTURE_MEGAPIXELS * 1_000_000:
        return (
            f"is {width:,}×{height:,} pixels, over the limit of {MAX_PICTURE_MEGAPIXELS} megapixels for a picture "
            f"in a form; save it smaller (a signature needs about 600×200 pixels)"
        )
    return None


def image_value(f: Any, value: Any) -> ImageField | str:
    """What the template sees for an image field: the picture, or "" when the cell is empty."""
    if not value:
        return ""
    return ImageField(str(value), f.width_mm, f.height_mm)
