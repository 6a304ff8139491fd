"""What "20 of 55" costs: `dangan search` now counts every match (SearchIndex.search_window)
instead of only ranking the first page (SearchIndex.search, the baseline).

Builds the search benchmark's corpus (bench/search.py's generator, N documents) once, then
times both calls on the same index in the same run, alternating, over a fixed query mix of
common and rare words.  Prints medians and p95 per call and their ratio.

    python bench/search_window.py            # 5,000 documents
    python bench/search_window.py --n 20000
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

from dangan.indexer.index import SearchIndex  # noqa: E402

QUERIES = ("施工", "混凝土", "验收", "竣工报告", "钢筋", "测量", "楼板", "基础", "防水", "监理")
ROUNDS = 15


def _time(call) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=5_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus, target = Path(tmp) / "corpus.jsonl", Path(tmp) / "index"
        generate(args.n, 20240501, corpus)
        with SearchIndex(target) as index:
            index.rebuild(read_corpus(corpus), batch=BATCH)
        with SearchIndex(target) as index:
            index.search("施工", limit=20)  # warm the searcher
            page, window, totals = [], [], []
            for _ in range(ROUNDS):
                for q in QUERIES:
                    page.append(_time(lambda q=q: index.search(q, limit=20)))
                    window.append(_time(lambda q=q: totals.append(index.search_window(q, limit=20)[1])))
    p95 = lambda xs: statistics.quantiles(xs, n=20)[-1]  # noqa: E731
    print(f"{args.n} documents, {len(QUERIES)} queries x {ROUNDS} rounds; matches per query up to {max(totals)}")
    print(f"search (first page only, baseline): median {statistics.median(page):.1f} ms, p95 {p95(page):.1f} ms")
    print(f"search_window (page + total count): median {statistics.median(window):.1f} ms, p95 {p95(window):.1f} ms")
    print(f"ratio of medians: {statistics.median(window) / statistics.median(page):.2f}x")


if __name__ == "__main__":
    main()
