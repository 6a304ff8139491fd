"""The source tree's shape: imports run one way and no room grows too big.

Everything is installed under one name, ``dangan``; the checkout keeps the top-level folders
(``archive/`` is ``dangan.archive``).  Layers, lowest first: ``indexer`` (errors, text, files,
extraction, search index) → ``archive`` (the domain) → ``commands`` (the click layer) and
``web`` (the web app) → ``cli``.  A module may import from its own layer or a lower one, never
upwards, and no two modules may import each other even through function-level imports.  The
web app's own helpers (``web/docview.py``, ``uploadjobs.py``, ``formjobs.py``) are imported by
nothing outside ``web/``; the command line reaches the web app only to start it.  Every
import names ``dangan.…``: in a checkout the bare folders are importable too, and a module
imported both ways would exist twice.  These tests walk the ``ast`` of every source file, so
an import hidden inside a function counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "dangan"
LAYERS = {"indexer": 0, "archive": 1, "commands": 2, "web": 2, "cli": 3}
# What the command line may take from the web app: starting it (`dangan serve`).
COMMANDS_TO_WEB = {"dangan.web.app"}
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60


def source_files() -> list[Path]:
    files = [ROOT / "cli.py"]
    for package in LAYERS:
        if (ROOT / package).is_dir():
            files += sorted((ROOT / package).rglob("*.py"))
    return files


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = [PACKAGE, *rel.parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer(module: str) -> str:
    """``dangan.archive.intake.ingest`` → ``archive``."""
    return module.split(".")[1]


def imported_modules(path: Path) -> set[str]:
    """Every project module ``path`` imports, at top level or inside functions."""
    found = set()
    package = ""
    if path.is_relative_to(ROOT):
        package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(filter(None, [*up, base]))
            submodules = {f"{base}.{a.name}" for a in node.names if _is_module(f"{base}.{a.name}")}
            # `from dangan.archive import vault` imports the module dangan.archive.vault, not a name of archive.
            found |= submodules if len(submodules) == len(node.names) else {base, *submodules}
    return {m for m in found if m.split(".")[0] == PACKAGE and len(m.split(".")) > 1 and layer(m) in LAYERS}


def bare_imports(path: Path) -> list[str]:
    """Imports of a checkout folder by its bare name (``from archive…`` without ``dangan.``)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
        if isinstance(node, ast.ImportFrom) and not node.level:
            names = [node.module or ""]
        where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
        found += [f"{where}:{node.lineno}: {n}" for n in names if n.split(".")[0] in LAYERS]
    return found


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split(".")[1:])
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in source_files()}
    return {name: {m for m in imported_modules(p) if m in modules and m != name} for name, p in modules.items()}


def test_no_package_imports_upwards():
    upward = [
        f"{mod} imports {dep}"
        for mod, deps in graph().items()
        for dep in deps
        if LAYERS[layer(dep)] > LAYERS[layer(mod)]
    ]
    assert upward == []


def test_web_helpers_serve_only_the_web_app():
    across = [
        f"{mod} imports {dep}"
        for mod, deps in graph().items()
        for dep in deps
        if {layer(mod), layer(dep)} == {"commands", "web"} and dep not in COMMANDS_TO_WEB
    ]
    assert across == []


def test_every_import_names_the_one_installed_package():
    files = source_files() + sorted((ROOT / "tests").rglob("*.py")) + sorted((ROOT / "bench").rglob("*.py"))
    assert [line for f in files for line in bare_imports(f)] == []


def test_no_import_cycles():
    g = graph()
    cycles, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for dep in sorted(g[node]):
            if state.get(dep) == "open":
                cycles.append(" -> ".join(path[path.index(dep) :] + [dep]))
            elif dep not in state:
                visit(dep, path + [dep])
        state[node] = "done"

    for node in sorted(g):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_the_checker_sees_function_level_and_package_imports(tmp_path):
    f = tmp_path / "x.py"
    f.write_text("def f():\n    from dangan.archive import vault\n    import dangan.indexer.text\n", encoding="utf-8")
    assert imported_modules(f) >= {"dangan.archive.vault", "dangan.indexer.text"}


