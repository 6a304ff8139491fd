"""The `handover` commands: the handover package (移交包) and the four-property check alone."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from dangan.archive.handover import CheckReport, run_checks, write_package
from dangan.archive.lending import volume_out_warnings
from dangan.commands.common import console, emit_json, home_option, json_option, progress_bar, state
from dangan.indexer.errors import HandoverCheckError


class _PackageByDefault(click.Group):
    """`dangan handover CODE --out DIR` means `dangan handover write CODE --out DIR`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["write", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_PackageByDefault)
def handover() -> None:
    """The handover package for 竣工验收 and its four-property check (四性检测, DA/T 70).

    `dangan handover CODE --out DIR` writes the package (same as `handover write`);
    `dangan handover check CODE` runs the four checks alone: exit 0 pass, 3 fail.

    \b
    Example:
      dangan handover check BJ-2024-017
      dangan handover BJ-2024-017 --out 移交/BJ-2024-017
    """


def print_findings(report: CheckReport) -> None:
    """The failing rows (检测项, 位置, 问题) and the one-line verdict."""
    if report.findings:
        table = Table(box=None, padding=(0, 2))
        for header in ("检测项", "位置", "问题"):
            table.add_column(header, overflow="fold")
        for f in report.findings:
            table.add_row(f.property, escape(f.where), escape(f.message))
        console().print(table)
    verdict = "passed" if report.passed else f"failed, {len(report.findings)} row(s) to fix"
    click.echo(f"四性检测 {report.project}: {report.summary()} — {verdict}")


@handover.command("check")
@click.argument("code")
@json_option
@home_option
def check_cmd(code: str, as_json: bool) -> None:
    """Run the four checks (真实性, 完整性, 可用性, 安全性); exit 0 pass, 3 fail with the rows.

    \b
    Example:
      dangan handover check BJ-2024-017
      dangan handover check BJ-2024-017 --json
    """
    report = run_checks(state().catalog(), code)
    if as_json:
        emit_json(report.to_json())
    else:
        print_findings(report)
    if not report.passed:
        raise click.exceptions.Exit(3)


@handover.command("write")
@click.argument("code")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The package folder to create (new or empty).",
)
@json_option
@home_option
def write(code: str, out: Path, as_json: bool) -> None:
    """Check the project and write its handover package to --out (nothing is written if the check fails).

    \b
    Example:
      dangan handover write BJ-2024-017 --out 移交/BJ-2024-017
    """
    cat = state().catalog()
    for line in volume_out_warnings(cat, code):
        click.echo(f"Warning: {line}", err=True)
    documents = len(cat.documents(project=code, status="filed"))
    try:
        with progress_bar(documents, "building volumes", enabled=not as_json) as bar:
            package = write_package(cat, code, out, tick=lambda name: bar.advance(1, name[:30]))
    except HandoverCheckError as e:
        if isinstance(e.report, CheckReport) and not as_json:
            print_findings(e.report)
        raise
    if as_json:
        emit_json(package.to_json())
        return
    click.echo(f"Wrote the handover package of {code}: {package.path}")
    for folder in package.folders:
        click.echo(f"  {folder.name}/")
    click.echo(f"四性检测: {package.report.summary()}")
