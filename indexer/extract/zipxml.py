"""Reading the XML parts of a ZIP-based document (PPTX, OFD) as hostile input.

The parts are read with the standard library's ElementTree, and only after
``limits.check_unzipped`` has refused a zip bomb from the ZIP directory's declared sizes.
A part that declares a DOCTYPE is refused outright: no PPTX or OFD producer writes one, and
a DOCTYPE is what entity expansion ("billion laughs") and external entities need — this is
the care defusedxml would take, without the dependency.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
import zlib
from pathlib import Path

from dangan.indexer import limits

# What a damaged ZIP or XML part raises while being read.
ZIP_ERRORS = (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError, zlib.error, ET.ParseError)


class HostileXMLError(ValueError):
    """An XML part declares a DOCTYPE (entity expansion); treated as a damaged file."""


def open_checked(path: Path) -> zipfile.ZipFile:
    """The ZIP at ``path``, its declared unpacked size already checked against the limits."""
    archive = zipfile.ZipFile(path)
    try:
        limits.check_unzipped(path, archive)
    except BaseException:
        archive.close()
        raise
    return archive


def read_xml(archive: zipfile.ZipFile, name: str) -> ET.Element:
    """The parsed part ``name``; ``HostileXMLError`` if it declares a DOCTYPE."""
    data = archive.read(name)
    if b"<!DOCTYPE" in data[:4096].upper() or b"<!ENTITY" in data.upper():
        raise HostileXMLError(f"{name} declares a DOCTYPE")
    return ET.fromstring(data)


def local(tag: str) -> str:
    """An element's tag without its namespace: ``{http://…}TextCode`` → ``TextCode``."""
    return tag.rsplit("}", 1)[-1]


def texts(element: ET.Element, name: str) -> list[str]:
    """The text of every descendant element whose local name is ``name``, in document order."""
    return [el.text or "" for el in element.iter() if local(el.tag) == name]


__all__ = ["HostileXMLError", "ZIP_ERRORS", "local", "open_checked", "read_xml", "texts"]
