"""Benchmark dangan's Chinese search against two baselines, on generated archive documents.

Engines, all measured in the same run on the same corpus:
  dangan   dangan.indexer.index.SearchIndex (folded CJK bigrams + unigram field, Whoosh BM25F)
  jieba    Whoosh with jieba's ChineseAnalyzer (word segmentation, no Traditional folding)
  fts5     SQLite FTS5 with the trigram tokenizer (words under 3 characters fall back to a
           scan with instr(), since trigrams cannot answer them)

The corpus: N documents of 1–5 pages (~500 characters a page) of construction-archive prose
built from a vocabulary written here; about 30% are converted to Traditional with OpenCC
s2t.  Rare "target" phrases are planted into a few documents each, and the judged query set
asks for them: two-character words inside longer words, Traditional queries on Simplified
text, Simplified queries on Traditional text, one-character queries and multi-word phrases.
A document is relevant to a query when its Simplified source text contains the query
(in Simplified form) — known exactly, because the generator wrote it.

Printed: indexing docs/s, index size, peak memory of the indexing process, query latency
(median and p95 over a fixed query mix, dangan's including snippets), and recall@10 and
precision@10 per query category.  Everything is written to a temporary folder (or
--workdir) outside the repository.

    python bench/search.py                 # 10,000 documents
    python bench/search.py --n 100000 --engines dangan
    python bench/search.py --engines dangan --baseline /tmp/old   # also dangan-base: the code in /tmp/old
    python bench/search.py --judged [--baseline /tmp/old]         # judged queries (bench/judged.py)

With ``--baseline DIR`` (a checkout of an older dangan, e.g. ``git archive``), the engine
``dangan-base`` runs that code on the same corpus in the same run; both dangan engines then
build and query in child processes, so each imports only its own code.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

# ``--code DIR`` (set by the parent for dangan-base) runs another checkout's indexer.
_CODE = sys.argv[sys.argv.index("--code") + 1] if "--code" in sys.argv else str(Path(__file__).resolve().parent.parent)
sys.path.insert(0, _CODE)

ENGINES = ("dangan", "jieba", "fts5", "dangan-base")
PAGE_CHARS = 500
PLANTS_PER_TARGET = 6
TRADITIONAL_SHARE = 0.3
LATENCY_REPEATS = 5
BATCH = 1000

# ----------------------------------------------------------------------------- vocabulary

FILLER = (
    "工程 项目 施工 监理 建设单位 施工单位 监理单位 设计单位 质量 安全 检查 验收 记录 资料 档案 归档 整理 按照 "
    "规范 要求 完成 进行 符合 合格 规定 部位 楼层 轴线 标高 数量 签字 盖章 日期 负责人 技术 交底 材料 进场 复试 "
    "报告 检测 试验 混凝土 钢筋 模板 砌体 防水 屋面 地面 墙体 门窗 给水 排水 电气 通风 空调 消防 节能 结构 基础 "
    "主体 装饰 装修 图纸 变更 会议 纪要 通知 整改 回复 日志 计划 进度 方案 措施 现场 管理 人员 机械 设备 运行 "
    "维护 保修 竣工 开工 隐蔽 分部 分项 检验批 见证 取样 送检 测量 放线 浇筑 养护 绑扎 焊接 安装 调试 实体 "
    "编制 审核 审批 提交 存档 移交 目录 卷内 案卷 页数 份数 原件 复印件 影像 扫描 归档范围 保管期限 永久 长期 "
    "本次 本工程 经检查 已 并 及时 严格 认真 全部 各 层 区 段 共 其中 由 对 在 于 与 和 及 为 的"
).split()
ENDINGS = ("。", "。", "。", "；", "！")

TITLE_TOPICS = (
    "主体结构",
    "地基基础",
    "屋面工程",
    "装饰装修",
    "给水排水",
    "建筑电气",
    "通风空调",
    "建筑节能",
    "消防工程",
    "钢筋工程",
    "模板工程",
    "混凝土工程",
    "砌体工程",
    "防水工程",
    "测量放线",
    "施工组织",
    "安全文明",
    "竣工资料",
)
TITLE_KINDS = (
    "验收记录",
    "检查记录",
    "施工方案",
    "技术交底",
    "检测报告",
    "会议纪要",
    "整改通知",
    "施工日志",
    "质量评估报告",
)
PROJECTS = [(f"BJ-2024-{i:03d}", f"安居花园{i}号楼") for i in range(1, 21)]
PEOPLE = ("张伟", "李娜", "王强", "赵磊", "刘洋", "陈静", "杨帆", "周敏")
MIMES = (
    "application/pdf",
    "application/pdf",
    "image/jpeg",
    "text/plain",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
)

# Judged targets: (category, phrase planted into documents, query typed by the user, where).
# where: "any" — any document; "simplified"/"traditional" — only documents of that script.
TARGETS = [
    ("2-char inside word", "幕墙气密性检测", "气密", "any"),
    ("2-char inside word", "桩基静载试验", "静载", "any"),
    ("2-char inside word", "焊缝超声波探伤", "探伤", "any"),
    ("2-char inside word", "防火封堵验收", "封堵", "any"),
    ("2-char inside word", "锚杆抗拔试验", "抗拔", "any"),
    ("2-char inside word", "后浇带止水钢板", "止水", "any"),
    ("2-char inside word", "地基钎探记录", "钎探", "any"),
    ("2-char inside word", "钢桁架吊装方案", "桁架", "any"),
    ("Trad. query, Simpl. text", "屋面淋水试验", "屋面淋水試驗", "simplified"),
    ("Trad. query, Simpl. text", "给水管道冲洗消毒", "給水管道沖洗消毒", "simplified"),
    ("Trad. query, Simpl. text", "电梯限速器检验", "電梯限速器檢驗", "simplified"),
    ("Trad. query, Simpl. text", "外墙保温拉拔", "外牆保溫拉拔", "simplified"),
    ("Trad. query, Simpl. text", "钢筋机械连接", "鋼筋機械連接", "simplified"),
    ("Trad. query, Simpl. text", "脚手架连墙件", "腳手架連牆件", "simplified"),
    ("Simpl. query, Trad. text", "防雷接地电阻测试", "防雷接地电阻测试", "traditional"),
    ("Simpl. query, Trad. text", "室内环境氡浓度", "室内环境氡浓度", "traditional"),
    ("Simpl. query, Trad. text", "卫生间蓄水试验", "卫生间蓄水试验", "traditional"),
    ("Simpl. query, Trad. text", "风管漏光检测", "风管漏光检测", "traditional"),
    ("Simpl. query, Trad. text", "配电箱绝缘电阻", "配电箱绝缘电阻", "traditional"),
    ("Simpl. query, Trad. text", "消火栓试射试验", "消火栓试射试验", "traditional"),
    ("1-char query", "榫卯节点加固", "榫", "any"),
    ("1-char query", "檩条安装记录", "檩", "any"),
    ("1-char query", "钢筋镦粗直螺纹", "镦", "any"),
    ("1-char query", "高强螺栓铆接", "铆", "any"),
    ("1-char query", "施工缝凿毛处理", "凿", "any"),
    ("1-char query", "屋面椽条更换", "椽", "any"),
    ("phrase", "混凝土结构实体检验", "混凝土结构实体检验", "any"),
    ("phrase", "单位工程质量竣工验收", "单位工程质量竣工验收", "any"),
    ("phrase", "施工现场质量管理检查", "施工现场质量管理检查", "any"),
    ("phrase", "隐蔽工程验收记录表", "隐蔽工程验收记录表", "any"),
    ("phrase", "见证取样送检记录", "见证取样送检记录", "any"),
    ("phrase", "档案移交目录清单", "档案移交目录清单", "any"),
]
# Common queries added to the latency mix (their relevant sets are too large to judge).
COMMON_QUERIES = ("验收", "混凝土浇筑", "竣工 验收", "钢筋", "施工方案", "檢查記錄")
# With --mix fallback: compounds of common words that no document holds as written, so a
# search falls back to the words apart (the slowest path of dangan's query reading), a code and
# synonyms.  Not in the default mix, which stays comparable with earlier runs.
FALLBACK_QUERIES = (
    "钢筋监理整改",
    "档案竣工移交",
    "混凝土养护记录表",
    "结构竣工图",
    "塔吊租赁",
    "砼浇筑",
    "HRB400",
    "监理通知回复",
)
CATEGORIES = list(dict.fromkeys(t[0] for t in TARGETS))


# ----------------------------------------------------------------------------- corpus


def simplified_query(query: str) -> str:
    """The Simplified form of a judged query (the generator's text is Simplified)."""
    import opencc

    return opencc.OpenCC("t2s").convert(query)


def generate(n: int, seed: int, path: Path) -> dict[str, set[int]]:
    """Write the corpus as JSON lines; return the relevant document ids of each judged query."""
    import opencc

    s2t = opencc.OpenCC("s2t")
    rng = random.Random(seed)
    traditional = {i for i in range(1, n + 1) if rng.random() < TRADITIONAL_SHARE}
    plants = _plan_plants(rng, n, traditional)
    queries = {q: simplified_query(q) for _, _, q, _ in TARGETS}
    relevant: dict[str, set[int]] = {q: set() for q in queries}
    with path.open("w", encoding="utf-8") as out:
        for doc_id in range(1, n + 1):
            doc, source = _document(rng, doc_id, plants.get(doc_id, []))
            for q, simple in queries.items():
                if simple in source:
                    relevant[q].add(doc_id)
            if doc_id in traditional:
                doc["title"] = s2t.convert(doc["title"])
                doc["content"] = s2t.convert(doc["content"])
            out.write(json.dumps(doc, ensure_ascii=False) + "\n")
    return relevant


def _plan_plants(rng: random.Random, n: int, traditional: set[int]) -> dict[int, list[str]]:
    """Which documents get which target phrases (PLANTS_PER_TARGET documents each)."""
    simplified = [i for i in range(1, n + 1) if i not in traditional]
    pools = {"any": list(range(1, n + 1)), "simplified": simplified, "traditional": sorted(traditional)}
    plants: dict[int, list[str]] = {}
    for _, phrase, _, where in TARGETS:
        for doc_id in rng.sample(pools[where], PLANTS_PER_TARGET):
            plants.setdefault(doc_id, []).append(phrase)
    return plants


def _document(rng: random.Random, doc_id: int, planted: list[str]) -> tuple[dict, str]:
    """One index document (Simplified) and its source text for relevance checks."""
    pages = rng.randint(1, 5)
    sentences = []
    while sum(map(len, sentences)) < pages * PAGE_CHARS:
        sentences.append("".join(rng.choice(FILLER) for _ in range(rng.randint(6, 14))) + rng.choice(ENDINGS))
    for phrase in planted:
        sentences.insert(rng.randrange(len(sentences) + 1), f"本次{phrase}已完成{rng.choice(ENDINGS)}")
    title = rng.choice(TITLE_TOPICS) + rng.choice(TITLE_KINDS)
    content = "".join(sentences)
    project, project_name = rng.choice(PROJECTS)
    day = date(2023, 1, 1) + timedelta(days=rng.randrange(700))
    doc = {
        "id": doc_id,
        "title": title,
        "content": content,
        "original_name": f"scan_{doc_id:06d}.pdf",
        "project": project,
        "project_name": project_name,
        "item_code": f"C{rng.randint(1, 16)}",
        "item_title": title,
        "group": "",
        "person": rng.choice(PEOPLE),
        "role": "资料员",
        "mime_type": rng.choice(MIMES),
        "document_date": day.isoformat(),
        "filed_at": datetime.combine(day, datetime.min.time()).isoformat(),
        "pages": pages,
        "vault_path": f"{project}/{doc_id:06d}.pdf",
    }
    return doc, title + "\n" + content


def read_corpus(path: Path):
    """Stream the corpus back, with dates as date/datetime objects."""
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            doc = json.loads(line)
            doc["document_date"] = date.fromisoformat(doc["document_date"])
            doc["filed_at"] = datetime.fromisoformat(doc["filed_at"])
            yield doc


# ----------------------------------------------------------------------------- engines (build)


def build(engine: str, corpus: Path, target: Path) -> None:
    """Index the corpus with one engine (run in a child process) and print its peak memory.

    The peak is VmHWM from /proc: ru_maxrss would include the parent's size at spawn time.
    """
    {"dangan": _build_dangan, "dangan-base": _build_dangan, "jieba": _build_jieba, "fts5": _build_fts5}[engine](
        corpus, target
    )
    status = Path("/proc/self/status").read_text()
    hwm_kib = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
    print(json.dumps({"peak_mb": hwm_kib / 1024}))


def _build_dangan(corpus: Path, target: Path) -> None:
    from dangan.indexer.index import SearchIndex

    with SearchIndex(target) as index:
        index.rebuild(read_corpus(corpus))  # dangan's own segment size (SEGMENT_DOCS)


def _jieba_schema():
    from jieba.analyse import ChineseAnalyzer
    from whoosh.fields import ID, TEXT, Schema

    analyzer = ChineseAnalyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=analyzer, stored=True),
        content=TEXT(analyzer=analyzer, stored=True),
    )


