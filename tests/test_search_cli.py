"""Tests of ``dangan search`` through the command line: output, JSON, exit codes, errors."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from dangan.indexer.index import SearchIndex
from tests.test_index import doc as index_doc

# every test here runs on SQLite and on PostgreSQL, and on both search engines (issue 24)
pytestmark = [pytest.mark.both_catalogs, pytest.mark.usefixtures("engine")]


def doc(doc_id: int, title: str, content: str, **fields) -> dict:
    """The index tests' document, two pages long (the CLI prints page counts)."""
    return index_doc(doc_id, title, content, **{"pages": 2, **fields})


@pytest.fixture
def indexed(home, project):
    """The fixture home (project BJ-2024-017) with three documents in its search index."""
    with SearchIndex(home.index_dir) as ix:
        ix.add(
            [
                doc(1, "竣工验收报告", "工程概况。\n本工程竣工報告已于五月提交监理。"),
                doc(
                    2,
                    "测量记录[草稿]",
                    "楼层测量记录。",
                    person="赵磊",
                    item_code="C08",
                    item_title="施工定位测量记录",
                    mime_type="image/jpeg",
                    document_date=date(2024, 3, 12),
                ),
                doc(3, "施工日志", "今日浇筑混凝土。", document_date=None, filed_at=datetime(2024, 6, 20, 8, 0)),
            ]
        )
    return home


def test_hits_show_rank_title_place_and_highlighted_snippet(cli, indexed):
    r = cli("search", "竣工报告")
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0].startswith("1. 竣工验收报告  score ")
    assert (
        lines[1]
        == "   BJ-2024-017 · C3 竣工验收报告 · 张伟 · 2024-05-01 · BJ-2024-017/张伟/C3-竣工验收报告/20240501_scan_1.pdf"
    )
    assert lines[2] == "   本工程竣工報告已于五月提交监理。"
    assert lines[3] == "1 of 1 document(s)"
    assert len(lines) == 4


def test_markup_in_titles_is_printed_literally(cli, indexed):
    r = cli("search", "测量")
    assert r.exit_code == 0, r.output
    assert "1. 测量记录[草稿]" in r.output


def test_several_words_make_one_query(cli, indexed):
    r = cli("search", "竣工", "OR", "测量", "--json")
    assert {h["id"] for h in json.loads(r.output)} == {1, 2}


def test_json_lists_hits_with_every_field(cli, indexed):
    r = cli("search", "竣工報告", "--json")
    assert r.exit_code == 0, r.output
    hits = json.loads(r.output)
    assert len(hits) == 1
    hit = hits[0]
    assert hit["id"] == 1 and hit["title"] == "竣工验收报告"
    assert hit["document_date"] == "2024-05-01" and hit["filed_at"] == "2024-05-02T09:30:00"
    assert hit["snippet"] == "本工程竣工報告已于五月提交监理。"
    assert hit["highlights"] == [[3, 7]]
    assert isinstance(hit["score"], float)
    assert set(hit) == {
        "id",
        "score",
        "title",
        "project",
        "item_code",
        "item_title",
        "group",
        "person",
        "role",
        "mime_type",
        "document_date",
        "filed_at",
        "pages",
        "vault_path",
        "original_name",
        "snippet",
        "highlights",
    }


def test_filters_narrow_the_hits(cli, indexed):
    def hit_ids(*args):
        r = cli("search", *args, "--json")
        assert r.exit_code == 0, r.output
        return {h["id"] for h in json.loads(r.output)}

    assert hit_ids("记录 OR 竣工 OR 浇筑") == {1, 2, 3}
    assert hit_ids("记录 OR 竣工 OR 浇筑", "--person", "赵磊") == {2}
    assert hit_ids("记录 OR 竣工 OR 浇筑", "--item", "测量记录") == {2}
    assert hit_ids("记录 OR 竣工 OR 浇筑", "--type", "image") == {2}
    assert hit_ids("记录 OR 竣工 OR 浇筑", "--project", "安居花园3号楼", "--group", "竣工验收") == {1, 2, 3}
    assert hit_ids("记录 OR 竣工 OR 浇筑", "--from", "2024-05-01", "--to", "2024-06-20") == {1, 3}
    assert len(hit_ids("记录 OR 竣工 OR 浇筑", "--limit", "1")) == 1


def test_no_results_is_a_friendly_line_and_success(cli, indexed):
    r = cli("search", "桩基")
    assert r.exit_code == 0
    assert r.output.strip() == "No documents match 桩基."
    r = cli("search", "竣工", "--person", "赵磊")
    assert r.output.strip() == "No documents match 竣工 with those filters."
    r = cli("search", "桩基", "--json")
    assert json.loads(r.output) == []


def test_bad_date_names_the_option_and_the_format(cli, indexed):
    r = cli("search", "竣工", "--from", "2024/03/01")
    assert r.exit_code == 2
    assert r.output.strip().splitlines()[-1] == (
        "Error: --from '2024/03/01' is not a date; write YYYY-MM-DD, e.g. 2025-03-01"
    )
    r = cli("search", "竣工", "--to", "tomorrow")
    assert r.exit_code == 2
    assert r.output.strip().splitlines()[-1] == (
        "Error: --to 'tomorrow' is not a date; write YYYY-MM-DD, e.g. 2025-03-01"
    )


def test_empty_query_is_a_usage_error_saying_what_to_type(cli, indexed):
    r = cli("search")
    assert r.exit_code == 2
    assert r.output.strip() == 'Error: empty search query: type one or more words, e.g. 竣工报告 or "竣工 验收"'


def test_unparsable_query_is_one_line(cli, indexed):
    r = cli("search", '"竣工')
    assert r.exit_code == 2
    assert r.output.strip() == 'Error: unbalanced quote in query \'"竣工\': close the phrase with " or remove the "'


def test_reversed_dates_are_a_usage_error(cli, indexed):
    r = cli("search", "竣工", "--from", "2024-06-01", "--to", "2024-05-01")
    assert r.exit_code == 2
    assert r.output.strip() == "Error: the start date 2024-06-01 is after the end date 2024-05-01: swap them"


def test_bad_type_and_limit_are_usage_errors(cli, indexed):
    assert cli("search", "竣工", "--type", "video").exit_code == 2
    assert cli("search", "竣工", "--limit", "0").exit_code == 2


def test_missing_home_is_not_found(tmp_path):
    from click.testing import CliRunner

    from dangan.cli import main

    r = CliRunner().invoke(main, ["--home", str(tmp_path / "nowhere"), "search", "竣工"])
    assert r.exit_code == 5
    assert r.output.startswith("Error: no archive home at ")


def test_help_has_an_example(cli):
    r = cli("search", "--help")
    assert r.exit_code == 0
    assert "Example:" in r.output
    assert "dangan search 竣工报告" in r.output


def test_a_query_no_document_holds_whole_says_the_hits_hold_most_of_its_words(cli, indexed):
    r = cli("search", "监理", "竣工", "雨季停工")
    assert r.exit_code == 0
    assert "No document holds every word of 监理 竣工 雨季停工; these hold most of them." in r.output
    assert "竣工验收报告" in r.output
    assert "most of them" not in cli("search", "监理", "竣工").output
