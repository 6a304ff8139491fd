"""Making an archive home: folders, settings, editable copies of shipped files, the catalog.

Kept apart from ``home`` (finding and reading a home) because creating one needs the catalog,
while the catalog itself needs ``home``: this way the imports run one way.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from archive.catalog import Catalog
from archive.home import CONFIG_NAME, DEFAULT_CONFIG, Home, shipped_dir
from indexer.errors import HomeNotEmptyError


def init_home(root: Path) -> tuple[Home, bool]:
    """Create the home at ``root``; return it and whether anything was created.

    Running it on an existing home only fills in what is missing (never overwrites a
    user's edited checklist or template).  A non-empty folder that is not a home is refused.
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
        (root / CONFIG_NAME).write_text(DEFAULT_CONFIG, encoding="utf-8")
    for sub in ("vault", "index", "inbox", "checklists", "templates", "templates/registers"):
        (root / sub).mkdir(exist_ok=True)
    _copy_missing(shipped_dir("archive") / "checklists", root / "checklists", "*.toml")
    _copy_missing(shipped_dir("templates"), root / "templates", "*.docx")
    _copy_missing(shipped_dir("templates"), root / "templates", "forms.toml")
    _copy_missing(shipped_dir("templates") / "registers", root / "templates" / "registers", "*.docx")
    home = Home.open(root)
    Catalog.create(home).close()
    return home, created


def _copy_missing(src: Path, dst: Path, pattern: str) -> None:
    """Copy shipped files the user does not have yet; never overwrite an edited copy."""
    if not src.is_dir():
        return
    for f in sorted(src.glob(pattern)):
        target = dst / f.name
        if not target.exists():
            shutil.copy2(f, target)
