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


def pytest_configure(config):
    config.addinivalue_line("markers", "both_catalogs: run the module's home-based tests on SQLite and PostgreSQL")


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
