"""Issue 24 item 4: one contract for both search engines.

Whoosh and tantivy index bench/judged_docs.py (85 documents written for the judged bench:
six companies, Traditional text, OCR'd scans, codes) and answer every judged query of
bench/judged.py (133: compounds, codes, synonyms, Traditional, OCR, names, plain words).
For each query both must find the same documents, in all (not only the top 10), answer at the
same fallback level, and give every document the same snippet and highlights.  Only the
order may differ: the engines score differently (BM25F against BM25 per field).
"""

from __future__ import annotations

import importlib.util
import sys
from datetime import date, datetime
from pathlib import Path

import pytest

from dangan.indexer.filters import Filters
from dangan.indexer.index import SearchIndex

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _bench_module(name: str):
    """A module of bench/ (not a package: its scripts import each other by file name)."""
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


judged = _bench_module("judged")
QUERIES = [query for _kind, query, _grades in judged.QUERIES]
# Filters on top of some queries: the dates, people and file types below are spread over the
# documents by their id, so each filter keeps some documents and drops others.
FILTERED = [
    ("竣工", Filters(date_from=date(2024, 3, 1), date_to=date(2024, 6, 30))),
    ("验收", Filters(person="張偉")),
    ("混凝土", Filters(type="image")),
    ("验收", Filters(group="竣工验收", date_to=date(2024, 12, 31))),
    ("HRB400", Filters(type="pdf", date_from=date(2024, 2, 1))),
]


def _doc(doc_id: int, title: str, content: str) -> dict:
    doc = judged.index_doc(doc_id, title, content)
    doc["person"] = ("张伟", "李娜", "")[doc_id % 3]
    doc["group"] = "竣工验收" if doc_id % 4 == 0 else "施工记录"
    doc["mime_type"] = "image/jpeg" if doc_id % 5 == 0 else "application/pdf"
    doc["document_date"] = date(2024, 1 + doc_id % 12, 1 + doc_id % 28) if doc_id % 7 else None
    doc["filed_at"] = datetime(2024, 1 + (doc_id * 5) % 12, 2, 9, 30)
    return doc


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """The judged documents in a Whoosh index and a tantivy index (ingested in two commits)."""
    docs = [_doc(i, t, c) for i, (t, c) in judged.DOCS.items()]
    indexes = {}
    for engine in ("whoosh", "tantivy"):
        ix = SearchIndex(tmp_path_factory.mktemp(engine) / "index", engine=engine)
        ix.add(docs[:40])
        ix.add(docs[40:])
        assert ix.engine() == engine
        indexes[engine] = ix
    yield indexes
    for ix in indexes.values():
        ix.close()


def _answer(ix: SearchIndex, query: str, filters: Filters | None = None) -> tuple[int, str, dict]:
    """How many match, the level that answered and each hit's snippet with its highlights."""
    hits, total = ix.search_window(query, filters, limit=200)
    lines = ix.explain(query, filters)
    answered = next(line for line in lines if line.startswith(("answered by", "nothing matched")))
    return total, answered, {h.id: (h.snippet, h.highlights) for h in hits}


@pytest.mark.parametrize("query", QUERIES)
def test_both_engines_find_the_same_documents_with_the_same_snippets(both, query):
    whoosh = _answer(both["whoosh"], query)
    tantivy = _answer(both["tantivy"], query)
    assert tantivy[0] == whoosh[0], "the same number of matches"
    assert tantivy[1] == whoosh[1], "answered at the same fallback level"
    assert sorted(tantivy[2]) == sorted(whoosh[2]), "the same documents"
    assert tantivy[2] == whoosh[2], "the same snippets and highlights"


@pytest.mark.parametrize("query, filters", FILTERED)
def test_both_engines_filter_alike(both, query, filters):
    whoosh = _answer(both["whoosh"], query, filters)
    assert whoosh[0] > 0, "the filter keeps something (else the test proves little)"
    assert _answer(both["tantivy"], query, filters) == whoosh


def test_the_judged_queries_do_find_things(both):
    # A contract of two empty answers would prove nothing: most judged queries find documents.
    found = sum(1 for q in QUERIES if both["tantivy"].search_window(q, limit=1)[1])
    assert found >= 0.9 * len(QUERIES)


def test_deleting_and_replacing_a_document_changes_both_alike(tmp_path):
    docs = [_doc(i, t, c) for i, (t, c) in list(judged.DOCS.items())[:20]]
    answers = []
    for engine in ("whoosh", "tantivy"):
        with SearchIndex(tmp_path / engine, engine=engine) as ix:
            ix.add(docs)
            assert ix.delete([docs[0]["id"], docs[1]["id"], 999]) == 2
            ix.add([{**docs[2], "content": "塔吊租赁合同 改为 施工升降机"}])  # a refile rewrites it
            answers.append((ix.ids(), ix.count(), _answer(ix, "施工升降机"), _answer(ix, QUERIES[0])))
    assert answers[0] == answers[1]
    assert docs[0]["id"] not in answers[1][0]
