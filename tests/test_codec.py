"""Tests of dangan.indexer.codec and dangan.indexer.writer: the packed index answers exactly as Whoosh's own.

The same generated documents are indexed twice, once with Whoosh's stock writer and codec
and once with ``PackedWriter``; every query must return the same documents with the same
scores, whether postings were inlined, written in one block or many, or spilled to disk.
"""

from __future__ import annotations

import random
from datetime import date, datetime
from pathlib import Path

import pytest
from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.filestore import FileStorage
from whoosh.writing import NO_MERGE, OPTIMIZE

from dangan.indexer.codec import PackedCodec, pack_ints, unpack_ints
from dangan.indexer.errors import IndexDamagedError
from dangan.indexer.index import SearchIndex
from dangan.indexer.schema import doc_fields, schema
from dangan.indexer.whoosh_query import parse_query
from dangan.indexer.writer import GroupedPool, PackedWriter

WORDS = "工程 项目 施工 监理 验收 竣工 钢筋 混凝土 防水 屋面 档案 归档 图纸 变更 會議 紀要 楼 A栋 3#楼 C30".split()
QUERIES = ["施工", "竣工验收", "楼", "A栋", "会议纪要", "c30", "钢筋 OR 防水", "档案 -图纸", '"工程 项目"', "混凝土"]


def corpus(n: int, seed: int = 7) -> list[dict]:
    """``n`` documents of random archive words: common words (many postings, several
    blocks) and one rare word per document (one posting, inlined)."""
    rng = random.Random(seed)
    docs = []
    for i in range(1, n + 1):
        words = [rng.choice(WORDS) for _ in range(rng.randint(5, 60))] + [f"稀有{chr(0x4E00 + i)}"]
        docs.append({
            "id": i, "title": "".join(rng.sample(WORDS, 2)), "content": " ".join(words),
            "original_name": f"scan_{i}.pdf", "project": "BJ-2024-017", "person": rng.choice(["张伟", "李娜"]),
            "mime_type": "application/pdf", "document_date": date(2024, 1 + i % 12, 1),
            "filed_at": datetime(2024, 6, 1, 9), "pages": 1 + i % 5, "vault_path": f"v/{i}.pdf",
        })  # fmt: skip
    return docs


def build(path: Path, docs: list[dict], make_writer, batch: int = 150) -> object:
    """An index at ``path`` holding ``docs``, written in batches by ``make_writer(ix)``."""
    path.mkdir()
    ix = FileStorage(str(path)).create_index(schema())
    for start in range(0, len(docs), batch):
        writer = make_writer(ix)
        for d in docs[start : start + batch]:
            writer.add_document(**doc_fields(d))
        writer.commit(mergetype=NO_MERGE)
    return ix


def answers(ix) -> list[list[tuple[int, float]]]:
    """Every query's hits as (stored id, score rounded to 4 places), best first."""
    with ix.searcher() as searcher:
        out = []
        for text in QUERIES:
            query, _ = parse_query(text)
            out.append([(int(hit["id"]), round(hit.score, 4)) for hit in searcher.search(query, limit=None)])
        return out


def size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.iterdir() if p.is_file())


@pytest.fixture(scope="module")
def docs():
    return corpus(600)


@pytest.fixture(scope="module")
def stock(tmp_path_factory, docs):
    path = tmp_path_factory.mktemp("stock") / "ix"
    ix = build(path, docs, lambda ix: ix.writer(codec=W3Codec()))
    return path, answers(ix)


def test_packed_index_answers_exactly_as_whoosh_and_is_much_smaller(tmp_path, docs, stock):
    stock_path, stock_answers = stock
    ix = build(tmp_path / "ix", docs, lambda ix: PackedWriter(ix))
    assert all(stock_answers), "every query must find something, or the comparison proves little"
    assert answers(ix) == stock_answers
    assert size(tmp_path / "ix") < 0.75 * size(stock_path)


