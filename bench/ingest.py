"""Ingest throughput against baselines measured in the same run.

- Text PDFs: documents per second through the whole `ingest_paths` pipeline (extract,
  classify, vault, catalog, index) against a bare pypdf extract loop over the same files.
- Scans: pages per second of our OCR (rapidocr) against Debian's tesseract with chi_sim when
  it is installed, with each engine's character error rate (CER) against the known text.

Run from the repository root:  python bench/ingest.py [--pdfs 200] [--scans 6] [--repeat 3]
Prints medians over the repeats; the machine is noisy, so compare ratios, not seconds.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pypdf import PdfReader  # noqa: E402

from archive.catalog import Catalog  # noqa: E402
from archive.create import init_home  # noqa: E402
from archive.ingest import ingest_paths  # noqa: E402
from archive.projects import add_project  # noqa: E402
from indexer.extract import extract  # noqa: E402
from tests.docgen import char_error_rate, make_scan_image, make_text_pdf  # noqa: E402

KINDS = ["施工日志", "开工报告", "原材料试验报告", "施工定位测量记录", "设计变更通知单", "技术交底记录"]
BODY = "今日完成二层顶板钢筋绑扎，监理旁站验收合格，混凝土浇筑计划于明日上午进行。"
SCAN_TEXT = [
    "原材料试验报告\n工程名称：安居花园3号楼\n试件编号：GJ-2024-031\n屈服强度：四百三十五兆帕\n结论：符合标准要求",
    "施工定位测量记录\n测量日期：2024年3月12日\n控制点：BM1 BM2\n轴线偏差：三毫米以内\n测量员：赵磊",
]


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def make_pdfs(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [
        make_text_pdf(folder / f"doc_{i:04d}.pdf", [f"{KINDS[i % len(KINDS)]}\n编号 {i}\n日期：2024年5月{i % 28 + 1}日\n" + BODY * 8])
        for i in range(n)
    ]


def bench_pdfs(n: int, repeat: int) -> tuple[float, float]:
    ours, bare = [], []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            src = make_pdfs(Path(tmp) / "src", n)
            bare.append(n / timed(lambda: [" ".join(p.extract_text() for p in PdfReader(f).pages) for f in src]))
            home, _ = init_home(Path(tmp) / "home")
            with Catalog.open(home) as cat:
                add_project(cat, "BENCH-1", "bench", roles={"施工员": "吴涛"})
                ours.append(n / timed(lambda: ingest_paths(cat, src, project="BENCH-1")))
    return statistics.median(ours), statistics.median(bare)



def bench_scans(n: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        pages = [(make_scan_image(Path(tmp) / f"s{i}.png", SCAN_TEXT[i % 2]), SCAN_TEXT[i % 2]) for i in range(n)]
        extract(pages[0][0])  # load the OCR models outside the timing, as a long-running watcher would
        t = time.perf_counter()
        ours = [extract(p).text for p, _ in pages]
        result = {"rapidocr": (n / (time.perf_counter() - t), statistics.mean(char_error_rate(e, o) for (_, e), o in zip(pages, ours)))}
        if shutil.which("tesseract"):
            t = time.perf_counter()
            tess = [
                subprocess.run(["tesseract", str(p), "-", "-l", "chi_sim"], capture_output=True, text=True).stdout
                for p, _ in pages
            ]
            result["tesseract chi_sim"] = (n / (time.perf_counter() - t), statistics.mean(char_error_rate(e, o) for (_, e), o in zip(pages, tess)))
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pdfs", type=int, default=200)
    ap.add_argument("--scans", type=int, default=6)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"machine: {platform.machine()}, {__import__('os').cpu_count()} cores, Python {platform.python_version()}")
    ours, bare = bench_pdfs(args.pdfs, args.repeat)
    print(f"\nText PDFs ({args.pdfs} files, median of {args.repeat})")
    print(f"  {'dangan ingest (extract+classify+vault+catalog+index)':<55} {ours:8.1f} docs/s")
    print(f"  {'baseline: bare pypdf extract loop':<55} {bare:8.1f} docs/s")
    print(f"  ratio dangan/baseline: {ours / bare:.2f}")
    print(f"\nScans ({args.scans} A4 pages at 150 dpi)")
    for name, (pps, err) in bench_scans(args.scans).items():
        print(f"  {name:<20} {pps:6.2f} pages/s   CER {err:.1%}")
    if not shutil.which("tesseract"):
        print("  (tesseract not installed: apt-get install tesseract-ocr tesseract-ocr-chi-sim for the baseline)")


if __name__ == "__main__":
    main()
