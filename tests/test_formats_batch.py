"""Old Office files of one batch converted by one LibreOffice run per kind (issue 31 item 1).

A logging ``soffice`` on PATH counts the runs; a batch run that hangs is stopped and its
files are converted one by one, so one bad file never stops the others.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from dangan.archive.intake.ingest import ingest_paths
from dangan.indexer import bounded
from tests.docgen import make_docx, make_text_pdf
from tests.formatgen import make_xlsx, to_legacy

CODE = "BJ-2024-017"


def _fake_soffice(folder: Path, log: Path, hang_on_batches: bool = False) -> None:
    """A ``soffice`` that logs how many files each run was given, then runs the real one
    (or, with ``hang_on_batches``, hangs when given more than one file)."""
    real = shutil.which("soffice")
    folder.mkdir()
    hang = 'if [ "$n" -gt 1 ]; then exec sleep 600; fi\n' if hang_on_batches else ""
    script = folder / "soffice"
    script.write_text(
        "#!/bin/bash\n"
        'n=0; for a in "$@"; do case "$a" in -*|docx|xlsx|pptx) ;; *) [ -e "$a" ] && [ ! -d "$a" ] && n=$((n+1));; esac; done\n'
        f'echo "$n" >> "{log}"\n{hang}exec "{real}" "$@"\n',
        encoding="utf-8",
    )
    script.chmod(0o755)


@pytest.fixture
def fresh_workers():
    """Reader workers started after the test set PATH (they keep the PATH they started with),
    and none of them left for later tests."""
    bounded.close_pools()
    yield
    bounded.close_pools()


def _batch(home, tmp_path) -> Path:
    box = home.inbox_dir / CODE
    box.mkdir(parents=True, exist_ok=True)
    src = tmp_path / "src"
    src.mkdir()
    words = ["屋面防水闭水试验", "消火栓系统试压", "风管漏光检测"]
    docs = [make_docx(src / f"记录{n}.docx", [f"{w}记录 第{n}份"]) for n, w in enumerate(words)]
    for doc in docs:
        to_legacy(doc, "doc", tmp_path / "old").rename(box / f"{doc.stem}.doc")
    book = make_xlsx(src / "台账.xlsx", {"材料": [["防火涂料", "进场复验合格"]]})
    to_legacy(book, "xls", tmp_path / "old").rename(box / "台账.xls")
    (box / "坏文件.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000)
    make_text_pdf(box / "说明.pdf", ["设备说明书 离心风机"])
    return box


def test_a_batch_is_converted_in_one_run_per_kind_and_a_bad_file_alone(
    cat, project, home, tmp_path, cli, monkeypatch, fresh_workers
):
    box = _batch(home, tmp_path)
    log = tmp_path / "soffice.log"
    _fake_soffice(tmp_path / "bin", log)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    bounded.close_pools()
    records = {r.path.name: r for r in ingest_paths(cat, [box])}
    assert records.pop("坏文件.doc").outcome == "failed"
    assert {r.outcome for r in records.values()} <= {"filed", "review"} and len(records) == 5
    # One run of 4 .doc (the bad one is tried with them), one of 1 .xls, then the bad .doc alone.
    assert sorted(log.read_text().split()) == ["1", "1", "4"]
    for word, name in [("闭水试验", "记录0.doc"), ("风管漏光", "记录2.doc"), ("防火涂料", "台账.xls")]:
        hits = json.loads(cli("search", word, "--json").output)
        assert [h["id"] for h in hits] == [records[name].doc_id], word


def test_a_batch_run_that_hangs_is_stopped_and_its_files_converted_one_by_one(tmp_path, monkeypatch, fresh_workers):
    from dangan.indexer.extract import extract_bounded
    from dangan.indexer.extract.batch import discard, prepare
    from dangan.indexer.limits import Limits

    src = tmp_path / "src"
    src.mkdir()
    docs = []
    for n, word in enumerate(["电梯限速器校验", "防排烟风机联动"]):
        doc = make_docx(src / f"记录{n}.docx", [f"{word}记录"])
        docs.append(to_legacy(doc, "doc", tmp_path / "old"))
    log = tmp_path / "soffice.log"
    _fake_soffice(tmp_path / "bin", log, hang_on_batches=True)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    bounded.close_pools()
    folder = prepare(docs, Limits(seconds_per_file=3))
    try:
        assert folder is not None and list(folder.iterdir()) == []  # stopped with nothing converted
        texts = [extract_bounded(doc, converted=folder).text for doc in docs]
    finally:
        discard(folder)
    assert ["电梯限速器校验记录" in texts[0], "防排烟风机联动记录" in texts[1]] == [True, True]
    assert log.read_text().split() == ["2", "1", "1"]  # the hung batch, then one run a file
