"""Whoosh against tantivy behind dangan's SearchIndex: build, search call, whole `dangan search`.

Both engines index the same generated corpus (bench/search.py's generator: 1–5 pages of
construction prose a document, 30% Traditional, planted target phrases) through
``SearchIndex.rebuild(…, engine=…)``, each in a child process, and are measured in the same run:

* build: wall and CPU seconds of the child, its peak RSS (VmHWM), the index size on disk;
* the search call: ``SearchIndex.search_window(q, limit=20)`` — what the search page and
  ``dangan search`` call, the snippets and highlights of the top 20 included — over
  bench/search.py's query mix (its 30 judged target queries, 6 common words, 8 compounds that
  fall back, codes and synonyms), warm, ``--repeats`` times, median and p95 of wall and CPU;
* ``dangan search 施工方案`` as a whole process (interpreter start and imports included),
  ``--rounds`` rounds alternating the engines, medians of wall and CPU, and peak RSS.

    python bench/engines.py --n 10000
    python bench/engines.py --n 100000 --workdir /tmp/engines100k   # keeps corpus and indexes

The corpus (seed 20240501) and the homes are written under a temporary folder or --workdir.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

ENGINES = ("whoosh", "tantivy")
CLI_QUERY = "施工方案"


def mix() -> list[str]:
    """The query mix: bench/search.py's judged targets, common words and fallback compounds."""
    import search

    return [q for _, _, q, _ in search.TARGETS] + list(search.COMMON_QUERIES) + list(search.FALLBACK_QUERIES)


# ----------------------------------------------------------------------------- children


def child_build(engine: str, corpus: Path, target: Path) -> None:
    """Build one index (this process is measured by the parent) and print the peak RSS."""
    import search

    from dangan.indexer.index import SearchIndex

    with SearchIndex(target, engine=engine) as index:
        index.rebuild(search.read_corpus(corpus), engine=engine)
    print(json.dumps({"peak_mb": _hwm_mb()}))


def child_query(target: Path, repeats: int) -> None:
    """Time the search call over the mix; print medians and p95s (wall and CPU, ms)."""
    from dangan.indexer.index import SearchIndex

    queries = mix()
    index = SearchIndex(target)
    for q in queries:  # warm: files opened, caches filled, as in a running web server
        index.search_window(q, limit=20)
    wall, cpu, per_query = [], [], {}
    for _ in range(repeats):
        for q in queries:
            start, cpu_start = time.perf_counter(), time.process_time()
            hits, total = index.search_window(q, limit=20)
            wall.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - cpu_start) * 1000)
            per_query.setdefault(q, []).append(wall[-1])
    slowest = sorted(per_query, key=lambda q: -statistics.median(per_query[q]))[:3]
    print(
        json.dumps(
            {
                "median_ms": statistics.median(wall), "p95_ms": _p95(wall),
                "cpu_median_ms": statistics.median(cpu), "cpu_p95_ms": _p95(cpu),
                "slowest": [(q, round(statistics.median(per_query[q]), 1)) for q in slowest],
                "engine": index.engine(), "segments": index.segments(), "count": index.count(),
            },
            ensure_ascii=False,
        )
    )  # fmt: skip


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def _hwm_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")) / 1024


# ----------------------------------------------------------------------------- parent


