"""How dangan installs: one top-level name, its data files, and indexes written before that.

``pip install .`` must put exactly one name, ``dangan``, into site-packages (no ``archive``,
``web`` or ``templates`` that another distribution could overwrite or shadow), with the
checklists, form templates and web pages inside it.  An index written when the modules were
top-level (its table of contents pickles the codec class under the top-level ``indexer``) must
still open.
"""

from __future__ import annotations

import inspect
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dangan.indexer import analysis, codec, postings
from dangan.indexer.index import SearchIndex

ROOT = Path(__file__).resolve().parent.parent
SOURCES = (
    "pyproject.toml",
    "setup.py",
    "README.md",
    "cli.py",
    "dangan",
    "archive",
    "indexer",
    "commands",
    "web",
    "templates",
)


@pytest.fixture(scope="module")
def source_copy(tmp_path_factory) -> Path:
    """A copy of the source tree, as a second checkout (a git worktree) would hold it."""
    src = tmp_path_factory.mktemp("src")
    for name in SOURCES:  # a copy, so a build leaves no build/ or egg-info in the checkout
        p = ROOT / name
        if p.is_dir():
            shutil.copytree(p, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(p, src / name)
    return src


@pytest.fixture(scope="module")
def installed(source_copy, tmp_path_factory) -> Path:
    """A plain (non-editable) ``pip install`` of the source, into a folder of its own."""
    src, target = source_copy, tmp_path_factory.mktemp("site")
    cmd = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--no-index",
           "--target", str(target), str(src)]  # fmt: skip
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    return target


def test_pip_install_puts_exactly_one_top_level_name(installed):
    names = sorted(p.name for p in installed.iterdir() if p.name != "bin")  # bin/: the console script
    assert [n for n in names if not n.endswith(".dist-info")] == ["dangan"]
    assert [n for n in names if n.endswith(".dist-info")] == [f"dangan-{_version()}.dist-info"]
    assert (installed / "bin" / "dangan").is_file()


def test_the_installed_package_carries_its_data_and_runs_from_anywhere(installed, tmp_path):
    pkg = installed / "dangan"
    for rel in ("cli.py", "archive/checklists/construction.toml", "archive/checklists/service.toml",
                "templates/forms.toml", "templates/维护派工单.docx", "templates/registers/卷内目录.docx",
                "web/templates/base.html", "web/static/htmx.min.js", "archive/intake/ingest.py"):  # fmt: skip
        assert (pkg / rel).is_file(), rel
    env = {**os.environ, "PYTHONPATH": str(installed)}  # the installed copy only, not this checkout
    home = tmp_path / "home"
    code = "from dangan.cli import main; main()"
    r = subprocess.run([sys.executable, "-c", code, "--home", str(home), "init"], cwd=tmp_path, env=env,
                       capture_output=True, text=True)  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert (home / "templates" / "维护派工单.docx").is_file() and (home / "checklists" / "service.toml").is_file()
    where = subprocess.run([sys.executable, "-c", "import dangan.archive; print(dangan.archive.__file__)"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert Path(where.strip()).is_relative_to(installed)


def test_a_checkout_on_pythonpath_runs_its_own_code(source_copy, tmp_path):
    # A second worktree exports PYTHONPATH=$PWD: its folders must be the package, not those
    # of whichever checkout the editable install points at.
    env = {**os.environ, "PYTHONPATH": str(source_copy)}
    code = "import dangan.archive.intake.ingest as m, dangan.cli as c; print(m.__file__); print(c.__file__)"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                         check=True).stdout.split()  # fmt: skip
    assert out == [str(source_copy / "archive" / "intake" / "ingest.py"), str(source_copy / "cli.py")]


def _version() -> str:
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def _pickled_classes():
    """Every class Whoosh pickles into a table of contents by its module path."""
    for module in (analysis, codec, postings):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ in (module.__name__, module.__name__.removeprefix("dangan.")):
                yield cls, module.__name__


def test_an_index_written_under_the_old_module_paths_is_still_searchable(tmp_path, monkeypatch):
    # Write an index exactly as dangan did before it was one package: the classes' module
    # paths were top-level ``indexer.…``, and that is what the table of contents records.
    # Installed, there is no top-level ``indexer``; in this checkout there is a folder of that
    # name, so take the checkout off the path (``dangan`` is imported already).
    monkeypatch.setattr(sys, "path", [p for p in sys.path if Path(p or ".").resolve() != ROOT])
    for cls, name in _pickled_classes():
        monkeypatch.setattr(cls, "__module__", name.removeprefix("dangan."))
    old = SearchIndex(tmp_path / "index")
    old.add([{"id": 1, "title": "竣工验收报告", "content": "安居花园3号楼 竣工验收 合格", "project": "BJ-2024-017"}])
    old.close()
    for cls, name in _pickled_classes():
        monkeypatch.setattr(cls, "__module__", name)
    toc = b"".join(p.read_bytes() for p in (tmp_path / "index").rglob("*.toc"))
    assert b"indexer.codec" in toc and b"dangan.indexer" not in toc  # rewrite: keep
    for name in [m for m in sys.modules if m == "indexer" or m.startswith("indexer.")]:
        monkeypatch.delitem(sys.modules, name)  # read it as a fresh process would

    hits = SearchIndex(tmp_path / "index").search("竣工")
    assert [(h.id, h.title) for h in hits] == [(1, "竣工验收报告")]
