"""Tests of dangan.indexer.index: finding Chinese documents, filters, snippets, locks and rebuilds."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import textwrap
from datetime import date, datetime
from pathlib import Path

import pytest

from dangan.indexer.errors import BusyError, IntegrityError, QueryError
from dangan.indexer.index import INDEX_FIELDS, SearchIndex

REPO = Path(__file__).resolve().parent.parent
# Every test runs on both engines (the contract of issue 24), except the ones about Whoosh's
# segments, which pin ``engine`` to whoosh.
pytestmark = pytest.mark.usefixtures("engine")
WHOOSH_ONLY = pytest.mark.parametrize("engine", ["whoosh"], indirect=True)


def doc(doc_id: int, title: str = "", content: str = "", **fields) -> dict:
    """A complete index document; ``fields`` override the defaults."""
    base = {
        "id": doc_id,
        "title": title,
        "content": content,
        "original_name": f"scan_{doc_id}.pdf",
        "project": "BJ-2024-017",
        "project_name": "安居花园3号楼",
        "item_code": "C3",
        "item_title": "竣工验收报告",
        "group": "竣工验收",
        "person": "张伟",
        "role": "项目经理",
        "mime_type": "application/pdf",
        "document_date": date(2024, 5, 1),
        "filed_at": datetime(2024, 5, 2, 9, 30),
        "pages": 1,
        "vault_path": f"BJ-2024-017/张伟/C3-竣工验收报告/20240501_scan_{doc_id}.pdf",
    }
    base.update(fields)
    assert set(base) == set(INDEX_FIELDS)
    return base


@pytest.fixture
def index(tmp_path):
    ix = SearchIndex(tmp_path / "index")
    yield ix
    ix.close()


def ids(hits) -> list[int]:
    return [h.id for h in hits]


def found(index: SearchIndex, query: str, **filters) -> set[int]:
    return set(ids(index.search(query, **filters)))


# ----------------------------------------------------------------------------- matching


def test_two_character_word_is_found_inside_longer_words(index):
    index.add([doc(1, "竣工报告", "本工程竣工验收报告已提交。"), doc(2, "施工日志", "今日浇筑混凝土。")])
    assert found(index, "竣工") == {1}
    assert found(index, "验收") == {1}


def test_traditional_query_finds_simplified_text_and_the_reverse(index):
    index.add([doc(1, "", "本工程竣工报告已提交。"), doc(2, "", "施工單位竣工報告尚未編制。")])
    assert found(index, "竣工報告") == {1, 2}
    assert found(index, "竣工报告") == {1, 2}
    assert found(index, "編制") == {2}


def test_one_character_query_finds_the_character_inside_words(index):
    index.add([doc(1, "", "三号楼主体结构验收"), doc(2, "", "道路工程")])
    assert found(index, "楼") == {1}
    assert found(index, "樓") == {1}  # Traditional one-character query too


def test_taiwan_spellings_of_the_same_word_find_each_other_and_highlight_the_original(index):
    index.add(
        [doc(1, "", "電梯保養紀錄：本月更換鋼索。"), doc(2, "", "年度施工計畫書已報監造。"), doc(3, "", "记录表")]
    )
    assert found(index, "保养记录") == {1}
    assert found(index, "施工计划") == {2}
    assert found(index, "紀錄表") == {3}
    hit = index.search("保养记录")[0]
    assert [hit.snippet[s:e] for s, e in hit.highlights] == ["保養紀錄"]


def test_word_with_a_one_character_part_matches_inside_longer_runs(index):
    index.add([doc(1, "", "A栋主体结构完成"), doc(2, "", "B栋基础；A区道路")])
    assert found(index, "A栋") == {1}


def test_multi_character_word_is_a_phrase_not_a_bag_of_bigrams(index):
    index.add([doc(1, "", "北京大学新校区"), doc(2, "", "大学生在北京，京大也在")])
    assert found(index, '"北京大学"') == {1}
    # unquoted, a phrase found in fewer documents than a page is followed by its parts apart
    assert [h.id for h in index.search("北京大学")] == [1, 2]
    assert found(index, "京都") == set()


def test_ocr_spacing_between_characters_still_matches(index):
    index.add([doc(1, "", "竣 工 验 收 报 告")])
    assert found(index, "竣工验收") == {1}


def test_latin_words_and_full_width_forms(index):
    index.add([doc(1, "", "依据ＧＢ５０３００－２０１３验收"), doc(2, "", "C30 concrete")])
    assert found(index, "gb50300") == {1}
    assert found(index, "Concrete") == {2}


def test_words_are_anded(index):
    index.add([doc(1, "", "竣工验收"), doc(2, "", "竣工日期"), doc(3, "", "验收记录")])
    assert found(index, "竣工 验收") == {1}


def test_or_matches_either_word(index):
    index.add([doc(1, "", "竣工验收"), doc(2, "", "隐蔽工程"), doc(3, "", "施工日志")])
    assert found(index, "竣工 OR 隐蔽") == {1, 2}
    assert found(index, "工程 竣工 OR 隐蔽") == {2}


def test_minus_excludes_a_word(index):
    index.add([doc(1, "", "竣工报告草稿"), doc(2, "", "竣工报告定稿")])
    assert found(index, "竣工报告 -草稿") == {2}
    assert found(index, "竣工报告 -草稿 -定稿") == set()


def test_quoted_phrase_must_be_adjacent(index):
    index.add([doc(1, "", "monthly safety report"), doc(2, "", "safety check, monthly report")])
    assert found(index, '"safety report"') == {1}
    assert found(index, "“safety report”") == {1}
    assert found(index, "safety report") == {1, 2}


def test_title_match_ranks_above_content_only_match(index):
    index.add([doc(1, "施工日志", "三层楼板混凝土浇筑。"), doc(2, "混凝土浇筑记录", "三层楼板混凝土浇筑。")])
    hits = index.search("混凝土浇筑")
    assert ids(hits) == [2, 1]
    assert hits[0].score > hits[1].score


def test_limit_caps_the_number_of_hits(index):
    index.add([doc(i, "", "竣工验收") for i in range(1, 8)])
    assert len(index.search("竣工", limit=3)) == 3


# ----------------------------------------------------------------------------- filters


def test_project_filter_matches_code_or_name(index):
    index.add([doc(1, "", "竣工验收"), doc(2, "", "竣工验收", project="SH-2023-002", project_name="浦东仓库")])
    assert found(index, "竣工", project="BJ-2024-017") == {1}
    assert found(index, "竣工", project="浦东仓库") == {2}


def test_item_filter_matches_code_or_title(index):
    index.add([doc(1, "", "竣工验收"), doc(2, "", "竣工验收", item_code="B2", item_title="隐蔽工程验收记录")])
    assert found(index, "验收", item="B2") == {2}
    assert found(index, "验收", item="b2") == {2}
    assert found(index, "验收", item="竣工验收报告") == {1}


def test_person_and_group_filters(index):
    index.add([doc(1, "", "验收"), doc(2, "", "验收", person="李娜", group="施工记录")])
    assert found(index, "验收", person="李娜") == {2}
    assert found(index, "验收", person="張偉") == {1}  # Traditional spelling of 张伟
    assert found(index, "验收", group="施工记录") == {2}


def test_type_filter(index):
    index.add(
        [
            doc(1, "", "验收", mime_type="application/pdf"),
            doc(2, "", "验收", mime_type="image/jpeg"),
            doc(3, "", "验收", mime_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            doc(4, "", "验收", mime_type="text/plain"),
        ]
    )
    assert found(index, "验收", type="pdf") == {1}
    assert found(index, "验收", type="image") == {2}
    assert found(index, "验收", type="docx") == {3}
    assert found(index, "验收", type="text") == {4}
    with pytest.raises(QueryError, match="unknown document type 'video'"):
        index.search("验收", type="video")


def test_date_filters_are_inclusive_and_fall_back_to_the_filing_date(index):
    index.add(
        [
            doc(1, "", "验收", document_date=date(2024, 3, 1)),
            doc(2, "", "验收", document_date=date(2024, 3, 31)),
            doc(3, "", "验收", document_date=None, filed_at=datetime(2024, 4, 15, 16, 0)),
        ]
    )
    assert found(index, "验收", date_from=date(2024, 3, 1), date_to=date(2024, 3, 31)) == {1, 2}
    assert found(index, "验收", date_to=date(2024, 3, 1)) == {1}
    assert found(index, "验收", date_from=date(2024, 4, 1)) == {3}
    assert found(index, "验收", date_from=date(2024, 4, 15), date_to=date(2024, 4, 15)) == {3}
    with pytest.raises(QueryError, match="start date 2024-04-01 is after the end date 2024-03-01"):
        index.search("验收", date_from=date(2024, 4, 1), date_to=date(2024, 3, 1))


# ----------------------------------------------------------------------------- hits and snippets


def test_highlight_spans_point_at_the_matched_text(index):
    index.add([doc(1, "", "工程概况。\n本工程竣工验收报告已提交监理。")])
    hit = index.search("验收报告")[0]
    assert [hit.snippet[s:e] for s, e in hit.highlights] == ["验收报告"]
    assert "工程概况" not in hit.snippet  # the fragment without a match is left out


def test_simplified_query_highlights_traditional_text(index):
    index.add([doc(1, "", "施工單位：竣工報告已於五月提交。")])
    hit = index.search("竣工报告")[0]
    assert [hit.snippet[s:e] for s, e in hit.highlights] == ["竣工報告"]


def test_snippet_joins_best_fragments_with_an_ellipsis(index):
    text = "第一节，竣工资料整理！第二节，与本题无关的内容。第三节：隐蔽工程验收记录齐全；结束"
    index.add([doc(1, "", text)])
    hit = index.search("竣工 OR 隐蔽")[0]
    assert hit.snippet == "第一节，竣工资料整理！…第三节：隐蔽工程验收记录齐全；"
    assert [hit.snippet[s:e] for s, e in hit.highlights] == ["竣工", "隐蔽"]


def test_long_sentence_is_cut_around_the_match(index):
    text = "前" * 300 + "竣工报告" + "后" * 300
    index.add([doc(1, "", text)])
    hit = index.search("竣工报告")[0]
    assert len(hit.snippet) <= 120
    assert [hit.snippet[s:e] for s, e in hit.highlights] == ["竣工报告"]


def test_excluded_words_are_not_highlighted(index):
    index.add([doc(1, "", "竣工报告定稿")])
    hit = index.search("竣工 -草稿")[0]
    assert [hit.snippet[s:e] for s, e in hit.highlights] == ["竣工"]


def test_hit_carries_the_documents_fields_and_serialises_to_json(index):
    index.add([doc(7, "竣工报告", "竣工", pages=4)])
    hit = index.search("竣工")[0]
    assert (hit.id, hit.title, hit.person, hit.item_code, hit.pages) == (7, "竣工报告", "张伟", "C3", 4)
    assert hit.document_date == date(2024, 5, 1)
    assert hit.filed_at == datetime(2024, 5, 2, 9, 30)
    data = hit.to_json()
    assert data["document_date"] == "2024-05-01"
    assert data["filed_at"] == "2024-05-02T09:30:00"
    assert data["highlights"] == [[0, 2]]
    assert set(data) == {*INDEX_FIELDS, "score", "snippet", "highlights"} - {"content", "project_name"}


# ----------------------------------------------------------------------------- updates


def test_adding_an_existing_id_replaces_the_document(index):
    index.add([doc(1, "旧标题", "草稿内容")])
    index.add([doc(1, "新标题", "定稿内容")])
    assert index.count() == 1
    assert found(index, "草稿") == set()
    assert found(index, "定稿") == {1}


def test_delete_removes_documents_and_counts_only_those_present(index):
    index.add([doc(1, "", "竣工"), doc(2, "", "竣工")])
    assert index.delete([1, 99]) == 1
    assert index.ids() == {2}
    assert found(index, "竣工") == {2}


def test_ids_and_count(index):
    assert (index.ids(), index.count()) == (set(), 0)
    assert index.add(doc(i, "", "验收") for i in (3, 5, 8)) == 3
    assert (index.ids(), index.count()) == ({3, 5, 8}, 3)


def test_an_error_while_adding_commits_nothing(index):
    def docs():
        yield doc(1, "", "竣工")
        raise RuntimeError("extraction failed")

    with pytest.raises(RuntimeError):
        index.add(docs())
    assert index.count() == 0


def test_a_long_lived_reader_sees_later_commits_and_rebuilds(tmp_path):
    reader = SearchIndex(tmp_path / "index")
    writer = SearchIndex(tmp_path / "index")
    assert found(reader, "竣工") == set()
    writer.add([doc(1, "", "竣工")])
    assert found(reader, "竣工") == {1}
    writer.rebuild([doc(2, "", "竣工")])
    assert found(reader, "竣工") == {2}
    reader.close()
    writer.close()


def test_index_survives_reopening(tmp_path):
    with SearchIndex(tmp_path / "index") as ix:
        ix.add([doc(1, "", "竣工")])
    with SearchIndex(tmp_path / "index") as ix:
        assert found(ix, "竣工") == {1}


# ----------------------------------------------------------------------------- query errors


@pytest.mark.parametrize(
    "query, message",
    [
        ("", 'empty search query: type one or more words, e.g. 竣工报告 or "竣工 验收"'),
        ("   ", 'empty search query: type one or more words, e.g. 竣工报告 or "竣工 验收"'),
        ('"竣工 验收', 'unbalanced quote in query \'"竣工 验收\': close the phrase with " or remove the "'),
        ("竣工 OR", "OR must stand between two words to look for, e.g. 竣工 OR 验收"),
        ("OR 竣工", "OR must stand between two words to look for, e.g. 竣工 OR 验收"),
        ("-草稿", "query '-草稿' only excludes words: add a word to look for, e.g. 竣工 -草稿"),
        ("。，", "query '。，' has no searchable words: type Chinese characters, letters or digits"),
    ],
)
def test_bad_queries_raise_query_error_saying_what_to_type(index, query, message):
    with pytest.raises(QueryError) as err:
        index.search(query)
    assert str(err.value) == message


# ----------------------------------------------------------------------------- rebuild


def generations(index_dir: Path) -> list[str]:
    return sorted(p.name for p in index_dir.iterdir() if p.is_dir() and p.name.startswith("gen-"))


def test_rebuild_replaces_the_contents_and_reports_progress(tmp_path):
    index_dir = tmp_path / "index"
    ix = SearchIndex(index_dir)
    ix.add([doc(1, "", "旧文档")])
    seen: list[int] = []
    total = ix.rebuild((doc(i, "", "竣工验收") for i in range(10, 15)), progress=seen.append, batch=2)
    assert total == 5
    assert seen == [2, 2, 1]
    assert ix.ids() == {10, 11, 12, 13, 14}
    assert found(ix, "旧文档") == set()
    assert generations(index_dir) == [(index_dir / "CURRENT").read_text().strip()]
    ix.close()


def test_rebuild_interrupted_by_an_error_keeps_the_old_index(tmp_path):
    index_dir = tmp_path / "index"
    ix = SearchIndex(index_dir)
    ix.add([doc(1, "", "竣工报告")])
    before = generations(index_dir)

    def docs():
        yield doc(2, "", "竣工日期")
        yield doc(3, "", "竣工日期")
        raise RuntimeError("catalog connection lost")

    with pytest.raises(RuntimeError, match="catalog connection lost"):
        ix.rebuild(docs(), batch=1)
    assert found(ix, "竣工") == {1}
    assert generations(index_dir) == before
    ix.close()


def test_a_deleted_pointer_adopts_the_index_on_disk(tmp_path):
    index_dir = tmp_path / "index"
    with SearchIndex(index_dir) as ix:
        ix.add([doc(1, "", "竣工报告")])
    (index_dir / "CURRENT").unlink()
    with SearchIndex(index_dir) as ix:
        assert found(ix, "竣工") == {1}


def test_a_damaged_pointer_is_reported_never_wiped_and_reindex_mends_it(tmp_path):
    index_dir = tmp_path / "index"
    with SearchIndex(index_dir) as ix:
        ix.add([doc(1, "", "竣工报告")])
    before = generations(index_dir)
    (index_dir / "CURRENT").write_text("garbage\n")
    ix = SearchIndex(index_dir)
    assert generations(index_dir) == before
    with pytest.raises(IntegrityError, match="rebuild the index with `dangan reindex`"):
        ix.search("竣工")
    ix.rebuild([doc(2, "", "竣工报告")])
    assert found(ix, "竣工") == {2}
    ix.close()


# ----------------------------------------------------------------------------- processes and locks

HOLD_WRITER = """
import sys, time
from pathlib import Path
sys.path.insert(0, {repo!r})
from dangan.indexer.index import SearchIndex

