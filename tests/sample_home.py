"""The sample project filed once per test run, copied into each test that needs it.

Filing the sample inbox OCRs several scans (tens of seconds), so it happens once per
process in a temporary folder; a test gets its own copy of that home (catalog, vault,
index) and may change it freely.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

from archive.catalog import Catalog
from archive.create import init_home
from archive.home import Home
from archive.ingest import ingest_paths
from archive.projects import add_project
from archive.sample import SAMPLE_NAME, SAMPLE_PROJECT, SAMPLE_ROLES, samples_dir


@functools.cache
def _template() -> Path:
    root = Path(tempfile.mkdtemp(prefix="dangan-sample-home-"))
    atexit.register(shutil.rmtree, root, True)
    home, _ = init_home(root / "home")
    with Catalog.open(home) as cat:
        add_project(cat, SAMPLE_PROJECT, SAMPLE_NAME, roles=dict(SAMPLE_ROLES))
        shutil.copytree(samples_dir() / "inbox", home.inbox_dir, dirs_exist_ok=True)
        ingest_paths(cat, [home.inbox_dir])
    return home.root


def sample_home(target: Path) -> Home:
    """A private copy of the filed sample home at ``target``."""
    shutil.copytree(_template(), target)
    return Home.open(target)
