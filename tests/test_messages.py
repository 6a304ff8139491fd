"""The message catalog: library errors read in Chinese on the web, English on the command line."""

from __future__ import annotations

from dangan.indexer.errors import NotFoundError, UnknownDocumentError
from dangan.indexer.messages import Message, cli_lang, say
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
