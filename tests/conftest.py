"""Shared fixtures: a fresh archive home, its catalog, and a CLI runner bound to it.

``home`` is an embedded SQLite home.  A test module marked ``pytestmark =
pytest.mark.both_catalogs`` runs each of its tests that use ``home`` (or ``cat``, ``cli``…)
twice: once on SQLite and once on a database of its own on a throwaway PostgreSQL cluster
(started once per session by ``pg_cluster``).  Without PostgreSQL's server binaries those
runs are skipped, saying so, unless ``DANGAN_REQUIRE_POSTGRES=1`` (CI) makes that a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from dangan.archive.catalog import Catalog
from dangan.archive.create import init_home
from dangan.archive.sample import SAMPLE_ROLES as ALL_ROLES  # the sample project's ten role holders
from tests import pgserver

BACKENDS = ("sqlite", "postgresql")

# The markers declared in pyproject.toml, applied here so test files need not repeat them:
# by file, by fixture, or by module and test name ("*": the whole module).  libreoffice: the
# tests that ran a real `soffice` (found with a logging soffice on PATH); slow: the tests that
# took over about 5 s on the 2-core box (pytest --durations), whole processes, real OCR, builds.
MARKED_FILES = {"browser": {"test_browser.py", "test_browser_language.py"}}
MARKED_FIXTURES = {"postgres": {"pg_cluster", "pg_url"}, "slow": {"scans"}}  # scans: real OCR of scans
MARKED_TESTS: dict[str, dict[str, set[str]]] = {
    "libreoffice": {
        "test_end_to_end.py": {"test_demo_runs_offline_and_exits_zero"},
        "test_forms_pdf.py": {"test_render_with_pdf_runs_libreoffice_for_real"},
        "test_new_user_fixes.py": {"test_10_pdf_and_file_into_files_the_pdf"},
        "test_volume_build.py": {"*"},
    },
    "slow": {
        "test_browser.py": {"*"},
        "test_browser_language.py": {"*"},
        "test_codec.py": {
            "test_segments_of_the_old_codec_still_read_and_merge_into_packed_ones",
            "test_a_pool_past_its_memory_limit_spills_to_disk_and_answers_the_same",
        },
        "test_deadlines_cli.py": {
            "test_check_period_by_person_prints_who_owes_what",
            "test_received_marks_back_filed_paper_on_time",
            "test_check_period_tells_the_truth_about_a_month_of_tickets_and_calls",
            "test_due_is_the_morning_list_and_writes_a_calendar",
            "test_the_demo_service_month_has_one_late_one_overdue_and_names_who_owes_it",
        },
        "test_end_to_end.py": {"*"},
        "test_backup.py": {"test_backup_while_watch_files_two_hundred_documents"},
        "test_legacy.py": {"test_a_legacy_catalogue_and_its_scans_import_attach_and_work"},
        "test_search_threads.py": {"*"},
        "test_station_locks.py": {"test_cli_edit_web_review_and_upload_wait_for_another_stations_repair"},
        "test_forms_pdf.py": {"test_render_with_pdf_runs_libreoffice_for_real"},
        "test_forms_templates.py": {"test_generator_script_reproduces_the_shipped_templates"},
        "test_hostile_pipeline.py": {"test_kill_9_between_vault_link_and_commit_with_an_outside_source"},
        "test_index.py": {"test_the_top_hits_of_anded_and_ored_words_are_the_best_scored_across_segments"},
        "test_ingest.py": {"test_one_ingest_run_is_one_index_commit"},
        "test_new_user_fixes.py": {
            "test_10_pdf_and_file_into_files_the_pdf",
            "test_11_volume_note_counts_only_photographs_as_photos",
        },
        "test_odd_pdfs.py": {
            "test_a_wrong_tounicode_map_is_ocred_and_found",
            "test_a_scan_behind_a_junk_invisible_layer_is_ocred_and_found",
        },
        "test_packaging.py": {
            "test_pip_install_puts_exactly_one_top_level_name",
            "test_the_installed_package_carries_its_data_and_runs_from_anywhere",
        },
        "test_samples.py": {"*"},
        "test_two_stations.py": {"*"},
        "test_volume_build.py": {"*"},
        "test_watch_recovery.py": {"test_kill_9_mid_batch_loses_and_duplicates_nothing"},
        "test_web.py": {"test_search_pages_twenty_at_a_time_with_filters"},
    },
}


def pytest_collection_modifyitems(items):
    """Put the markers on: -m "not browser" deselects the browser tests, and so on."""
    for item in items:
        module, name = item.path.name, getattr(item, "originalname", item.name)
        for marker, files in MARKED_FILES.items():
            if module in files:
                item.add_marker(marker)
        for marker, modules in MARKED_TESTS.items():
            if {name, "*"} & modules.get(module, set()):
                item.add_marker(marker)
        for marker, fixtures in MARKED_FIXTURES.items():
            if fixtures & set(item.fixturenames):
                item.add_marker(marker)
        params = getattr(getattr(item, "callspec", None), "params", {})
        if params.get("home") == "postgresql":  # a both_catalogs module's run on PostgreSQL
            item.add_marker("postgres")


def pytest_generate_tests(metafunc):
    if metafunc.definition.get_closest_marker("both_catalogs") and "home" in metafunc.fixturenames:
        own = [m for m in metafunc.definition.iter_markers("parametrize") if "home" in str(m.args[0])]
        if not own:  # a test may pin its own backend with parametrize("home", [...], indirect=True)
            metafunc.parametrize("home", BACKENDS, indirect=True)


@pytest.fixture(scope="session")
def pg_cluster():
    """A PostgreSQL cluster for the whole session (skipped, or failed in CI, without binaries)."""
    bindir = pgserver.find_bindir()
    if bindir is None:
        reason = "PostgreSQL server binaries (initdb, pg_ctl) not found: install Debian's postgresql package"
        if os.environ.get(pgserver.REQUIRE_ENV) == "1":
            pytest.fail(f"{reason} ({pgserver.REQUIRE_ENV}=1 forbids skipping)")
        pytest.skip(reason)
    cluster = pgserver.PgCluster(bindir).start()
    yield cluster
    cluster.stop()


@pytest.fixture
def pg_url(request):
    """The URL of a fresh, empty database of its own on the session's cluster."""
    cluster = request.getfixturevalue("pg_cluster")
    name = cluster.create_database()
    yield cluster.url(name)
    cluster.drop_database(name)


