"""A fresh judged search set: recall@10 and nDCG@10 per kind and part, for each engine.

The documents (bench/fresh_docs.py) and the queries below were written by someone who did
not read the search code's thesaurus, the old judged set (bench/judged.py's queries,
bench/judged_docs.py) or bench/search.py's targets: papers of invented companies outside
the team (a road and bridge contractor, an HVAC/elevator after-sales firm, a water works, a
Taipei builder, a Hong Kong maintenance contractor, a supervision company, design institutes,
OCR scans, an archive list), with hard negatives beside their answers.  Grades: 2 what the
query is for, 1 partly relevant, unlisted 0.  Queries alternate between a tune part and a
held-out part within each kind (bench/judged.py's split); ``--misses`` lists the tune part's
misses only, so the held-out part stays unseen while tuning.

    python bench/fresh.py --engines whoosh,tantivy            # both engines, same run
    python bench/fresh.py --engines tantivy --misses          # and what the tune misses got

Each engine builds its own index of the documents in a child process.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fresh_docs import DOCS  # noqa: E402  (beside this file)
from judged import index_doc, ndcg, recall, split  # noqa: E402  (the old set's scoring, reused)

KINDS = ("compound", "code", "synonym", "traditional", "ocr", "name", "plain", "negative")
# (kind, query, {document id: grade})
QUERIES: list[tuple[str, str, dict[int, int]]] = [
    # compound: a form's name and a place, part or subject typed in one run
    ("compound", "隐蔽验收记录3号楼", {501: 2}),
    ("compound", "电梯维保记录金桥花园", {201: 2}),
    ("compound", "停水通知滨江路", {301: 2}),
    ("compound", "监理通知单钢筋保护层", {503: 2, 505: 1}),
    ("compound", "派工单万科城空调", {204: 2}),
    ("compound", "压实度检测K8", {101: 2, 114: 1}),
    ("compound", "桩基检测报告2号桥", {103: 2, 104: 1}),
    ("compound", "投诉记录噪音", {206: 2, 226: 1, 411: 1}),
    ("compound", "水质检测报告出厂水", {303: 2, 304: 1}),
    ("compound", "旁站记录箱梁浇筑", {506: 2, 105: 1, 509: 1}),
    ("compound", "设计变更雨水管", {601: 2, 603: 1}),
    ("compound", "回访记录王女士", {208: 2}),
    # code: typed by a part, lowercase, without or with other separators
    ("code", "ac13c", {106: 2, 509: 1, 710: 1}),
    ("code", "hrb400e", {108: 2}),
    ("code", "gb50204", {507: 2}),
    ("code", "路施12a", {603: 2, 601: 1}),
    ("code", "pg 2025-0318", {210: 2}),
    ("code", "30xa", {212: 2}),
    ("code", "tsg t7001", {214: 2}),
    ("code", "q355b", {110: 2}),
    ("code", "k12+300", {112: 2, 139: 1}),
    ("code", "SR-25031807", {216: 2}),
    ("code", "dn 300", {301: 2}),
    ("code", "GC-0012", {801: 2}),
    ("code", "jtg f80", {114: 2}),
    ("code", "gmv h400", {217: 2}),
    # synonym: the trade's word for what the document writes formally, and the reverse
    ("synonym", "水泥稳定碎石基层", {116: 2, 134: 2, 710: 1}),
    ("synonym", "冷媒泄漏", {218: 2}),
    ("synonym", "加氟", {219: 2, 218: 1, 231: 1}),
    ("synonym", "风盘", {220: 2}),
    ("synonym", "电梯关人", {221: 2, 215: 1, 225: 1}),
    ("synonym", "二供", {306: 2}),
    ("synonym", "爆管", {307: 2}),
    ("synonym", "三级钢", {108: 2, 109: 2, 703: 2}),
    ("synonym", "资料员", {803: 2}),
    ("synonym", "项目总工", {804: 2, 125: 1, 803: 1}),
    ("synonym", "客诉", {206: 2, 207: 2, 225: 1, 226: 1, 411: 1}),
    ("synonym", "质保卡", {222: 2}),
    ("synonym", "放线", {118: 2}),
    ("synonym", "空开跳闸", {223: 2}),
    ("synonym", "窨井盖", {308: 2}),
    ("synonym", "漏电保护器", {141: 2}),
    # traditional: Traditional query on Simplified text and the reverse, regional words too
    ("traditional", "竣工驗收報告", {119: 2}),
    ("traditional", "电梯保养 太古城", {401: 2}),
    ("traditional", "空调 信义区", {402: 2}),
    ("traditional", "脚手架", {120: 2, 403: 2, 411: 1}),
    ("traditional", "預拌混凝土 坍落度", {404: 2, 121: 2}),
    ("traditional", "施工日誌", {105: 2, 122: 2, 134: 2, 405: 2}),
    ("traditional", "停水 沙田", {406: 2}),
    ("traditional", "项目经理 林志豪", {407: 2, 405: 1}),
    ("traditional", "质量管理 桃园", {408: 2, 404: 1}),
    ("traditional", "監理日誌", {509: 2}),
    ("traditional", "箱涵 滲水", {123: 2, 132: 1}),
    ("traditional", "屋宇署 检验", {409: 2}),
    ("traditional", "電梯困人", {221: 2, 215: 1, 225: 1}),
    # ocr: typed clean, written noisy (spaces, broken lines, 0/O and 1/l, full-width)
    ("ocr", "灌砂法", {701: 2}),
    ("ocr", "接地电阻", {702: 2}),
    ("ocr", "HRB400 复试", {703: 2}),
    ("ocr", "C30 同条件养护", {704: 2}),
    ("ocr", "1号机组", {705: 2}),
    ("ocr", "消火栓", {706: 2}),
    ("ocr", "曳引机钢丝绳更换", {707: 2}),
    ("ocr", "DN200 阀门", {708: 2}),
    ("ocr", "图纸会审 综合楼", {709: 2}),
    ("ocr", "设计交底", {710: 2}),
    ("ocr", "pg-2025-0412", {711: 2}),
    ("ocr", "钻孔灌注桩 终孔", {712: 2, 104: 1}),
    # name: people with and without a title, companies by their short name
    ("name", "张工", {510: 2, 501: 1, 502: 1}),
    ("name", "周总", {225: 2}),
    ("name", "陈志明", {410: 2}),
    ("name", "李经理", {125: 2, 803: 1}),
    ("name", "迅达电梯", {227: 2}),
    ("name", "中建三局", {126: 2}),
    ("name", "华正监理", {511: 2, 505: 1, 510: 1}),
    ("name", "王建国", {127: 2}),
    ("name", "赵敏", {803: 2}),
    ("name", "刘师傅", {228: 2, 204: 1, 210: 1, 218: 1}),
    ("name", "监理员黄河", {512: 2, 506: 1, 509: 1}),
    ("name", "梁国华", {411: 2}),
    # plain: one or two ordinary words
    ("plain", "伸缩缝", {129: 2}),
    ("plain", "沉降观测", {130: 2}),
    ("plain", "余氯", {303: 2, 304: 2, 306: 1}),
    ("plain", "噪音", {206: 2, 226: 1, 411: 1}),
    ("plain", "扬尘", {504: 2, 133: 1}),
    ("plain", "冷却塔", {229: 2}),
    ("plain", "支座", {131: 2}),
    ("plain", "水表", {310: 2}),
    ("plain", "回访", {208: 2, 209: 2, 226: 1}),
    ("plain", "钢丝绳", {707: 2}),
    ("plain", "井盖", {308: 2}),
    ("plain", "洗车槽", {133: 2, 504: 1}),
    # negative: the answer is one document; others hold the characters with another meaning
    ("negative", "工大", {607: 2}),  # not 施工大门 (133)
    ("negative", "水稳层施工", {134: 2, 116: 2, 710: 1}),  # not 水稳定性 (106)
    ("negative", "外机", {231: 2, 206: 2, 204: 1, 217: 1, 224: 1, 226: 1}),  # not 场外机械 (136)
    ("negative", "内机漏水", {232: 2, 220: 1}),  # not 厂内机动车辆…水箱漏水 (311)
    ("negative", "电工", {233: 2, 228: 1}),  # not 水电工程量清单 (137)
    ("negative", "桥架", {234: 2}),  # not 钢桥架设 (138)
    ("negative", "电梯年检", {235: 2, 214: 2}),  # not the repair vans' 年检 (312)
    ("negative", "管道试压", {313: 2}),  # not 试块试压 (139)
    ("negative", "三级教育", {140: 2}),  # not 三级配电 (141)
    ("negative", "竣工资料移交", {142: 2}),  # not 安装竣工日期…资料移交用户 (224)
    ("negative", "保护层厚度", {503: 2, 505: 2, 507: 1}),  # not the culvert's 防水保护层 (132)
    ("negative", "3号墩浇筑", {147: 2}),  # not 4号墩's record that mentions 3号墩 (148)
    ("negative", "万达扶梯异响", {239: 2}),  # not the 客梯 ticket that mentions 扶梯 (240)
]


def parts() -> list[tuple[str, str, str, dict[int, int]]]:
    """(part, kind, query, grades) for every query, alternating tune/held-out within a kind."""
    out, seen = [], {k: 0 for k in KINDS}
    for kind, query, grades in QUERIES:
        out.append((split(seen[kind]), kind, query, grades))
        seen[kind] += 1
    return out


def run_child(engine: str | None) -> dict[str, list[int]]:
    """Index DOCS with this checkout's code (and ``engine``) and answer every query (top 10 ids)."""
    from dangan.indexer.index import SearchIndex

    with tempfile.TemporaryDirectory() as tmp:
        with SearchIndex(Path(tmp) / "index", **({"engine": engine} if engine else {})) as ix:
            ix.add(index_doc(i, t, c) for i, (t, c) in DOCS.items())
            return {q: [h.id for h in ix.search_window(q, limit=10)[0]] for _, q, _ in QUERIES}


