"""What drawing the pictures at filing adds to filing, against filing without them, in one run.

Text PDFs (4 pages each) are filed one by one with ``file_document`` into two fresh homes:

- dangan: filing as it is, which draws the thumbnail and the first pages
  (``dangan.archive.thumbs.after_filing``, PDFium in a bounded worker) after each commit;
- baseline: the same filing with that step replaced by nothing.

Then each page image of one document is drawn again from an empty cache (a miss, as the web
app's ``/documents/ID/pages/N`` does).

Run from the repository root:  python bench/thumbs.py [--pdfs 20] [--repeat 3]
Prints medians per document in milliseconds; compare the ratio, not the milliseconds.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dangan.archive import thumbs
from dangan.archive.catalog import Catalog
from dangan.archive.create import init_home
from dangan.archive.intake import ingest
from dangan.archive.intake.ingest import file_document
from dangan.archive.projects import add_project
from dangan.archive.sample import SAMPLE_NAME, SAMPLE_PROJECT, SAMPLE_ROLES
from tests.docgen import make_text_pdf

BODY = "今日完成二层顶板钢筋绑扎，监理旁站验收合格，混凝土浇筑计划于明日上午进行。" * 3


def _file_all(root: Path, pdfs: list[Path], draw: bool) -> tuple[list[float], Catalog, list[int]]:
    home, _ = init_home(root)
    home.config.setdefault("ingest", {})["ocr"] = False
    cat = Catalog.open(home)
    add_project(cat, SAMPLE_PROJECT, SAMPLE_NAME, roles=dict(SAMPLE_ROLES))
    original = ingest.after_filing
    if not draw:
        ingest.after_filing = lambda _cat, _doc: ""  # type: ignore[assignment]
    times, ids = [], []
    try:
        for pdf in pdfs:
            start = time.perf_counter()
            ids.append(file_document(cat, pdf, project=SAMPLE_PROJECT, item="C14").doc_id)
            times.append(time.perf_counter() - start)
    finally:
        ingest.after_filing = original
    return times, cat, ids


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pdfs", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "in").mkdir()
        pdfs = [make_text_pdf(root / "in" / f"施工日志_{i:03d}.pdf", [f"施工日志 第{i}号 第{p}页\n{BODY}" for p in range(1, 5)])
                for i in range(args.pdfs)]  # fmt: skip
        # A warm-up home: both kinds of worker started and the readers imported before timing.
        _file_all(root / "warm", pdfs[:1], draw=True)[1].close()
        with_pictures, without, misses = [], [], []
        for n in range(args.repeat):
            base, cat0, _ = _file_all(root / f"base{n}", pdfs, draw=False)
            cat0.close()
            drawn, cat, ids = _file_all(root / f"drawn{n}", pdfs, draw=True)
            without.append(statistics.median(base))
            with_pictures.append(statistics.median(drawn))
            shutil.rmtree(cat.home.root / thumbs.PREVIEWS_DIR)
            start = time.perf_counter()
            for page in range(1, 5):
                thumbs.picture(cat, ids[0], "page", page)
            misses.append((time.perf_counter() - start) / 4)
            cat.close()
    base_ms, drawn_ms = statistics.median(without) * 1000, statistics.median(with_pictures) * 1000
    print(
        f"{platform.python_implementation()} {platform.python_version()}, {args.pdfs} PDFs x 4 pages, {args.repeat} runs"
    )
    print(
        f"filing a document, median: with pictures {drawn_ms:.0f} ms, without {base_ms:.0f} ms, ratio {drawn_ms / base_ms:.2f}x"
    )
    print(f"one page image drawn on a cache miss, median: {statistics.median(misses) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
