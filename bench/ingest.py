"""Ingest throughput against baselines measured in the same run.

- Text PDFs, whole processes: `dangan ingest FOLDER` (process start, extract, classify,
  vault, catalog, index) against a baseline process that does what a user's own script
  would: read each PDF with pypdf and add it to a plain Whoosh index of character bigrams
  (``NgramTokenizer(2)``, content stored), one commit at the end.  Interleaved runs on fresh
  copies; wall time and CPU time (user+system of the process), medians.
- Mixed batch (``--legacy N``): N old Word files (.doc, made by LibreOffice) beside N text
  PDFs, whole ``dangan ingest`` processes, against the same N PDFs alone; the difference per
  .doc is the cost of reading one through LibreOffice (dangan converts a batch's old Office
  files in one LibreOffice run per kind), compared with a bare ``soffice --convert-to docx``
  loop (one start per file) and one bare ``soffice --convert-to docx`` of all the files,
  both timed in the same run.
- Scans: pages per second of our OCR (rapidocr) against Debian's tesseract with chi_sim when
  it is installed, with each engine's character error rate (CER) against the known text.

Run from the repository root:  python bench/ingest.py [--pdfs 300] [--scans 6] [--repeat 3] [--legacy 10]
Prints medians over the repeats; the machine is noisy, so compare ratios, not seconds.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pypdf import PdfReader  # noqa: E402

from dangan.archive.catalog import Catalog  # noqa: E402
from dangan.archive.create import init_home  # noqa: E402
from dangan.archive.projects import add_project  # noqa: E402
from dangan.indexer.extract import extract  # noqa: E402
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
        make_text_pdf(
            folder / f"doc_{i:04d}.pdf",
            [f"{KINDS[i % len(KINDS)]}\n编号 {i}\n日期：2024年5月{i % 28 + 1}日\n" + BODY * 8],
        )
        for i in range(n)
    ]


def bench_pdfs(n: int, repeat: int, before: Path | None = None) -> dict[str, tuple[float, float]]:
    """Median (docs/s by wall time, CPU seconds) of each whole process, runs interleaved.

    ``before``: another checkout of dangan (an earlier commit) timed the same way.
    """
    names = ["baseline", "dangan"] + (["before"] if before else [])
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    here = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        src = make_pdfs(Path(tmp) / "src", n)[0].parent
        for i in range(repeat):
            for name in names[i % len(names) :] + names[: i % len(names)]:  # rotate the order
                work = Path(tmp) / f"{name}-{i}"
                if name == "baseline":
                    cmd, cwd = [sys.executable, __file__, "--baseline-index", str(src), str(work)], here
                else:
                    home, _ = init_home(work)
                    with Catalog.open(home) as cat:
                        add_project(cat, "BENCH-1", "bench", roles={"施工员": "吴涛"})
                    cmd = [
                        sys.executable,
                        "-m",
                        "dangan.cli",
                        "--home",
                        str(work),
                        "ingest",
                        str(src),
                        "--project",
                        "BENCH-1",
                    ]
                    cwd = before if name == "before" else here
                wall, cpu = run_process(cmd, cwd)
                runs[name].append((n / wall, cpu))
    return {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for k, v in runs.items()}


def make_docs(folder: Path, n: int) -> list[Path]:
    """N .doc files, each written as .docx and converted by LibreOffice in one run."""
    from tests.docgen import make_docx

    work = folder.parent / "docx"
    work.mkdir(parents=True, exist_ok=True)
    sources = [make_docx(work / f"old_{i:04d}.docx", [KINDS[i % len(KINDS)], f"编号 {i}", BODY * 4]) for i in range(n)]
    profile = (folder.parent / "profile").as_uri()
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "doc", "--outdir", str(folder)]
        + [str(p) for p in sources],
        check=True,
        capture_output=True,
    )
    return sorted(folder.glob("*.doc"))


def _ingest_cmd(work: Path, src: Path) -> list[str]:
    home, _ = init_home(work)
    with Catalog.open(home) as cat:
        add_project(cat, "BENCH-1", "bench", roles={"施工员": "吴涛"})
    return [sys.executable, "-m", "dangan.cli", "--home", str(work), "ingest", str(src), "--project", "BENCH-1"]


def bench_legacy(n: int, repeat: int) -> dict[str, float]:
    """Median wall seconds: ingest of PDFs alone, of PDFs + .doc, a bare soffice loop over the .doc
    and one bare soffice run over all of them."""
    here = Path(__file__).resolve().parent.parent
    runs: dict[str, list[float]] = {"pdfs": [], "mixed": [], "soffice": [], "one_run": []}
    with tempfile.TemporaryDirectory() as tmp:
        pdfs = make_pdfs(Path(tmp) / "pdfs", n)[0].parent
        mixed = Path(tmp) / "mixed"
        shutil.copytree(pdfs, mixed)
        docs = make_docs(mixed, n)
        for i in range(repeat):
            runs["pdfs"].append(run_process(_ingest_cmd(Path(tmp) / f"p{i}", pdfs), here)[0])
            runs["mixed"].append(run_process(_ingest_cmd(Path(tmp) / f"m{i}", mixed), here)[0])
            out, profile = Path(tmp) / f"s{i}", (Path(tmp) / f"prof{i}").as_uri()
            t = time.perf_counter()
            for doc in docs:
                subprocess.run(
                    [
                        "soffice",
                        f"-env:UserInstallation={profile}",
                        "--headless",
                        "--convert-to",
                        "docx",
                        "--outdir",
                        str(out),
                        str(doc),
                    ],
                    check=True,
                    capture_output=True,
                )
            runs["soffice"].append(time.perf_counter() - t)
            out, profile = Path(tmp) / f"b{i}", (Path(tmp) / f"bprof{i}").as_uri()
            t = time.perf_counter()
            subprocess.run(
                [
                    "soffice",
                    f"-env:UserInstallation={profile}",
                    "--headless",
                    "--convert-to",
                    "docx",
                    "--outdir",
                    str(out),
                ]
                + [str(doc) for doc in docs],
                check=True,
                capture_output=True,
            )
            runs["one_run"].append(time.perf_counter() - t)
    return {k: statistics.median(v) for k, v in runs.items()}


def run_process(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user+system) of one child process, run in ``cwd``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=cwd, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:4])}… failed (exit {proc.returncode}): {proc.stderr[-500:]}")
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def baseline_index(src: Path, out: Path) -> None:
    """The baseline process: pypdf text into a plain Whoosh bigram index, one commit."""
    from whoosh import index
    from whoosh.analysis import NgramTokenizer
    from whoosh.fields import ID, TEXT, Schema

    out.mkdir(parents=True)
    ix = index.create_in(
        str(out), Schema(path=ID(stored=True, unique=True), content=TEXT(analyzer=NgramTokenizer(2), stored=True))
    )
    writer = ix.writer(limitmb=256)
    for f in sorted(src.iterdir()):
        writer.add_document(path=str(f), content=" ".join(p.extract_text() for p in PdfReader(f).pages))
    writer.commit()


def bench_scans(n: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        pages = [(make_scan_image(Path(tmp) / f"s{i}.png", SCAN_TEXT[i % 2]), SCAN_TEXT[i % 2]) for i in range(n)]
        extract(pages[0][0])  # load the OCR models outside the timing, as a long-running watcher would
        t = time.perf_counter()
        ours = [extract(p).text for p, _ in pages]
        result = {
            "rapidocr": (
                n / (time.perf_counter() - t),
                statistics.mean(char_error_rate(e, o) for (_, e), o in zip(pages, ours)),
            )
        }
        if shutil.which("tesseract"):
            t = time.perf_counter()
            tess = [
                subprocess.run(["tesseract", str(p), "-", "-l", "chi_sim"], capture_output=True, text=True).stdout
                for p, _ in pages
            ]
            result["tesseract chi_sim"] = (
                n / (time.perf_counter() - t),
                statistics.mean(char_error_rate(e, o) for (_, e), o in zip(pages, tess)),
            )
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pdfs", type=int, default=300)
    ap.add_argument("--scans", type=int, default=6)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--legacy", type=int, default=10, help="old .doc files in the mixed batch (0: skip it)")
    ap.add_argument("--before", type=Path, help="another dangan checkout (an earlier commit) to time as well")
    ap.add_argument("--baseline-index", nargs=2, type=Path, metavar=("SRC", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.baseline_index:  # child process: the baseline's whole job
        return baseline_index(*args.baseline_index)
    load = os.getloadavg()[0]
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load {load:.1f}, free cores ≈ {max(0.0, (os.cpu_count() or 1) - load):.1f}"
    )
    res = bench_pdfs(args.pdfs, args.repeat, args.before)
    print(f"\nText PDFs ({args.pdfs} files, whole processes, medians of {args.repeat} interleaved runs)")
    print(f"  {'':<58} {'docs/s':>8} {'CPU s':>7}")
    print(
        f"  {'dangan ingest (start+extract+classify+vault+catalog+index)':<58} {res['dangan'][0]:8.1f} {res['dangan'][1]:7.2f}"
    )
    print(
        f"  {'baseline: pypdf + plain Whoosh bigram index, one commit':<58} {res['baseline'][0]:8.1f} {res['baseline'][1]:7.2f}"
    )
    if "before" in res:
        print(f"  {'dangan before (' + str(args.before) + ')':<58} {res['before'][0]:8.1f} {res['before'][1]:7.2f}")
    print(
        f"  ratio dangan/baseline: {res['dangan'][0] / res['baseline'][0]:.2f} by wall time, "
        f"{res['baseline'][1] / res['dangan'][1]:.2f} by CPU time"
    )
    if args.legacy > 0 and shutil.which("soffice"):
        times = bench_legacy(args.legacy, args.repeat)
        per_doc = (times["mixed"] - times["pdfs"]) / args.legacy
        print(f"\nMixed batch ({args.legacy} .doc beside {args.legacy} text PDFs, medians of {args.repeat} runs)")
        print(f"  dangan ingest, PDFs alone              {times['pdfs']:7.2f} s")
        print(f"  dangan ingest, PDFs + .doc             {times['mixed']:7.2f} s  → {per_doc:.2f} s per .doc")
        print(
            f"  bare soffice --convert-to docx loop    {times['soffice']:7.2f} s  → {times['soffice'] / args.legacy:.2f} s per .doc"
        )
        print(
            f"  bare soffice, one run of all .doc      {times['one_run']:7.2f} s  → {times['one_run'] / args.legacy:.2f} s per .doc"
        )
        print(f"  ratio dangan/soffice loop per .doc: {per_doc / (times['soffice'] / args.legacy):.2f}")
        print(f"  ratio dangan/one soffice run per .doc: {per_doc / (times['one_run'] / args.legacy):.2f}")
        print(f"  load average at the end: {os.getloadavg()[0]:.1f}")
    if args.scans <= 0:
        return
    print(f"\nScans ({args.scans} A4 pages at 150 dpi)")
    for name, (pps, err) in bench_scans(args.scans).items():
        print(f"  {name:<20} {pps:6.2f} pages/s   CER {err:.1%}")
    if not shutil.which("tesseract"):
        print("  (tesseract not installed: apt-get install tesseract-ocr tesseract-ocr-chi-sim for the baseline)")


if __name__ == "__main__":
    main()
