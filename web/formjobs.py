"""Form batches for the web app: a blank data sheet to fill, uploaded data checked and rendered.

The same steps as ``dangan forms render`` (read rows, validate against the manifest, render
every valid row, optionally file into a project through the same ``render_and_file``), packaged for a browser: the data arrives
as bytes, the problems come back as (row, column, text) for a table, and the rendered forms
as one ZIP file.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from dangan.archive.catalog import Catalog
from dangan.archive.deadlines.formfiling import require_item
from dangan.archive.forms import FormSpec, check_rows, example_header, read_rows, render_checked
from dangan.archive.forms.fileinto import render_and_file
from dangan.indexer.errors import DataError, UsageError
from dangan.indexer.messages import say
from dangan.web.base import said

DATA_SUFFIXES = (".csv", ".xlsx", ".json")
_ROW_COLUMN = re.compile(r"^row (\d+), ([^:]+): ")


@dataclass
class FormJob:
    """The outcome of one uploaded batch: problems, or the ZIP of rendered forms."""

    form: str
    problems: list[dict] = field(default_factory=list)  # {"row", "column", "text"}
    rendered: int = 0
    pdfs: int = 0
    zip_path: Path | None = None
    filed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and self.zip_path is not None


def blank_sheet(form: FormSpec, kind: str) -> bytes:
    """A header-only data sheet to fill: ``csv`` (UTF-8 with BOM, so Excel reads it) or ``xlsx``."""
    header = example_header(form)
    if kind == "csv":
        buf = io.StringIO()
        csv.writer(buf).writerow(header)
        return ("\ufeff" + buf.getvalue()).encode("utf-8")
    if kind == "xlsx":
        wb = Workbook()
        wb.active.title = form.title[:31]
        wb.active.append(header)
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()
    raise UsageError(f"没有“{kind}”这种空白表：请选 CSV 或 XLSX。")


def split_problem(text: str) -> dict:
    """``row 17, 投诉时间: …`` as {"row": 17, "column": "投诉时间", "text": …} for a table."""
    m = _ROW_COLUMN.match(text)
    return {"row": int(m.group(1)) if m else None, "column": m.group(2) if m else "", "text": text}


def run_form_job(
    cat: Catalog, form: FormSpec, data_name: str, data: bytes, work_root: Path, *,
    pdf: bool = False, file_into: str | None = None, company: str = "",
) -> FormJob:  # fmt: skip
    """Check uploaded data and, when every row is valid, render it and zip the forms.

    ``work_root`` gets a fresh folder holding the ZIP (the caller removes it when served).
    """
    suffix = Path(data_name or "").suffix.lower()
    if suffix not in DATA_SUFFIXES:
        raise UsageError(f"{data_name}：表格数据须为 {'、'.join(DATA_SUFFIXES)} 文件。")
    if file_into:  # refused before any upload is read: the form fits no item of that project
        require_item(cat, file_into, form)
    job = FormJob(form=form.id)
    work_root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=work_root))
    src = work / f"data{suffix}"
    src.write_bytes(data)
    options: dict[str, Any] = dict(pdf=pdf, company=company, jobs=1)
    try:
        checked = check_rows(form, read_rows(src))
        if file_into:  # the one render-and-file path `forms render --file-into` takes
            done = render_and_file(cat, form, checked, work / "forms", file_into, holder="web forms", **options)
            batch, job.filed = done.batch, [f"{docx.name}：{said(outcome)}" for docx, outcome in done.filed.items()]
        else:
            batch = render_checked(form, checked, work / "forms", **options)
    except DataError as e:
        job.problems = [split_problem(str(t)) for t in (e.problems or [say(e)])]
        shutil.rmtree(work, ignore_errors=True)
        return job
    job.rendered, job.pdfs = len(batch.rendered), sum(1 for r in batch.rendered if r.pdf)
    job.zip_path = _zip(work / "forms", work / f"{form.id}.zip")
    return job


def sweep_jobs(work_root: Path, *, older_than: float = 0.0) -> list[Path]:
    """Remove finished batches' folders older than ``older_than`` seconds (all with 0)."""
    import time

    root = Path(work_root)
    now = time.time()
    gone = [d for d in (sorted(root.iterdir()) if root.is_dir() else []) if now - d.stat().st_mtime >= older_than]
    for folder in gone:
        shutil.rmtree(folder, ignore_errors=True)
    return gone


def _zip(folder: Path, out: Path) -> Path:
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for p in sorted(folder.iterdir()):
            if p.is_file():
                z.write(p, p.name)
    return out
