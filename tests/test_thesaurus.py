"""The trade thesaurus: shipped groups, synonyms found at a lower weight, the home's editable copy."""

from __future__ import annotations

import json
import tomllib

import pytest

from dangan.indexer.errors import ConfigError, ExitCode
from dangan.indexer.index import SearchIndex
from dangan.indexer.thesaurus import SHIPPED, load, parse
from tests.test_index import doc

pytestmark = pytest.mark.usefixtures("engine")  # both search engines (issue 24)


def test_the_shipped_lists_hold_at_least_150_groups_and_parse():
    raw = tomllib.loads(SHIPPED.read_text(encoding="utf-8"))
    groups = [g for name, table in raw.items() if name != "weight" for g in table["groups"]]
    assert len(groups) >= 150
    thesaurus = load(SHIPPED)
    assert thesaurus.weight == 0.5
    assert "塔式起重机" in thesaurus.synonyms["塔吊"]


def test_no_shipped_word_has_more_synonyms_than_a_search_tries():
    """A search tries at most MAX_VARIANTS synonyms of a word: a larger group would lose
    some of its words without a sign."""
    from dangan.indexer.thesaurus import MAX_VARIANTS

    crowded = {w: len(o) for w, o in load(SHIPPED).synonyms.items() if len(o) > MAX_VARIANTS}
    assert crowded == {}


@pytest.mark.parametrize(
    "typed, written",
    [
        ("砼", "混凝土"),
        ("商砼", "商品混凝土"),
        ("钢材", "钢筋"),
        ("完工", "竣工"),
        ("隐检", "隐蔽"),
        ("质保书", "质量证明书"),
        ("加气块", "加气混凝土砌块"),
        ("塔吊", "塔式起重机"),
        ("塔式起重機", "塔吊"),  # Traditional query, folded before the thesaurus is asked
        ("浇筑", "澆置"),  # regional: the word Taiwan writes for it
        ("保修", "保固"),
        ("打印机", "印表機"),
        ("鷹架", "脚手架"),
        ("加氟", "补充制冷剂"),  # building services, lifts, water, roads
        ("关人", "困人"),
        ("爆管", "管道破裂"),
        ("水稳", "水泥稳定碎石"),
    ],
)
def test_a_trade_word_finds_its_synonym_and_ranks_the_literal_word_first(tmp_path, typed, written):
    with SearchIndex(tmp_path / "index") as ix:
        ix.add(
            [
                doc(1, "", f"本批{written}进场验收合格。"),
                doc(2, "", f"本批{typed}进场验收合格。"),
                doc(3, "", "今日天气晴。"),
            ]
        )
        assert [h.id for h in ix.search(typed)] == [2, 1]


def test_a_synonym_inside_a_longer_word_is_put_in_its_place(tmp_path):
    with SearchIndex(tmp_path / "index") as ix:
        ix.add([doc(1, "", "三层楼板混凝土强度评定合格")])
        assert [h.id for h in ix.search("砼强度")] == [1]
        assert "    synonym: 砼 → 混凝土, looked for as 混凝土强度 (weight 0.5)" in ix.explain("砼强度")


def test_quoted_and_excluded_words_get_no_synonyms(tmp_path):
    with SearchIndex(tmp_path / "index") as ix:
        ix.add([doc(1, "", "混凝土浇筑"), doc(2, "", "砼浇筑 混凝土")])
        assert [h.id for h in ix.search('"砼"')] == [2]
        assert [h.id for h in ix.search("浇筑 -砼")] == [1]


def test_init_copies_the_lists_into_the_home_and_an_edited_copy_is_used(home):
    copy = home.root / "synonyms.toml"
    assert copy.read_bytes() == SHIPPED.read_bytes()
    with SearchIndex(home.index_dir) as ix:
        ix.add([doc(1, "", "外墙刷石灰水两遍。")])
        assert ix.search("白灰") == []
        copy.write_text(
            copy.read_text(encoding="utf-8") + '\n[local]\ngroups = [\n  ["白灰", "石灰"],\n]\n', encoding="utf-8"
        )
        assert [h.id for h in ix.search("白灰")] == [1]  # re-read once the file changed


