"""The label commands: `label` (box, cover and spine labels with a QR code) and `coversheet`."""

from __future__ import annotations

from pathlib import Path

import click

from dangan.archive.coversheets import document_sheet, item_sheet, write_sheet
from dangan.archive.labels import KINDS, write_labels
from dangan.commands.common import home_option, state


@click.command("label")
@click.argument("names", nargs=-1, required=True, metavar="VOL...")
@click.option("--kind", type=click.Choice(KINDS), required=True, help="box, cover or spine (案卷脊背).")
@click.option("-o", "--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The PDF to write, one label a page.")  # fmt: skip
@home_option
def label_cmd(names: tuple[str, ...], kind: str, out: Path) -> None:
    """Print labels with a QR code (档号 and id) for volumes' boxes, covers or spines.

    \b
    Example:
      dangan label BJ-2024-017:1 BJ-2024-017:2 --kind spine -o 脊背.pdf
      dangan label BJ-2024-017:1 --kind box -o 盒签.pdf
    """
    count = write_labels(state().catalog(), list(names), kind, out)
    click.echo(f"wrote {count} {kind} label(s) to {out}")


@click.command("coversheet")
@click.argument("target", metavar="PROJECT|#DOC")
@click.argument("item", required=False)
@click.option("-o", "--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The PDF to write.")  # fmt: skip
@click.option("--copies", type=int, default=1, show_default=True, help="How many identical sheets (one per batch).")
@home_option
def coversheet_cmd(target: str, item: str | None, out: Path, copies: int) -> None:
    """A QR cover sheet to scan in front of paper: the pages behind it are filed exactly there.

    Give a project and a checklist item, or one document (#id) whose paper you scan.
    A scanned batch with several sheets is split at them.

    \b
    Example:
      dangan coversheet BJ-2024-017 C07 -o 封面-C07.pdf
      dangan coversheet '#12' -o 封面-12.pdf
    """
    cat = state().catalog()
    sheet = item_sheet(cat, target, item) if item else document_sheet(cat, target)
    write_sheet(cat, sheet, out, copies=copies)
    click.echo(f"wrote a cover sheet for {' '.join(sheet.lines[:2])} to {out}")
