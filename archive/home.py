"""The archive home: one folder holding the catalog, vault, index, inbox and settings.

A home is found by ``--home``, else ``$DANGAN_HOME``, else ``./dangan-home``.  It is
recognised by its ``dangan.toml`` (which carries a ``[dangan]`` table), so ``init`` can tell
a home from an unrelated folder it must not write into.
"""

from __future__ import annotations

import os
import stat
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dangan.indexer.errors import ConfigError, NoHomeError

CONFIG_NAME = "dangan.toml"
DEFAULT_HOME = "dangan-home"
HOME_ENV = "DANGAN_HOME"

# Written on init; every key is documented in the README.  Comments stay in the file so a
# user editing it sees what each key does.
DEFAULT_CONFIG = """\
# dangan archive home settings.  Edit freely; dangan reads this file at every start.
[dangan]
home_version = 1
company = "示例建设工程有限公司"      # printed on forms and registers

[catalog]
# SQLAlchemy URL.  Relative SQLite paths are inside the home.  For several ingest stations
# point every home at one PostgreSQL server, e.g. "postgresql+psycopg://user@host/dangan".
url = "sqlite:///catalog.db"

[vault]
# Where filed documents are stored, relative to vault/.  Fields: {project} {person} {role}
# {item_code} {item_title} {date} (document date or filing date, YYYYMMDD) {name} (original file name).
path_pattern = "{project}/{person}/{item_code}-{item_title}/{date}_{name}"

[ingest]
stable_seconds = 2.0       # the watcher files a file only after size and mtime are still this long
min_confidence = 0.5       # below this, or on a tie, a document goes to review instead of being guessed
ocr = true                 # OCR scans and image-only PDF pages

[limits]
# What one input file may cost; a file over a limit goes to inbox/.failed/ naming the limit.
max_file_mb = 512          # any input file
max_text_mb = 16           # a plain .txt file
max_pages = 1000           # PDF pages or TIFF frames
max_unzipped_mb = 200      # a DOCX's parts, unpacked (a "zip bomb" is refused before unpacking)
max_image_megapixels = 64  # one image or TIFF frame (an A1 drawing at 300 dpi is ~70)
seconds_per_file = 900     # reading one file, OCR included (checked between pages)

[lock]
wait_seconds = 30          # one-shot commands give up after waiting this long for another writer

[archive_code]
# 档号 (DA/T 22): 全宗号-门类代码·年度-保管期限-机构代码-件号, e.g. 0123-WS·2024-Y-GC-0007
fonds = "0123"
category = "WS"
org = "GC"
pattern = "{fonds}-{category}·{year}-{retention}-{org}-{seq:04d}"

[volume]
# Volumes (案卷) for handover.  档号 of a volume (DA/T 13: "-" between levels, "·" inside one);
# fields {fonds} (above), {project} (the project code without dashes), {gbt_class} (C, D…), {volume}.
code_pattern = "{fonds}-{project}·{gbt_class}-{volume:03d}"
max_pages = 200            # a checklist group thicker than this is split into 第1卷, 第2卷…
archive_no = ""            # 档案馆代号 printed on the cover
client = ""                # 建设单位, put in front of every 案卷题名
compiler = ""              # 立卷人 and 检查人 printed on the 备考表 (blank lines when empty)
reviewer = ""
"""


@dataclass
class Home:
    """An opened archive home and its settings."""

    root: Path
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def vault_dir(self) -> Path:
        return self.root / "vault"

    @property
    def index_dir(self) -> Path:
        return self.root / "index"

    @property
    def inbox_dir(self) -> Path:
        return self.root / "inbox"

    @property
    def checklists_dir(self) -> Path:
        return self.root / "checklists"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def catalog_url(self) -> str:
        """The catalog's SQLAlchemy URL with a relative SQLite path resolved inside the home."""
        url = str(self.setting("catalog", "url", "sqlite:///catalog.db"))
        prefix = "sqlite:///"
        if url.startswith(prefix) and not url.startswith(prefix + "/") and url != prefix + ":memory:":
            return prefix + str(self.root / url[len(prefix) :])
        return url

    def setting(self, table: str, key: str, default: Any = None) -> Any:
        """One value of dangan.toml, or ``default`` when the key is absent."""
        return self.config.get(table, {}).get(key, default)

    def exposed_secrets(self) -> str | None:
        """A warning if dangan.toml holds a password and other users may read it, else None.

        ``init`` writes it 0600; a file copied or made by hand may not be.
        """
        try:
            password = urlsplit(str(self.setting("catalog", "url", ""))).password
            mode = self.config_path.stat().st_mode
        except (ValueError, OSError):  # an odd URL or a file gone since it was read: nothing to say
            return None
        if not password or not mode & (stat.S_IRGRP | stat.S_IROTH):
            return None
        return (f"{self.config_path} holds the catalog's database password and other users may read it "
                f"(mode {stat.S_IMODE(mode):04o}); make it private: chmod 600 {self.config_path}")  # fmt: skip

    @classmethod
    def open(cls, root: Path) -> "Home":
        """Open the home at ``root``; raise NoHomeError naming the fix when there is none."""
        root = Path(root).expanduser().absolute()
        if not (root / CONFIG_NAME).is_file():
            raise NoHomeError(
                f"no archive home at {root}: create one with `dangan init --home {root}` "
                f"or point --home / ${HOME_ENV} at an existing one"
            )
        return cls(root=root, config=load_config(root / CONFIG_NAME))


def locate(explicit: str | os.PathLike | None = None) -> Path:
    """The home folder to use: ``explicit``, else ``$DANGAN_HOME``, else ``./dangan-home``."""
    if explicit:
        return Path(explicit).expanduser().absolute()
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env).expanduser().absolute()
    return Path.cwd() / DEFAULT_HOME


def load_config(path: Path) -> dict[str, Any]:
    """Read dangan.toml; a syntax error names the file and line."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: {e}; fix the file or move it away and run `dangan init` again") from e
    if "dangan" not in data:
        raise ConfigError(f"{path}: missing the [dangan] table; this does not look like a dangan home")
    return data


def shipped_dir(package: str) -> Path:
    """Folder of a package's shipped data files (checklists, templates): ``shipped_dir("templates")``.

    ``package`` is the top-level folder's name; installed, it lives inside ``dangan``.
    """
    return Path(str(resources.files(f"dangan.{package}")))
