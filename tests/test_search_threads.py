"""Many threads searching one index while another process-like writer commits: the library's
contract is one ``SearchIndex`` per thread (a Whoosh searcher is not shared), and with that
every answer is the single-threaded answer, with no error."""

from __future__ import annotations

import threading

import pytest

from dangan.indexer.index import SearchIndex
from tests.test_index import doc

pytestmark = pytest.mark.usefixtures("engine")  # both search engines (issue 24)

THREADS = 10
QUERIES_PER_THREAD = 200
# Plain words, compounds answered by the fallback levels, codes, synonyms, Traditional, OR,
# exclusions, one character: every path a search takes.
QUERIES = (
    "竣工", "竣工验收", "塔吊租赁", "结构竣工图纸", "HRB400", "GB 50300-2013", "砼", "钢材", "竣工報告",
    "隐蔽 OR 隐检", "验收 -草稿", "楼", "监理通知", "加气块",
)  # fmt: skip
TOPICS = (
    "竣工验收报告已提交监理", "塔吊进场，设备租赁费按月结算", "主体结构竣工图共十二张", "HRB400E钢筋复试合格",
    "依据GB50300-2013验收", "砼试块抗压强度合格", "钢筋进场验收", "隐检记录已签字", "施工日志草稿",
    "三号楼地面找平", "监理单位发出通知要求整改", "加气混凝土砌块进场", "竣工報告已歸檔",
)  # fmt: skip


FILLER = "今日天气晴，气温二十度，工人正常出勤，场内道路已洒水。"


def corpus(n: int) -> list[dict]:
    """Every topic twice, in two mixes, then filler: each query matches a few documents."""
    topics = [doc(i + 1, TOPICS[i][:4], TOPICS[i] + "。" + FILLER) for i in range(len(TOPICS))]
    mixes = [
        doc(len(TOPICS) + i + 1, "", "。".join((TOPICS[i], TOPICS[(i + 5) % len(TOPICS)]))) for i in range(len(TOPICS))
    ]
    start = 2 * len(TOPICS) + 1
    return topics + mixes + [doc(i, "", FILLER) for i in range(start, n + 1)]


def answer(index: SearchIndex, query: str) -> tuple[set[int], int]:
    """The ids that match (every one: the limit is above the corpus size) and the count."""
    hits, total = index.search_window(query, limit=100)
    return {h.id for h in hits}, total


def test_ten_threads_each_with_its_own_index_get_the_single_threaded_answers_during_commits(tmp_path):
    path = tmp_path / "index"
    docs = corpus(120)
    commits_made: list[int] = []
    with SearchIndex(path) as ix:
        ix.add(docs)
    with SearchIndex(path) as ix:
        expected = {q: answer(ix, q) for q in QUERIES}
    assert all(total for _, total in expected.values())  # every query finds something

    errors: list[str] = []
    wrong: list[str] = []
    done = threading.Event()

    def searcher(n: int) -> None:
        with SearchIndex(path) as ix:
            k = 0
            # At least QUERIES_PER_THREAD, and on until the writer has committed a dozen times
            # (tantivy answers 200 queries before Whoosh's writer commits a few).
            while k < QUERIES_PER_THREAD or len(commits_made) <= 12:
                k += 1
                query = QUERIES[(n + k) % len(QUERIES)]
                try:
                    got = answer(ix, query)
                except Exception as e:  # noqa: BLE001 — the test counts every kind of failure
                    errors.append(f"{query}: {type(e).__name__}: {e}")
                    continue
                if got != expected[query]:
                    wrong.append(query)

    def writer() -> None:
        # Commits that replace documents with the same text (so every answer stays the same)
        # until the searchers finish: each commit writes a segment and deletes old copies.
        with SearchIndex(path) as ix:
            k = 0
            while not done.wait(0.02):
                ix.add(docs[k % len(docs) : k % len(docs) + 5])
                k += 5
                commits_made.append(k)

    threads = [threading.Thread(target=searcher, args=(n,)) for n in range(THREADS)]
    commits = threading.Thread(target=writer)
    commits.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.set()
    commits.join()
    assert errors == []
    assert wrong == []
    assert len(commits_made) > 10  # the writer did commit while the searches ran
