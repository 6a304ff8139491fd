"""Several stations: text PDFs filed by two processes into PostgreSQL vs one into SQLite.

Both sides run real `dangan watch --once` processes (what a station runs), over the same
generated text PDFs:

- **baseline — sqlite, 1 process**: one station, all files in its inbox, the embedded catalog;
- **postgresql, 2 processes**: two stations, half the files in each one's inbox, one home
  (vault and index) and one catalog on a throwaway local PostgreSQL cluster (``tests.pgserver``,
  fsync off — the server's durability is not what is measured).

Wall time runs from starting the processes until the last one exits (index caught up, queue
empty).  Afterwards the catalog is compared with the inputs: *lost* = inputs with no document,
*doubled* = documents beyond one per input; both must be 0, and `verify` must be clean.

Run from the repository root:  python bench/stations.py [--n 1000] [--repeat 1]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dangan.archive import vault  # noqa: E402
from dangan.archive.catalog import Catalog  # noqa: E402
from dangan.archive.create import init_home  # noqa: E402
from dangan.archive.projects import add_project  # noqa: E402
from dangan.archive.sample import SAMPLE_ROLES  # noqa: E402
from dangan.archive.verify import verify  # noqa: E402
from tests import pgserver  # noqa: E402
from tests.docgen import make_text_pdf  # noqa: E402

CODE = "BJ-2024-017"
KINDS = ["施工日志", "开工报告", "原材料试验报告", "施工定位测量记录", "设计变更通知单", "技术交底记录"]
BODY = "今日完成二层顶板钢筋绑扎，监理旁站验收合格，混凝土浇筑计划于明日上午进行。"


def make_pdfs(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [
        make_text_pdf(
            folder / f"doc_{i:04d}.pdf",
            [f"{KINDS[i % len(KINDS)]}\n编号 {i}\n日期：2024年5月{i % 28 + 1}日\n" + BODY * 8],
        )
        for i in range(n)
    ]


def fill_inboxes(pdfs: list[Path], boxes: list[Path]) -> None:
    """Hard-link the PDFs round-robin into each inbox's project folder (cheap, same bytes)."""
    for box in boxes:
        (box / CODE).mkdir(parents=True, exist_ok=True)
    for i, p in enumerate(pdfs):
        os.link(p, boxes[i % len(boxes)] / CODE / p.name)


def run_stations(home: Path, boxes: list[Path]) -> float:
    """Start one `dangan watch --once` per inbox; seconds until the last one exits."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t = time.perf_counter()
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from dangan.cli import main; main()",
                "--home",
                str(home),
                "watch",
                "--inbox",
                str(box),
                "--once",
                "--stable",
                "0.1",
                "--json",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for box in boxes
    ]
    for p in procs:
        _, err = p.communicate()
        if p.returncode != 0:
            raise SystemExit(f"station failed ({p.returncode}): {err.decode(errors='replace')[-2000:]}")
    return time.perf_counter() - t


def one_run(label: str, pdfs: list[Path], stations: int, url: str | None, work: Path) -> dict:
    home, _ = init_home(work / f"home-{label}", catalog_url=url)
    with Catalog.open(home) as cat:
        add_project(cat, CODE, "安居花园3号楼", roles=dict(SAMPLE_ROLES))
    boxes = [work / f"inbox-{label}-{k}" for k in range(stations)]
    fill_inboxes(pdfs, boxes)
    seconds = run_stations(home.root, boxes)
    inputs = {vault.sha256_file(p) for p in pdfs}
    with Catalog.open(home) as cat:
        filed = [d["sha256"] for d in cat.documents()]
        clean = verify(cat).clean
    return {
        "docs_per_s": len(pdfs) / seconds,
        "seconds": seconds,
        "lost": len(inputs - set(filed)),
        "doubled": len(filed) - len(set(filed)),
        "verify_clean": clean,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000, help="text PDFs per run")
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    bindir = pgserver.find_bindir()
    if bindir is None:
        raise SystemExit("PostgreSQL server binaries (initdb, pg_ctl) not found: install Debian's postgresql package")
    cluster = pgserver.PgCluster(bindir).start()
    results: dict[str, list[dict]] = {"sqlite, 1 process (baseline)": [], "postgresql, 2 processes": []}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            pdfs = make_pdfs(work / "pdfs", args.n)
            for r in range(args.repeat):
                results["sqlite, 1 process (baseline)"].append(one_run(f"s{r}", pdfs, 1, None, work))
                url = cluster.url(cluster.create_database("bench"))
                results["postgresql, 2 processes"].append(one_run(f"p{r}", pdfs, 2, url, work))
    finally:
        cluster.stop()
    print(
        f"{args.n} text PDFs, {args.repeat} run(s), medians; {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores"
    )
    base = statistics.median(r["docs_per_s"] for r in results["sqlite, 1 process (baseline)"])
    for label, runs in results.items():
        rate = statistics.median(r["docs_per_s"] for r in runs)
        lost = max(r["lost"] for r in runs)
        doubled = max(r["doubled"] for r in runs)
        clean = all(r["verify_clean"] for r in runs)
        each = ", ".join(f"{r['docs_per_s']:.1f}" for r in runs)
        print(
            f"{label:32s} {rate:7.1f} docs/s ({rate / base:.2f}× baseline; runs: {each})  "
            f"lost {lost}  doubled {doubled}  verify {'clean' if clean else 'NOT CLEAN'}"
        )


if __name__ == "__main__":
    main()