def answers(engine: str | None) -> dict[str, list[int]]:
    """The top 10 ids per query from a child process (one engine, a fresh index)."""
    cmd = [sys.executable, __file__, "--child"] + (["--engine", engine] if engine else [])
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def table(runs: dict[str, dict[str, list[int]]]) -> None:
    """recall@10 and nDCG@10 per kind for each part, one column pair per engine."""
    rows, names = parts(), list(runs)
    for part in ("tune", "held-out"):
        print(f"\n{part} part")
        head = f"{'kind':<14}{'n':>4}" + "".join(f"{'R@10 ' + n:>16}{'nDCG ' + n:>16}" for n in names)
        print(head + "\n" + "-" * len(head))
        groups = [(k, [r for r in rows if r[0] == part and r[1] == k]) for k in KINDS]
        groups.append(("all", [r for r in rows if r[0] == part]))
        for label, chosen in groups:
            cells = ""
            for n in names:
                r = sum(recall(runs[n][q], g) for _, _, q, g in chosen) / len(chosen)
                d = sum(ndcg(runs[n][q], g) for _, _, q, g in chosen) / len(chosen)
                cells += f"{r:>16.3f}{d:>16.3f}"
            print(f"{label:<14}{len(chosen):>4}{cells}")


def misses(name: str, got: dict[str, list[int]]) -> None:
    """Tune-part queries that miss a relevant document, with what came back (held-out never shown)."""
    print(f"\ntune misses ({name}):")
    for part, kind, query, grades in parts():
        if part == "tune" and recall(got[query], grades) < 1:
            lost = {d: g for d, g in grades.items() if d not in got[query]}
            top = "; ".join(f"{d} {DOCS[d][0]}" for d in got[query][:5]) or "nothing"
            print(f"  [{kind}] {query}  missed {lost}  got {got[query]}  top: {top}")


def check_grades() -> None:
    """Every graded id must be a document; every query must be unique (a typo would skew the figures)."""
    unknown = sorted({d for _, _, g in QUERIES for d in g} - set(DOCS))
    dupes = len(QUERIES) - len({q for _, q, _ in QUERIES})
    if unknown or dupes:
        raise SystemExit(f"fresh.py: graded ids not in fresh_docs.py: {unknown}; duplicate queries: {dupes}")


def main(engines: list[str] | None, show_misses: bool) -> None:
    check_grades()
    tune = sum(1 for p in parts() if p[0] == "tune")
    print(f"{len(DOCS)} documents, {len(QUERIES)} judged queries ({tune} tune, {len(QUERIES) - tune} held-out)")
    runs = {e: answers(e) for e in engines} if engines else {"now": answers(None)}
    table(runs)
    if show_misses:
        for name, got in runs.items():
            misses(name, got)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engines", help="comma-separated search engines to compare (whoosh,tantivy)")
    parser.add_argument("--misses", action="store_true", help="list tune-part queries that miss a relevant document")
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_child(args.engine), ensure_ascii=False))
    else:
        main([e for e in (args.engines or "").split(",") if e] or None, args.misses)
