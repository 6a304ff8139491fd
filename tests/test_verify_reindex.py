"""verify, reindex and register through the CLI: what a user sees when something is off."""

from __future__ import annotations

import json
import shutil

import pytest

from dangan.archive.intake.ingest import file_document
from dangan.indexer.errors import ExitCode
from tests.conftest import write_text_doc

# every test here runs on SQLite and on PostgreSQL, and on both search engines (issue 24)
pytestmark = [pytest.mark.both_catalogs, pytest.mark.usefixtures("engine")]

CODE = "BJ-2024-017"


def _filed(cat, tmp_path, n=3):
    return [
        file_document(
            cat,
            write_text_doc(tmp_path / "src", f"施工日志{i}.txt", f"施工日志 2024年5月{i + 1}日 浇筑第{i}层"),
            project=CODE,
        )
        for i in range(n)
    ]


def test_verify_reports_changed_missing_and_orphan_files(cli, cat, project, home, tmp_path):
    recs = _filed(cat, tmp_path)
    (home.vault_dir / recs[0].vault_rel).write_text("tampered", encoding="utf-8")
    (home.vault_dir / recs[1].vault_rel).unlink()
    (home.vault_dir / CODE / "stray.pdf").write_bytes(b"%PDF-1.4 someone copied this in by hand")
    r = cli("verify", "--json")
    assert r.exit_code == ExitCode.verify_failed
    rep = json.loads(r.output)
    assert [f["id"] for f in rep["changed_files"]] == [recs[0].doc_id]
    assert [f["id"] for f in rep["missing_files"]] == [recs[1].doc_id]
    assert rep["orphan_files"] == [f"{CODE}/stray.pdf"] and rep["clean"] is False
    r = cli("verify", "--repair")
    assert r.exit_code == ExitCode.verify_failed, "repair never touches vault files"
    assert (home.vault_dir / CODE / "stray.pdf").exists()
    assert f"changed file (SHA-256 differs): #{recs[0].doc_id}" in r.output


def test_verify_repair_fixes_the_index(cli, cat, project, home, tmp_path):
    from dangan.archive.searchsync import remove_from_index

    recs = _filed(cat, tmp_path)
    remove_from_index(cat, [recs[2].doc_id])
    r = cli("verify", "--json")
    assert r.exit_code == ExitCode.verify_failed
    assert json.loads(r.output)["missing_in_index"] == [recs[2].doc_id]
    r = cli("verify", "--repair", "--json")
    assert r.exit_code == 0 and json.loads(r.output)["repaired"]["indexed"] == [recs[2].doc_id]
    assert cli("verify").output.strip().endswith("Clean.")


def test_reindex_rebuilds_a_lost_index(cli, cat, project, home, tmp_path):
    _filed(cat, tmp_path)
    shutil.rmtree(home.index_dir)
    home.index_dir.mkdir()
    lost = cli("search", "浇筑", "--json")  # not "no match": the index lost what the catalog holds
    assert lost.exit_code == 8 and lost.output.strip() == (
        "Error: the search index holds none of the 3 document(s) in the catalog, so a search cannot answer; "
        "run dangan verify --repair"
    )
    r = cli("reindex")
    assert r.exit_code == 0 and r.output.strip() == "Reindexed 3 document(s)."
    assert len(json.loads(cli("search", "浇筑", "--json").output)) == 3


def test_register_xlsx_with_archive_codes(cli, cat, project, tmp_path):
    from openpyxl import load_workbook

    _filed(cat, tmp_path, n=2)
    out = tmp_path / "归档文件目录.xlsx"
    r = cli("register", CODE, "--kind", "归档文件目录", "--xlsx", "--out", str(out))
    assert r.exit_code == 0, r.output
    values = [str(c.value) for row in load_workbook(out).active.iter_rows() for c in row if c.value]
    assert "0123-WS·2024-D30-GC-0001" in values and "0123-WS·2024-D30-GC-0002" in values


def test_register_of_an_unknown_project(cli, project, tmp_path):
    r = cli("register", "NOPE", "--out", str(tmp_path / "x.docx"))
    assert r.exit_code == ExitCode.not_found
    assert r.output.strip() == "Error: no project 'NOPE'; projects: BJ-2024-017"
    assert not (tmp_path / "x.docx").exists()


def test_demo_without_samples_says_what_to_do(tmp_path):
    from click.testing import CliRunner

    from dangan.cli import main

    r = CliRunner().invoke(main, ["demo", "--samples", str(tmp_path)])
    assert r.exit_code == ExitCode.not_found
    assert (
        r.output.strip() == f"Error: no sample inbox at {tmp_path / 'inbox'}; pass --samples DIR from a source checkout"
    )


@pytest.mark.parametrize("engine", ["whoosh"], indirect=True)  # Whoosh segments
def test_reindex_optimize_merges_without_rebuilding(cli, cat, project, home, tmp_path):
    _filed(cat, tmp_path)  # one index commit per file: several segments
    generation = (home.index_dir / "CURRENT").read_text()
    r = cli("reindex", "--optimize")
    assert r.exit_code == 0 and r.output.strip() == "Merged the search index from 3 segment(s) into one."
    assert (home.index_dir / "CURRENT").read_text() == generation, "no rebuild: the same generation"
    assert cli("reindex", "--optimize").output.strip() == "The search index is already one segment."
    assert len(json.loads(cli("search", "浇筑", "--json").output)) == 3


def test_an_index_built_by_an_older_text_fold_is_reported_and_rebuilt_by_repair(cli, cat, project, home, tmp_path):
    """Taiwan spellings (紀錄, 計畫) fold to the mainland's since FOLD_VERSION 2; an index built
    before misses them until it is rebuilt, and verify says so instead of staying silent."""
    from dangan.indexer import generations

    file_document(
        cat, write_text_doc(tmp_path / "src", "保養紀錄.txt", "電梯保養紀錄：本月更換鋼索一條。"), project=CODE
    )
    live = home.index_dir / generations.current(home.index_dir)
    (live / generations.FOLD_STAMP).unlink()  # as every index made before the stamp existed
    r = cli("verify")
    assert r.exit_code == ExitCode.verify_failed
    assert "the index was built before Taiwan spellings were folded" in r.output
    assert "`dangan reindex` or `dangan verify --repair`" in r.output
    r = cli("verify", "--repair", "--json")
    assert r.exit_code == 0 and json.loads(r.output)["repaired"]["rebuilt"] == 1
    assert cli("verify").output.strip().endswith("Clean.")
    assert "保養紀錄" in cli("search", "保养记录").output
