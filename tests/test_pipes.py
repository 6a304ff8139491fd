"""Closing a pipe early (`dangan due | head -1`) is a quiet exit 0, for every command.

The reader has what it wanted; an "internal error (BrokenPipeError)" or exit 1 would break
`set -o pipefail` scripts and cron mails.  Each command runs as a real process whose stdout
is a pipe already closed by its reader, so its first write finds no one.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dangan.archive.intake.ingest import file_document
from tests.conftest import write_text_doc

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = [
    ["due", "--today", "2024-04-03"], ["check", "BJ-2024-017"], ["check", "--all"], ["search", "施工日志"],
    ["search", "施工日志", "--json"], ["catalog", "BJ-2024-017"], ["review"], ["show", "1"], ["forms", "list"],
    ["project", "list"], ["--help"], ["search", "--help"], ["verify"],
]  # fmt: skip


@pytest.fixture
def filed(cat, project, tmp_path):
    for n in range(3):
        file_document(cat, write_text_doc(tmp_path / "in", f"施工日志_{n}.txt", f"施工日志\n第{n}天 基础混凝土浇筑"),
                      project=project.code, item="C14")  # fmt: skip
    return cat.home


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_closed_pipe_is_a_quiet_exit_0(filed, args):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "80"}
    proc = subprocess.Popen([sys.executable, "-c", "from dangan.cli import main; main()", "--home", str(filed.root), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)  # fmt: skip
    proc.stdout.close()  # the reader is gone before the command writes its first line
    err = proc.stderr.read().decode()
    assert (proc.wait(120), err) == (0, "")
