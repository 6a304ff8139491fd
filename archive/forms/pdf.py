"""PDFs of rendered forms through headless LibreOffice, several instances side by side.

Each worker has its own LibreOffice profile (two instances sharing one refuse to start),
converts a few files per start (starting it costs more than converting a form), and is
killed with its helpers when a file takes longer than the timeout.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Iterable

from dangan.indexer.errors import InputFileError, MissingDependencyError

Progress = Callable[[str], None]  # called with "docx" or "pdf" once per finished file

SOFFICE_INSTALL_HINT = "apt-get install libreoffice-writer-nogui"
PDF_BATCH = 10  # files per LibreOffice start: starting it costs more than converting a form


def find_soffice() -> str:
    """The LibreOffice program, or MissingDependencyError saying how to install it."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise MissingDependencyError(
            "LibreOffice is needed to make PDFs but `soffice` is not on PATH; install it with: {hint}",
            hint=SOFFICE_INSTALL_HINT,
        )
    return found


def convert_to_pdf(
    docx_paths: Iterable[Path], *, jobs: int | None = None, timeout: float = 120, progress: Progress | None = None
) -> list[Path]:
    """Convert .docx files to PDFs beside them with headless LibreOffice.

    ``jobs`` LibreOffice instances run side by side, each with its own profile folder (two
    instances sharing one profile refuse to start).  ``timeout`` is seconds per file; a
    file that takes longer is reported and its LibreOffice killed.  Each PDF appears
    atomically.  Returns the PDFs in the order of ``docx_paths``.
    """
    paths = [Path(p) for p in docx_paths]
    if not paths:
        return []
    soffice = find_soffice()
    groups = _pdf_groups(paths, max(1, jobs or os.cpu_count() or 1))
    tick = progress or (lambda _step: None)
    with ThreadPoolExecutor(max_workers=len(groups)) as pool:
        futures = [pool.submit(_convert_group, soffice, g, timeout, tick) for g in groups]
        for f in futures:
            f.result()
    return [p.with_suffix(".pdf") for p in paths]


def _pdf_groups(paths: list[Path], jobs: int) -> list[list[Path]]:
    """Round-robin the files over at most ``jobs`` workers."""
    n = min(jobs, len(paths))
    return [paths[i::n] for i in range(n)]


def _convert_group(soffice: str, paths: list[Path], timeout: float, tick: Progress) -> None:
    """One worker: one private LibreOffice profile, files converted a few per start."""
    profile = Path(tempfile.mkdtemp(prefix="dangan-lo-profile-"))
    try:
        for i in range(0, len(paths), PDF_BATCH):
            _convert_batch(soffice, profile, paths[i : i + PDF_BATCH], timeout, tick)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def _convert_batch(soffice: str, profile: Path, batch: list[Path], timeout: float, tick: Progress) -> None:
    by_folder: dict[Path, list[Path]] = {}
    for p in batch:
        by_folder.setdefault(p.parent, []).append(p)
    for folder, files in by_folder.items():
        try:
            _convert_in(soffice, profile, folder, files, timeout * len(files))
        except _PdfTimeout:
            if len(files) == 1:
                raise InputFileError(
                    f"LibreOffice took longer than {timeout:g}s to convert {files[0]} and was stopped; "
                    f"open the file in Word to check it, or retry with a longer timeout"
                ) from None
            # Find the slow file: one LibreOffice start per file, each with its own limit.
            for f in files:
                _convert_batch(soffice, profile, [f], timeout, lambda _s: None)
        for _ in files:
            tick("pdf")


class _PdfTimeout(Exception):
    """LibreOffice did not finish in time (translated to InputFileError by the caller)."""


def _convert_in(soffice: str, profile: Path, folder: Path, files: list[Path], timeout: float) -> None:
    """Convert files of one folder into a temporary folder there, then move each PDF into place."""
    tmp = Path(tempfile.mkdtemp(prefix=".dangan-pdf-", dir=folder))
    try:
        cmd = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
            "--convert-to", "pdf", "--outdir", str(tmp),
            *[str(f) for f in files],
        ]  # fmt: skip
        stderr = _run_killable(cmd, timeout)
        for f in files:
            made = tmp / (f.stem + ".pdf")
            if not made.is_file():
                detail = stderr.strip().splitlines()[-1] if stderr.strip() else "no output"
                raise InputFileError(
                    f"LibreOffice could not convert {f} to PDF ({detail}); open it in Word to check it"
                )
            os.replace(made, f.with_suffix(".pdf"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _run_killable(cmd: list[str], timeout: float) -> str:
    """Run LibreOffice in its own process group so a timeout kills it and its helpers."""
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, start_new_session=True
    )
    try:
        _out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        proc.communicate()
        raise _PdfTimeout() from None
    return err.decode("utf-8", "replace")


def _kill_group(proc: subprocess.Popen) -> None:
    killpg = getattr(os, "killpg", None)
    if killpg is None:  # Windows: no process groups by that name
        proc.kill()
        return
    try:
        killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass  # it ended between the timeout and the kill
