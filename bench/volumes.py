"""Volume PDF build throughput against a bare concatenation measured in the same run.

A project of text PDFs (4 pages each) and scanned PNG pages is filed once; then, repeated:

- dangan: ``build_volume`` — convert every document (images to A4 pages), count and record
  pages, draw the cover, 卷内目录 and 备考表, stamp every page number, write one PDF.
- baseline: a bare pypdf loop appending the same PDF files into one writer (no images, no
  numbers, no forms) — the least any volume builder must do.

Run from the repository root:  python bench/volumes.py [--pdfs 40] [--scans 10] [--repeat 3]
Prints medians over the repeats in pages per second; compare the ratio, not the seconds.
"""

from __future__ import annotations

import argparse
import io
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pypdf import PdfReader, PdfWriter

from dangan.archive.catalog import Catalog
from dangan.archive.create import init_home
from dangan.archive.intake.ingest import ingest_paths
from dangan.archive.projects import add_project
from dangan.archive.sample import SAMPLE_NAME, SAMPLE_PROJECT, SAMPLE_ROLES
from dangan.archive.volumes import plan_volumes
from dangan.archive.volumes.pdf import build_volume
from tests.docgen import make_scan_image, make_text_pdf

BODY = "今日完成二层顶板钢筋绑扎，监理旁站验收合格，混凝土浇筑计划于明日上午进行。" * 3


def filed_project(root: Path, pdfs: int, scans: int) -> Catalog:
    """A home with the project, its text PDFs (4 pages) and scans filed under 施工日志 (OCR off)."""
    home, _ = init_home(root / "home")
    home.config.setdefault("ingest", {})["ocr"] = False
    cat = Catalog.open(home)
    add_project(cat, SAMPLE_PROJECT, SAMPLE_NAME, roles=dict(SAMPLE_ROLES))
    src = root / "in"
    src.mkdir()
    for i in range(pdfs):
        make_text_pdf(src / f"施工日志_{i:03d}.pdf", [f"施工日志 第{i}号 第{p}页\n{BODY}" for p in range(1, 5)])
    for i in range(scans):
        make_scan_image(src / f"施工日志_扫描_{i:03d}.png", f"施工日志\n扫描件 {i}\n{BODY[:40]}")
    records = ingest_paths(cat, [src], project=SAMPLE_PROJECT)
    assert all(r.outcome == "filed" for r in records), [r.message for r in records if r.outcome != "filed"]
    return cat


def bare_concatenation(cat: Catalog, paths: list[Path]) -> int:
    writer = PdfWriter()
    for p in paths:
        for page in PdfReader(p).pages:
            writer.add_page(page)
    buf = io.BytesIO()
    writer.write(buf)
    return len(writer.pages)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pdfs", type=int, default=40)
    ap.add_argument("--scans", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        cat = filed_project(root, args.pdfs, args.scans)
        volume = plan_volumes(cat, SAMPLE_PROJECT, max_pages=100_000)[0]
        pdf_paths = [
            cat.home.vault_dir / e.doc["vault_path"] for e in volume.entries if e.doc["mime_type"] == "application/pdf"
        ]
        ours, base = [], []
        for _ in range(args.repeat):
            t = time.perf_counter()
            built = build_volume(cat, volume, root / "out")
            ours.append(built.total_pages / (time.perf_counter() - t))
            t = time.perf_counter()
            pages = bare_concatenation(cat, pdf_paths)
            base.append(pages / (time.perf_counter() - t))
        cat.close()
    print(f"machine: {platform.machine()} {platform.processor() or ''} python {platform.python_version()}")
    print(
        f"volume: {len(volume.entries)} documents, {built.document_pages} numbered pages + {built.front_pages + built.note_pages} front/note pages"
    )
    print(f"dangan build_volume : {statistics.median(ours):8.1f} pages/s (median of {args.repeat})")
    print(f"bare pypdf concat   : {statistics.median(base):8.1f} pages/s (text PDFs only, {pages} pages)")
    print(f"ratio               : {statistics.median(ours) / statistics.median(base):8.2f}×")


if __name__ == "__main__":
    main()
