"""Hostile and odd input: links, FIFOs, files changed while filed, names no file system likes.

Each test reproduces one attack or careless input of issue 17 and asserts the safe outcome:
nothing outside the inbox reaches the vault, nothing blocks the pipeline, nothing is lost,
and the user is told in one line what happened.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from dangan.archive import vault
from dangan.archive.intake.ingest import Ingester, ingest_paths
from dangan.archive.intake.names import clean, fit, printable
from tests.conftest import write_text_doc

CODE = "BJ-2024-017"
GOOD = "施工日志 2024年5月{n}日 晴 第{n}天记录"


def _box(home) -> Path:
    d = home.inbox_dir / CODE
    d.mkdir(parents=True, exist_ok=True)
    return d


def _secret(tmp_path: Path) -> Path:
    """A file outside the inbox that the archivist must never see filed (stands for /etc/shadow)."""
    p = tmp_path / "outside" / "shadow"
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text("root:$6$SECRETHASH:19000:0:99999:7:::\n施工日志 2024年5月1日", encoding="utf-8")
    return p


def _vault_bytes(home) -> list[bytes]:
    return [(home.vault_dir / rel).read_bytes() for rel in vault.stored_files(home.vault_dir)]


# -- 2. symbolic links -----------------------------------------------------------------------
def test_symlink_in_the_inbox_never_reaches_the_vault(cli, cat, project, home, tmp_path):
    secret = _secret(tmp_path)
    link = _box(home) / "施工日志.txt"
    link.symlink_to(secret)
    r = cli("ingest", str(home.inbox_dir))
    assert r.exit_code == 4, r.output
    assert "1 input(s): 0 filed, 0 to review, 0 duplicate(s), 1 failed" in r.output
    assert all(b"SECRETHASH" not in b for b in _vault_bytes(home)) and cat.documents() == []
    failed = home.inbox_dir / ".failed" / "施工日志.txt"
    assert failed.is_symlink(), "the link itself is set aside, its target is not touched"
    assert secret.read_text(encoding="utf-8").startswith("root:")
    assert (home.inbox_dir / ".failed" / "施工日志.txt.error.txt").read_text(encoding="utf-8").splitlines()[0] == (
        f"{link} is a symbolic link; dangan never follows links out of the inbox or the folder "
        "it was given: copy the file itself in"
    )
    assert cli("search", "SECRETHASH").output.strip() == "No documents match SECRETHASH."


def test_the_watcher_refuses_a_symlink_too(cli, cat, project, home, tmp_path):
    (_box(home) / "scan.txt").symlink_to(_secret(tmp_path))
    r = cli("watch", "--once", "--stable", "0.1")
    assert r.exit_code == 4, r.output
    assert "0 filed, 0 to review, 0 duplicate(s), 1 failed" in r.output and cat.documents() == []
    assert (home.inbox_dir / ".failed" / "scan.txt").is_symlink()


def test_symlinks_in_a_given_folder_are_refused_and_folder_links_not_entered(cat, project, tmp_path):
    secret = _secret(tmp_path)
    folder = tmp_path / "usb"
    folder.mkdir()
    (folder / "a.txt").symlink_to(secret)
    (folder / "dir-link").symlink_to(secret.parent, target_is_directory=True)
    write_text_doc(folder, "good.txt", GOOD.format(n=1))
    records = ingest_paths(cat, [folder], project=CODE)
    outcomes = {r.path.name: r.outcome for r in records}
    assert outcomes == {"a.txt": "failed", "dir-link": "failed", "good.txt": "filed"}
    assert all(b"SECRETHASH" not in b for b in _vault_bytes(cat.home))
    assert (folder / "a.txt").is_symlink(), "files outside the inbox are never moved"


def test_vault_files_are_no_wider_than_the_home(cat, project, home):
    os.chmod(home.root, 0o700)
    [rec] = ingest_paths(cat, [write_text_doc(_box(home), "log.txt", GOOD.format(n=2))])
    mode = stat.S_IMODE((home.vault_dir / rec.vault_rel).stat().st_mode)
    assert mode & 0o077 == 0, oct(mode)


# -- 3. a file replaced or appended while it is filed ---------------------------------------------
def test_file_appended_during_ingest_keeps_what_was_hashed(cat, project, home, monkeypatch):
    p = write_text_doc(_box(home), "施工日志.txt", GOOD.format(n=3))
    first = p.read_bytes()
    real_extract = Ingester.extract

    def extract_then_append(self, rec):
        real_extract(self, rec)
        with open(p, "ab") as fh:  # someone appends to the original while we read it
            fh.write("追加的第二版内容".encode())

    monkeypatch.setattr(Ingester, "extract", extract_then_append)
    [rec] = ingest_paths(cat, [p])
    monkeypatch.undo()
    doc = cat.document(rec.doc_id)
    stored = (home.vault_dir / doc["vault_path"]).read_bytes()
    assert stored == first and doc["sha256"] == vault.sha256_file(home.vault_dir / doc["vault_path"])
    assert rec.message.endswith("; the inbox file changed meanwhile and stays for the next pass")
    assert p.read_bytes() == first + "追加的第二版内容".encode(), "the new version stays in the inbox"
    [again] = ingest_paths(cat, [p])
    assert again.outcome == "filed" and not p.exists() and len(cat.documents()) == 2


def test_file_replaced_during_ingest_is_not_removed(cat, project, home, monkeypatch):
    p = write_text_doc(_box(home), "施工日志.txt", GOOD.format(n=4))
    real_extract = Ingester.extract

    def extract_then_replace(self, rec):
        real_extract(self, rec)
        tmp = p.with_name("new.part")
        tmp.write_text("全新的文件 " + GOOD.format(n=5), encoding="utf-8")
        os.replace(tmp, p)

    monkeypatch.setattr(Ingester, "extract", extract_then_replace)
    [rec] = ingest_paths(cat, [p])
    assert rec.outcome == "filed" and p.read_text(encoding="utf-8").startswith("全新的文件")
    assert cat.documents()[0]["inbox_path"] is None


# -- 4 and 10. odd names: none of them stops the others --------------------------------------------
GBK_NAME = os.fsdecode("施工日志_三月.txt".encode("gbk"))
LONG_NAME = "施工日志" * 20 + "记.txt"  # 81 Chinese characters: 243 bytes before the date prefix


def _odd_inputs(box: Path, tmp_path: Path) -> None:
    """Every odd name and file kind of issue 17, dropped into ``box``."""
    write_text_doc(box, GBK_NAME, "施工日志 2024年3月1日 GBK 命名的文件")
    write_text_doc(box, LONG_NAME, "施工日志 2024年3月2日 很长的文件名")
    write_text_doc(box, "evil\x1b[2J\x1b[31mred.txt", "施工日志 2024年3月3日 控制字符")
    write_text_doc(box, "line\nbreak.txt", "施工日志 2024年3月4日 换行")
    write_text_doc(box, "-rf.txt", "施工日志 2024年3月5日 减号开头")
    write_text_doc(box, "x" * 251 + ".txt", "施工日志 2024年3月6日 255 字节")
    write_text_doc(box, ".hidden.txt", "施工日志 2024年3月7日 隐藏")
    os.mkfifo(box / "pipe.txt")
    (box / "link.txt").symlink_to(_secret(tmp_path))
    (box / "dangling.txt").symlink_to(tmp_path / "nowhere")


def test_odd_names_never_stop_the_good_files(cli, cat, project, home, tmp_path):
    box = _box(home)
    _odd_inputs(box, tmp_path)
    for n in range(1, 11):
        write_text_doc(box, f"good_{n:02d}.txt", GOOD.format(n=n))
    r = cli("ingest", str(home.inbox_dir), "--json")
    assert r.exit_code == 4, r.output
    data = json.loads(r.output)
    by_name = {Path(i["input"]).name: i for i in data["inputs"]}
    assert all(by_name[f"good_{n:02d}.txt"]["outcome"] == "filed" for n in range(1, 11))
    assert data["ignored"] == [str(box / ".hidden.txt")]
    for name in ("pipe.txt", "link.txt", "dangling.txt"):
        assert by_name[name]["outcome"] == "failed", name
    assert (
        by_name["pipe.txt"]["message"]
        == f"{box / 'pipe.txt'} is a FIFO (named pipe), not a regular file; only plain files are filed"
    )
    filed_names = {d["original_name"] for d in cat.documents()}
    assert {"施工日志_三月.txt", LONG_NAME, "-rf.txt", "x" * 251 + ".txt"} <= filed_names
    assert data["summary"] == {"inputs": 19, "filed": 16, "review": 0, "duplicate": 0, "failed": 3}
    assert sorted(os.listdir(box)) == [".hidden.txt"], "everything else was taken or set aside"


def test_a_gbk_name_is_shown_decoded_and_its_bytes_are_kept(cat, project, home):
    p = write_text_doc(_box(home), GBK_NAME, "施工日志 2024年3月1日")
    [rec] = ingest_paths(cat, [p])
    doc = cat.document(rec.doc_id)
    assert doc["original_name"] == "施工日志_三月.txt"
    assert bytes.fromhex(doc["original_name_raw"]) == "施工日志_三月.txt".encode("gbk")
    assert doc["vault_path"].endswith("_施工日志_三月.txt") and not p.exists()


def test_long_names_are_shortened_keeping_extension_and_a_hash(cat, home):
    project = __import__("dangan.archive.projects", fromlist=["add_project"]).add_project
    person = "欧阳" * 50  # a 100-character person, as a path component
    project(cat, CODE, "安居花园", roles={"施工员": person})
    p = write_text_doc(_box(home), LONG_NAME, "施工日志 2024年3月2日")
    [rec] = ingest_paths(cat, [p])
    assert rec.outcome == "filed", rec.message
    for part in rec.vault_rel.split("/"):
        assert len(part.encode("utf-8")) <= 255 - 16
    assert rec.vault_rel.endswith(".txt") and "~" in rec.vault_rel.rsplit("/", 1)[1]


def test_a_long_failing_name_still_gets_its_error_file(cat, project, home):
    box = _box(home)
    name = "损坏" * 41 + ".pdf"  # 250 bytes: the .error.txt beside it would be 260
    (box / name).write_bytes(b"%PDF-1.7 not really")
    [rec] = ingest_paths(cat, [box / name])
    assert rec.outcome == "failed"
    moved = Path(rec.moved_to)
    assert moved.parent.name == ".failed" and Path(str(moved) + ".error.txt").is_file()
    assert moved.name == fit(name) and moved.suffix == ".pdf"


def test_control_characters_in_names_reach_the_terminal_escaped(cli, project, home):
    write_text_doc(_box(home), "evil\x1b[2J.txt", "施工日志 2024年3月3日")
    r = cli("ingest", str(home.inbox_dir))
    assert r.exit_code == 0 and "\x1b" not in r.output
    assert "evil\\x1b[2J.txt" in r.output


def test_hidden_files_are_reported_once_not_filed(cli, project, home):
    write_text_doc(_box(home), ".草稿.txt", "施工日志 2024年3月7日")
    r = cli("ingest", str(home.inbox_dir))
    assert (
        r.output.count('ignored 1 hidden file(s) (names starting with "."): .草稿.txt; rename them to file them') == 1
    )
    assert (_box(home) / ".草稿.txt").exists()


def test_fifo_named_on_the_command_line_is_refused_not_read(cli, project, home, tmp_path):
    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo)
    r = cli("ingest", str(fifo), "--project", CODE, "--json")
    assert r.exit_code == 4
    [entry] = json.loads(r.output)["inputs"]
    assert entry["message"] == f"{fifo} is a FIFO (named pipe), not a regular file; only plain files are filed"


def test_name_helpers():
    assert clean(os.fsdecode(b"\xff\xfe\xfd.txt")).endswith(".txt")
    assert printable("a\x07b\u202ec") == "a\\x07b\\u202ec"
    assert fit("短.pdf") == "短.pdf"
    long = "长" * 100 + ".pdf"
    assert fit(long) != fit("长" * 99 + "短.pdf") and len(fit(long).encode()) <= 239


def test_json_nested_100000_deep_is_an_input_error(cli, tmp_path):
    data = tmp_path / "deep.json"
    data.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    r = cli("forms", "render", "开工报告", "--data", str(data), "--out", str(tmp_path / "o"))
    assert r.exit_code == 4
    assert r.output == (
        f"Error: {data}: the JSON is nested too deeply to be form data; give a list of objects, one per form\n"
    )
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("text", "encoding", "detected"),
    [
        ("施工日志\n2024年3月15日 晴，浇筑二层楼板。", "utf-32", "utf-32"),
        ("施工日誌\n2024年3月15日 晴，澆築二層樓板。", "big5", "big5"),
        ("施工日誌です。本日は晴れ、二階の床版を打設しました。", "shift_jis", "cp932"),
        ("施工日志\n2024年3月15日 晴，浇筑二层楼板。", "gbk", "gb18030"),
    ],
)
def test_text_in_other_encodings_is_detected_and_named(tmp_path, text, encoding, detected):
    from dangan.indexer.extract import extract

    path = tmp_path / "日志.txt"
    path.write_bytes(text.encode(encoding))
    result = extract(path)
    assert result.text == text and f"decoded as {detected}" in result.notes


@pytest.mark.parametrize("damage", ["missing", "changed"])
def test_verify_repair_restores_a_vault_file_from_a_dropped_original(cli, cat, project, home, tmp_path, damage):
    original = write_text_doc(tmp_path / "keep", "施工日志.txt", "施工日志 2024年5月8日 原件")
    [rec] = ingest_paths(cat, [original], project=CODE)
    stored = home.vault_dir / rec.vault_rel
    if damage == "missing":
        stored.unlink()
    else:
        stored.write_text("被篡改的内容", encoding="utf-8")
    assert cli("verify").exit_code == 8
    # Re-dropping the original only gives a duplicate …
    dropped = write_text_doc(_box(home), "施工日志.txt", original.read_text(encoding="utf-8"))
    r = cli("ingest", str(home.inbox_dir))
    assert "1 duplicate(s)" in r.output and not dropped.exists()
    # … which verify --repair puts back where the catalog says the file is.
    r = cli("verify", "--repair")
    assert r.exit_code == 0, r.output
    assert f"  restored from originals dropped again: {rec.doc_id}" in r.output
    assert stored.read_bytes() == original.read_bytes()
    assert list((home.inbox_dir / ".duplicates").iterdir()) == []
    if damage == "changed":
        [kept] = [p for p in (home.root / "quarantine").rglob("*") if p.is_file()]
        assert kept.read_text(encoding="utf-8") == "被篡改的内容", "the changed file is kept as evidence"
    assert cli("verify").exit_code == 0


def test_odd_names_never_stop_the_watcher(cli, cat, project, home, tmp_path):
    box = _box(home)
    _odd_inputs(box, tmp_path)
    for n in range(1, 11):
        write_text_doc(box, f"good_{n:02d}.txt", GOOD.format(n=n))
    r = cli("watch", "--once", "--stable", "0.1", "--json")
    assert r.exit_code == 4, r.output
    data = json.loads(r.output)
    assert data["summary"] == {"inputs": 19, "filed": 16, "review": 0, "duplicate": 0, "failed": 3}
    assert data["ignored"] == [str(box / ".hidden.txt")]
    assert sorted(os.listdir(box)) == [".hidden.txt"]


def test_an_inbox_folder_with_a_gbk_name_goes_to_review(cli, cat, project, home):
    folder = home.inbox_dir / os.fsdecode("新项目".encode("gbk"))
    write_text_doc(folder, "施工日志.txt", "施工日志 2024年3月1日")
    r = cli("ingest", str(home.inbox_dir), "--json")
    assert r.exit_code == 0, r.output
    [entry] = json.loads(r.output)["inputs"]
    assert entry["outcome"] == "review"
    assert (
        entry["message"] == "inbox folder '新项目' is not a project code; add the project or file the document by hand"
    )


def test_an_error_naming_an_odd_path_is_printed_safely(cli, tmp_path):
    odd = tmp_path / (os.fsdecode("坏".encode("gbk")) + "\x1b[2J.json")
    odd.write_text("{", encoding="utf-8")
    r = cli("forms", "render", "开工报告", "--data", str(odd), "--out", str(tmp_path / "o"))
    assert r.exit_code == 4, r.output
    assert (
        r.output
        == f"Error: {tmp_path}/坏\\x1b[2J.json: not valid JSON (line 1, column 2: Expecting property name enclosed in double quotes)\n"
    )