def docs():
    for i in (2, 3):
        yield {{"id": i, "content": "竣工未提交"}}
    print("ready", flush=True)
    time.sleep(600)

SearchIndex(Path(sys.argv[1])).{call}
"""


def spawn_holder(index_dir: Path, call: str) -> subprocess.Popen:
    """A child process that writes part of ``docs()`` through ``call`` and then hangs."""
    script = HOLD_WRITER.format(repo=str(REPO), call=call)
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script), str(index_dir)], stdout=subprocess.PIPE, text=True
    )


def wait_ready(proc: subprocess.Popen) -> None:
    """Block until the child says it holds the writer (a guard, not a timing assertion)."""
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        assert sel.select(timeout=120), "child never got the writer"
    assert proc.stdout.readline().strip() == "ready"


def kill(proc: subprocess.Popen) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()


def test_writer_killed_with_sigkill_leaves_no_stale_lock(tmp_path):
    index_dir = tmp_path / "index"
    with SearchIndex(index_dir) as ix:
        ix.add([doc(1, "", "竣工报告")])
    proc = spawn_holder(index_dir, "add(docs())")
    try:
        wait_ready(proc)
        with pytest.raises(BusyError):
            SearchIndex(index_dir, lock_timeout=0).add([doc(9, "", "x")])
    finally:
        kill(proc)
    # The lock files are still on disk, but the kernel dropped the dead process's flock.
    assert (index_dir / "LOCK").exists()
    with SearchIndex(index_dir, lock_timeout=30) as ix:
        assert ix.add([doc(4, "", "施工日志")]) == 1
        assert ix.ids() == {1, 4}  # the killed writer's uncommitted documents are gone
        assert found(ix, "竣工") == {1}


def test_live_writer_makes_others_wait_then_busy_while_readers_go_on(tmp_path):
    index_dir = tmp_path / "index"
    with SearchIndex(index_dir) as ix:
        ix.add([doc(1, "", "竣工报告")])
    proc = spawn_holder(index_dir, "add(docs())")
    try:
        wait_ready(proc)
        ix = SearchIndex(index_dir, lock_timeout=0.3)
        with pytest.raises(BusyError, match="another process is writing the search index"):
            ix.add([doc(5, "", "施工日志")])
        with pytest.raises(BusyError):
            ix.rebuild([])
        assert found(ix, "竣工") == {1}  # searching does not wait for the writer
        ix.close()
    finally:
        kill(proc)


def test_rebuild_killed_midway_keeps_the_old_index_and_is_cleaned_up(tmp_path):
    index_dir = tmp_path / "index"
    with SearchIndex(index_dir) as ix:
        ix.add([doc(1, "", "竣工报告")])
    before = generations(index_dir)
    proc = spawn_holder(index_dir, "rebuild(docs(), batch=1)")
    try:
        wait_ready(proc)
        assert len(generations(index_dir)) == 2  # the half-built generation is on disk
        with SearchIndex(index_dir) as reader:  # lock busy: the new folder is left alone
            assert found(reader, "竣工") == {1}
        assert len(generations(index_dir)) == 2
    finally:
        kill(proc)
    with SearchIndex(index_dir) as ix:
        assert generations(index_dir) == before
        assert found(ix, "竣工") == {1}
        assert ix.ids() == {1}


# ----------------------------------------------------------------------------- segments


@WHOOSH_ONLY
def test_a_rebuild_merges_its_batches_only_when_they_pile_up(tmp_path, monkeypatch):
    import dangan.indexer.index as index_module

    monkeypatch.setattr(index_module, "REBUILD_MERGE_SEGMENTS", 3)
    ix = SearchIndex(tmp_path / "index")
    ix.rebuild((doc(i, "", f"竣工验收 第{i}层") for i in range(1, 6)), batch=2)
    assert ix.segments() == 3, "3 batches: left as they are (merging costs more than it saves)"
    ix.rebuild((doc(i, "", f"竣工验收 第{i}层") for i in range(1, 8)), batch=2)
    assert ix.segments() == 1, "4 batches: merged into one at the end"
    assert found(ix, "竣工验收") == set(range(1, 8))
    ix.close()


@WHOOSH_ONLY
def test_small_commits_are_merged_before_segments_pile_up(tmp_path):
    from dangan.indexer.index import AUTO_MERGE_SEGMENTS

    ix = SearchIndex(tmp_path / "index")
    for i in range(1, 3 * AUTO_MERGE_SEGMENTS):
        ix.add([doc(i, "", f"施工日志 第{i}天")])
        assert ix.segments() < AUTO_MERGE_SEGMENTS
    assert set(ids(ix.search("施工日志", limit=100))) == ix.ids() == set(range(1, 3 * AUTO_MERGE_SEGMENTS))
    ix.close()


@WHOOSH_ONLY
def test_optimize_merges_every_segment_and_keeps_every_document(tmp_path):
    ix = SearchIndex(tmp_path / "index")
    for i in range(1, 5):
        ix.add([doc(i, "", f"隐蔽工程 记录{i}")])
    ix.delete([2])
    before = ix.segments()
    assert before > 1
    assert ix.optimize() == before
    assert ix.segments() == 1 and ix.optimize() == 1
    assert ix.ids() == {1, 3, 4} and found(ix, "隐蔽工程") == {1, 3, 4}
    ix.close()


@WHOOSH_ONLY
def test_the_top_hits_of_anded_and_ored_words_are_the_best_scored_across_segments(tmp_path):
    # Whoosh's default collector skips blocks it judges unable to reach the top; across
    # segments that gave a wrong top 10 for ORed and ANDed words.  Every match is scored now.
    import random

    from dangan.indexer.whoosh_query import parse_query

    rng = random.Random(5)
    index = SearchIndex(tmp_path / "index")
    words = ["混凝土", "钢筋", "竣工", "验收", "施工", "记录", "模板", "养护"]
    for batch in range(6):  # six commits, six segments
        index.add(
            doc(i, title=rng.choice(words), content=" ".join(rng.choice(words) for _ in range(rng.randint(3, 80))))
            for i in range(batch * 150 + 1, batch * 150 + 151)
        )
    for query in ("混凝土 OR 钢筋", "竣工 验收", "施工 记录 模板"):
        parsed, _ = parse_query(query)
        everything = [(int(h["id"]), round(h.score, 6)) for h in index._current_searcher().search(parsed, limit=None)]
        hits, total = index.search_window(query, limit=10)
        assert [(h.id, round(h.score, 6)) for h in hits] == everything[:10]
        assert total == len(everything)
    index.close()


@WHOOSH_ONLY
def test_small_commits_never_rewrite_the_segments_a_rebuild_wrote(tmp_path, monkeypatch):
    # Rewriting a rebuild's 10,000-document segments would make one ingest of a few files
    # cost as much as a rebuild; only the small segments of ingest commits are merged.
    import dangan.indexer.index as index_module
    from dangan.indexer.index import AUTO_MERGE_SEGMENTS

    monkeypatch.setattr(index_module, "SEGMENT_DOCS", 5)
    ix = SearchIndex(tmp_path / "index")
    ix.rebuild([doc(i, "", "竣工验收") for i in range(1, 51)], batch=5)
    rebuilt = {seg.segid for seg in ix._open()._segments()}
    assert len(rebuilt) == 10
    for i in range(51, 51 + 3 * AUTO_MERGE_SEGMENTS):
        ix.add([doc(i, "", "施工日志")])
        segments = ix._open()._segments()
        assert rebuilt <= {seg.segid for seg in segments}
        assert len([seg for seg in segments if seg.doc_count_all() < 5]) < AUTO_MERGE_SEGMENTS
    assert len(ix.search("竣工验收", limit=100)) == 50
    assert len(ix.search("施工日志", limit=100)) == 3 * AUTO_MERGE_SEGMENTS
    ix.close()
