"""The message catalog: library errors read in Chinese on the web, English on the command line."""

from __future__ import annotations

import re

from dangan.indexer.errors import NotFoundError, UnknownDocumentError, UsageError
from dangan.indexer.messages import Message, catalog, cli_lang, say, say_text
from dangan.web.charts import bar_chart, line_chart


def test_an_error_reads_in_english_with_its_fix_and_in_chinese_without_it():
    err = UnknownDocumentError("no document {doc_id} in the catalog", doc_id=7, fix="`dangan catalog CODE` lists ids")
    assert str(err) == "no document 7 in the catalog; `dangan catalog CODE` lists ids"
    assert say(err, "en") == str(err)
    assert say(err) == "档案库中没有编号为 7 的文件。"


def test_an_untranslated_error_never_shows_english_to_a_chinese_reader():
    err = NotFoundError("no widget {name}", name="x", fix="run `dangan widgets`")
    assert say(err) == "找不到所要的内容。"


def test_a_message_that_is_not_an_error_is_translated_too():
    assert say(Message("no document {doc_id} in the catalog", {"doc_id": 3})) == "档案库中没有编号为 3 的文件。"
    assert say(Message("not yet translated {n}", {"n": 1})) == "not yet translated 1"


def test_the_command_line_follows_the_locale_and_defaults_to_english():
    assert cli_lang({}) == "en"
    assert cli_lang({"LANG": "zh_CN.UTF-8"}) == "zh_CN"
    assert cli_lang({"LC_ALL": "C.UTF-8", "LANG": "zh_CN.UTF-8"}) == "en"
    assert cli_lang({"LC_MESSAGES": "zh_TW.UTF-8"}) == "zh_CN"


def test_a_chart_escapes_its_labels_and_describes_its_figures():
    svg = str(bar_chart("按项目", [("<script>", 3), ("项目乙", 1.5)], unit="件"))
    assert "<script>" not in svg and "&lt;script&gt;：3件" in svg and "项目乙：1.5件" in svg
    assert "无数据" in str(bar_chart("空", []))
    assert "一月 2" in str(line_chart("每月", ["一月", "二月"], {"归档": [2, 5]}))


def test_a_message_keeps_its_command_line_fix_out_of_the_chinese():
    note = Message("{title} is in no volume", {"title": "施工日志"}, fix="run `dangan volume plan BJ-1`")
    assert str(note) == "施工日志 is in no volume; run `dangan volume plan BJ-1`"
    assert say(note) == "“施工日志”还没有组入案卷：请在案卷页组卷或把它移入某一卷。"


def test_an_english_sentence_stored_as_text_is_read_back_into_chinese():
    # Event details and notes are stored as plain text: the catalog's templates read them back.
    assert say_text("no document 12 in the catalog") == "档案库中没有编号为 12 的文件。"
    assert say_text("报价单.xls is not a readable old Office/WPS file") is None  # (a name and a fragment)
    assert say_text("a sentence nobody translated") is None
    assert say_text("is a PDF without pages") == "是没有页面的 PDF。"


def test_a_sentence_inside_a_message_is_translated_with_it():
    inner = UsageError("unsealing needs a reason for the log", fix="--reason 补充")
    assert (
        say(Message("{title}: {problem}", {"title": "第1卷", "problem": inner}))
        == "“第1卷”：撤销封卷须写明原因（记入日志）。"
    )


def test_an_error_the_web_app_raised_in_chinese_is_shown_as_it_is():
    assert say(UsageError("天数“x”不正确：请填 0 至 366 之间的整数。")) == "天数“x”不正确：请填 0 至 366 之间的整数。"
    assert say(UsageError("days 'x': give a number of days")) == "输入的内容不正确，请检查后重试。"


def test_every_translation_keeps_the_fields_of_its_template_and_no_command():
    fields = re.compile(r"\{(\w+)(?:![rs])?\}")
    for template, chinese in catalog("zh_CN").items():
        assert set(fields.findall(chinese)) <= set(fields.findall(template)), template
        assert "dangan " not in chinese and "`" not in chinese, template
        assert re.search(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]", chinese), template
