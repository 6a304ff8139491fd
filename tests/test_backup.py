"""Backup, proof and restore of a live home, and the BagIt export (issue 30, items 2 and 3).

What an archivist relies on: a restored home holds every document of the snapshot with its
bytes proven; a second backup copies only what is new; a flipped byte in the backup is found;
a backup killed in the middle leaves the previous one whole; a forged backup cannot write
outside the new home; the export validates as a BagIt bag and its metadata round-trips.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import bagit
import pytest

from dangan.archive.backup import backup, kept, object_path, snapshots
from dangan.archive.backup_restore import restore_backup, verify_backup
from dangan.archive.catalog import Catalog
from dangan.archive.export import export_bag, read_bag
from dangan.archive.home import Home
from dangan.archive.intake.ingest import ingest_paths
from dangan.archive.projects import add_project
from dangan.archive.sample import SAMPLE_PROJECT
from dangan.archive.searchsync import open_index
from dangan.archive.verify import verify
from dangan.archive.volumes.plan import plan_volumes
from dangan.indexer.errors import ConflictError, IntegrityError, UsageError
from tests.conftest import ALL_ROLES, write_text_doc
from tests.sample_home import sample_home

pytestmark = pytest.mark.both_catalogs

TEXTS = {
    "开工报告.txt": "开工报告\n工程名称：安居花园3号楼\n计划开工日期 2024年3月1日\n项目经理：张伟",
    "试验报告.txt": "原材料试验报告\n钢筋拉伸试验 合格\n报告日期：2024-03-12",
    "施工日志.txt": "施工日志\n2024年3月15日 晴\n浇筑三层楼板 C30 混凝土",
}


def _filed_home(home: Home, names=TEXTS) -> Catalog:
    cat = Catalog.open(home)
    if not any(p == "BJ-2024-017" for p in [r["code"] for r in _projects(cat)]):
        add_project(cat, "BJ-2024-017", "安居花园3号楼", roles=dict(ALL_ROLES))
    for name, text in names.items():
        write_text_doc(home.inbox_dir / "BJ-2024-017", name, text)
    ingest_paths(cat, [home.inbox_dir])
    return cat


def _projects(cat: Catalog) -> list[dict]:
    from dangan.archive.projects import list_projects

    return [{"code": p.code} for p in list_projects(cat)]


def _docs(cat: Catalog) -> dict[str, tuple]:
    return {d["sha256"]: (d["title"], d["status"], d["item_code"]) for d in cat.documents()}


def test_restore_holds_every_document_and_verify_is_clean(home, tmp_path):
    cat = _filed_home(home)
    first = backup(cat, tmp_path / "bk")
    assert (first.documents, first.copied, first.reused, first.missing) == (3, 3, 0, [])

    result = restore_backup(tmp_path / "bk", tmp_path / "restored")
    assert result.documents == 3 and result.indexed == 3
    with Catalog.open(Home.open(tmp_path / "restored")) as restored:
        assert _docs(restored) == _docs(cat)
        assert verify(restored).clean
        index = open_index(restored)
        try:
            assert [h.id for h in index.search("钢筋拉伸")] == [
                d["id"] for d in restored.documents() if "试验" in d["title"]
            ]
        finally:
            index.close()
    cat.close()


def test_a_second_backup_copies_only_what_is_new(home, tmp_path):
    cat = _filed_home(home)
    backup(cat, tmp_path / "bk")
    same = backup(cat, tmp_path / "bk")
    assert (same.copied, same.reused) == (0, 3)
    _filed_home(home, {"竣工报告.txt": "竣工报告\n本工程于2024年9月30日竣工"}).close()
    more = backup(cat, tmp_path / "bk")
    assert (more.documents, more.copied, more.reused) == (4, 1, 3)
    assert len(snapshots(tmp_path / "bk")) == 3
    assert verify_backup(tmp_path / "bk").clean
    cat.close()


def test_a_flipped_byte_in_the_backup_is_found(cli, home, tmp_path):
    cat = _filed_home(home)
    backup(cat, tmp_path / "bk")
    sha = next(d["sha256"] for d in cat.documents() if d["original_name"] == "施工日志.txt")
    obj = object_path(tmp_path / "bk", sha)
    data = bytearray(obj.read_bytes())
    data[3] ^= 0x01
    obj.write_bytes(bytes(data))
    r = cli("backup", "verify", str(tmp_path / "bk"))
    assert r.exit_code == 8
    vault_path = next(d["vault_path"] for d in cat.documents() if d["sha256"] == sha)
    assert f"{vault_path} (object {sha[:12]}…) has changed (SHA-256 differs from the manifest)" in r.output
    with pytest.raises(IntegrityError, match="has changed since the backup"):
        restore_backup(tmp_path / "bk", tmp_path / "restored")
    cat.close()


_KILL_AFTER_ONE_OBJECT = """
import os, signal, sys
import dangan.archive.backup as b
real = b._copy_object
def copy_then_die(source, obj, sha):
    real(source, obj, sha)
    tmp = obj.parent / f".{obj.name}.{os.getpid()}.tmp"
    tmp.write_bytes(b"half")  # as if killed while writing the next one
    os.kill(os.getpid(), signal.SIGKILL)
