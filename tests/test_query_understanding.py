"""What a search makes of what people type: compounds without spaces, codes, quotes, long queries."""

from __future__ import annotations

import pytest

from dangan.indexer.errors import ExitCode, QueryError
from dangan.indexer.index import SearchIndex
from dangan.indexer.query import MAX_QUERY_TERMS, QueryTooLongError
from dangan.indexer.thesaurus import Thesaurus
from tests.test_index import doc

pytestmark = pytest.mark.usefixtures("engine")  # both search engines (issue 24)


@pytest.fixture
def index(tmp_path):
    ix = SearchIndex(tmp_path / "index", thesaurus=Thesaurus())  # no synonyms: the reading alone
    yield ix
    ix.close()


def ranked_ids(index: SearchIndex, query: str) -> list[int]:
    return [h.id for h in index.search(query)]


# ----------------------------------------------------------------------------- compounds


@pytest.mark.parametrize(
    "query, text",
    [
        ("塔吊租赁", "本月塔吊一台进场，设备租赁费用按月结算。"),
        ("监理通知", "监理单位今日发出书面通知，要求三日内整改。"),
        ("中秋放假", "中秋节前安排值班，工地放假两天。"),
        ("结构竣工图", "主体结构分部已验收，竣工图由技术部绘制。"),
    ],
)
def test_a_compound_typed_without_spaces_finds_a_document_holding_its_words_apart(index, query, text):
    index.add([doc(1, "", text), doc(2, "", "今日浇筑三层楼板混凝土。")])
    assert ranked_ids(index, query) == [1]
    assert "no document holds them as written" in "\n".join(index.explain(query))


def test_words_standing_closer_together_rank_higher(index):
    far = "塔吊基础验收合格。" + "现场文明施工检查记录。" * 30 + "租赁合同另附。"
    near = "塔吊的租赁合同已签订。" + "现场文明施工检查记录。" * 30
    index.add([doc(1, "", far), doc(2, "", near)])
    assert ranked_ids(index, "塔吊租赁") == [2, 1]


def test_a_compound_found_as_written_in_few_documents_ranks_them_first_and_those_holding_it_apart_follow(index):
    index.add([doc(1, "", "塔吊租赁合同已签订。"), doc(2, "", "塔吊进场；设备租赁费另计。"), doc(3, "", "设备进场。")])
    assert ranked_ids(index, "塔吊租赁") == [1, 2]
    explained = "\n".join(index.explain("塔吊租赁"))
    assert "as written: 1 document(s), fewer than a first page of 10, and a part rare enough" in explained


def test_a_compound_found_as_written_in_a_full_page_is_answered_by_those_alone(index):
    index.add(
        [*(doc(n, "", f"第{n}台塔吊租赁合同已签订。") for n in range(1, 11)), doc(11, "", "塔吊进场；设备租赁费另计。")]
    )
    assert sorted(ranked_ids(index, "塔吊租赁")) == list(range(1, 11))
    assert "answered by: every word as written" in "\n".join(index.explain("塔吊租赁"))


def test_a_compound_of_common_words_found_as_written_is_not_diluted_by_their_parts_apart(index):
    # 施工 and 方案 stand in every one of 300 documents: apart they would match them all
    index.add([doc(n, "", f"第{n}段施工记录，附方案变更说明。") for n in range(1, 301)])
    index.add([doc(301, "", "主体结构施工方案已审批。")])
    assert ranked_ids(index, "施工方案") == [301]
    assert "answered by: every word as written" in "\n".join(index.explain("施工方案"))


def test_quotes_force_the_phrase(index):
    index.add([doc(1, "", "塔吊进场；设备租赁费另计。")])
    assert ranked_ids(index, '"塔吊租赁"') == []
    assert ranked_ids(index, "“塔吊租赁”") == []
    assert "quoted: always a phrase" in "\n".join(index.explain('"塔吊租赁"'))


def test_when_not_every_part_is_there_most_of_them_still_find_the_document(index):
    index.add([doc(1, "", "主体结构竣工图共十二张。"), doc(2, "", "图纸会审纪要。")])
    assert ranked_ids(index, "结构竣工图纸") == [1]
    assert "looked for by most of its parts" in "\n".join(index.explain("结构竣工图纸"))


def test_relaxing_keeps_the_other_words_anded_and_exclusions_excluded(index):
    index.add(
        [
            doc(1, "", "塔吊进场，设备租赁费另计，草稿。"),
            doc(2, "", "塔吊进场，设备租赁费另计。"),
            doc(3, "", "塔吊进场验收合格，设备租赁费另计。"),
        ]
    )
    assert set(ranked_ids(index, "塔吊租赁 -草稿")) == {2, 3}
    assert set(ranked_ids(index, "塔吊租赁 进场")) == {1, 2, 3}
    assert ranked_ids(index, "塔吊租赁 验收") == [3]


