"""Search page latency of ``dangan serve`` under 10 concurrent clients, against the library call.

A home is made with N generated documents (bench/search.py's corpus: construction prose,
30% Traditional) in its search index, a user is added, and the web app is started under
uvicorn in a child process on 127.0.0.1.  Then, in the same run, on the same query mix
(bench/search.py's judged queries):

  web      GET /search?q=… (the whole HTML page: session check, search, snippets, template)
           from C client threads at once, each signed in with its own session, then from
           one client at a time
  library  SearchIndex.search_window(q, offset=0, limit=20), what the page calls, in this
           process: from C threads at once, then one caller at a time

Printed: median and p95 latency of each, requests/s, and the web/library ratios.

    python bench/web.py                         # 10,000 documents, 10 clients
    python bench/web.py --n 2000 --requests 200 --workdir /tmp/webbench   # keep the home
    python bench/web.py --engine tantivy        # the home's index built with tantivy
"""

from __future__ import annotations

import argparse
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

PASSWORD = "bench-password"


def make_home(work: Path, n: int, seed: int, engine: str = "whoosh"):
    """A home whose index holds ``n`` generated documents with ``engine`` (reused when already built)."""
    import search as corpus_bench

    from dangan.archive.catalog import Catalog
    from dangan.archive.create import init_home
    from dangan.archive.users import add_user, get_user
    from dangan.indexer.index import SearchIndex

    home, _ = init_home(work / "home")
    with Catalog.open(home) as cat:
        if get_user(cat, "bench") is None:
            add_user(cat, "bench", "viewer", PASSWORD)
    with SearchIndex(home.index_dir, engine=engine) as index:
        if index.count() != n or index.engine() != engine:
            corpus = work / "corpus.jsonl"
            corpus_bench.generate(n, seed, corpus)
            start = time.perf_counter()
            index.rebuild(corpus_bench.read_corpus(corpus), batch=corpus_bench.BATCH, engine=engine)
            print(f"indexed {n:,} documents in {time.perf_counter() - start:.0f} s", flush=True)
    return home


def queries() -> list[str]:
    import search as corpus_bench

    return [t[2] for t in corpus_bench.TARGETS]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]


def start_server(home_root: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code = (
        "import sys, uvicorn; sys.path.insert(0, %r)\n"
        "from dangan.archive.home import Home\nfrom dangan.web.app import create_app\n"
        "uvicorn.run(create_app(Home.open(%r)), host='127.0.0.1', port=%d, log_level='warning')"
    ) % (str(Path(__file__).resolve().parent.parent), str(home_root), port)
    proc = subprocess.Popen([sys.executable, "-c", code])
    url = f"http://127.0.0.1:{port}"
    import httpx

    for _ in range(200):
        try:
            httpx.get(url + "/login", timeout=1)
            return proc, url
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the web app did not start")


def signed_in_client(url: str):
    import httpx

    c = httpx.Client(base_url=url, timeout=60)
    token = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text).group(1)
    r = c.post("/login", data={"csrf": token, "name": "bench", "password": PASSWORD, "next": "/search"})
    assert r.status_code == 303, r.text
    return c


def run_clients(clients: int, total: int, work) -> tuple[list[float], float]:
    """``work(i, q)`` from ``clients`` threads until ``total`` calls; latencies and wall time."""
    qs = queries()
    latencies: list[float] = []
    lock = threading.Lock()
    counter = iter(range(total))

    def worker(i: int) -> None:
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            t = time.perf_counter()
            work(i, qs[n % len(qs)])
            dt = time.perf_counter() - t
            with lock:
                latencies.append(dt)

    start = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, time.perf_counter() - start


def measure(home, clients: int, total: int) -> dict[str, tuple[list[float], float]]:
    from dangan.indexer.index import SearchIndex

    proc, url = start_server(home.root)
    try:
        sessions = [signed_in_client(url) for _ in range(clients)]
        for q in queries():  # warm the server's searchers
            assert sessions[0].get("/search", params={"q": q}).status_code == 200
        failed: list[int] = []  # the status of every answer that is not 200 (counted, not raised: a
        # raise would end that client's thread and hide the rest)

        def get(i: int, q: str) -> None:
            status = sessions[i].get("/search", params={"q": q}).status_code
            if status != 200:
                failed.append(status)

        web = run_clients(clients, total, get)
        print(f"non-200 answers with {clients} clients: {len(failed)} of {total} {sorted(set(failed))}")
        web_one = run_clients(1, total, get)
    finally:
        proc.terminate()
        proc.wait(10)
    local = threading.local()

    def library(i: int, q: str) -> None:
        if not hasattr(local, "ix"):
            local.ix = SearchIndex(home.index_dir)
        local.ix.search_window(q, offset=0, limit=20)

    for q in queries():
        library(0, q)
    return {"web, %d clients" % clients: web, "library, %d threads" % clients: run_clients(clients, total, library),
            "web, 1 client": web_one, "library, 1 caller": run_clients(1, total, library)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="documents in the home (default 10,000)")
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--requests", type=int, default=500, help="searches per measurement")
    parser.add_argument("--seed", type=int, default=20240501)
    parser.add_argument("--workdir", type=Path, help="keep the home here (reused by the next run)")
    parser.add_argument("--engine", choices=("whoosh", "tantivy"), default="whoosh", help="the home's search engine")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="dangan-bench-web-"))
    try:
        home = make_home(work, args.n, args.seed, args.engine)
        results = measure(home, args.clients, args.requests)
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    base = statistics.median(results["library, 1 caller"][0])
    print(f"\n{args.n:,} documents ({args.engine}), {args.requests} searches each, {len(queries())} queries in the mix")
    print(f"{'what':<22} {'median ms':>10} {'p95 ms':>8} {'req/s':>7} {'median ÷ library 1 caller':>26}")
    for name, (lat, wall) in results.items():
        med = statistics.median(lat)
        print(
            f"{name:<22} {med * 1000:>10.1f} {percentile(lat, 0.95) * 1000:>8.1f} {len(lat) / wall:>7.1f} {med / base:>25.1f}×"
        )


if __name__ == "__main__":
    main()
