"""Old Office/WPS files of one batch converted by one LibreOffice run per kind, not per file.

Starting LibreOffice is nearly all of a .doc's cost (about 1.3 s of 1.3 s on the bench
machine), so before a batch is filed its old Office files are converted together: one
``soffice --convert-to docx`` (and one ``xlsx``, one ``pptx``) with every file of that kind
on one command line, inside a bounded reader worker (the memory cap applies to LibreOffice),
into a folder where each conversion is named by the SHA-256 of its source's bytes.  The
legacy reader then looks there first (``dangan.indexer.extract.converted``): a file whose bytes are not there —
changed since, left out, or not converted — is converted on its own as before, so one bad
file never stops the others and nothing is read from a conversion of other bytes.

The run is stopped when no new conversion has appeared for ``seconds_per_file`` (a file
LibreOffice hangs on); the files it had not converted are then converted one by one at
reading time, each under its own time limit, so the file it hung on is refused on its own.

Targets are .docx/.xlsx/.pptx, not ``txt``: a workbook converted to text keeps only its first
sheet, and the readers of the new formats already give sheets, slides and notes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from pathlib import Path

from dangan.indexer import bounded
from dangan.indexer import limits as _limits

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SUFFIXES = frozenset({".doc", ".xls", ".ppt", ".wps", ".et", ".dps", ".rtf"})
_POLL = 0.2


def candidates(paths: list[Path], max_bytes: float) -> list[Path]:
    """The files of a batch worth converting together: old Office/WPS by name and content."""
    found = []
    for path in paths:
        try:
            info = path.lstat()  # a link or a FIFO is refused by preflight, never opened here
            if path.suffix.lower() not in _SUFFIXES or not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:
                continue
            with path.open("rb") as fh:
                head = fh.read(8)
        except OSError:
            continue  # preflight says what is wrong with it
        if head.startswith((_OLE2, b"{\\rtf")):
            found.append(path)
    return found


def prepare(paths: list[Path], limits: _limits.Limits | None = None) -> Path | None:
    """Convert the batch's old Office files in a bounded worker; the folder of conversions.

    None when the batch has fewer than two such files (one start per file is then the same).
    The caller removes the folder when the batch is done.  A worker stopped at its limits
    leaves what it converted; the rest are converted one by one when read.
    """
    active = limits or _limits.Limits()
    sources = candidates(paths, active.max_file_mb * _limits.MB)
    if len(sources) < 2:
        return None
    folder = Path(tempfile.mkdtemp(prefix="dangan-batch-"))
    try:
        bounded.pool(active.memory_mb).call(
            "dangan.indexer.extract.batch:convert_all",
            sources,
            folder,
            active.seconds_per_file,
            seconds=active.seconds_per_file * (len(sources) + 1),
        )
    except (bounded.WorkerTimeout, bounded.WorkerOutOfMemory, bounded.WorkerDied):
        pass  # what was converted is used; the rest is read (and refused) one by one
    return folder


def discard(folder: Path | None) -> None:
    """Remove a batch's conversions once the batch is filed (None: there were none)."""
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def convert_all(sources: list[Path], folder: Path, stall_seconds: float) -> int:
    """Worker side: one LibreOffice run per target kind; the number of files converted."""
    from dangan.indexer.extract.legacy import _kind, _profile_dir, soffice_path
    from dangan.indexer.extract.msg import is_msg

    soffice = soffice_path()
    if soffice is None:
        return 0  # each file's reader names the package to install
    groups: dict[str, list[tuple[str, Path]]] = {}
    for path in sources:
        data = path.read_bytes()
        if is_msg(data) or "EncryptedPackage".encode("utf-16-le") in data:
            continue  # a mail, or a password: the reader says which, without LibreOffice
        target = _kind(path, data)[1]
        groups.setdefault(target, []).append((hashlib.sha256(data).hexdigest(), path))
    done = 0
    for target, members in groups.items():
        done += _run(soffice, _profile_dir(), target, dict(members), folder, stall_seconds)
    return done


def _run(soffice: str, profile: Path, target: str, members: dict[str, Path], folder: Path, stall: float) -> int:
    """One ``soffice --convert-to target`` over ``members`` (digest → source)."""
    work = folder / f"in-{target}"
    out = folder / f"out-{target}"
    work.mkdir()
    out.mkdir()
    order = []
    for digest, path in members.items():
        link = work / f"{digest}{path.suffix.lower()}"
        os.symlink(path.resolve(), link)
        order.append(digest)
    command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore"]
    command += [
        "--convert-to",
        target,
        "--outdir",
        str(out),
        *(str(work / f"{d}{members[d].suffix.lower()}") for d in order),
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, start_new_session=True
    )
    seen, since = 0, time.monotonic()
    while process.poll() is None:
        time.sleep(_POLL)
        count = sum(1 for _ in out.iterdir())
        if count != seen:
            seen, since = count, time.monotonic()
        elif time.monotonic() - since > stall:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            break
    done = 0
    for digest in order:
        made = out / f"{digest}.{target}"
        if made.is_file() and made.stat().st_size > 0:
            made.rename(folder / made.name)
            done += 1
    shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    return done