def test_when_no_document_holds_every_word_the_documents_holding_most_of_them_answer(index):
    index.add(
        [
            doc(1, "", "沙田区制水通知：明日九时至十七时暂停供水。"),
            doc(2, "", "沙田区道路维修。"),
            doc(3, "", "今日天气晴。"),
        ]
    )
    assert set(ranked_ids(index, "停水 沙田")) == {1, 2}  # Hong Kong writes 制水
    assert "no document holds every word" in "\n".join(index.explain("停水 沙田"))
    assert ranked_ids(index, "沙田 制水 停电") == [1]  # two of three words needed
    assert ranked_ids(index, "停水 沙田 -道路") == [1]  # exclusions stay excluded
    assert ranked_ids(index, "停电 雨季") == []  # one of two is needed, and none is there


# ----------------------------------------------------------------------------- codes


@pytest.fixture
def codes(index):
    index.add(
        [
            doc(1, "", "HRB400E钢筋进场复试合格。"),
            doc(2, "", "C30混凝土试块，另有C30P8抗渗试块。"),
            doc(3, "", "C3区域地面找平。"),
            doc(4, "", "依据GB50300-2013验收；见建施-03。"),
            doc(5, "", "依据 GB 50300—2013 验收；见建施03号图。"),
            doc(6, "", "HRB 400E 直径25。"),
        ]
    )
    return index


@pytest.mark.parametrize(
    "query, expected",
    [
        ("HRB400", {1, 6}),  # by prefix at the letter/digit boundary, written together or apart
        ("hrb400e", {1, 6}),
        ("HRB 400", {1, 6}),
        ("C30", {2}),  # inside C30混凝土 and C30P8, but not C3
        ("C30P8", {2}),
        ("C3", {3}),  # a digit continuing a number is another number
        ("建施-03", {4, 5}),
        ("建施03", {4, 5}),
        ("GB 50300-2013", {4, 5}),
        ("GB50300", {4, 5}),
        ("gb 50300", {4, 5}),
        ("50300", {4, 5}),  # by a later part: GB50300 holds 50300
        ("400", {1, 6}),
        ("30", set()),  # too short to be looked for inside other codes (it would be in every one)
    ],
)
def test_codes_match_by_their_letter_digit_parts_and_by_prefix(codes, query, expected):
    assert set(ranked_ids(codes, query)) == expected


def test_a_code_continued_in_the_text_is_highlighted_whole(codes):
    hit = codes.search("HRB400")[0]
    assert [hit.snippet[s:e] for s, e in hit.highlights] in (["HRB400E"], ["HRB 400E"])


def test_explain_shows_how_a_code_was_split(codes):
    lines = "\n".join(codes.explain("GB 50300-2013"))
    assert "code gb 50300 2013: written as gb 50300 2013 | gb50300 2013" in lines


# ----------------------------------------------------------------------------- limits


def test_a_query_with_too_many_terms_is_refused_saying_what_to_do(index):
    query = " OR ".join(f"w{i}" for i in range(2000))
    with pytest.raises(QueryTooLongError) as err:
        index.search(query)
    assert str(err.value) == (
        f"the query has 2,000 search terms, more than the {MAX_QUERY_TERMS} allowed: "
        "search for a few distinctive words instead of a whole passage"
    )
    assert isinstance(err.value, QueryError) and err.value.exit_code == ExitCode.usage


def test_a_long_but_allowed_query_still_runs(index):
    index.add([doc(1, "", "竣工验收报告")])
    query = " OR ".join(["竣工"] * (MAX_QUERY_TERMS // 2))
    assert ranked_ids(index, query) == [1]


def test_the_cli_explains_the_reading_and_refuses_a_huge_query(cli, home):
    with SearchIndex(home.index_dir) as ix:
        ix.add([doc(1, "塔吊", "本月塔吊一台进场，设备租赁费用按月结算。")])
    result = cli("search", "塔吊租赁", "--explain")
    assert result.exit_code == 0, result.output
    assert "synonym: 塔吊 → 塔式起重机, looked for as 塔式起重机租赁 (weight 0.5)" in result.output
    assert "as written: no document holds them as written" in result.output
    assert "answered by: each word was also looked for by all its parts apart" in result.output
    assert "1 of 1 document(s)" in result.output
    huge = cli("search", " OR ".join(f"w{i}" for i in range(2000)))
    assert huge.exit_code == ExitCode.usage
    assert "the query has 2,000 search terms" in huge.output


def test_an_excluded_word_excludes_the_first_match_too(index):
    # Whoosh's AndNot kept its first match when the excluded word's first document came
    # earlier; "验收 -草稿" then returned a draft (seen across segments during commits).
    index.add([doc(1, "", "草稿"), doc(2, "", "验收记录草稿"), doc(3, "", "验收记录")])
    assert ranked_ids(index, "验收 -草稿") == [3]


def test_a_later_part_of_a_code_is_found_in_the_term_list_as_by_checking_every_term():
    # Both engines look a code's later part up in the index's Latin/digit terms, one a line,
    # with str.find; the answer must be what checking every term with holds_part gives.
    from dangan.indexer.codes import holds_part, terms_holding

    terms = ["000400", "400", "c300", "c30p8", "gb50300", "hrb400", "hrb400e", "hrb4000", "x400y400"]
    assert terms_holding("\n".join(terms), "400") == [t for t in terms if holds_part(t, "400")]
    assert terms_holding("\n".join(terms), "400") == ["hrb400", "hrb400e", "x400y400"]
    assert terms_holding("\n".join(terms), "50300") == ["gb50300"]
    assert terms_holding("", "400") == []