def _build_jieba(corpus: Path, target: Path) -> None:
    import itertools

    from whoosh import index as whoosh_index

    target.mkdir(parents=True)
    ix = whoosh_index.create_in(str(target), _jieba_schema())
    docs = read_corpus(corpus)
    # One commit per BATCH documents, as a user's loop over a large corpus would.
    while batch := list(itertools.islice(docs, BATCH)):
        writer = ix.writer(limitmb=128, procs=1)
        for d in batch:
            writer.add_document(id=str(d["id"]), title=d["title"], content=d["content"])
        writer.commit()


def _build_fts5(corpus: Path, target: Path) -> None:
    import itertools

    target.mkdir(parents=True)
    conn = sqlite3.connect(target / "fts.db")
    conn.execute("CREATE VIRTUAL TABLE docs USING fts5(title, content, tokenize='trigram')")
    docs = read_corpus(corpus)
    while batch := list(itertools.islice(docs, BATCH)):
        with conn:
            conn.executemany(
                "INSERT INTO docs(rowid, title, content) VALUES (?, ?, ?)",
                [(d["id"], d["title"], d["content"]) for d in batch],
            )
    conn.close()


# ----------------------------------------------------------------------------- engines (query)


class Dangan:
    def __init__(self, target: Path):
        from dangan.indexer.index import SearchIndex

        self.index = SearchIndex(target)

    def search(self, query: str) -> list[int]:
        return [h.id for h in self.index.search(query, limit=10)]