b._copy_object = copy_then_die
from dangan.cli import main
main(sys.argv[1:])
"""


def test_a_backup_killed_in_the_middle_leaves_the_previous_one_whole(home, tmp_path):
    cat = _filed_home(home)
    backup(cat, tmp_path / "bk")
    _filed_home(
        home, {"竣工报告.txt": "竣工报告\n本工程于2024年9月30日竣工", "大事记.txt": "大事记\n2024年5月 主体封顶"}
    ).close()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    killed = subprocess.run(
        [sys.executable, "-c", _KILL_AFTER_ONE_OBJECT, "--home", str(home.root), "backup", str(tmp_path / "bk")],
        env=env, capture_output=True, check=False,
    )  # fmt: skip
    assert killed.returncode == -9
    assert len(snapshots(tmp_path / "bk")) == 1  # the half-made snapshot is not one
    assert verify_backup(tmp_path / "bk").clean
    again = backup(cat, tmp_path / "bk")  # sweeps the leftovers, copies what is still missing
    assert (again.copied, again.reused) == (1, 4)
    assert not list((tmp_path / "bk" / "snapshots").glob(".*")) and not list((tmp_path / "bk" / "objects").glob("*/.*"))
    assert verify_backup(tmp_path / "bk").clean
    cat.close()


def test_keep_rules_keep_the_newest_of_each_period():
    names = [
        "20261101T010000Z",
        "20261120T010000Z",
        "20261201T010000Z",
        "20261203T010000Z",
        "20261203T230000Z",
        "20261204T010000Z",
    ]
    assert kept(names, {"d": 2}) == {"20261204T010000Z", "20261203T230000Z"}
    assert kept(names, {"m": 2}) == {"20261204T010000Z", "20261120T010000Z"}
    assert kept(names, {"d": 1, "m": 3}) == {"20261204T010000Z", "20261120T010000Z"}  # 11-01 is not November's newest
    assert kept(names, {"w": 52}) == {"20261204T010000Z", "20261120T010000Z", "20261101T010000Z"}


def test_keep_prunes_snapshots_and_the_files_only_they_needed(cli, home, tmp_path):
    cat = _filed_home(home)
    backup(cat, tmp_path / "bk")
    doc = next(d for d in cat.documents() if d["original_name"] == "施工日志.txt")
    assert cli("discard", str(doc["id"]), "--reason", "重复").exit_code == 0
    assert cli("trash", "empty", "--older-than", "0d").exit_code == 0
    r = cli("backup", str(tmp_path / "bk"), "--keep", "1d", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert len(out["removed_snapshots"]) == 1 and out["removed_objects"] == 1
    assert not object_path(tmp_path / "bk", doc["sha256"]).exists()
    assert verify_backup(tmp_path / "bk").clean
    bad = cli("backup", str(tmp_path / "bk"), "--keep", "7x")
    assert bad.exit_code == 2 and "'7x' is not a count and a unit, use e.g. 7d,4w,12m" in bad.output
    cat.close()


def test_restore_writes_only_into_an_empty_folder_and_only_inside_it(home, tmp_path):
    cat = _filed_home(home)
    backup(cat, tmp_path / "bk")
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "x.txt").write_text("keep me")
    with pytest.raises(ConflictError, match="is not empty; restore into a new or empty folder"):
        restore_backup(tmp_path / "bk", tmp_path / "busy")
    snap = snapshots(tmp_path / "bk")[-1]
    manifest_path = tmp_path / "bk" / "snapshots" / snap / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    next(f for f in manifest["files"] if f["kind"] == "vault")["path"] = "../../escaped.txt"
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IntegrityError, match="leaves the home; this backup is damaged or forged"):
        restore_backup(tmp_path / "bk", tmp_path / "restored")
    assert not (tmp_path / "escaped.txt").exists()
    cat.close()


def test_backup_refuses_a_folder_inside_the_home_or_a_foreign_one(cli, home, tmp_path):
    r = cli("backup", str(home.root / "bk"))
    assert r.exit_code == 2 and f"{home.root / 'bk'} is inside the archive home" in r.output
    (tmp_path / "link").symlink_to(home.root / "vault")
    r = cli("backup", str(tmp_path / "link"))
    assert r.exit_code == 2 and f"{tmp_path / 'link'} is inside the archive home" in r.output
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "a.jpg").write_bytes(b"x")
    r = cli("backup", str(tmp_path / "photos"))
    assert r.exit_code == 7 and "is not empty and is no dangan backup" in r.output
    r = cli("backup", "verify", str(tmp_path / "photos"))
    assert r.exit_code == 5 and "is no dangan backup" in r.output


def test_backup_files_are_private(home, tmp_path):
    cat = _filed_home(home)
    result = backup(cat, tmp_path / "bk")
    snap = tmp_path / "bk" / "snapshots" / result.snapshot
    assert (snap / "home" / "dangan.toml").stat().st_mode & 0o077 == 0  # may hold the server's password
    assert (snap / "manifest.json").stat().st_mode & 0o077 == 0
    cat.close()


@pytest.mark.parametrize("home", ["sqlite"], indirect=True)
def test_export_is_a_valid_bag_named_by_archive_code_and_round_trips(home, tmp_path):
    src = sample_home(tmp_path / "sample")
    with Catalog.open(src) as cat:
        plan_volumes(cat, SAMPLE_PROJECT)
        result = export_bag(cat, tmp_path / "bag", [SAMPLE_PROJECT])
        filed = {d["id"]: d for d in cat.documents(project=SAMPLE_PROJECT, status="filed")}
    bagit.Bag(str(tmp_path / "bag")).validate()  # what `bagit.py --validate` runs
    meta = read_bag(tmp_path / "bag")
    assert result.documents == len(filed) == len(meta["documents"])
    for row in meta["documents"]:
        doc = filed[row["id"]]
        assert (row["title"], row["sha256"], row["item_code"]) == (doc["title"], doc["sha256"], doc["item_code"])
        assert row["archive_code"] and Path(row["file"]).name.startswith(row["archive_code"])
    raw = (tmp_path / "bag" / "data" / "metadata.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with a BOM
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert sorted(int(r["id"]) for r in rows) == sorted(filed)
    assert "BagIt" in (tmp_path / "bag" / "data" / "说明.txt").read_text(encoding="utf-8")
    with pytest.raises(ConflictError, match="exists; export into a new folder"):
        with Catalog.open(src) as cat:
            export_bag(cat, tmp_path / "bag")


def test_export_cli_needs_projects_or_all(cli, home, tmp_path):
    r = cli("export", "--out", str(tmp_path / "bag"))
    assert r.exit_code == 2 and "name one or more projects, or --all" in r.output
    r = cli("export", "NOPE", "--out", str(tmp_path / "bag"))
    assert r.exit_code == 5 and "NOPE" in r.output
    assert not (tmp_path / "bag").exists()


def test_usage_error_type_for_keep():
    from dangan.archive.backup import parse_keep

    with pytest.raises(UsageError):
        parse_keep("")
    assert parse_keep("7d,4w,12m") == {"d": 7, "w": 4, "m": 12}


def test_backup_while_watch_files_two_hundred_documents(home, tmp_path):
    """A live home: the snapshot holds what was filed when it was read, each once, bytes proven."""
    import signal
    import time

    from dangan.archive import vault

    with Catalog.open(home) as cat:
        add_project(cat, "BJ-2024-017", "安居花园3号楼", roles=dict(ALL_ROLES))
    box = home.inbox_dir / "BJ-2024-017"
    for i in range(200):
        write_text_doc(box, f"施工日志_{i:03d}.txt", f"施工日志 2024年5月{i % 28 + 1}日 第{i}天 编号{i * 7919}")
    dropped = {vault.sha256_file(p) for p in box.iterdir()}
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    cmd = [
        sys.executable,
        "-c",
        "from dangan.cli import main; main()",
        "--home",
        str(home.root),
        "watch",
        "--stable",
        "0.1",
    ]
    watch = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with Catalog.open(home) as cat:
            deadline = time.monotonic() + 600
            while cat.count_documents() < 20 and time.monotonic() < deadline:
                time.sleep(0.2)
            taken = [backup(cat, tmp_path / "bk") for _ in range(2)]  # while watch goes on filing
            while any(box.iterdir()) and time.monotonic() < deadline:
                time.sleep(0.5)
    finally:
        watch.send_signal(signal.SIGTERM)
        watch.wait(60)
    assert not any(box.iterdir())
    assert 20 <= taken[0].documents <= taken[1].documents <= 200 and not taken[0].missing
    assert verify_backup(tmp_path / "bk").clean
    for snap in snapshots(tmp_path / "bk"):
        target = tmp_path / f"restored-{snap}"
        restore_backup(tmp_path / "bk", target, snap)
        with Catalog.open(Home.open(target)) as restored:
            shas = [d["sha256"] for d in restored.documents()]
            assert len(shas) == len(set(shas)) and set(shas) <= dropped  # nothing doubled, nothing foreign
            assert verify(restored).clean
    with Catalog.open(home) as cat:
        assert {d["sha256"] for d in cat.documents()} == dropped  # and the live home filed everything
