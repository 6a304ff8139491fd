"""The learned classifier's cost: training time and model size for 1,000 filed documents, and
ingest time per file with the model against the same home without it (baseline, same run).

A home is filled once with 1,000 documents: 800 of kinds the rules know (filed by the rules)
and 200 of two company forms the rules do not know (filed from review by hand, so they are
the archivist's examples).  Then:
- training: ``dangan.archive.learning.train.train`` on that catalog, medians over the repeats;
- ingest: the same 60 new text PDFs filed into copies of that home, with the model and with
  ``[classifier] learn = false``, interleaved; median seconds per file of each run.

Run from the repository root:  python bench/learning.py [--docs 1000] [--files 60] [--repeat 3]
The machine is shared and noisy: compare the ratio, not the seconds.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dangan.archive.catalog import Catalog  # noqa: E402
from dangan.archive.create import init_home  # noqa: E402
from dangan.archive.home import Home  # noqa: E402
from dangan.archive.intake.filing import file_reviewed  # noqa: E402
from dangan.archive.intake.ingest import ingest_paths  # noqa: E402
from dangan.archive.learning import train as training  # noqa: E402
from dangan.archive.learning.model import load, model_path  # noqa: E402
from dangan.archive.projects import add_project  # noqa: E402
from tests.conftest import ALL_ROLES  # noqa: E402
from tests.docgen import make_text_pdf  # noqa: E402
from tests.test_learning import arrival_slip, patrol_sheet  # noqa: E402

CODE = "BJ-2024-017"
KINDS = [
    "施工日志",
    "开工报告",
    "原材料试验报告",
    "施工定位测量记录",
    "设计变更通知单",
    "技术交底记录",
    "隐蔽工程验收记录",
    "施工方案",
]
WORDS = (
    "钢筋 模板 混凝土 浇筑 养护 监理 旁站 验收 轴线 标高 砌筑 抹灰 防水 回填 土方 脚手架 塔吊 二层 三层 顶板".split()
)


def known_doc(n: int) -> str:
    """A document of a kind the rules know, with varied body words."""
    r = random.Random(n)
    body = "，".join("".join(r.sample(WORDS, 3)) for _ in range(r.randint(4, 12)))
    return f"{KINDS[n % len(KINDS)]}\n工程名称：安居花园3号楼\n日期：2024年{r.randint(1, 12)}月{r.randint(1, 28)}日\n{body}。"


def build_home(root: Path, docs: int) -> Home:
    """A home with ``docs`` filed documents, a fifth of them placed by hand."""
    home, _ = init_home(root)
    home.config.setdefault("classifier", {})["learn"] = False  # no training while filling
    box = home.inbox_dir / CODE
    box.mkdir(parents=True)
    forms = docs // 5
    for n in range(docs - forms):
        (box / f"k_{n:05d}.txt").write_text(known_doc(n), encoding="utf-8")
    for n in range(forms):
        form = patrol_sheet if n % 2 else arrival_slip
        (box / f"f_{n:05d}.txt").write_text(form(n), encoding="utf-8")
    with Catalog.open(home) as cat:
        add_project(cat, CODE, "安居花园3号楼", roles=dict(ALL_ROLES))
        records = ingest_paths(cat, [home.inbox_dir])
        for rec in records:
            if rec.path.name.startswith("f_") and rec.outcome == "review":
                item = "C14" if "巡查" in rec.title or "巡查" in cat.text(rec.doc_id)[:40] else "C06"
                file_reviewed(cat, rec.doc_id, item=item)
    return home


def bench_training(home: Home, repeat: int) -> None:
    home.config["classifier"]["learn"] = True
    times, cpu = [], []
    with Catalog.open(home) as cat:
        for _ in range(repeat):
            t, c = time.perf_counter(), time.process_time()
            model = training.train(cat)
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
    head = model.head("construction")
    size = model_path(home).stat().st_size
    print(
        f"training on {head.stats['examples']} documents ({sum(head.person_counts.values())} placed by hand): "
        f"median {statistics.median(times):.2f} s wall, {statistics.median(cpu):.2f} s CPU over {repeat} "
        f"(wall min {min(times):.2f}, max {max(times):.2f})"
    )
    print(
        f"model file: {size / 1024:.0f} KiB, vocabulary {len(head.vocab)} words, {len(head.classes)} items; "
        f"accuracy {head.stats['accuracy']:.3f} ({head.stats['accuracy_method']})"
    )
    t = time.perf_counter()
    load(model_path(home))
    print(f"loading the model: {time.perf_counter() - t:.3f} s")


def ingest_run(template: Path, work: Path, pdfs: list[Path], learn: bool) -> tuple[float, float]:
    """Wall and CPU seconds per file to ingest ``pdfs`` into a fresh copy of the home."""
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(template, work)
    home = Home.open(work)
    home.config.setdefault("classifier", {})["learn"] = learn
    with Catalog.open(home) as cat:
        t, c = time.perf_counter(), time.process_time()
        records = ingest_paths(cat, pdfs, project=CODE)
        elapsed, cpu = time.perf_counter() - t, time.process_time() - c
    assert all(r.outcome in ("filed", "review") for r in records), [r.message for r in records if r.outcome == "failed"]
    return elapsed / len(pdfs), cpu / len(pdfs)


def bench_ingest(home: Home, files: int, repeat: int, tmp: Path) -> None:
    src = tmp / "new"
    src.mkdir()
    pdfs = [
        make_text_pdf(src / f"n_{i:03d}.pdf", [(patrol_sheet if i % 3 == 0 else known_doc)(5000 + i)])
        for i in range(files)
    ]
    runs: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
    for _ in range(repeat):
        for learn in (False, True):
            runs[learn].append(ingest_run(home.root, tmp / "work", pdfs, learn))
    for n, what in ((0, "wall"), (1, "CPU")):
        base = statistics.median(r[n] for r in runs[False])
        with_model = statistics.median(r[n] for r in runs[True])
        print(
            f"ingest of {files} text PDFs, {what} per file (median of {repeat}): without the model {base * 1000:.1f} ms, "
            f"with the model {with_model * 1000:.1f} ms, ratio {with_model / base:.3f}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--files", type=int, default=60)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        t = time.perf_counter()
        home = build_home(tmp / "home", args.docs)
        print(f"home of {args.docs} documents built in {time.perf_counter() - t:.0f} s")
        bench_training(home, args.repeat)
        bench_ingest(home, args.files, args.repeat, tmp)


if __name__ == "__main__":
    main()