class JiebaWhoosh:
    def __init__(self, target: Path):
        from whoosh import index as whoosh_index
        from whoosh.qparser import AndGroup, MultifieldParser

        self.ix = whoosh_index.open_dir(str(target))
        self.parser = MultifieldParser(["title", "content"], self.ix.schema, group=AndGroup)

    def search(self, query: str) -> list[int]:
        with self.ix.searcher() as searcher:
            return [int(hit["id"]) for hit in searcher.search(self.parser.parse(query), limit=10)]


class Fts5:
    def __init__(self, target: Path):
        self.conn = sqlite3.connect(target / "fts.db")

    def search(self, query: str) -> list[int]:
        """Words of 3+ characters through the trigram index (bm25); shorter ones by scan."""
        words = query.split()
        long_words = [w for w in words if len(w) >= 3]
        short = [w for w in words if len(w) < 3]
        where, args = [], []
        if long_words:
            where.append("docs MATCH ?")
            args.append(" AND ".join('"' + w.replace('"', '""') + '"' for w in long_words))
        for w in short:
            where.append("(instr(title, ?) > 0 OR instr(content, ?) > 0)")
            args += [w, w]
        order = "bm25(docs)" if long_words else "rowid"
        sql = f"SELECT rowid FROM docs WHERE {' AND '.join(where)} ORDER BY {order} LIMIT 10"
        return [r[0] for r in self.conn.execute(sql, args)]


