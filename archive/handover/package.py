"""The handover package (移交包): one folder per volume, the lists, the metadata and the check report.

Layout of ``OUT/``::

    案卷目录.xlsx                 the volumes (GB/T 50328 案卷目录)
    四性检测报告.html / .json     the four-property check that passed
    <档号>/<档号>.pdf             the volume: cover, 卷内目录, numbered documents, 备考表
    <档号>/<档号>-001.pdf …       the original files, named 档号-件号
    <档号>/<档号>.xml             the volume's metadata with each file's size and SHA-256
    <档号>/卷内目录.xlsx

The check runs first and a failing archive writes nothing (HandoverCheckError, exit 3).
The package is assembled in a hidden folder beside ``OUT`` and renamed into place, so a
reader never sees half a package; the XML and XLSX are byte-identical for the same catalog.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from dangan.archive import faults
from dangan.archive.catalog import Catalog
from dangan.archive.handover import parts
from dangan.archive.handover.checks import CheckReport, run_checks
from dangan.archive.handover.report import report_html, report_json
from dangan.archive.handover.xlsx import volume_contents_xlsx, volume_list_xlsx
from dangan.archive.handover.xmlmeta import FileMeta, volume_xml
from dangan.archive.projects import get_project
from dangan.archive.registers import page_totals, yyyymmdd
from dangan.archive.volumes import Volume, code_settings, list_volumes, piece_code
from dangan.archive.volumes.model import xml_safe
from dangan.archive.volumes.pdf import build_volume
from dangan.indexer.errors import ConflictError, HandoverCheckError
from dangan.indexer.fsutil import atomic_write, fsync_dir

Tick = Callable[[str], None]


@dataclass
class Package:
    """A written package: where it is, its volumes' folders and the check it passed."""

    path: Path
    report: CheckReport
    folders: list[Path] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"path": str(self.path), "volumes": [str(f) for f in self.folders], "check": self.report.to_json()}


def write_package(cat: Catalog, code: str, out: Path, *, tick: Tick | None = None) -> Package:
    """Check project ``code`` and, when it passes, write its handover package to ``out``."""
    out = Path(out).absolute()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ConflictError(f"{out} already exists and is not an empty folder; choose a new --out folder")
    report = run_checks(cat, code)
    if not report.passed:
        raise HandoverCheckError(
            f"四性检测 of {code} failed ({report.summary()}); nothing was written — "
            f"`dangan handover check {code}` lists the rows to fix",
            report,
        )
    swept = parts.sweep(cat.home.root, beside=out)  # folders of handovers killed before
    tmp = parts.part_folder(out)
    shutil.rmtree(tmp, ignore_errors=True)
    parts.note(cat.home.root, tmp)
    tmp.mkdir(parents=True)
    try:
        folders = _write_volumes(cat, code, tmp, tick or (lambda _s: None))
        atomic_write(tmp / "四性检测报告.json", report_json(report))
        atomic_write(tmp / "四性检测报告.html", report_html(report))
        faults.point("handover-part-written")
        if out.exists():
            out.rmdir()
        os.rename(tmp, out)
        fsync_dir(out.parent)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        parts.forget(cat.home.root)
    with cat.engine.begin() as conn:
        if swept:
            cat.log(conn, "handover-parts-removed", folders=swept)
        cat.log(conn, "handover-written", project=code, path=str(out), volumes=len(folders))
    return Package(out, report, [out / f.name for f in folders])


def _write_volumes(cat: Catalog, code: str, root: Path, tick: Tick) -> list[Path]:
    project = get_project(cat, code)
    info = {"code": project.code, "name": project.name, "company": str(cat.home.setting("dangan", "company", ""))}
    settings = code_settings(cat)
    folders, list_rows = [], []
    for v in list_volumes(cat, code):
        built = build_volume(cat, v, root / "_building", tick=tick)
        folder = root / built.code
        folder.mkdir()
        os.replace(built.path, folder / built.path.name)
        v = built.volume
        files = _copy_originals(cat, v, built.code, folder)
        fields = _volume_fields(v, built.code, settings, info["company"])
        atomic_write(folder / f"{built.code}.xml", volume_xml(fields, files))
        volume_contents_xlsx(info, [e.register_entry() for e in v.entries], folder / "卷内目录.xlsx")
        totals = page_totals([e.register_entry() for e in v.entries])
        list_rows.append([v.sequence, built.code, xml_safe(v.title), totals.text, totals.drawings, totals.photos,
                          info["company"], fields["编制日期"], v.retention, v.secrecy, ""])  # fmt: skip
        folders.append(folder)
    shutil.rmtree(root / "_building", ignore_errors=True)
    volume_list_xlsx(info, list_rows, root / "案卷目录.xlsx")
    return folders


def _copy_originals(cat: Catalog, v: Volume, code: str, folder: Path) -> list[FileMeta]:
    files = []
    for i, e in enumerate(v.entries):
        src = cat.home.vault_dir / e.doc["vault_path"]
        name = f"{piece_code(code, e.position)}{src.suffix.lower()}"
        shutil.copyfile(src, folder / name)
        last = i == len(v.entries) - 1
        files.append(FileMeta(
            piece_code=piece_code(code, e.position), piece=e.position, doc_number=e.doc.get("doc_number") or "",
            author=e.author, title=e.doc["title"], date=yyyymmdd(e.doc.get("document_date")),
            pages=f"{e.start_page}-{e.end_page}" if last or e.pages > 1 else str(e.start_page),
            retention=e.retention, secrecy=e.secrecy, item=e.doc.get("item_code") or "", file_name=name,
            size=int(e.doc["size"]), sha256=e.doc["sha256"], archivist_title=not e.on_document,
        ))  # fmt: skip
    return files


def _volume_fields(v: Volume, code: str, settings: dict, company: str) -> dict[str, str]:
    first, last = v.dates()
    return {
        "档号": code, "档案馆代号": settings.get("archive_no", ""), "案卷号": str(v.sequence), "案卷题名": v.title,
        "类别": v.kind, "编制单位": company, "编制日期": f"{yyyymmdd(first)}-{yyyymmdd(last)}" if first else "",
        "保管期限": v.retention, "密级": v.secrecy, "状态": "已封卷" if v.sealed else "草稿",
        "页数": str(v.pages), "文件数": str(len(v.entries)),
    }  # fmt: skip