def test_the_checker_sees_a_bare_folder_import(tmp_path):
    f = tmp_path / "probe.py"
    f.write_text(
        "import os\ndef f():\n    from archive.intake import ingest\n    import web.app\n", encoding="utf-8"
    )  # rewrite: keep
    assert bare_imports(f) == ["probe.py:3: archive.intake", "probe.py:4: web.app"]  # rewrite: keep


@pytest.mark.parametrize("path", source_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_module_and_function_sizes(path):
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_MODULE_LINES, f"{path.name}: split it along its sections"
    long = [
        f"{n.name} ({n.end_lineno - n.lineno + 1} lines)"
        for n in ast.walk(ast.parse(text))
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.end_lineno - n.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long == []


# -- one writer lock, taken in one place ---------------------------------------------------------
LOCK_ENTRY = ROOT / "archive" / "dblock.py"  # writing() / writes(): the one entry to the writer lock


def file_lock_uses(path: Path) -> list[str]:
    """Where ``path`` reaches the home's file lock (``dangan.archive.lock.writer_lock``) or dblock's
    ``writer_lock`` instead of the one entry: imports of them and attribute uses."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module in ("dangan.archive.lock", "dangan.archive.dblock"):
            found += [
                f"line {node.lineno}: from {node.module} import {a.name}" for a in node.names if a.name == "writer_lock"
            ]
        elif isinstance(node, ast.Attribute) and node.attr == "writer_lock":
            found.append(f"line {node.lineno}: .writer_lock")
    return found


def test_every_writer_takes_the_lock_through_the_one_entry():
    """A writer holding only the home's file lock does not exclude another station's verify on
    a shared PostgreSQL catalog and ignores [lock] wait_seconds: library, CLI and web all go
    through dangan.archive.dblock.writing (tests may use dblock's primitive to test it, not the file lock)."""
    tests = sorted((ROOT / "tests").rglob("*.py"))
    outside = [f"{p.relative_to(ROOT)} {use}" for p in source_files() if p != LOCK_ENTRY for use in file_lock_uses(p)]
    outside += [
        f"{p.relative_to(ROOT)} {use}"
        for p in tests
        for use in file_lock_uses(p)
        if "dangan.archive.lock" in use or ".writer_lock" in use
    ]
    assert outside == []


def test_the_lock_checker_sees_imports_and_attributes(tmp_path):
    f = tmp_path / "x.py"
    f.write_text(
        "from dangan.archive.lock import writer_lock\nfrom dangan.archive import lock\nwith lock.writer_lock(root):\n    pass\n",
        encoding="utf-8",
    )
    assert file_lock_uses(f) == ["line 1: from dangan.archive.lock import writer_lock", "line 3: .writer_lock"]


def test_no_module_imports_another_modules_private_names():
    """A name one module needs from another is public (no leading underscore) in one place."""
    private = []
    for path in source_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in LAYERS:
                private += [f"{path.relative_to(ROOT)}: {a.name} from {node.module}" for a in node.names
                            if a.name.startswith("_") and not _is_module(f"{node.module}.{a.name}")]  # fmt: skip
    assert private == []


def test_the_markers_name_tests_that_exist():
    from tests.conftest import MARKED_TESTS

    def tests_in(module: str) -> set[str]:
        tree = ast.parse((ROOT / "tests" / module).read_text(encoding="utf-8"))
        return {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")}

    missing = [
        f"{marker}: {module}::{name}"
        for marker, modules in MARKED_TESTS.items()
        for module, names in modules.items()
        for name in sorted(names - {"*"} - (tests_in(module) if (ROOT / "tests" / module).is_file() else set()))
    ]
    assert missing == []