OPENERS = {"dangan": Dangan, "dangan-base": Dangan, "jieba": JiebaWhoosh, "fts5": Fts5}


# ----------------------------------------------------------------------------- measuring


@dataclass
class Result:
    engine: str
    docs_per_s: float = 0.0
    build_s: float = 0.0
    cpu_s: float = 0.0  # the build process's user+system CPU: steadier than wall time on a shared box
    size_mb: float = 0.0
    peak_mb: float = 0.0
    median_ms: float = 0.0
    p95_ms: float = 0.0
    cpu_median_ms: float = 0.0
    cpu_p95_ms: float = 0.0  # CPU time of the query: on a shared box steadier than wall time
    recall: dict[str, float] = field(default_factory=dict)
    precision: dict[str, float] = field(default_factory=dict)


def measure_build(engine: str, corpus: Path, target: Path, n: int, code: list[str] = ()) -> Result:
    """Build in a child process; time it (interpreter start included) and read its peak memory."""
    cmd = [sys.executable, __file__, "--build", engine, "--corpus", str(corpus), "--target", str(target), *code]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"building the {engine} index failed (exit {proc.returncode})")
    peak = json.loads(proc.stdout.strip().splitlines()[-1])["peak_mb"]
    size = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
    return Result(engine, docs_per_s=n / elapsed, build_s=elapsed, cpu_s=cpu, size_mb=size / 2**20, peak_mb=peak)


