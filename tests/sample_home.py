"""The sample project filed once per test run, copied into each test that needs it.

OCR of the sample scans takes tens of seconds and is tested elsewhere (test_end_to_end),
so here the inbox is filed with OCR off and every document the classifier could not place
without its text is filed by hand on the item ``samples/expected.json`` names — the same
end state, quickly.  It happens once per process in a temporary folder; a test gets its
own copy of that home (catalog, vault, index) and may change it freely.
"""

from __future__ import annotations

import atexit
import functools
import json
import shutil
import tempfile
from pathlib import Path

from dangan.archive.catalog import Catalog
from dangan.archive.create import init_home
from dangan.archive.home import Home
from dangan.archive.intake.filing import file_reviewed, refile
from dangan.archive.intake.ingest import ingest_paths
from dangan.archive.projects import add_project
from dangan.archive.sample import SAMPLE_NAME, SAMPLE_PROJECT, SAMPLE_ROLES, samples_dir


@functools.cache
def _template() -> Path:
    root = Path(tempfile.mkdtemp(prefix="dangan-sample-home-"))
    atexit.register(shutil.rmtree, root, True)
    home, _ = init_home(root / "home")
    config = home.config_path.read_text(encoding="utf-8").replace("ocr = true", "ocr = false")
    home.config_path.write_text(config, encoding="utf-8")
    home = Home.open(home.root)
    expected = json.loads((samples_dir() / "expected.json").read_text(encoding="utf-8"))
    with Catalog.open(home) as cat:
        add_project(cat, SAMPLE_PROJECT, SAMPLE_NAME, roles=dict(SAMPLE_ROLES))
        shutil.copytree(samples_dir() / "inbox", home.inbox_dir, dirs_exist_ok=True)
        for record in ingest_paths(cat, [home.inbox_dir]):
            exp = expected.get(record.path.name, {})
            item = exp.get("item") or expected.get(exp.get("duplicate_of", ""), {}).get("item")  # a copy came first
            if record.outcome == "review" and item:
                file_reviewed(cat, record.doc_id, project=SAMPLE_PROJECT, item=item)
            elif record.outcome == "filed" and item and record.item.code != item:
                refile(cat, record.doc_id, item=item)
    return home.root


def sample_home(target: Path) -> Home:
    """A private copy of the filed sample home at ``target``."""
    shutil.copytree(_template(), target)
    return Home.open(target)
