"""OCR: dangan's scan reading against Debian's tesseract (chi_sim), and blank-page savings.

1. Speed and accuracy on Chinese scans: N generated A4 pages at 150 dpi (PNG), each read by
   dangan's ``extract`` (RapidOCR, models loaded once as in a running watcher; the load is
   counted once, amortised over the batch) and by ``tesseract PAGE - -l chi_sim`` (one process
   per page, as a user's shell loop runs it).  The two engines alternate page by page, so load
   from other processes hits both alike.  Prints median seconds per page and the mean
   character error rate (CER, edit distance without whitespace / expected length).
2. Blank pages: a batch of scans where every other page is blank, read with the blank-page
   test (dangan as shipped) and without it (every page OCR'd, as before issue 18): the time
   saved, interleaved over --repeat runs.

Run from the repository root:  python bench/ocr.py [--pages 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image  # noqa: E402

from dangan.indexer.extract import extract  # noqa: E402
from dangan.indexer.extract import images as images_module  # noqa: E402
from dangan.indexer.extract import ocr as ocr_module  # noqa: E402
from tests.docgen import A4_150DPI, char_error_rate, make_scan_image  # noqa: E402

PAGES = [
    "原材料试验报告\n工程名称：安居花园3号楼\n试件编号：GJ-2024-031\n屈服强度：四百三十五兆帕\n抗拉强度：五百七十兆帕\n结论：符合标准要求\n试验员：杨帆 2024年3月12日",
    "施工日志\n日期：2024年5月6日 天气：晴 气温：18℃～26℃\n今日完成二层顶板钢筋绑扎，监理旁站验收合格。\n混凝土浇筑计划于明日上午进行，强度等级C30。\n施工员：吴涛",
    "隐蔽工程验收记录\n工程名称：滨江雅苑5号楼\n隐蔽部位：基础底板钢筋\n检查结果：钢筋规格、间距、保护层厚度符合设计要求\n监理工程师：周敏",
    "维护派工单\n派工单号：PG-2025-0317\n客户：宏达机械厂 电话：0571-86001234\n服务内容：空压机异响检修，更换皮带一条\n收费项目：配件费一百二十元\n维修人员：陈刚",
]


def free_cores() -> float:
    """Cores not busy with other work right now (1-minute load average)."""
    return max(0.0, (os.cpu_count() or 1) - os.getloadavg()[0])


def tesseract(path: Path) -> str:
    return subprocess.run(
        ["tesseract", str(path), "-", "-l", "chi_sim"], capture_output=True, text=True, check=True
    ).stdout


def speed_and_accuracy(folder: Path, n: int) -> dict[str, tuple[float, float]]:
    pages = [
        (make_scan_image(folder / f"p{i:02d}.png", PAGES[i % len(PAGES)]), PAGES[i % len(PAGES)]) for i in range(n)
    ]
    ours, tess, ours_err, tess_err = [], [], [], []
    t = time.perf_counter()
    ocr_module._ocr_engine()  # the model load, counted once below
    load = time.perf_counter() - t
    for path, expected in pages:
        t = time.perf_counter()
        ours_err.append(char_error_rate(expected, extract(path).text))
        ours.append(time.perf_counter() - t + load / n)
        if shutil.which("tesseract"):
            t = time.perf_counter()
            tess_err.append(char_error_rate(expected, tesseract(path)))
            tess.append(time.perf_counter() - t)
    result = {"dangan (RapidOCR)": (statistics.median(ours), statistics.mean(ours_err))}
    if tess:
        result["tesseract chi_sim"] = (statistics.median(tess), statistics.mean(tess_err))
    return result


def blank_savings(folder: Path, n: int, repeat: int) -> tuple[float, float]:
    """(seconds with the blank test, seconds OCR-ing every page) for an n-page TIFF, half blank."""
    frames = [
        Image.open(make_scan_image(folder / f"b{i}.png", PAGES[i % 4]))
        if i % 2 == 0
        else Image.new("L", A4_150DPI, 255)
        for i in range(n)
    ]
    path = folder / "batch.tif"
    frames[0].save(path, save_all=True, append_images=frames[1:], compression="tiff_deflate")
    shipped, always = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        extract(path)
        shipped.append(time.perf_counter() - t)
        original = images_module.is_blank
        images_module.is_blank = lambda img: False
        try:
            t = time.perf_counter()
            extract(path)
            always.append(time.perf_counter() - t)
        finally:
            images_module.is_blank = original
    return statistics.median(shipped), statistics.median(always)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=20)
    ap.add_argument("--blank-batch", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores ({free_cores():.1f} free), Python {platform.python_version()}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        print(f"\nChinese scans: {args.pages} A4 pages at 150 dpi, engines alternating page by page")
        results = speed_and_accuracy(Path(tmp), args.pages)
        for name, (seconds, cer) in results.items():
            print(f"  {name:<20} {seconds:6.2f} s/page (median)   CER {cer:.1%}")
        if len(results) == 2:
            (ours, our_cer), (base, base_cer) = results.values()
            print(
                f"  time ratio dangan/tesseract: {ours / base:.2f}   CER ratio: {our_cer / base_cer if base_cer else float('nan'):.2f}"
            )
        else:
            print("  (tesseract not installed: apt-get install tesseract-ocr tesseract-ocr-chi-sim for the baseline)")
        shipped, always = blank_savings(Path(tmp), args.blank_batch, args.repeat)
        print(f"\nBlank pages: {args.blank_batch}-page TIFF, every other page blank, median of {args.repeat}")
        print(f"  with the blank-page test   {shipped:6.2f} s")
        print(f"  OCR on every page          {always:6.2f} s")
        print(f"  saved: {always - shipped:.2f} s ({1 - shipped / always:.0%})")


if __name__ == "__main__":
    main()
