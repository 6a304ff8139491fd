"""PDF conversion through headless LibreOffice: a real run, a missing soffice, a hung one."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from pypdf import PdfReader

from dangan.archive import forms as F
from dangan.indexer.errors import InputFileError, MissingDependencyError

DISPATCH = F.load_manifest()["dispatch_ticket"]
ROW = {"派工单号": "PG-PDF-1", "派工日期": "2024-03-05", "客户名称": "刘建国", "联系电话": "13901012345",
       "地址": "北京市朝阳区", "维修人员": "王强", "服务内容": "更换滤芯", "维修项目1项目名称": "滤芯"}  # fmt: skip


def test_render_with_pdf_runs_libreoffice_for_real(tmp_path):
    [r] = F.render_batch(DISPATCH, [ROW], tmp_path, jobs=1, pdf=True)
    assert r.pdf == tmp_path / "PG-PDF-1_刘建国.pdf"
    assert r.pdf.read_bytes().startswith(b"%PDF")
    reader = PdfReader(r.pdf)
    assert len(reader.pages) == 1
    assert "PG-PDF-1" in reader.pages[0].extract_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["PG-PDF-1_刘建国.docx", "PG-PDF-1_刘建国.pdf"]


def test_missing_soffice_is_a_missing_dependency_and_nothing_is_written(tmp_path, monkeypatch):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(MissingDependencyError) as e:
        F.convert_to_pdf([tmp_path / "x.docx"], jobs=1)
    assert str(e.value) == (
        "LibreOffice is needed to make PDFs but `soffice` is not on PATH; "
        "install it with: apt-get install libreoffice-writer-nogui"
    )
    with pytest.raises(MissingDependencyError):
        F.render_batch(DISPATCH, [ROW], tmp_path / "out", jobs=1, pdf=True)
    assert not (tmp_path / "out").exists()


def _fake_soffice(tmp_path: Path, body: str, monkeypatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "soffice"
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")


def test_a_hung_libreoffice_is_killed_after_the_timeout(tmp_path, monkeypatch):
    _fake_soffice(tmp_path, "exec sleep 60", monkeypatch)
    docx = tmp_path / "a.docx"
    docx.write_bytes(b"x")
    with pytest.raises(InputFileError) as e:
        F.convert_to_pdf([docx], jobs=1, timeout=0.5)
    assert str(e.value) == (
        f"LibreOffice took longer than 0.5s to convert {docx} and was stopped; "
        "open the file in Word to check it, or retry with a longer timeout"
    )
    assert not docx.with_suffix(".pdf").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".dangan")] == []


def test_a_file_libreoffice_cannot_convert_is_named(tmp_path, monkeypatch):
    _fake_soffice(tmp_path, "echo 'Error: source file could not be loaded' >&2", monkeypatch)
    docx = tmp_path / "b.docx"
    docx.write_bytes(b"x")
    with pytest.raises(InputFileError) as e:
        F.convert_to_pdf([docx], jobs=1)
    assert str(e.value) == (
        f"LibreOffice could not convert {docx} to PDF (Error: source file could not be loaded); open it in Word to check it"
    )


def test_each_worker_gets_its_own_profile(tmp_path, monkeypatch):
    # The fake records the profile it was given and "converts" by writing a PDF.
    log = tmp_path / "profiles.txt"
    _fake_soffice(
        tmp_path,
        f'for a in "$@"; do case "$a" in -env:*) echo "$a" >> {log};; esac; done\n'
        'while [ "$1" != "--outdir" ]; do shift; done; out="$2"; shift 2\n'
        'for f in "$@"; do n=$(basename "$f" .docx); echo "%PDF-1.4" > "$out/$n.pdf"; done',
        monkeypatch,
    )
    docs = []
    for i in range(4):
        d = tmp_path / f"d{i}.docx"
        d.write_bytes(b"x")
        docs.append(d)
    pdfs = F.convert_to_pdf(docs, jobs=2)
    assert pdfs == [d.with_suffix(".pdf") for d in docs] and all(p.read_bytes() == b"%PDF-1.4\n" for p in pdfs)
    profiles = set(log.read_text().split())
    assert len(profiles) == 2 and all(p.startswith("-env:UserInstallation=file:///") for p in profiles)
