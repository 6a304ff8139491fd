"""Issue 24 item 4: choosing the search engine — `dangan reindex --engine`, [index] engine,
readers following a switch, and a damaged tantivy index."""

from __future__ import annotations

import tomllib

import pytest

from dangan.archive.intake.ingest import file_document
from dangan.indexer.errors import ExitCode, IndexDamagedError
from dangan.indexer.index import SearchIndex
from tests.conftest import write_text_doc

CODE = "BJ-2024-017"


def _filed(cat, tmp_path, n=3):
    return [
        file_document(
            cat,
            write_text_doc(tmp_path / "src", f"施工日志{i}.txt", f"塔吊进场 2024年5月{i + 1}日 浇筑第{i}层"),
            project=CODE,
        )
        for i in range(n)
    ]


def _engine_setting(home) -> str | None:
    return tomllib.loads(home.config_path.read_text(encoding="utf-8")).get("index", {}).get("engine")


def test_reindex_engine_switches_records_the_choice_and_keeps_the_file_as_it_was(cli, cat, project, home, tmp_path):
    recs = _filed(cat, tmp_path)
    before = home.config_path.read_text(encoding="utf-8")
    mode = home.config_path.stat().st_mode
    reader = SearchIndex(home.index_dir)  # a long-lived reader, like a web worker on another station
    assert {h.id for h in reader.search("塔吊")} == {r.doc_id for r in recs}
    assert reader.engine() == "whoosh"

    r = cli("reindex", "--engine", "tantivy")
    assert r.exit_code == 0 and r.output.strip().endswith("Reindexed 3 document(s) with tantivy.")
    assert _engine_setting(home) == "tantivy"
    after = home.config_path.read_text(encoding="utf-8")
    assert after.startswith(before.rstrip("\n")), "every line and comment of dangan.toml kept"
    assert home.config_path.stat().st_mode == mode, "the file keeps its permissions (it may hold a password)"
    assert reader.engine() == "tantivy" and {h.id for h in reader.search("塔吊")} == {r.doc_id for r in recs}
    assert "塔吊" in cli("search", "塔吊").output

    assert cli("reindex").output.strip() == "Reindexed 3 document(s).", "a plain reindex keeps the chosen engine"
    assert reader.engine() == "tantivy"
    assert cli("reindex", "--engine", "whoosh").exit_code == 0
    assert _engine_setting(home) == "whoosh" and reader.engine() == "whoosh"
    assert {h.id for h in reader.search("塔吊")} == {r.doc_id for r in recs}
    assert home.config_path.read_text(encoding="utf-8").count("[index]") == 1
    reader.close()


def test_a_new_home_index_is_made_with_the_engine_dangan_toml_names(cli, cat, project, home, tmp_path):
    text = home.config_path.read_text(encoding="utf-8")
    home.config_path.write_text(text + '\n[index]\nengine = "tantivy"  # chosen by hand\n', encoding="utf-8")
    home.config["index"] = {"engine": "tantivy"}
    _filed(cat, tmp_path, n=1)
    with SearchIndex(home.index_dir) as ix:
        assert ix.engine() == "tantivy" and ix.count() == 1


def test_an_unknown_engine_in_dangan_toml_is_a_config_error_naming_the_file(cli, home):
    text = home.config_path.read_text(encoding="utf-8")
    home.config_path.write_text(text + '\n[index]\nengine = "lucene"\n', encoding="utf-8")
    r = cli("reindex")
    assert r.exit_code == ExitCode.config_error
    assert (
        f"unknown search engine 'lucene' ([index] engine in {home.config_path}): use one of whoosh, tantivy" in r.output
    )


def test_reindex_optimize_on_tantivy_says_it_merges_by_itself(cli, cat, project, home, tmp_path):
    _filed(cat, tmp_path)
    assert cli("reindex", "--engine", "tantivy").exit_code == 0
    generation = (home.index_dir / "CURRENT").read_text()
    r = cli("reindex", "--optimize")
    assert r.exit_code == 0
    assert r.output.strip() == "The tantivy search index merges its segments itself; nothing to merge."
    assert (home.index_dir / "CURRENT").read_text() == generation


def test_reindex_refuses_optimize_with_engine(cli, home):
    r = cli("reindex", "--optimize", "--engine", "tantivy")
    assert r.exit_code == ExitCode.usage
    assert "--optimize merges the index as it is; use --engine without it to rebuild" in r.output


@pytest.mark.parametrize("damage", ["truncate", "delete"])
def test_a_damaged_tantivy_index_says_so_and_a_rebuild_mends_it(tmp_path, damage):
    index_dir = tmp_path / "index"
    with SearchIndex(index_dir, engine="tantivy") as ix:
        ix.add([{"id": 1, "content": "塔吊租赁合同"}])
    gen = index_dir / (index_dir / "CURRENT").read_text().strip()
    meta = gen / "meta.json"
    if damage == "truncate":
        meta.write_bytes(meta.read_bytes()[:40])
    else:
        meta.unlink()
    ix = SearchIndex(index_dir)
    with pytest.raises(IndexDamagedError, match="the search index is damaged: run dangan reindex") as err:
        ix.search("塔吊")
    assert err.value.exit_code == ExitCode.verify_failed
    ix.rebuild([{"id": 2, "content": "塔吊基础验收"}])
    assert [h.id for h in ix.search("塔吊")] == [2] and ix.engine() == "tantivy"
    ix.close()
