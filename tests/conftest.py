"""Shared fixtures: a fresh archive home, its catalog, and a CLI runner bound to it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.catalog import Catalog
from archive.create import init_home
from archive.sample import SAMPLE_ROLES as ALL_ROLES  # the sample project's ten role holders


@pytest.fixture
def home(tmp_path: Path):
    """A freshly initialised archive home."""
    h, _ = init_home(tmp_path / "home")
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
    from archive.projects import add_project

    return add_project(cat, "BJ-2024-017", "安居花园3号楼", roles=dict(ALL_ROLES))


class Cli:
    """Invoke dangan against one home and keep the last result."""

    def __init__(self, home_root: Path):
        self.home_root = home_root
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None):
        from cli import main

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