@pytest.fixture
def home(request, tmp_path: Path):
    """A freshly initialised archive home (SQLite, or PostgreSQL when parametrised so)."""
    backend = getattr(request, "param", "sqlite")
    url = request.getfixturevalue("pg_url") if backend == "postgresql" else None
    h, _ = init_home(tmp_path / "home", catalog_url=url)
    return h


@pytest.fixture(params=("whoosh", "tantivy"))
def engine(request, monkeypatch) -> str:
    """Each search engine in turn (issue 24: one contract for both).  A new index made in this
    process uses it, and when the test has a ``home``, its dangan.toml names it ([index] engine),
    so ``dangan`` processes the test starts make and rebuild their index with it too."""
    from dangan.indexer import engines

    monkeypatch.setattr(engines, "DEFAULT_ENGINE", request.param)
    if "home" in request.fixturenames:
        h = request.getfixturevalue("home")
        engines.record(h.config_path, request.param)
        h.config.setdefault("index", {})["engine"] = request.param
    return request.param


@pytest.fixture
def cat(home):
    """The home's open catalog."""
    c = Catalog.open(home)
    yield c
    c.close()


@pytest.fixture
def project(cat):
    """Project BJ-2024-017 with all ten construction roles filled."""
    from dangan.archive.projects import add_project

    return add_project(cat, "BJ-2024-017", "安居花园3号楼", roles=dict(ALL_ROLES))


class Cli:
    """Invoke dangan against one home and keep the last result."""

    def __init__(self, home_root: Path):
        self.home_root = home_root
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None):
        from dangan.cli import main

        return self.runner.invoke(main, ["--home", str(self.home_root), *args], input=input, catch_exceptions=False)


@pytest.fixture
def cli(home):
    """Run dangan commands against the fixture home: ``cli("check", "BJ-2024-017")``."""
    return Cli(home.root)


def write_text_doc(folder: Path, name: str, text: str) -> Path:
    """A plain-text document: the fastest kind to file in tests that are not about extraction."""
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_text(text, encoding="utf-8")
    return p