def test_synonyms_update_adds_the_shipped_groups_an_older_copy_lacks_and_keeps_the_users_own(cli, home):
    copy = home.root / "synonyms.toml"
    shipped = SHIPPED.read_text(encoding="utf-8")
    old = shipped[: shipped.index("[regional]")] + '[local]\ngroups = [\n  ["白灰", "石灰"],\n]\n'  # a copy made before
    copy.write_text(old, encoding="utf-8")
    r = cli("synonyms", "update", "--dry-run")
    assert r.exit_code == 0 and "  [regional] 浇筑 = 澆置" in r.output and "(nothing changed)" in r.output
    assert copy.read_text(encoding="utf-8") == old
    r = cli("synonyms", "update", "--json")
    added = json.loads(r.output)
    assert r.exit_code == 0 and added["added"] and {"from": "regional", "words": ["浇筑", "澆置"]} in added["groups"]
    now = copy.read_text(encoding="utf-8")
    assert now.startswith(old) and f"[{added['table']}]" in now  # what the user wrote stays, word for word
    with SearchIndex(home.index_dir) as ix:
        ix.add([doc(1, "", "四樓版混凝土澆置完成。"), doc(2, "", "外墙刷石灰水两遍。")])
        assert [h.id for h in ix.search("混凝土浇筑")] == [1]
        assert [h.id for h in ix.search("白灰")] == [2]
    r = cli("synonyms", "update")
    assert r.exit_code == 0 and "already holds every shipped group" in r.output


def test_synonyms_update_refuses_a_broken_copy_and_says_when_the_home_has_none(cli, home):
    copy = home.root / "synonyms.toml"
    copy.write_text('[local]\ngroups = [\n  ["白灰" "石灰"],\n]\n', encoding="utf-8")
    r = cli("synonyms", "update")
    assert r.exit_code == ExitCode.config_error
    assert f"{copy}: Unclosed array (at line 3, column 9); fix that line" in r.output
    assert copy.read_text(encoding="utf-8") == '[local]\ngroups = [\n  ["白灰" "石灰"],\n]\n'  # nothing written
    outside = home.root.parent / "elsewhere.toml"
    outside.write_text(SHIPPED.read_text(encoding="utf-8")[: SHIPPED.read_text(encoding="utf-8").index("[regional]")])
    copy.unlink()
    copy.symlink_to(outside)  # a link out of the home is never written through
    r = cli("synonyms", "update")
    assert r.exit_code == ExitCode.config_error and f"{copy} is a link; replace it with the file itself" in r.output
    assert "[added_" not in outside.read_text(encoding="utf-8") and copy.is_symlink()
    copy.unlink()
    r = cli("synonyms", "update")
    assert r.exit_code == 0 and "does not exist: searches use the shipped lists, which are current." in r.output
    assert not copy.exists()


BAD = [
    ('[materials]\ngroups = [\n  ["砼", "混凝土"\n]\n', "Unclosed array (at the end of the file, line 5)"),
    ('[materials]\ngroups = [\n  ["砼" "混凝土"],\n]\n', "(at line 3, column 8); fix that line"),
    (
        '[materials]\ngroups = [\n  ["砼", "混凝土"],\n  ["钢筋"],\n]\n',
        "line 4: group ['钢筋'] in [materials] needs at least two different words",
    ),
    (
        '[materials]\ngroups = [\n  ["钢筋", "鋼筋"],\n]\n',
        "line 3: group ['钢筋', '鋼筋'] in [materials] needs at least two different words",
    ),
    ('[materials]\ngroups = [\n  ["砼", 42],\n]\n', "line 3: [materials]: 42 is not a word in quotes"),
    ('[materials]\ngroups = [\n  ["砼", "。，"],\n]\n', "line 3: [materials]: '。，' is not a searchable word"),
    ('[materials]\ngroups = [\n  ["砼", "混 凝 土"],\n]\n', "line 3: [materials]: '混 凝 土' is not a searchable word"),
    ('weight = 2\n[materials]\ngroups = [["砼", "混凝土"]]\n', "line 1: weight = 2 must be a number between 0 and 1"),
    ('[materials]\nwords = ["砼", "混凝土"]\n', "line 1: [materials] must hold only groups = "),
    ('[materials]\ngroups = ["砼", "混凝土"]\n', "line 2: [materials] groups: '砼' is not a list of words"),
]


@pytest.mark.parametrize("text, message", BAD)
def test_a_bad_synonym_file_names_the_file_and_line(tmp_path, text, message):
    path = tmp_path / "synonyms.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        parse(path.read_bytes(), path)
    assert str(err.value).startswith(f"{path}")
    assert message in str(err.value)
    assert err.value.exit_code == ExitCode.config_error


def test_a_synonym_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "synonyms.toml"
    path.write_bytes('[m]\ngroups = [["砼", "混凝土"]]\n'.encode("gbk"))
    with pytest.raises(ConfigError, match=r"synonyms.toml: not UTF-8 text \(byte \d+\); save it as UTF-8"):
        parse(path.read_bytes(), path)


def test_a_broken_home_copy_stops_the_search_with_a_clear_line(cli, home):
    (home.root / "synonyms.toml").write_text('[materials]\ngroups = [\n  ["钢筋"],\n]\n', encoding="utf-8")
    result = cli("search", "钢筋")
    assert result.exit_code == ExitCode.config_error
    assert (
        f"{home.root / 'synonyms.toml'} line 3: group ['钢筋'] in [materials] needs at least two different words"
        in result.output
    )