def test_a_pool_past_its_memory_limit_spills_to_disk_and_answers_the_same(tmp_path, docs, stock, monkeypatch):
    saved = []
    original = GroupedPool.save
    monkeypatch.setattr(GroupedPool, "save", lambda self: (saved.append(1), original(self)))
    writers = []

    def tiny(ix):
        writer = PackedWriter(ix)
        writer.pool.limit = 64 * 1024  # a few hundred postings per run
        writers.append(writer)
        return writer

    ix = build(tmp_path / "ix", docs, tiny)
    assert len(saved) > len(writers), "the small limit must have forced runs to disk"
    assert answers(ix) == stock[1]


def test_segments_of_the_old_codec_still_read_and_merge_into_packed_ones(tmp_path, docs, stock):
    ix = build(tmp_path / "ix", docs, lambda ix: ix.writer(codec=W3Codec()))
    assert answers(ix) == stock[1]
    PackedWriter(ix).commit(mergetype=OPTIMIZE)
    (segment,) = ix._segments()
    assert isinstance(segment.codec(), PackedCodec)
    # Merging re-reads Whoosh's byte-rounded field lengths, which moves scores a little;
    # Whoosh merging with its own codec must give the very same answers.
    merged = build(tmp_path / "stock", docs, lambda ix: ix.writer(codec=W3Codec()))
    merged.writer(codec=W3Codec()).commit(mergetype=OPTIMIZE)
    assert answers(ix) == answers(merged)


def test_fractional_weights_and_boosts_survive_the_packing(tmp_path, docs):
    boosted = [dict(doc_fields(d), _boost=0.5 + (d["id"] % 3) / 4) for d in docs[:200]]

    def fill(path, make_writer):
        path.mkdir()
        ix = FileStorage(str(path)).create_index(schema())
        writer = make_writer(ix)
        for values in boosted:
            writer.add_document(**values)
        writer.commit()
        return ix

    assert answers(fill(tmp_path / "a", PackedWriter)) == answers(
        fill(tmp_path / "b", lambda ix: ix.writer(codec=W3Codec()))
    )


@pytest.mark.parametrize("values", [[], [0], [255], [256, 3], [65535, 65536], [2**32 - 1, 7]])
def test_packed_integers_round_trip_at_every_width(values):
    packed = pack_ints(values)
    assert unpack_ints(b"xx" + packed, 2, len(values)) == (tuple(values), 2 + len(packed))


def test_a_number_too_large_for_a_block_is_refused():
    with pytest.raises(ValueError, match="beyond what a posting block stores"):
        pack_ints([2**32])


def test_a_damaged_posting_block_is_reported_as_a_damaged_index(tmp_path):
    index = SearchIndex(tmp_path / "index")
    index.add(corpus(300))
    assert index.search("混凝土")
    index.close()
    (seg,) = (tmp_path / "index").glob("gen-*/*.seg")
    data = seg.read_bytes()
    at = data.find(b"DgP1")
    assert at > 0, "the segment must hold packed posting blocks"
    seg.write_bytes(data[:at] + b"XXXX" + data[at + 4 :])
    damaged = SearchIndex(tmp_path / "index")
    with pytest.raises(IndexDamagedError, match="the search index is damaged: run dangan reindex"):
        for word in WORDS:  # one of them reads the damaged block
            damaged.search(word, limit=1000)


def test_an_index_naming_a_codec_this_version_lacks_says_to_reindex(tmp_path, monkeypatch):
    # What an older dangan meets in an index a newer one wrote: its table of contents names
    # a class that cannot be imported.  The answer is the damaged-index message, not a traceback.
    import sys

    index = SearchIndex(tmp_path / "index")
    index.add(corpus(20))
    index.close()
    monkeypatch.setitem(sys.modules, "dangan.indexer.codec", None)  # importing it now fails
    with pytest.raises(IndexDamagedError, match="the search index is damaged: run dangan reindex"):
        SearchIndex(tmp_path / "index").search("混凝土")
