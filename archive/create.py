"""Making an archive home: folders, settings, editable copies of shipped files, the catalog.

Kept apart from ``home`` (finding and reading a home) because creating one needs the catalog,
while the catalog itself needs ``home``: this way the imports run one way.
"""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

from dangan.archive.catalog import Catalog, display_url
from dangan.archive.home import CONFIG_NAME, DEFAULT_CONFIG, Home, shipped_dir
from dangan.indexer.errors import ConflictError, HomeNotEmptyError, UsageError
from dangan.indexer.fsutil import write_private

DEFAULT_URL_LINE = 'url = "sqlite:///catalog.db"'


def init_home(root: Path, catalog_url: str | None = None) -> tuple[Home, bool]:
    """Create the home at ``root``; return it and whether anything was created.

    ``catalog_url`` (e.g. ``postgresql+psycopg://dangan@db-host/dangan``) is written into the
    new dangan.toml instead of the embedded SQLite catalog, and its schema is created or
    brought up to date.  Running it on an existing home only fills in what is missing (never
    overwrites a user's edited checklist or template).  A non-empty folder that is not a home
    is refused, and so is an existing home whose catalog URL differs from ``catalog_url``.
    """
    root = Path(root).expanduser().absolute()
    existed = (root / CONFIG_NAME).is_file()
    if not existed and root.exists() and any(root.iterdir()):
        raise HomeNotEmptyError(
            f"{root} is not empty and is not a dangan home; choose an empty or new folder with --home"
        )
    root.mkdir(parents=True, exist_ok=True)
    created = not existed
    if not existed:
        text = _config_text(catalog_url)
        # The database first: a wrong URL or a server that is down leaves no half-made home.
        Catalog.create(Home(root=root, config=tomllib.loads(text))).close()
        # Private (0600) from the first byte: [catalog] url may hold the database password.
        write_private(root / CONFIG_NAME, text)
    for sub in ("vault", "index", "inbox", "checklists", "templates", "templates/registers"):
        (root / sub).mkdir(exist_ok=True)
    _copy_missing(shipped_dir("archive") / "checklists", root / "checklists", "*.toml")
    _copy_missing(shipped_dir("templates"), root / "templates", "*.docx")
    _copy_missing(shipped_dir("templates"), root / "templates", "forms.toml")
    _copy_missing(shipped_dir("templates") / "registers", root / "templates" / "registers", "*.docx")
    _copy_missing(shipped_dir("indexer"), root, "synonyms.toml")  # the trade thesaurus searches use
    home = Home.open(root)
    if existed and catalog_url and home.catalog_url != Home(root, {"catalog": {"url": catalog_url}}).catalog_url:
        raise ConflictError(
            f"{root / CONFIG_NAME}: this home's catalog is {display_url(home.catalog_url)}, "
            f"not {display_url(catalog_url)}; edit [catalog] url there to move it"
        )
    Catalog.create(home).close()
    return home, created


def _config_text(catalog_url: str | None) -> str:
    """The default dangan.toml, with ``[catalog] url`` set when a URL is given."""
    if not catalog_url:
        return DEFAULT_CONFIG
    if any(ch in catalog_url for ch in "\n\r") or "://" not in catalog_url:
        raise UsageError(
            f"--catalog-url {catalog_url!r} is not a database URL; "
            "use e.g. postgresql+psycopg://dangan@db-host:5432/dangan"
        )
    # json.dumps writes a valid TOML basic string (quotes and backslashes escaped).
    return DEFAULT_CONFIG.replace(DEFAULT_URL_LINE, f"url = {json.dumps(catalog_url)}")


def _copy_missing(src: Path, dst: Path, pattern: str) -> None:
    """Copy shipped files the user does not have yet; never overwrite an edited copy."""
    if not src.is_dir():
        return
    for f in sorted(src.glob(pattern)):
        target = dst / f.name
        if not target.exists():
            shutil.copy2(f, target)
