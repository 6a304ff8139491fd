"""Tests of dangan.indexer.phrase: ``Adjacent`` matches and scores exactly what Whoosh's ``Phrase`` does."""

from __future__ import annotations

import random

import pytest
from whoosh.filedb.filestore import FileStorage
from whoosh.query import Or, Phrase

from dangan.indexer.analysis import tokens
from dangan.indexer.phrase import Adjacent
from dangan.indexer.schema import doc_fields, schema
from dangan.indexer.writer import PackedWriter

CHARS = "工程施监验楼"


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    """400 documents of a few characters in random runs, so phrases repeat and overlap."""
    rng = random.Random(3)
    ix = FileStorage(str(tmp_path_factory.mktemp("ix"))).create_index(schema())
    writer = PackedWriter(ix)
    for i in range(1, 401):
        runs = ["".join(rng.choice(CHARS) for _ in range(rng.randint(1, 12))) for _ in range(rng.randint(1, 30))]
        writer.add_document(**doc_fields({"id": i, "title": runs[0], "content": "，".join(runs[1:])}))
    writer.commit()
    with ix.searcher() as s:
        yield s


def results(searcher, query) -> list[tuple[int, float]]:
    return [(hit.docnum, round(hit.score, 6)) for hit in searcher.search(query, limit=None)]


@pytest.mark.parametrize("seed", range(40))
def test_adjacent_finds_and_scores_exactly_what_whooshs_phrase_does(searcher, seed):
    rng = random.Random(seed)
    word = "".join(rng.choice(CHARS) for _ in range(rng.randint(3, 6)))  # 2–5 bigrams, repeats likely
    bigrams = [t.text for t in tokens(word)]
    ours = Or([Adjacent(f, bigrams) for f in ("title", "content")])
    whooshs = Or([Phrase(f, bigrams) for f in ("title", "content")])
    expected = results(searcher, whooshs)
    assert results(searcher, ours) == expected
    if len(bigrams) <= 3:
        assert expected, f"{word} should occur in the random corpus, or the comparison proves little"


def test_a_repeated_term_must_really_repeat(searcher):
    # 工工工 is the phrase 工工 工工: one 工工 alone must not match it.
    expected = results(searcher, Phrase("content", ["工工", "工工"]))
    assert expected and len(expected) < len(results(searcher, Adjacent("content", ["工工"])))
    assert results(searcher, Adjacent("content", ["工工", "工工"])) == expected


def test_a_term_missing_from_the_index_matches_nothing(searcher):
    assert results(searcher, Adjacent("content", ["施工", "不在"])) == []
