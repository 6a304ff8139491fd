"""The XML metadata file of one volume in the handover package.

One ``<案卷>`` element with the cover's fields (档号, 档案馆代号, 案卷题名, 编制单位, 编制日期,
保管期限, 密级, 页数) and one ``<文件>`` per document with the 卷内目录's fields, the file's name
in the package, its size and SHA-256.  Elements are written in a fixed order with no
timestamps, so the same catalog gives the same bytes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from dangan.archive.volumes.model import xml_safe


@dataclass
class FileMeta:
    """One document of the volume as the XML lists it."""

    piece_code: str  # 档号-件号
    piece: int
    doc_number: str
    author: str
    title: str
    date: str  # YYYYMMDD
    pages: str  # start-end
    retention: str
    secrecy: str
    item: str
    file_name: str  # in the package folder
    size: int
    sha256: str
    archivist_title: bool = False  # the title is not on the document (printed in [ ] in the 卷内目录)


def volume_xml(fields: dict[str, str], files: list[FileMeta]) -> bytes:
    """The volume's XML (UTF-8, declaration, two-space indent)."""
    root = ET.Element("案卷", {"version": "1"})
    for key, value in fields.items():
        ET.SubElement(root, key).text = xml_safe(value)
    listing = ET.SubElement(root, "卷内文件", {"数量": str(len(files))})
    for f in files:
        el = ET.SubElement(listing, "文件", {"件号": str(f.piece)})
        for key, value in (
            ("档号", f.piece_code), ("文件编号", f.doc_number), ("责任者", f.author), ("文件题名", f.title),
            ("日期", f.date), ("页次", f.pages), ("保管期限", f.retention), ("密级", f.secrecy),
            ("清单项", f.item), ("文件名", f.file_name), ("大小", str(f.size)),
        ):  # fmt: skip
            ET.SubElement(el, key).text = xml_safe(value)
        for title in el.findall("文件题名") if f.archivist_title else ():
            title.set("拟写", "是")
        ET.SubElement(el, "摘要", {"算法": "SHA-256"}).text = f.sha256
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