def _run(cmd: list[str]) -> tuple[str, float, float, float]:
    """(stdout, wall s, CPU s, peak MB) of a child process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed (exit {proc.returncode}): {err[-600:]}")
    return out, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _whole(cmd: list[str]) -> tuple[float, float, float]:
    """(wall s, CPU s, peak MB) of one process, measured with wait4 (its own usage only)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(
            f"{' '.join(cmd)} failed: {proc.stderr.read().decode(errors='replace')[-600:] if proc.stderr else ''}"
        )
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def build(engine: str, corpus: Path, home: Path) -> dict:
    """Make a home for ``engine`` and build its index from the corpus in a child process."""
    if home.exists():
        shutil.rmtree(home)
    subprocess.run([sys.executable, "-m", "dangan.cli", "init", "--home", str(home)], check=True,
                   env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL)  # fmt: skip
    target = home / "index"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out, wall, _cpu, _peak = _run(
        [sys.executable, __file__, "--child-build", engine, "--corpus", str(corpus), "--target", str(target)]
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    size = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
    return {"build_s": wall, "build_cpu_s": cpu, "peak_mb": json.loads(out.splitlines()[-1])["peak_mb"],
            "size_mb": size / 2**20}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=20240501)
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--workdir", type=Path)
    ap.add_argument("--reuse", action="store_true", help="keep the indexes already in --workdir (measure only)")
    ap.add_argument("--child-build", choices=ENGINES, help=argparse.SUPPRESS)
    ap.add_argument("--child-query", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--target", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child_build:
        return child_build(args.child_build, args.corpus, args.target)
    if args.child_query:
        return child_query(args.target, args.repeats)
    import search

    work = args.workdir or Path(tempfile.mkdtemp(prefix="dangan-bench-engines-"))
    work.mkdir(parents=True, exist_ok=True)
    engines = [e for e in args.engines.split(",") if e]
    print(search.machine(), flush=True)
    corpus = work / "corpus.jsonl"
    if not (args.reuse and corpus.exists()):
        start = time.perf_counter()
        search.generate(args.n, args.seed, corpus)
        print(f"generated {args.n:,} documents in {time.perf_counter() - start:.0f} s", flush=True)
    rows: dict[str, dict] = {}
    for engine in engines:
        home = work / f"home-{engine}"
        rows[engine] = {} if args.reuse and home.exists() else build(engine, corpus, home)
        if rows[engine]:
            print(f"{engine}: built in {rows[engine]['build_s']:.0f} s", flush=True)
        out, *_ = _run([sys.executable, __file__, "--child-query", "--target", str(home / "index"),
                        "--repeats", str(args.repeats)])  # fmt: skip
        rows[engine].update(json.loads(out.splitlines()[-1]))
        print(f"{engine}: searched", rows[engine], flush=True)
    whole: dict[str, list[tuple[float, float, float]]] = {e: [] for e in engines}
    for r in range(args.rounds):  # alternating, so a change in the box's load hits both
        for engine in engines if r % 2 == 0 else reversed(engines):
            home = work / f"home-{engine}"
            whole[engine].append(_whole([sys.executable, "-m", "dangan.cli", "--home", str(home), "search", CLI_QUERY]))
    report(args.n, rows, whole, len(mix()), args.repeats, args.rounds)


def report(n: int, rows: dict, whole: dict, queries: int, repeats: int, rounds: int) -> None:
    print(f"\n{n:,} documents; search call = search_window(q, limit=20) with snippets, {queries} queries × {repeats}")
    head = (f"{'engine':<8} {'build s':>8} {'cpu s':>7} {'peak MB':>8} {'index MB':>9} {'q p50 ms':>9} {'q p95 ms':>9} "
            f"{'cpu p50':>8} {'cpu p95':>8} {'search s':>9} {'cpu s':>6} {'RSS MB':>7}")  # fmt: skip
    print(head + "\n" + "-" * len(head))
    for engine, row in rows.items():
        walls = [w[0] for w in whole[engine]]
        cpus = [w[1] for w in whole[engine]]
        peak = max(w[2] for w in whole[engine])
        print(
            f"{engine:<8} {row.get('build_s', 0):>8.1f} {row.get('build_cpu_s', 0):>7.1f} {row.get('peak_mb', 0):>8.0f} "
            f"{row.get('size_mb', 0):>9.1f} {row['median_ms']:>9.2f} {row['p95_ms']:>9.2f} {row['cpu_median_ms']:>8.2f} "
            f"{row['cpu_p95_ms']:>8.2f} {statistics.median(walls):>9.3f} {statistics.median(cpus):>6.3f} {peak:>7.0f}"
        )
    print(
        f"search s / cpu s / RSS MB: `dangan search {CLI_QUERY}` whole process, medians of {rounds} alternating rounds, peak RSS the largest"
    )
    for engine, row in rows.items():
        print(f"{engine} slowest queries (median ms): {row['slowest']}")


if __name__ == "__main__":
    main()
