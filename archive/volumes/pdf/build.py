"""Building a volume's PDF: 案卷封面, 卷内目录, every document with stamped page numbers, 卷内备考表.

The steps, top to bottom: convert each document to PDF pages (:mod:`.convert`); take the
real page counts into the catalog (a draft volume is renumbered, a sealed one must agree);
draw the cover, the 卷内目录 with the page numbers just stamped and the 备考表
(:mod:`.forms`); stamp the documents (:mod:`.stamp`); write the one PDF atomically.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader, PdfWriter

from dangan.archive.catalog import Catalog
from dangan.archive.completeness import check
from dangan.archive.days import cn_date
from dangan.archive.registers import page_totals, yyyymmdd
from dangan.archive.volumes.edit import record_pages
from dangan.archive.volumes.model import Volume, code_settings, list_volumes, volume_code
from dangan.archive.volumes.pdf.convert import OFFICE, convert_word_files, document_pdf
from dangan.archive.volumes.pdf.covers import CoverFields, NoteFields, contents_pdf, cover_pdf, note_pdf
from dangan.archive.volumes.pdf.fonts import register_font
from dangan.archive.volumes.pdf.stamp import stamp_pages
from dangan.indexer.fsutil import atomic_path

Tick = Callable[[str], None]


@dataclass
class BuiltVolume:
    """Where a volume PDF went and how its pages are laid out."""

    path: Path
    code: str
    volume: Volume  # renumbered with the real page counts
    front_pages: int  # cover + 卷内目录 (not numbered)
    document_pages: int  # numbered 1..document_pages
    note_pages: int  # 备考表 (not numbered)

    @property
    def total_pages(self) -> int:
        return self.front_pages + self.document_pages + self.note_pages

    def to_json(self) -> dict:
        return {"path": str(self.path), "code": self.code, "volume": self.volume.sequence, "pages": self.total_pages,
                "numbered_pages": self.document_pages, "front_pages": self.front_pages, "note_pages": self.note_pages}  # fmt: skip


def build_volume(cat: Catalog, v: Volume, out_dir: Path, *, tick: Tick | None = None) -> BuiltVolume:
    """Write ``<档号>.pdf`` for volume ``v`` into ``out_dir``; return its layout."""
    tick = tick or (lambda _name: None)
    font = register_font(cat.home.setting("volume", "font", None))
    settings = code_settings(cat)
    paths = {e.document_id: cat.home.vault_dir / e.doc["vault_path"] for e in v.entries}
    words = convert_word_files([paths[e.document_id] for e in v.entries if e.doc["mime_type"] in OFFICE])
    converted: dict[int, bytes] = {}
    for e in v.entries:
        label = f"document {e.document_id} {e.doc['title']} (vault/{e.doc['vault_path']})"
        converted[e.document_id] = document_pdf(paths[e.document_id], e.doc["mime_type"], font, label, converted=words)
        tick(e.doc["title"])
    readers = {i: PdfReader(io.BytesIO(data)) for i, data in converted.items()}
    v = record_pages(cat, v, {i: len(r.pages) for i, r in readers.items()})
    code = volume_code(v, settings)
    front = [cover_pdf(_cover(cat, v, code, settings), font), contents_pdf(code, contents_rows(v), font)]
    note = note_pdf(_note(cat, v, code), font)
    writer = PdfWriter()
    front_pages = _append(writer, front)
    # Document pages run on from 1 in 件号 order (record_pages made the catalog agree), so one
    # overlay numbers them all: one font subset instead of one per document.
    added = [writer.add_page(page) for e in v.entries for page in readers[e.document_id].pages]
    stamp_pages(added, 1, font)
    note_pages = _append(writer, [note])
    writer.add_metadata({"/Title": f"{code} {v.title}", "/Creator": "dangan"})
    out = Path(out_dir) / f"{code}.pdf"
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(out) as tmp, open(tmp, "wb") as fh:
        writer.write(fh)
    return BuiltVolume(out, code, v, front_pages, v.pages, note_pages)


def _append(writer: PdfWriter, parts: list[bytes]) -> int:
    count = 0
    for data in parts:
        for page in PdfReader(io.BytesIO(data)).pages:
            writer.add_page(page)
            count += 1
    return count


def contents_rows(v: Volume) -> list[list[str]]:
    """卷内目录 rows: 序号, 文件编号, 责任者, 文件题名, 日期, 页次 (the last one start-end), 备注."""
    rows = []
    for i, e in enumerate(v.entries):
        last = i == len(v.entries) - 1
        pages = f"{e.start_page}-{e.end_page}" if last else str(e.start_page)
        r = e.register_entry()
        rows.append(
            [
                str(e.position),
                r["doc_number"],
                r["person"],
                r["title"],
                yyyymmdd(r["document_date"]),
                pages,
                r["remarks"],
            ]
        )
    return rows


def _cover(cat: Catalog, v: Volume, code: str, settings: dict) -> CoverFields:
    same_kind = [x.sequence for x in list_volumes(cat, v.project) if x.kind == v.kind]
    first, last = v.dates()
    return CoverFields(
        code=code, archive_no=settings["archive_no"], title=v.title,
        compiler_org=str(cat.home.setting("dangan", "company", "")), date_from=_cn_date(first), date_to=_cn_date(last),
        retention=v.retention, secrecy=v.secrecy,
        volume_no=same_kind.index(v.sequence) + 1 if v.sequence in same_kind else 1, volume_count=max(1, len(same_kind)),
    )  # fmt: skip


def _note(cat: Catalog, v: Volume, code: str) -> NoteFields:
    entries = [e.register_entry() for e in v.entries]
    groups = [{"code": e["item_code"], "group": v.kind} for e in entries]
    totals = page_totals(entries, groups if v.gbt_class == "D" or v.kind == "竣工图" else [])
    missing = [i for i in check(cat, v.project).items if i.group == v.kind and i.status == "missing"]
    remarks = f"本卷为{v.kind}，共 {len(v.entries)} 件。"
    remarks += ("尚缺：" + "；".join(f"{i.code} {i.title}" for i in missing) + "。") if missing else "本类文件齐全。"
    conf = cat.home.config.get("volume", {})
    return NoteFields(
        code=code, total=totals.total, text=totals.text, drawings=totals.drawings, photos=totals.photos,
        remarks=remarks, compiler=str(conf.get("compiler", "")), reviewer=str(conf.get("reviewer", "")),
        compiled_on=_cn_date(v.sealed_at.date()) if v.sealed_at else "",
    )  # fmt: skip


def _cn_date(d) -> str:
    return cn_date(d)