def measure_queries(result: Result, engine, relevant: dict[str, set[int]], fallback: bool = False) -> None:
    """Latency over the query mix, then recall@10 and precision@10 per category."""
    mix = list(FALLBACK_QUERIES) if fallback else [q for _, _, q, _ in TARGETS] + list(COMMON_QUERIES)
    for q in mix:  # warm caches once so every engine is measured warm
        engine.search(q)
    times, cpu_times = [], []
    for _ in range(LATENCY_REPEATS):
        for q in mix:
            start, cpu_start = time.perf_counter(), time.process_time()
            engine.search(q)
            times.append((time.perf_counter() - start) * 1000)
            cpu_times.append((time.process_time() - cpu_start) * 1000)
    result.median_ms = statistics.median(times)
    result.cpu_median_ms = statistics.median(cpu_times)
    result.p95_ms = statistics.quantiles(times, n=20)[-1]
    result.cpu_p95_ms = statistics.quantiles(cpu_times, n=20)[-1]
    if fallback:
        return
    for category in CATEGORIES:
        recalls, precisions = [], []
        for cat, _, q, _ in TARGETS:
            if cat != category:
                continue
            got = engine.search(q)
            hits = len(set(got) & relevant[q])
            recalls.append(hits / min(10, len(relevant[q])))
            precisions.append(hits / len(got) if got else 0.0)
        result.recall[category] = statistics.mean(recalls)
        result.precision[category] = statistics.mean(precisions)


