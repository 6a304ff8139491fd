"""Test documents of the formats issue 31 added, generated in the test: XLSX, PPTX, OFD, EML.

Each is written from scratch with the smallest structure the real producers use, and the
old Office files are made from them by LibreOffice (``to_legacy``), as the issue asks.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import zipfile
from email.message import EmailMessage
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl

_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_P = "http://schemas.openxmlformats.org/presentationml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFD = "http://www.ofdspec.org/2016"


def make_xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """A workbook with one sheet per entry, rows as given (strings, numbers, dates, "=formulas")."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return Path(path)


def with_cached_value(path: Path, sheet: str, cell: str, formula: str, cached: str) -> Path:
    """Write a formula with the value Excel would have cached (openpyxl writes none)."""
    with zipfile.ZipFile(path) as src:
        parts = {name: src.read(name) for name in src.namelist()}
    index = list(openpyxl.load_workbook(path).sheetnames).index(sheet) + 1
    name = f"xl/worksheets/sheet{index}.xml"
    xml = parts[name].decode()
    xml = xml.replace(
        f'<c r="{cell}"><f>{formula}</f><v></v></c>', f'<c r="{cell}"><f>{formula}</f><v>{cached}</v></c>'
    )
    assert f"<v>{cached}</v>" in xml, xml
    parts[name] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for part, data in parts.items():
            dst.writestr(part, data)
    return path


def _paragraphs(lines: list[str]) -> str:
    return "".join(f"<a:p><a:r><a:t>{escape(line)}</a:t></a:r></a:p>" for line in lines)


def _shape_tree(lines: list[str]) -> str:
    return (
        f"<p:cSld><p:spTree><p:sp><p:txBody><a:bodyPr/>{_paragraphs(lines)}"
        '<a:p><a:fld type="slidenum"><a:t>9</a:t></a:fld></a:p></p:txBody></p:sp></p:spTree></p:cSld>'
    )


def make_pptx(path: Path, slides: list[tuple[list[str], list[str]]]) -> Path:
    """A presentation: per slide (its text lines, its speaker notes' lines)."""
    ns = f'xmlns:a="{_A}" xmlns:p="{_P}" xmlns:r="{_R}"'
    types = [
        '<Default Extension="xml" ContentType="application/xml"/>',
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>',
        '<Override PartName="/ppt/presentation.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/>',
    ]
    parts = {
        "_rels/.rels": f'<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" Type="{_R}/officeDocument" Target="ppt/presentation.xml"/></Relationships>'
    }
    ids, rels = [], []
    # Written in reverse so that the part names' order is not the slide order.
    for n, (text, notes) in reversed(list(enumerate(slides, 1))):
        ids.insert(0, f'<p:sldId id="{255 + n}" r:id="rId{n}"/>')
        rels.insert(0, f'<Relationship Id="rId{n}" Type="{_R}/slide" Target="slides/slide{n}.xml"/>')
        types.append(
            f'<Override PartName="/ppt/slides/slide{n}.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.slide+xml"/>'
        )
        parts[f"ppt/slides/slide{n}.xml"] = f"<p:sld {ns}>{_shape_tree(text)}</p:sld>"
        if notes:
            m = len(slides) + 1 - n  # notes parts numbered unlike the slides, as PowerPoint may
            parts[f"ppt/slides/_rels/slide{n}.xml.rels"] = (
                f'<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId2" Type="{_R}/notesSlide" '
                f'Target="../notesSlides/notesSlide{m}.xml"/></Relationships>'
            )
            parts[f"ppt/notesSlides/notesSlide{m}.xml"] = f"<p:notes {ns}>{_shape_tree(notes)}</p:notes>"
            types.append(
                f'<Override PartName="/ppt/notesSlides/notesSlide{m}.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.notesSlide+xml"/>'
            )
    parts["ppt/presentation.xml"] = (
        f"<p:presentation {ns}><p:sldIdLst>{''.join(ids)}</p:sldIdLst>"
        '<p:sldSz cx="9144000" cy="6858000"/><p:notesSz cx="6858000" cy="9144000"/></p:presentation>'
    )
    parts["ppt/_rels/presentation.xml.rels"] = f'<Relationships xmlns="{_PKG_REL}">{"".join(rels)}</Relationships>'
    parts["[Content_Types].xml"] = (
        f'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">{"".join(types)}</Types>'
    )
    return _zip(path, parts)


