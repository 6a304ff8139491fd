"""The `register` command: archive registers of a project, filled from the catalog."""

from __future__ import annotations

from pathlib import Path

import click

from dangan.archive.registers import KINDS, write_register
from dangan.commands.common import home_option, state


@click.command()
@click.argument("code")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output file (.docx, or .xlsx with --xlsx).",
)
@click.option("--kind", type=click.Choice(KINDS), default="卷内目录", show_default=True, help="Which register.")
@click.option("--xlsx", is_flag=True, help="Write a spreadsheet instead of a Word file (tabular registers).")
@home_option
def register(code: str, out: Path, kind: str, xlsx: bool) -> None:
    """Write an archive register of a project from the catalog.

    卷内目录 (in-volume list with page ranges), 一览表 (checklist with status),
    备考表 (volume note with page totals), 归档文件目录 (with DA/T 22 档号).

    \b
    Example:
      dangan register BJ-2024-017 --kind 卷内目录 --out 卷内目录.docx
      dangan register BJ-2024-017 --kind 归档文件目录 --xlsx --out 归档文件目录.xlsx
    """
    path = write_register(state().catalog(), code, kind, out, xlsx=xlsx)
    click.echo(f"Wrote {kind} of {code}: {path}")
