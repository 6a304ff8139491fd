"""Judged search queries: recall@10 and nDCG@10 per kind, tune and held-out parts, before/after.

The documents are in bench/judged_docs.py (written fresh for this bench); the queries are
here, each with its kind and graded documents (2: what the query is for, 1: partly relevant,
unlisted: 0).  Queries alternate between the tune part (used while building the query
reading) and the held-out part (looked at only to report), within each kind.

    python bench/judged.py                                # this checkout
    python bench/judged.py --baseline /tmp/dangan-before  # and an older checkout, same run
    python bench/judged.py --engines whoosh,tantivy       # each search engine of this checkout
    python bench/search.py --judged --baseline /tmp/dangan-before

Each checkout builds its own index in a child process that imports only its own code.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path

_CODE = sys.argv[sys.argv.index("--code") + 1] if "--code" in sys.argv else str(Path(__file__).resolve().parent.parent)
sys.path.insert(0, _CODE)

from judged_docs import DOCS  # noqa: E402  (beside this file)

KINDS = ("compound", "code", "synonym", "traditional", "ocr", "name", "plain")
# (kind, query, {document id: grade})
QUERIES: list[tuple[str, str, dict[int, int]]] = [
    ("compound", "塔吊租赁", {1: 2}),
    ("compound", "监理通知回复", {4: 2}),
    ("compound", "中秋放假", {5: 2}),
    ("compound", "结构竣工图", {7: 2}),
    ("compound", "钢筋隐蔽验收", {8: 2, 67: 2}),
    ("compound", "外墙渗漏维修", {9: 2}),
    ("compound", "空调故障报修", {10: 2}),
    ("compound", "电梯年检报告", {11: 2}),
    ("compound", "消防验收意见", {12: 2, 85: 2}),
    ("compound", "混凝土浇筑记录", {13: 2, 64: 1}),
    ("compound", "塔吊基础验收", {2: 2}),
    ("compound", "项目经理变更", {14: 2}),
    ("compound", "业主投诉处理", {15: 2}),
    ("compound", "防水卷材复试", {16: 2}),
    ("compound", "基坑支护方案", {17: 2}),
    ("compound", "回访满意度", {18: 2, 61: 1}),
    ("compound", "冬季施工措施", {19: 2}),
    ("compound", "安全技术交底", {20: 2}),
    ("compound", "砂浆配合比", {35: 2}),
    ("code", "HRB400", {21: 2, 22: 2, 8: 1, 81: 2}),
    ("code", "HRB400E", {21: 2, 8: 1, 81: 2}),
    ("code", "C30", {13: 2, 24: 2, 82: 2}),
    ("code", "C35", {25: 2}),
    ("code", "C30P6", {24: 2}),
    ("code", "建施-03", {26: 2}),
    ("code", "结施-03", {27: 2}),
    ("code", "GB 50300-2013", {28: 2, 29: 2, 79: 2}),
    ("code", "GB50204", {30: 2}),
    ("code", "DN100", {31: 2}),
    ("code", "SO-2023-0456", {33: 2}),
    ("code", "GD20240315", {9: 2, 34: 2}),
    ("code", "KFR-35GW", {10: 2}),
    ("code", "M10砂浆", {35: 2}),
    ("code", "3#楼", {37: 2}),
    ("code", "A2-05", {38: 2}),
    ("code", "Q235", {39: 2}),
    ("code", "50300", {28: 2, 29: 2, 79: 2}),
    ("code", "DT-2024-118", {11: 2}),
    ("code", "A3.5", {44: 2}),
    ("synonym", "砼强度评定", {40: 2}),
    ("synonym", "商砼供货", {41: 2}),
    ("synonym", "钢材复试报告", {21: 2}),
    ("synonym", "完工验收", {42: 2, 57: 2, 66: 2}),
    ("synonym", "质保书", {43: 2, 81: 2, 22: 1}),
    ("synonym", "加气块", {44: 2}),
    ("synonym", "塔式起重机", {1: 2, 2: 2, 75: 1}),
    ("synonym", "隐检记录", {8: 2, 67: 2}),
    ("synonym", "挖机进场", {45: 2}),
    ("synonym", "罐车", {46: 2}),
    ("synonym", "施工升降机", {47: 2, 5: 1}),
    ("synonym", "客诉处理", {15: 2}),
    ("synonym", "三包期", {48: 2, 34: 1}),
    ("synonym", "甲方要求", {49: 2}),
    ("synonym", "总监要求", {50: 2}),
    ("synonym", "质检员检查", {51: 2}),
    ("synonym", "施组审批", {53: 2}),
    ("synonym", "闭水试验", {54: 2, 59: 1}),
    ("synonym", "完工报告", {55: 2, 42: 1}),
    ("synonym", "振捣棒", {56: 2}),
    ("traditional", "竣工驗收", {42: 2, 57: 2, 66: 2}),
    ("traditional", "鋼筋綁紮", {8: 2, 58: 2, 67: 1}),
    ("traditional", "防水工程", {59: 2}),
    ("traditional", "維修派工單", {9: 2, 34: 2, 60: 2}),
    ("traditional", "顧客滿意度", {61: 2, 18: 1}),
    ("traditional", "施工日誌", {62: 2, 63: 2, 80: 2}),
    ("traditional", "混凝土澆置", {64: 2, 62: 2, 58: 1}),
    ("traditional", "營造", {57: 2}),
    ("traditional", "電梯保養", {65: 2, 11: 1}),
    ("traditional", "報修", {10: 2, 60: 2}),
    ("traditional", "屋面防水", {59: 2}),
    ("traditional", "施工紀錄", {59: 2}),
    ("traditional", "搭接長度", {58: 2}),
    ("traditional", "業主投訴", {15: 2}),
    ("traditional", "沉降觀測", {69: 2, 84: 2}),
    ("traditional", "圖紙會審", {38: 2, 70: 2, 7: 1}),
    ("traditional", "檢驗報告", {11: 2, 82: 2}),
    ("traditional", "鋼索", {65: 2}),
    ("ocr", "竣工验收报告", {66: 2, 42: 2}),
    ("ocr", "隐蔽工程验收记录", {67: 2, 8: 2}),
    ("ocr", "图纸会审纪要", {70: 2, 38: 2}),
    ("ocr", "GB50300", {79: 2, 28: 2, 29: 2}),
    ("ocr", "施工日志", {80: 2, 63: 2, 62: 2}),
    ("ocr", "质量证明书", {81: 2, 43: 2, 22: 1}),
    ("ocr", "混凝土试块抗压强度", {82: 2}),
    ("ocr", "开工报告", {83: 2, 71: 2}),
    ("ocr", "沉降观测", {84: 2, 69: 2}),
    ("ocr", "消防验收意见书", {85: 2, 12: 2}),
    ("ocr", "钢筋绑扎", {67: 2, 8: 2, 58: 2}),
    ("ocr", "ＨＲＢ４００Ｅ", {81: 2, 21: 2, 8: 1}),
    ("ocr", "分项工程质量合格", {79: 2, 28: 2}),
    ("ocr", "验收结论", {66: 2}),
    ("ocr", "滨江花园", {66: 2}),
    ("ocr", "拟开工日期", {83: 2}),
    ("ocr", "基础底板", {67: 2}),
    ("ocr", "观测点", {84: 2, 69: 2}),
    ("name", "郑海涛", {1: 2, 2: 2, 8: 2, 14: 2, 71: 2, 83: 2}),
    ("name", "欧阳晓琳", {21: 2, 18: 2}),
    ("name", "黄志明", {72: 2, 73: 2, 65: 2}),
    ("name", "黃志明", {72: 2, 73: 2, 65: 2}),
    ("name", "陈伟", {63: 2, 80: 2}),
    ("name", "周建国", {14: 2}),
    ("name", "王工", {56: 2, 77: 2}),
    ("name", "郑海涛 隐蔽", {8: 2}),
    ("name", "欧阳晓琳 回访", {18: 2}),
    ("name", "项目经理郑海涛", {2: 2, 71: 2, 83: 2, 14: 1}),
    ("name", "材料员黄志明", {73: 2}),
    ("name", "记录人陈伟", {63: 2, 80: 1}),
    ("name", "郑 海 涛", {1: 2, 2: 2, 8: 2, 14: 2, 71: 2, 83: 2}),
    ("name", "回访人", {18: 2}),
    ("name", "试验员", {21: 2}),
    ("name", "领用人王工", {56: 2, 77: 2}),
    ("name", "质量员郑海涛", {8: 2}),
    ("name", "周建国 郑海涛", {14: 2}),
    ("plain", "验槽", {68: 2}),
    ("plain", "沉降观测", {69: 2, 84: 2}),
    ("plain", "图纸会审", {38: 2, 70: 2, 7: 1}),
    ("plain", "开工报告", {71: 2, 83: 2}),
    ("plain", "停工", {74: 2}),
    ("plain", "罚款", {75: 2}),
    ("plain", "变速箱异响", {76: 2}),
    ("plain", "液压泵", {77: 2}),
    ("plain", "重点客户", {78: 2}),
    ("plain", "冷缝", {13: 2}),
    ("plain", "防坠安全器", {47: 2}),
    ("plain", "超声波探伤", {39: 2}),
    ("plain", "缺氟", {10: 2}),
    ("plain", "打胶封堵", {9: 2}),
    ("plain", "持力层", {68: 2}),
    ("plain", "防冻剂", {19: 2}),
    ("plain", "专家论证", {17: 2}),
    ("plain", "连墙件", {20: 2}),
    ("plain", "屋面详图", {27: 2}),
    ("plain", "门厅吊顶", {26: 2}),
]


def split(kind_index: int) -> str:
    """Alternate queries of one kind between the tune and the held-out part."""
    return "tune" if kind_index % 2 == 0 else "held-out"


def parts() -> list[tuple[str, str, str, dict[int, int]]]:
    """(part, kind, query, grades) for every query."""
    out, seen = [], {k: 0 for k in KINDS}
    for kind, query, grades in QUERIES:
        out.append((split(seen[kind]), kind, query, grades))
        seen[kind] += 1
    return out


def index_doc(doc_id: int, title: str, content: str) -> dict:
    return {
        "id": doc_id, "title": title, "content": content, "original_name": f"scan_{doc_id:04d}.pdf",
        "project": "J-01", "project_name": "", "item_code": "", "item_title": "", "group": "", "person": "",
        "role": "", "mime_type": "application/pdf", "document_date": None, "filed_at": None, "pages": 1,
        "vault_path": f"J-01/{doc_id:04d}.pdf",
    }  # fmt: skip


def run_child(engine: str | None = None) -> dict[str, list[int]]:
    """Build an index of DOCS with this process's code (and ``engine``, when this code has
    engines) and answer every query (top 10 ids)."""
    from dangan.indexer.index import SearchIndex

    with tempfile.TemporaryDirectory() as tmp:
        with SearchIndex(Path(tmp) / "index", **({"engine": engine} if engine else {})) as ix:
            ix.add(index_doc(i, t, c) for i, (t, c) in DOCS.items())
            return {q: [h.id for h in ix.search(q, limit=10)] for _, q, _ in QUERIES}


def ndcg(ranked: list[int], grades: dict[int, int]) -> float:
    gains = [2 ** grades.get(d, 0) - 1 for d in ranked[:10]]
    ideal = sorted((2**g - 1 for g in grades.values()), reverse=True)[:10]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    return dcg / sum(g / math.log2(i + 2) for i, g in enumerate(ideal))


def recall(ranked: list[int], grades: dict[int, int]) -> float:
    wanted = {d for d, g in grades.items() if g > 0}
    return len(wanted & set(ranked[:10])) / min(10, len(wanted))


def answers(code: Path | None, engine: str | None = None) -> dict[str, list[int]]:
    cmd = [sys.executable, __file__, "--child"] + (["--code", str(code)] if code else [])
    cmd += ["--engine", engine] if engine else []
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def table(runs: dict[str, dict[str, list[int]]]) -> None:
    """recall@10 and nDCG@10 per kind for each part, one column pair per checkout."""
    rows = parts()
    names = list(runs)
    for part in ("tune", "held-out"):
        print(f"\n{part} part")
        head = f"{'kind':<22}{'n':>4}" + "".join(f"{'R@10 ' + n:>18}{'nDCG ' + n:>18}" for n in names)
        print(head + "\n" + "-" * len(head))
        groups = [(k, [r for r in rows if r[0] == part and r[1] == k]) for k in KINDS]
        groups.append(("all but synonym", [r for r in rows if r[0] == part and r[1] != "synonym"]))
        groups.append(("all", [r for r in rows if r[0] == part]))
        for label, chosen in groups:
            cells = ""
            for n in names:
                r = sum(recall(runs[n][q], g) for _, _, q, g in chosen) / len(chosen)
                d = sum(ndcg(runs[n][q], g) for _, _, q, g in chosen) / len(chosen)
                cells += f"{r:>18.3f}{d:>18.3f}"
            print(f"{label:<22}{len(chosen):>4}{cells}")


def misses(answers_after: dict[str, list[int]]) -> None:
    """Queries of the tune part that miss a relevant document (for tuning; held-out not shown)."""
    for part, kind, query, grades in parts():
        if part == "tune" and recall(answers_after[query], grades) < 1:
            print(f"  tune miss [{kind}] {query}: got {answers_after[query]}, wanted {grades}")


def main(baseline: Path | None = None, show_misses: bool = False, engines: list[str] | None = None) -> None:
    print(f"{len(DOCS)} documents, {len(QUERIES)} judged queries "
          f"({sum(1 for p in parts() if p[0] == 'tune')} tune, {sum(1 for p in parts() if p[0] == 'held-out')} held-out)")  # fmt: skip
    runs = {}
    if baseline:
        runs["before"] = answers(baseline)
    if engines:
        for engine in engines:
            runs[engine] = answers(None, engine)
    else:
        runs["after" if baseline else "now"] = answers(None)
    table(runs)
    if show_misses:
        misses(runs[engines[-1] if engines else "after" if baseline else "now"])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", type=Path, help="an older checkout to measure in the same run")
    parser.add_argument("--misses", action="store_true", help="list tune-part queries that miss a relevant document")
    parser.add_argument("--engines", help="comma-separated search engines of this checkout to compare (whoosh,tantivy)")
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--code", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_child(args.engine), ensure_ascii=False))
    else:
        main(args.baseline, args.misses, [e for e in (args.engines or "").split(",") if e] or None)