def _zip(path: Path, parts: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return Path(path)


def _text_object(n: int, x: float, y: float, text: str) -> str:
    return (
        f'<ofd:TextObject ID="{n}" Boundary="{x} {y} 120 6" Font="1" Size="3.5">'
        f'<ofd:TextCode X="0" Y="4">{escape(text)}</ofd:TextCode></ofd:TextObject>'
    )


_TEMPLATE_REF = '<ofd:Template TemplateID="2"/>'


def make_ofd(
    path: Path,
    pages: list[list[tuple[float, float, str]]],
    template: list[tuple[float, float, str]] = (),
    image: tuple[float, float, float, float, bytes] | None = None,
) -> Path:
    """An OFD package: per page its (x mm, y mm, text) pieces; ``template`` on every page;
    ``image`` (x, y, width, height mm, PNG bytes) on the first page, from DocumentRes.xml."""
    ns = f'xmlns:ofd="{_OFD}"'
    parts: dict[str, str | bytes] = {
        "OFD.xml": f'<ofd:OFD {ns} Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocInfo><ofd:DocID>t</ofd:DocID>'
        "</ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
    }
    entries, serial = [], 100
    for n, pieces in enumerate(pages):
        objects = "".join(_text_object(serial + i, x, y, text) for i, (x, y, text) in enumerate(pieces))
        serial += len(pieces)
        if image and n == 0:
            objects += f'<ofd:ImageObject ID="{serial}" Boundary="{" ".join(map(str, image[:4]))}" ResourceID="7"/>'
            serial += 1
        parts[f"Doc_0/Pages/Page_{n}/Content.xml"] = (
            f"<ofd:Page {ns}>{_TEMPLATE_REF if template else ''}<ofd:Content>"
            f'<ofd:Layer ID="{serial}">{objects}</ofd:Layer></ofd:Content></ofd:Page>'
        )
        entries.append(f'<ofd:Page ID="{n + 10}" BaseLoc="Pages/Page_{n}/Content.xml"/>')
    tpl = ""
    if template:
        objects = "".join(_text_object(900 + i, x, y, text) for i, (x, y, text) in enumerate(template))
        parts["Doc_0/Tpls/Tpl_0/Content.xml"] = (
            f'<ofd:Page {ns}><ofd:Content><ofd:Layer ID="899">{objects}</ofd:Layer></ofd:Content></ofd:Page>'
        )
        tpl = '<ofd:TemplatePage ID="2" BaseLoc="Tpls/Tpl_0/Content.xml"/>'
    res = ""
    if image:
        parts["Doc_0/Res/seal.png"] = image[4]
        parts["Doc_0/DocumentRes.xml"] = (
            f'<ofd:Res {ns} BaseLoc="Res"><ofd:MultiMedias><ofd:MultiMedia ID="7" Type="Image">'
            "<ofd:MediaFile>seal.png</ofd:MediaFile></ofd:MultiMedia></ofd:MultiMedias></ofd:Res>"
        )
        res = "<ofd:DocumentRes>DocumentRes.xml</ofd:DocumentRes>"
    parts["Doc_0/Document.xml"] = (
        f"<ofd:Document {ns}><ofd:CommonData><ofd:MaxUnitID>999</ofd:MaxUnitID><ofd:PageArea>"
        f"<ofd:PhysicalBox>0 0 210 140</ofd:PhysicalBox></ofd:PageArea>{res}{tpl}</ofd:CommonData>"
        f"<ofd:Pages>{''.join(entries)}</ofd:Pages></ofd:Document>"
    )
    return _zip(path, parts)


def make_eml(
    path: Path, subject: str, body: str, *, html: str | None = None, attachments: dict[str, bytes] | None = None
) -> Path:
    """A mail as a mail program saves it; ``html`` makes the body HTML only."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = "王工 <wang@example.cn>"
    message["To"] = "档案室 <archive@example.cn>"
    message["Date"] = "Tue, 03 Mar 2026 09:30:00 +0800"
    if html is None:
        message.set_content(body)
    else:
        message.set_content(html, subtype="html")
    for name, data in (attachments or {}).items():
        message.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    Path(path).write_bytes(message.as_bytes())
    return Path(path)


def to_legacy(source: Path, target_ext: str, folder: Path) -> Path:
    """``source`` converted by LibreOffice to ``target_ext`` (doc/xls/ppt) in ``folder``."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice (soffice) is needed to make the old Office test files"
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            target_ext,
            "--outdir",
            str(folder),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return folder / f"{source.stem}.{target_ext}"


DATE = dt.datetime(2026, 3, 5)


def make_msg(path: Path, subject: str, body: str, *, attachments: dict[str, bytes] | None = None) -> Path:
    """An Outlook .msg written from scratch with extract-msg's OLE writer: the MAPI streams an
    Outlook note needs (class, subject, sender, body) and each attachment stored by value."""
    import struct

    from extract_msg import OleWriter

    def utf16(text: str) -> bytes:
        return text.encode("utf-16-le")

    writer = OleWriter()
    writer.addEntry("__nameid_version1.0", storage=True)
    for stream in ("00020102", "00030102", "00040102"):
        writer.addEntry(f"__nameid_version1.0/__substg1.0_{stream}", b"")
    for tag, value in (("001A", "IPM.Note"), ("0037", subject), ("1000", body), ("0C1A", "王工"), ("0E04", "档案室")):
        writer.addEntry(f"__substg1.0_{tag}001F", utf16(value))
    attachments = attachments or {}
    # The message's property stream: a 32-byte header with the recipient and attachment counts.
    header = bytes(8) + struct.pack("<IIII", 0, len(attachments), 0, len(attachments)) + bytes(8)
    writer.addEntry("__properties_version1.0", header)
    for n, (name, data) in enumerate(attachments.items()):
        folder = f"__attach_version1.0_#{n:08X}"
        writer.addEntry(folder, storage=True)
        writer.addEntry(f"{folder}/__substg1.0_3707001F", utf16(name))
        writer.addEntry(f"{folder}/__substg1.0_37010102", data)
        # PidTagAttachMethod (0x3705, 32-bit integer) = 1: the attachment's bytes are stored by value.
        writer.addEntry(f"{folder}/__properties_version1.0", bytes(8) + struct.pack("<IIQ", 0x37050003, 6, 1))
    writer.write(str(path))
    return Path(path)
