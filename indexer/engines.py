"""The search engines an index can be built with, and how a home chooses one.

``[index] engine`` in dangan.toml names the engine ``dangan reindex`` builds with (and a new
index is made with); the index itself records which engine wrote each generation, so readers
on every station need no setting and follow a switch at their next search.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from pathlib import Path

from dangan.indexer.errors import ConfigError
from dangan.indexer.fsutil import atomic_write

# Whoosh (pure Python, the design card's engine) and tantivy (Rust, for large homes).
ENGINES = ("whoosh", "tantivy")
# What a new index is made with when nothing names an engine (tests switch it).
DEFAULT_ENGINE = "whoosh"
_TABLE = re.compile(r"^\s*\[([^\]]*)\]\s*(#.*)?$")
_ENGINE_LINE = re.compile(r"^\s*engine\s*=")


def check_engine(name: object, where: str = "[index] engine in dangan.toml") -> str:
    """``name`` if it is a known engine, else ConfigError saying which there are."""
    if name not in ENGINES:
        raise ConfigError(f"unknown search engine {name!r} ({where}): use one of {', '.join(ENGINES)}")
    return str(name)


def configured(config: dict, config_path: Path) -> str | None:
    """The engine ``[index] engine`` names in a home's settings, None when it names none."""
    table = config.get("index", {})
    if not isinstance(table, dict) or "engine" not in table:
        return None
    return check_engine(table["engine"], f"[index] engine in {config_path}")


def record(config_path: Path, engine: str) -> None:
    """Set ``[index] engine`` in dangan.toml to ``engine``, keeping every other line and comment
    (the file is replaced atomically and keeps its permissions: it may hold a password)."""
    check_engine(engine)
    text = config_path.read_text(encoding="utf-8")
    lines = text.splitlines()
    line = f'engine = "{engine}"'
    table = None
    header = None
    for n, raw in enumerate(lines):
        if m := _TABLE.match(raw):
            table = m.group(1).strip()
            header = n if table == "index" else header
        elif table == "index" and _ENGINE_LINE.match(raw):
            lines[n] = line
            break
    else:
        if header is not None:
            lines.insert(header + 1, line)
        else:
            lines += [
                "",
                "[index]",
                "# whoosh (pure Python) or tantivy (faster past ~10,000 documents); switch with",
                "# dangan reindex --engine NAME, which rebuilds the index",
                line,
            ]
    new = "\n".join(lines) + "\n"
    try:
        written = tomllib.loads(new).get("index", {}).get("engine")
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(
            f'{config_path}: cannot record the search engine ({e}); set [index] engine = "{engine}" by hand'
        ) from e
    if written != engine:
        raise ConfigError(f'{config_path}: cannot record the search engine; set [index] engine = "{engine}" by hand')
    mode = stat.S_IMODE(config_path.stat().st_mode)
    atomic_write(config_path, new)
    os.chmod(config_path, mode)
