"""What a viewer's search costs: the open records' ids as an index filter (OpenFilters), against
the plain search of every other role (the baseline) and against reading the whole ranking and
filtering it (the fallback kept for an index that ignores the id filter).

Builds the search benchmark's corpus (bench/search.py's generator, N documents) once, opens a
share of them (every 10th by default), and times the three calls on the same index in the same
run, alternating, over a fixed query mix.  Prints medians and p95 per call and their ratios.

    python bench/open_search.py --n 1000      # 1,000 documents, 10% open, 3 rounds
    python bench/open_search.py --n 20000 --every 2
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from search import BATCH, generate, read_corpus  # noqa: E402  (the benchmark's corpus generator)

from dangan.archive.openness import OpenFilters  # noqa: E402
from dangan.indexer.filters import Filters  # noqa: E402
from dangan.indexer.index import SearchIndex  # noqa: E402

QUERIES = ("施工", "混凝土", "验收", "竣工报告", "钢筋", "测量", "楼板", "基础", "防水", "监理")


def _time(call) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def _scan(index: SearchIndex, q: str, allowed: frozenset[int]) -> int:
    _, total = index.search_window(q, Filters(), limit=1)
    every, _ = index.search_window(q, Filters(), limit=max(total, 1))
    return len([h for h in every if h.id in allowed])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=5_000)
    parser.add_argument("--every", type=int, default=10, help="open every Nth document")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus, target = Path(tmp) / "corpus.jsonl", Path(tmp) / "index"
        generate(args.n, 20240501, corpus)
        ids = [int(d["id"]) for d in read_corpus(corpus)]
        allowed = frozenset(ids[:: args.every])
        with SearchIndex(target) as index:
            index.rebuild(read_corpus(corpus), batch=BATCH)
        with SearchIndex(target) as index:
            index.search("施工", limit=20)  # warm the searcher
            plain, narrowed, scanned, totals = [], [], [], []
            for _ in range(args.rounds):
                for q in QUERIES:
                    plain.append(_time(lambda q=q: index.search_window(q, Filters(), limit=20)))
                    narrowed.append(_time(lambda q=q: totals.append(
                        index.search_window(q, OpenFilters(ids=allowed), limit=20)[1])))  # fmt: skip
                    scanned.append(_time(lambda q=q: _scan(index, q, allowed)))
    p95 = lambda xs: statistics.quantiles(xs, n=20)[-1]  # noqa: E731
    base = statistics.median(plain)
    print(f"{args.n} documents, {len(allowed)} open; {len(QUERIES)} queries x {args.rounds} rounds; "
          f"open matches per query up to {max(totals)}")  # fmt: skip
    for name, xs in (
        ("plain search (baseline)", plain),
        ("viewer: id filter", narrowed),
        ("whole ranking, filtered", scanned),
    ):
        print(
            f"{name}: median {statistics.median(xs):.1f} ms, p95 {p95(xs):.1f} ms, {statistics.median(xs) / base:.2f}x"
        )


if __name__ == "__main__":
    main()
