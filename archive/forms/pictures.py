"""Image fields placed by the compiled engine, exactly as docxtpl's ``InlineImage`` places them.

docxtpl (through python-docx) adds each new picture as ``word/media/imageN.ext`` (the
lowest free N), relates it from the document part under the lowest free ``rIdN``, declares
its content type, and prints a ``w:drawing`` whose ids come from the template's highest id.
All of that depends only on the template, so it is worked out once (:class:`PictureSlots`)
and each row only adds its own pictures (:class:`RowPictures`).  What this does not cover –
a picture in a header or footer, or one whose bytes equal a picture already in the
template – raises :class:`NeedsDocxtpl`, and the row renders through docxtpl instead.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from typing import Any

from dangan.archive.forms.images import ImageField

_IMAGE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"
_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
CONTENT_TYPES = "[Content_Types].xml"


class NeedsDocxtpl(Exception):
    """This row's pictures are beyond the compiled engine: render it through docxtpl."""


class PictureSlots:
    """What a template fixes about pictures added to its body (computed once)."""

    def __init__(self, doc, entries: list[tuple[zipfile.ZipInfo, bytes]]):
        part = doc.part
        self.main = part.partname.lstrip("/")
        self.rels_name = part.partname.rels_uri.lstrip("/")  # word/_rels/document.xml.rels
        self.shape_id = part.next_id  # python-docx takes the template's highest id + 1
        self.rids = set(part.rels.keys())
        images = list(part.package.image_parts)
        self.media_numbers = {p.partname.idx for p in images}
        self.sha1s = {p.sha1 for p in images}
        blobs = {info.filename: blob for info, blob in entries}
        self.rels_xml = blobs.get(self.rels_name)
        self.types_xml = blobs[CONTENT_TYPES]

    @property
    def replaced(self) -> set[str]:
        """The package parts a row with pictures writes anew."""
        return {self.rels_name, CONTENT_TYPES}


@dataclass
class _Added:
    sha1: str
    rid: str
    partname: str  # word/media/image3.png
    image: Any  # docx.image.image.Image


class RowPictures:
    """The pictures one row adds: drawing XML for the tags, then the parts to write."""

    def __init__(self, slots: PictureSlots):
        self.slots = slots
        self.part = ""  # the part being rendered; pictures are placed in the body only
        self.added: list[_Added] = []

    def bind(self, value: Any) -> Any:
        """An image field as an object whose printing places the picture."""
        return _Placed(self, value) if isinstance(value, ImageField) else value

    def drawing(self, field: ImageField) -> str:
        """What docxtpl's InlineImage prints for ``field`` (closing and reopening the run)."""
        from docx.image.image import Image
        from docx.oxml.shape import CT_Inline
        from docx.shared import Mm

        if self.part != self.slots.main:
            raise NeedsDocxtpl(f"a picture in {self.part}")
        image = Image.from_file(field.path)
        if image.sha1 in self.slots.sha1s:
            raise NeedsDocxtpl("a picture the template already holds")
        added = next((a for a in self.added if a.sha1 == image.sha1), None) or self._add(image)
        width = Mm(field.width_mm) if field.width_mm else None
        height = Mm(field.height_mm) if field.height_mm else None
        cx, cy = added.image.scaled_dimensions(width, height)
        pic = CT_Inline.new_pic_inline(self.slots.shape_id, added.rid, added.image.filename, cx, cy).xml
        return f'</w:t></w:r><w:r><w:drawing>{pic}</w:drawing></w:r><w:r><w:t xml:space="preserve">'

    def _add(self, image) -> _Added:
        taken = self.slots.rids | {a.rid for a in self.added}
        rid = next(f"rId{n}" for n in range(1, len(taken) + 2) if f"rId{n}" not in taken)
        numbers = self.slots.media_numbers | {int(a.partname.rsplit("image", 1)[1].split(".")[0]) for a in self.added}
        n = next(n for n in range(1, len(numbers) + 2) if n not in numbers)
        added = _Added(image.sha1, rid, f"word/media/image{n}.{image.ext}", image)
        self.added.append(added)
        return added

    def parts(self) -> dict[str, bytes]:
        """The media, the document's relationships and the content types for this row."""
        from lxml import etree

        out = {a.partname: a.image.blob for a in self.added}
        rels = (
            etree.fromstring(self.slots.rels_xml)
            if self.slots.rels_xml
            else etree.Element(f"{{{_RELS_NS}}}Relationships")
        )
        for a in self.added:
            target = a.partname.split("/", 1)[1]  # relative to word/
            etree.SubElement(rels, f"{{{_RELS_NS}}}Relationship", Id=a.rid, Type=_IMAGE_REL, Target=target)
        out[self.slots.rels_name] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8", standalone=True)
        out[CONTENT_TYPES] = self._content_types()
        return out

    def _content_types(self) -> bytes:
        """The template's content types plus what python-docx declares for each new picture."""
        from docx.opc.spec import default_content_types
        from lxml import etree

        types = etree.fromstring(self.slots.types_xml)
        defaults = {d.get("Extension", "").lower() for d in types.iter(f"{{{_CT_NS}}}Default")}
        for a in self.added:
            ext, ctype = a.image.ext, a.image.content_type
            if (ext.lower(), ctype) in default_content_types:
                if ext.lower() not in defaults:
                    etree.SubElement(types, f"{{{_CT_NS}}}Default", Extension=ext, ContentType=ctype)
                    defaults.add(ext.lower())
            else:
                etree.SubElement(types, f"{{{_CT_NS}}}Override", PartName="/" + a.partname, ContentType=ctype)
        return etree.tostring(types, xml_declaration=True, encoding="UTF-8", standalone=True)


class _Placed:
    """An image field inside one row's context: printing it places the picture."""

    def __init__(self, pictures: RowPictures, field: ImageField):
        self._pictures, self._field = pictures, field

    def __html__(self) -> str:
        return self._pictures.drawing(self._field)

    __str__ = __html__
