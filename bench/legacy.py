"""Adopting a legacy archive and backing it up: whole processes against baselines of the same run.

- Import and attach: a generated 目录 of N rows (default 2,000) and scans for 90% of them (text
  files, so the figure is dangan's own cost, not OCR's).  ``dangan import catalog`` then
  ``dangan import attach`` (whole processes) against the baseline a user has without them:
  ``dangan ingest FOLDER --project CODE`` on the same files, which files them by guessing and
  carries none of the catalogue's fields.  Wall and CPU seconds (user+system of the child).
- Backup: the first ``dangan backup`` of that home, a second one with nothing new, and a third
  after 50 more documents, against ``cp -a`` of the vault and catalog (what a user's cron job
  would do), and files copied by each.

Run from the repository root:  python bench/legacy.py [--rows 2000] [--repeat 1]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import openpyxl  # noqa: E402

from dangan.archive.catalog import Catalog  # noqa: E402
from dangan.archive.create import init_home  # noqa: E402
from dangan.archive.projects import add_project  # noqa: E402
from dangan.archive.sample import SAMPLE_ROLES  # noqa: E402

CODE = "BJ-2010-003"
KINDS = [("C07", "钢筋原材料试验报告"), ("C14", "施工日志"), ("C09", "隐蔽工程验收记录"), ("C06", "水泥出厂质量证明书")]


def run(*args: str) -> tuple[float, float, str]:
    """(wall s, CPU s of the child, stdout) of one dangan process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", "from dangan.cli import main; main()", *args], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)})  # fmt: skip
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode not in (0, 4):
        raise SystemExit(f"{args}: exit {out.returncode}\n{out.stderr[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), out.stdout


def make_home(root: Path) -> Path:
    home, _ = init_home(root)
    with Catalog.open(home) as cat:
        add_project(cat, CODE, "旧楼改造工程", roles=dict(SAMPLE_ROLES))
    return root


def make_legacy(folder: Path, n: int) -> tuple[Path, Path]:
    folder.mkdir(parents=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["档号", "文件编号", "责任者", "文件题名", "日期", "页数", "保管期限", "条目"])
    scans = folder / "scans"
    scans.mkdir()
    for i in range(1, n + 1):
        item, title = KINDS[i % len(KINDS)]
        code = f"0123-BJ2010003-C-{i:04d}"
        ws.append(
            [
                code,
                f"试-{i:04d}",
                "示例建设",
                f"{title}第{i}号",
                f"2010-{1 + i % 12:02d}-{1 + i % 28:02d}",
                2,
                "永久",
                item,
            ]
        )
        if i % 10:
            (scans / f"{code}.txt").write_text(f"{title}第{i}号\n编号 试-{i:04d}\n旧档案第{i}份", encoding="utf-8")
    wb.save(folder / "目录.xlsx")
    return folder / "目录.xlsx", scans


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=2000)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-legacy-"))
    book, scans = make_legacy(work / "legacy", args.rows)
    ours, base = make_home(work / "ours"), make_home(work / "base")
    w1, c1, _ = run("--home", str(ours), "import", "catalog", str(book), "--project", CODE)
    w2, c2, out = run("--home", str(ours), "import", "attach", str(scans))
    wb_, cb, _ = run("--home", str(base), "ingest", str(scans), "--project", CODE)
    files = sum(1 for _ in scans.iterdir())
    print(f"{args.rows} rows, {files} scans (text files), load {os.getloadavg()[0]:.1f}")
    print(f"  import catalog           wall {w1:7.1f} s  CPU {c1:7.1f} s")
    print(
        f"  import attach            wall {w2:7.1f} s  CPU {c2:7.1f} s  ({1000 * c2 / files:.0f} ms CPU a file)  {out.strip().splitlines()[-1]}"
    )
    print(f"  baseline: ingest folder  wall {wb_:7.1f} s  CPU {cb:7.1f} s  ({1000 * cb / files:.0f} ms CPU a file)")
    print(f"  attach / ingest CPU ratio {c2 / cb:.2f}")
    dest = work / "backup"
    for label in ("first backup", "second, nothing new"):
        w, c, out = run("--home", str(ours), "backup", str(dest))
        print(f"  {label:24} wall {w:7.1f} s  CPU {c:7.1f} s  {out.strip()}")
    t = time.perf_counter()
    shutil.copytree(Path(ours) / "vault", work / "cp" / "vault")
    shutil.copy2(Path(ours) / "catalog.db", work / "cp" / "catalog.db")
    print(f"  baseline: copy vault and catalog (cp -a)  wall {time.perf_counter() - t:7.1f} s")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