def print_tables(results: list[Result], n: int) -> None:
    print(f"\n{n:,} documents; latency over {len(TARGETS) + len(COMMON_QUERIES)} queries × {LATENCY_REPEATS}")
    print(machine() + "\n")
    head = (
        f"{'engine':<8} {'docs/s':>8} {'build s':>8} {'cpu s':>7} {'index MB':>9} {'peak MB':>8} {'q median ms':>12} "
        f"{'q p95 ms':>9} {'q cpu ms':>9} {'cpu p95':>8}"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        print(
            f"{r.engine:<8} {r.docs_per_s:>8.1f} {r.build_s:>8.1f} {r.cpu_s:>7.1f} {r.size_mb:>9.1f} {r.peak_mb:>8.0f} "
            f"{r.median_ms:>12.1f} {r.p95_ms:>9.1f} {r.cpu_median_ms:>9.1f} {r.cpu_p95_ms:>8.1f}"
        )
    print()
    head = f"{'recall@10 (precision@10)':<26}" + "".join(f"{r.engine:>14}" for r in results)
    print(head)
    print("-" * len(head))
    for category in CATEGORIES:
        cells = "".join(f"{r.recall[category]:>7.2f} ({r.precision[category]:.2f})" for r in results)
        print(f"{category:<26}{cells}")
    overall = "".join(
        f"{statistics.mean(r.recall.values()):>7.2f} ({statistics.mean(r.precision.values()):.2f})" for r in results
    )
    print(f"{'all judged queries':<26}{overall}")


def machine() -> str:
    """The CPUs, Python and how busy the box is (load average; free cores = CPUs − load)."""
    load = os.getloadavg()[0]
    cpus = os.cpu_count() or 1
    return (
        f"machine: {cpus} CPU(s) {platform.machine()}, Python {platform.python_version()}, "
        f"load {load:.1f}, free cores ≈ {max(0.0, cpus - load):.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="number of documents (default 10,000)")
    parser.add_argument("--seed", type=int, default=20240501)
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated subset of " + ",".join(ENGINES))
    parser.add_argument("--workdir", type=Path, help="keep the corpus and indexes here instead of a temp folder")
    parser.add_argument("--baseline", type=Path, help="a checkout of older dangan code to measure as dangan-base")
    parser.add_argument("--judged", action="store_true", help="run the judged queries (bench/judged.py) instead")
    parser.add_argument("--code", help=argparse.SUPPRESS)
    parser.add_argument("--query-child", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--relevant", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--mix", choices=("standard", "fallback"), default="standard", help=argparse.SUPPRESS)
    parser.add_argument("--build", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--target", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:  # child process: build one index
        build(args.build, args.corpus, args.target)
        return
    if args.query_child:  # child process: measure one engine's queries, print the Result as JSON
        relevant = {q: set(ids) for q, ids in json.loads(args.relevant.read_text(encoding="utf-8")).items()}
        result = Result(args.query_child)
        measure_queries(result, OPENERS[args.query_child](args.target), relevant, args.mix == "fallback")
        print(json.dumps(result.__dict__))
        return
    if args.judged:
        import judged

        judged.main(args.baseline)
        return
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if args.baseline and "dangan-base" not in engines:
        engines.append("dangan-base")
    if "dangan-base" in engines and not args.baseline:
        parser.error("dangan-base needs --baseline DIR")
    unknown = set(engines) - set(ENGINES)
    if unknown:
        parser.error(f"unknown engine(s): {', '.join(sorted(unknown))}")
    _check_trigram()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="dangan-bench-search-"))
    try:
        run(args.n, args.seed, engines, work, args.baseline)
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)


def run(n: int, seed: int, engines: list[str], work: Path, baseline: Path | None = None) -> None:
    work.mkdir(parents=True, exist_ok=True)
    print(machine(), flush=True)
    corpus = work / "corpus.jsonl"
    start = time.perf_counter()
    relevant = generate(n, seed, corpus)
    print(
        f"generated {n:,} documents ({corpus.stat().st_size / 2**20:.0f} MiB of JSON) in {time.perf_counter() - start:.0f} s",
        flush=True,
    )
    sizes = sorted(len(v) for v in relevant.values())
    print(f"judged queries: {len(relevant)}, relevant documents per query: {sizes[0]}–{sizes[-1]}", flush=True)
    results = []
    relevant_file = work / "relevant.json"
    relevant_file.write_text(json.dumps({q: sorted(ids) for q, ids in relevant.items()}), encoding="utf-8")
    for name in engines:
        target = work / name
        shutil.rmtree(target, ignore_errors=True)
        code = ["--code", str(baseline)] if name == "dangan-base" else []
        result = measure_build(name, corpus, target, n, code)
        print(f"{name}: indexed in {result.build_s:.0f} s", flush=True)
        if baseline and name.startswith("dangan"):
            _query_in_child(result, name, target, relevant_file, code)
        else:
            measure_queries(result, OPENERS[name](target), relevant)
        results.append(result)
    print_tables(results, n)


def _query_in_child(result: Result, name: str, target: Path, relevant: Path, code: list[str]) -> None:
    """Measure an engine's queries in a child process that imports only its own code."""
    cmd = [sys.executable, __file__, "--query-child", name, "--target", str(target), "--relevant", str(relevant), *code]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True)
    measured = json.loads(proc.stdout.strip().splitlines()[-1])
    for key in ("median_ms", "p95_ms", "cpu_median_ms", "cpu_p95_ms", "recall", "precision"):
        setattr(result, key, measured[key])


def _check_trigram() -> None:
    """FTS5's trigram tokenizer needs SQLite 3.34+; say so plainly if it is missing."""
    try:
        sqlite3.connect(":memory:").execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='trigram')")
    except sqlite3.OperationalError as e:
        raise SystemExit(
            f"SQLite {sqlite3.sqlite_version} has no FTS5 trigram tokenizer ({e}); need 3.34 or later"
        ) from e


if __name__ == "__main__":
    main()
