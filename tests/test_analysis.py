"""Tests of dangan.indexer.analysis: what the index sees of Chinese, Traditional and mixed text."""

from __future__ import annotations

import pickle

from dangan.indexer.analysis import ChineseTokenizer, bigram_analyzer, tokens, unigram_analyzer
from dangan.indexer.text import fold


def texts(text: str, gram: int = 2) -> list[str]:
    return [t.text for t in tokens(text, gram)]


def test_cjk_runs_become_overlapping_bigrams_with_consecutive_positions():
    toks = tokens("竣工报告")
    assert [t.text for t in toks] == ["竣工", "工报", "报告"]
    assert [t.pos for t in toks] == [0, 1, 2]
    assert [(t.start, t.end) for t in toks] == [(0, 2), (1, 3), (2, 4)]


def test_one_character_run_is_a_unigram():
    assert texts("楼") == ["楼"]
    assert texts("A栋，3号") == ["a", "栋", "3", "号"]


def test_unigram_analyzer_splits_every_character():
    toks = tokens("施工日志", gram=1)
    assert [t.text for t in toks] == ["施", "工", "日", "志"]
    assert [(t.start, t.end) for t in toks] == [(0, 1), (1, 2), (2, 3), (3, 4)]


def test_traditional_is_folded_to_simplified_with_offsets_into_the_original():
    original = "本工程竣工報告已驗收。"
    toks = tokens(original)
    assert "报告" in [t.text for t in toks]
    assert "验收" in [t.text for t in toks]
    for t in toks:
        # Every offset points at the original (Traditional) characters of that token.
        assert fold(original[t.start : t.end]) == t.text
    report = next(t for t in toks if t.text == "报告")
    assert original[report.start : report.end] == "報告"


def test_fold_keeps_the_length_of_the_text():
    text = "檔案資料管理規範 ＡＢＣ１２３　Ｘ"
    assert len(fold(text)) == len(text)
    assert fold("檔案資料") == "档案资料"


def test_full_width_letters_and_digits_fold_to_lower_case_half_width():
    assert texts("Ａ１２３") == ["a123"]
    assert texts("ＧＢ５０３００－２０１３") == ["gb50300", "2013"]


def test_latin_words_are_lower_cased_words_with_offsets():
    toks = tokens("Report GB50300 v2")
    assert [(t.text, t.start, t.end) for t in toks] == [("report", 0, 6), ("gb50300", 7, 14), ("v2", 15, 17)]


def test_mixed_text_keeps_positions_consecutive_across_scripts():
    toks = tokens("C30混凝土试块, 28天")
    assert [t.text for t in toks] == ["c30", "混凝", "凝土", "土试", "试块", "28", "天"]
    assert [t.pos for t in toks] == list(range(7))
    source = "C30混凝土试块, 28天"
    assert [source[t.start : t.end] for t in toks] == ["C30", "混凝", "凝土", "土试", "试块", "28", "天"]


def test_whitespace_inside_a_cjk_run_is_bridged_like_ocr_output():
    source = "竣 工 报\n告"
    toks = tokens(source)
    assert [t.text for t in toks] == ["竣工", "工报", "报告"]
    assert source[toks[0].start : toks[-1].end] == source


def test_punctuation_separates_runs():
    assert texts("竣工。报告") == ["竣工", "报告"]


def test_whoosh_tokenizer_yields_offsets_and_positions():
    analyzer = bigram_analyzer()
    got = [(t.text, t.pos, t.startchar, t.endchar) for t in analyzer("驗收 OK", positions=True, chars=True)]
    assert got == [("验收", 0, 0, 2), ("ok", 1, 3, 5)]


def test_analyzers_pickle_small_and_compare_equal():
    # Whoosh stores the analyzer in every commit's table of contents: it must stay tiny.
    for analyzer in (bigram_analyzer(), unigram_analyzer()):
        data = pickle.dumps(analyzer)
        assert len(data) < 200
        assert pickle.loads(data) == analyzer
    assert ChineseTokenizer(2) != ChineseTokenizer(1)


def test_the_fold_table_converts_each_character_on_its_own():
    # The table is built with one OpenCC call over all characters, one per line; it must
    # equal converting every character by itself (no phrase conversion across lines).
    import unicodedata

    import opencc

    from dangan.indexer.text import _T2S_RANGES, _t2s_table

    converter = opencc.OpenCC("t2s")
    expected = {}
    for first, last in _T2S_RANGES:
        for cp in range(first, last + 1):
            ch = chr(cp)
            if 0xF900 <= cp <= 0xFAFF and len(unicodedata.normalize("NFKC", ch)) == 1:
                ch = unicodedata.normalize("NFKC", ch)
            converted = converter.convert(ch)
            folded = converted if len(converted) == 1 else ch
            if folded != chr(cp):
                expected[cp] = ord(folded)
    assert _t2s_table(converter) == expected
    assert len(expected) > 4000  # the Traditional characters are really there


def test_fold_by_expression_gives_what_the_table_gives(monkeypatch):
    # A long-lived process switches fold to a regular expression over the changing characters;
    # Simplified, Traditional, full-width and mixed text must fold exactly as before.
    from dangan.indexer import text

    samples = [
        "施工方案已审批，HRB400E钢筋进场。",
        "竣工驗收報告已歸檔，監理單位簽字。" * 30,  # Traditional from the first characters on
        "本工程主体结构验收合格。" * 30 + "後澆帶止水鋼板",  # Traditional only at the end
        "ＡＢＣ　ｘ１２３ GB 50300—2013 張偉 臺灣 \uf900 〇",
        "",
    ]
    expected = [s.translate(text.fold_table()) for s in samples]
    monkeypatch.setattr(text, "_COMPILE_AFTER", 0)
    monkeypatch.setattr(text, "_CHANGING_RE", None)
    assert [fold(s) for s in samples] == expected
    assert text._CHANGING_RE is not None  # the expression was used, not the table
