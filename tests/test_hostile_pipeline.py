"""Hostile input against the pipeline as a whole: limits, a damaged index, kills, lock waits.

Issue 17 items 5 (orphan after a kill with an outside source), 6 (damaged index), 7 (limits)
and 8 (lock contention): each test reproduces the input and asserts the safe outcome and the
exact message.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from dangan.archive import vault
from dangan.archive.catalog import Catalog
from dangan.archive.dblock import writing
from dangan.archive.home import load_config
from dangan.archive.intake.ingest import ingest_paths
from dangan.archive.verify import verify
from tests.conftest import write_text_doc
from tests.docgen import make_docx, make_text_pdf
from tests.test_forms_cli import START_HEADER, START_ROW, write_csv

CODE = "BJ-2024-017"
ROOT = Path(__file__).resolve().parent.parent
LOG = "施工日志 2024年5月{n}日 晴 第{n}天记录"


def _box(home) -> Path:
    d = home.inbox_dir / CODE
    d.mkdir(parents=True, exist_ok=True)
    return d


def _set(home, table: str, **values) -> None:
    """Set a table of dangan.toml (replacing the default one) and reload it into ``home``."""
    if f"[{table}]" in home.config_path.read_text(encoding="utf-8"):
        _strip_table(home, table)
    lines = [f"\n[{table}]"] + [f"{k} = {v!r}" for k, v in values.items()]
    with home.config_path.open("a", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    home.config = load_config(home.config_path)


def _strip_table(home, table: str) -> None:
    """Remove a table from the default dangan.toml, so a test can set it again."""
    text = home.config_path.read_text(encoding="utf-8")
    start = text.index(f"[{table}]")
    end = text.index("\n[", start + 1)
    home.config_path.write_text(text[:start] + text[end + 1 :], encoding="utf-8")


# -- 7. limits ----------------------------------------------------------------------------------
def _zip_bomb_docx(path: Path, unpacked_mb: int) -> Path:
    """A valid DOCX whose document.xml unpacks to ``unpacked_mb`` MB of spaces (a few KB packed)."""
    make_docx(path, ["施工日志"])
    buf = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body>" + b" " * (unpacked_mb << 20), 1)
            dst.writestr(info, data, zipfile.ZIP_DEFLATED)
    path.write_bytes(buf.getvalue())
    return path


@pytest.mark.parametrize(
    ("setting", "value", "make", "message"),
    [
        ("max_unzipped_mb", 2, lambda p: _zip_bomb_docx(p / "bomb.docx", 5),
         ("{p}: its content ({unpacked} MB unpacked) is over the limit of 2 MB (limits.max_unzipped_mb in dangan.toml); "
         "re-save it in Word (pictures compressed), or raise the limit")),
        ("max_pages", 3, lambda p: make_text_pdf(p / "long.pdf", [LOG.format(n=n) for n in range(1, 6)]),
         "{p}: 5 pages is over the limit of 3 pages (limits.max_pages in dangan.toml); split the file, or raise the limit"),
        ("max_image_megapixels", 1, lambda p: _png(p / "huge.png", 1200, 1000),
         ("{p}: an image of 1200×1000 pixels is over the limit of 1 megapixels (limits.max_image_megapixels in "
         "dangan.toml); scan it again at 300 dpi or less, or raise the limit")),
        ("max_text_mb", 1, lambda p: _big_text(p / "big.txt", 2),
         ("{p}: 2 MB is over the limit of 1 MB (limits.max_text_mb in dangan.toml); split or compress the file, "
         "or raise the limit")),
        ("max_file_mb", 1, lambda p: _big_text(p / "big.txt", 2),
         ("{p}: 2 MB is over the limit of 1 MB (limits.max_file_mb in dangan.toml); split or compress the file, "
         "or raise the limit")),
        # seconds_per_file (and memory_mb): tests/test_bounded_reading.py, with a reader that hangs.
    ],
)  # fmt: skip
def test_a_file_over_a_limit_goes_to_failed_naming_the_limit(cat, project, home, setting, value, make, message):
    _set(home, "limits", **{setting: value})
    box = _box(home)
    bad = make(box)
    write_text_doc(box, "good.txt", LOG.format(n=9))
    records = {r.path.name: r for r in ingest_paths(cat, [home.inbox_dir])}
    assert records["good.txt"].outcome == "filed"
    assert records[bad.name].outcome == "failed"
    error_file = home.inbox_dir / ".failed" / (bad.name + ".error.txt")
    if setting == "max_unzipped_mb":
        with zipfile.ZipFile(home.inbox_dir / ".failed" / bad.name) as z:
            message = message.replace("{unpacked}", f"{sum(i.file_size for i in z.infolist()) / 2**20:,.0f}")
    assert records[bad.name].message == message.format(p=bad)
    assert error_file.read_text(encoding="utf-8").splitlines()[0] == message.format(p=bad)
    assert vault.stored_files(home.vault_dir) == [records["good.txt"].vault_rel], "no partial left in the vault"


def _png(path: Path, w: int, h: int) -> Path:
    Image.new("L", (w, h), 255).save(path)
    return path


def _big_text(path: Path, mb: int) -> Path:
    path.write_bytes(("施工日志" * 100 + "\n").encode() * (mb * 1024 * 1024 // 1201 + 1))
    return path


def test_a_bad_limit_setting_names_the_key(cli, project, home):
    _set(home, "limits", max_pages="many")
    write_text_doc(_box(home), "a.txt", LOG.format(n=1))
    r = cli("ingest", str(home.inbox_dir))
    assert r.exit_code == 6
    assert r.output.strip().endswith("dangan.toml: limits.max_pages = 'many' must be a positive number")


# -- 6. a damaged index ---------------------------------------------------------------------------
def _damage_index(home, how: str) -> None:
    gen = next(p for p in home.index_dir.iterdir() if p.is_dir())
    for f in gen.iterdir():
        if how == "zero-toc" and f.suffix == ".toc":
            f.write_bytes(b"\0" * f.stat().st_size)
        if how == "truncate-segment" and f.suffix == ".seg":
            f.write_bytes(f.read_bytes()[: f.stat().st_size // 2])


@pytest.mark.parametrize("how", ["zero-toc", "truncate-segment"])
def test_a_damaged_index_is_named_filing_goes_on_and_repair_rebuilds(cli, cat, project, home, how):
    ingest_paths(cat, [write_text_doc(_box(home), "a.txt", LOG.format(n=1))])
    _damage_index(home, how)
    r = cli("search", "施工日志")
    assert r.exit_code == 8
    assert r.output.strip().startswith("Error: the search index is damaged: run dangan reindex (in ")
    # Ingest and watch go on filing; the index work waits for the rebuild.
    write_text_doc(_box(home), "b.txt", LOG.format(n=2))
    r = cli("ingest", str(home.inbox_dir))
    assert r.exit_code == 0 and "1 filed" in r.output, r.output
    write_text_doc(_box(home), "c.txt", LOG.format(n=3))
    r = cli("watch", "--once", "--stable", "0.1")
    assert r.exit_code == 0 and "1 filed" in r.output, r.output
    r = cli("verify")
    assert r.exit_code == 8 and "the search index is damaged: run dangan reindex" in r.output
    r = cli("verify", "--repair")
    assert r.exit_code == 0 and "index rebuilt from the catalog (3 document(s))." in r.output, r.output
    assert cli("verify").exit_code == 0
    assert len(json.loads(cli("search", "施工日志", "--json").output)) == 3


# -- 5. a kill -9 at the commit boundary with a source outside the inbox -------------------------------
_KILL_AT_COMMIT = """
import os, signal, sys
from dangan.archive.intake.ingest import Ingester
Ingester.commit = lambda self, rec: os.kill(os.getpid(), signal.SIGKILL)
from dangan.cli import main
sys.argv = ["dangan", *sys.argv[1:]]
main()
"""


def test_kill_9_between_vault_link_and_commit_with_an_outside_source(home, project, tmp_path):
    src = write_text_doc(tmp_path / "usb", "施工日志.txt", LOG.format(n=1))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = ["--home", str(home.root), "ingest", str(src), "--project", CODE]
    killed = subprocess.run([sys.executable, "-c", _KILL_AT_COMMIT, *args], check=False, env=env, capture_output=True)
    assert killed.returncode == -9
    assert len(vault.stored_files(home.vault_dir)) == 1, "the vault copy was linked, the commit never came"
    r = subprocess.run(
        [sys.executable, "-c", "from dangan.cli import main; main()", *args],
        check=False,
        env=env,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    with Catalog.open(home) as cat:
        [doc] = cat.documents()
        assert doc["vault_path"].endswith("_施工日志.txt"), "re-filed under its own name, not a _2 copy"
        assert vault.stored_files(home.vault_dir) == [doc["vault_path"]]
        assert verify(cat).clean and src.exists()


# -- 8. lock contention ---------------------------------------------------------------------------
def _hold_lock(home, seconds: float, holder: str = "reindex") -> threading.Thread:
    held = threading.Event()

    def hold():  # another writer: its own catalog, in its own thread
        with Catalog.open(home) as other, writing(other, holder):
            held.set()
            time.sleep(seconds)

    t = threading.Thread(target=hold, daemon=True)
    t.start()
    assert held.wait(5)
    return t


def test_one_shot_ingest_gives_up_after_the_configured_wait(cli, project, home):
    _set(home, "lock", wait_seconds=0.5)
    write_text_doc(_box(home), "a.txt", LOG.format(n=1))
    holder = _hold_lock(home, 3)
    r = cli("ingest", str(home.inbox_dir))
    holder.join()
    assert r.exit_code == 10
    pid = os.getpid()
    assert r.output.splitlines() == [
        f"waiting for the reindex in process {pid}…",
        (
            f"Error: {home.root}: the reindex in process {pid} is writing to this archive; wait for it to finish "
            "or stop it, or raise [lock] wait_seconds in dangan.toml"
        ),
    ]
    assert (_box(home) / "a.txt").exists()


def test_the_watcher_waits_for_the_lock_and_then_files(cli, cat, project, home):
    _set(home, "lock", wait_seconds=0.2)  # for one-shot commands only: the watcher waits on
    write_text_doc(_box(home), "a.txt", LOG.format(n=1))
    holder = _hold_lock(home, 1.5)
    r = cli("watch", "--once", "--stable", "0.1")
    holder.join()
    assert r.exit_code == 0, r.output
    assert f"waiting for the reindex in process {os.getpid()}…" in r.output
    assert "1 filed" in r.output and len(cat.documents()) == 1


def test_forms_file_into_takes_the_lock_before_rendering(cli, project, home, tmp_path):
    _set(home, "lock", wait_seconds=0.3)
    data = write_csv(tmp_path / "start.csv", START_HEADER, START_ROW)
    out = tmp_path / "out"
    holder = _hold_lock(home, 2)
    r = cli("forms", "render", "开工报告", "--data", str(data), "--out", str(out), "--file-into", CODE)
    holder.join()
    assert r.exit_code == 10, r.output
    assert not out.exists() or list(out.iterdir()) == [], "nothing rendered before the lock was had"


def test_reading_runs_outside_the_writer_lock(cat, project, home, monkeypatch):
    from dangan.archive.intake.ingest import Ingester
    from dangan.archive.intake.recovery import reconcile

    got_lock_while_reading = []
    real_extract = Ingester.extract

    def slow_extract(self, rec):
        # Another writer (here: a start-up repair in another thread) gets the lock meanwhile,
        # and its sweep leaves our live temporary copy alone.
        def other_writer():
            with writing(cat, "file"):
                got_lock_while_reading.append(True)
                reconcile(cat, index=False)

        t = threading.Thread(target=other_writer)
        t.start()
        t.join()
        assert rec.staged.path.exists(), "a live staged copy is not swept"
        real_extract(self, rec)

    monkeypatch.setattr(Ingester, "extract", slow_extract)
    p = write_text_doc(_box(home), "a.txt", LOG.format(n=1))
    [rec] = ingest_paths(cat, [p])
    assert got_lock_while_reading == [True] and rec.outcome == "filed"


def test_limits_settings_are_checked_by_key():
    from dangan.indexer.errors import ConfigError
    from dangan.indexer.limits import Limits

    assert Limits.from_config({"max_pages": 50, "seconds_per_file": 30}) == Limits(max_pages=50, seconds_per_file=30.0)
    for table, message in [
        ({"max_pages": 2.5}, "dangan.toml: limits.max_pages = 2.5 must be a whole number"),
        ({"max_file_mb": 0}, "dangan.toml: limits.max_file_mb = 0 must be a positive number"),
        ({"max_file_mb": True}, "dangan.toml: limits.max_file_mb = True must be a positive number"),
    ]:
        with pytest.raises(ConfigError) as e:
            Limits.from_config(table)
        assert str(e.value) == message
