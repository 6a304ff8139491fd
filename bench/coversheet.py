"""What the cover-sheet step costs an ingest, against the same ingest without it, in the same run.

Every PDF that comes in is rendered small and searched for a QR cover sheet
(``dangan.archive.intake.coversheet``).  This measures that price on ordinary input with no
sheets at all (where it buys nothing): text PDFs of several pages, and scanned PDFs (whose
OCR dominates).  Each round files the same folder into two fresh homes, once as shipped and
once with the step switched off (``find_sheets`` answering "no sheets" at once), in
alternating order; wall times are medians over the rounds.  It also times the page search
alone, per page, and one split: a batch of sheets and pages filed through the step.

Run from the repository root:  python bench/coversheet.py [--pdfs 40] [--pages 4] [--scans 4] [--repeat 3]
The machine is shared and noisy: compare the ratios, not the seconds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dangan.archive.catalog import Catalog  # noqa: E402
from dangan.archive.create import init_home  # noqa: E402
from dangan.archive.intake import coversheet  # noqa: E402
from dangan.archive.intake.ingest import ingest_paths  # noqa: E402
from dangan.archive.projects import add_project  # noqa: E402
from tests.docgen import make_scan_pdf, make_text_pdf  # noqa: E402

CODE = "BJ-2024-017"
BODY = "今日完成二层顶板钢筋绑扎，监理旁站验收合格，混凝土浇筑计划于明日上午进行。"


def make_input(folder: Path, pdfs: int, pages: int, scans: int) -> int:
    """Text PDFs and scanned PDFs with no cover sheet; returns the page count."""
    folder.mkdir(parents=True)
    for n in range(pdfs):
        make_text_pdf(folder / f"施工日志{n:03d}.pdf", [f"施工日志 第{n}号 第{p}页\n{BODY}" for p in range(pages)])
    for n in range(scans):
        make_scan_pdf(folder / f"试验报告{n:02d}.pdf", [f"原材料试验报告 {n}\n屈服强度合格", "结论：符合标准要求"])
    return pdfs * pages + scans * 2


def file_once(folder: Path, with_step: bool) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        home, _ = init_home(Path(tmp) / "home")
        with Catalog.open(home) as cat:
            add_project(cat, CODE, "安居花园3号楼")
            off = mock.patch.object(coversheet, "find_sheets", lambda *a, **k: None)
            if not with_step:
                off.start()
            try:
                start = time.perf_counter()
                ingest_paths(cat, [folder], project=CODE)
                return time.perf_counter() - start
            finally:
                if not with_step:
                    off.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pdfs", type=int, default=40)
    ap.add_argument("--pages", type=int, default=4)
    ap.add_argument("--scans", type=int, default=4)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        pages = make_input(folder, args.pdfs, args.pages, args.scans)
        search = []
        for pdf in sorted(folder.glob("*.pdf"))[:10]:
            start = time.perf_counter()
            coversheet.find_sheets(pdf, 1000)
            search.append(time.perf_counter() - start)
        per_page = statistics.median(search) / args.pages * 1000
        on, off = [], []
        for r in range(args.repeat):
            order = (True, False) if r % 2 == 0 else (False, True)
            for with_step in order:
                (on if with_step else off).append(file_once(folder, with_step))
    m_on, m_off = statistics.median(on), statistics.median(off)
    print(f"input: {args.pdfs} text PDFs × {args.pages} pages + {args.scans} two-page scans = {pages} pages, no sheets")
    print(f"page search alone (render 72 dpi + zxing): median {per_page:.1f} ms per page (text PDFs)")
    print(f"ingest with the step:    median {m_on:.2f} s over {args.repeat} rounds")
    print(f"ingest without the step: median {m_off:.2f} s (baseline, same run)")
    print(f"ratio with/without: {m_on / m_off:.3f}  (+{(m_on - m_off) / pages * 1000:.1f} ms per page)")


if __name__ == "__main__":
    main()
