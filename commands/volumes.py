"""The `volume` commands: plan, list, show, move, seal, unseal and build a project's volumes (案卷)."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from dangan.archive.lending import volume_out_warnings
from dangan.archive.volumes import (
    code_settings,
    get_volume,
    list_volumes,
    move_document,
    plan_volumes,
    propose,
    seal,
    unseal,
    volume_code,
)
from dangan.archive.volumes.pdf import build_volume, contents_rows
from dangan.archive.volumes.registers import write_volume_registers
from dangan.commands.common import console, emit_json, home_option, json_option, progress_bar, state
from dangan.indexer.errors import NotFoundError

STATUS = {"draft": "草稿", "sealed": "已封卷"}


@click.group()
def volume() -> None:
    """Volumes (案卷): group a project's documents for handover, number pages, build PDFs.

    \b
    Example:
      dangan volume plan BJ-2024-017
      dangan volume build BJ-2024-017 --out 案卷/
    """


def print_volumes(vols, codes: list[str]) -> None:
    """One row per volume: 案卷号, 档号, 题名, documents, pages, 保管期限, 密级, status."""
    table = Table(title=None, box=None, padding=(0, 2))
    for header in ("案卷号", "档号", "案卷题名", "件数", "页数", "保管期限", "密级", "状态"):
        table.add_column(header)
    for v, code in zip(vols, codes):
        table.add_row(str(v.sequence), escape(code), escape(v.title), str(len(v.entries)), str(v.pages),
                      v.retention, v.secrecy, STATUS.get(v.status, v.status))  # fmt: skip
    console().print(table)


def _codes(cat, vols) -> list[str]:
    settings = code_settings(cat)
    return [volume_code(v, settings) for v in vols]


@volume.command("plan")
@click.argument("code")
@click.option(
    "--max-pages",
    type=click.IntRange(min=1),
    help="Split a group thicker than this (default: [volume] max_pages, 200).",
)
@click.option("--dry-run", is_flag=True, help="Show the proposal without saving it.")
@json_option
@home_option
def plan(code: str, max_pages: int | None, dry_run: bool, as_json: bool) -> None:
    """Propose volumes from the checklist groups, split at --max-pages; replaces draft volumes.

    Sealed volumes are kept as they are.

    \b
    Example:
      dangan volume plan BJ-2024-017 --dry-run
      dangan volume plan BJ-2024-017 --max-pages 150
    """
    cat = state().catalog()
    if dry_run:
        proposals = propose(cat, code, max_pages=max_pages)
        if as_json:
            emit_json(
                [
                    {"title": p.title, "kind": p.kind, "documents": [d["id"] for d in p.docs], "pages": p.pages}
                    for p in proposals
                ]
            )
            return
        for p in proposals:
            click.echo(f"{p.title}: {len(p.docs)} documents, {p.pages} pages")
        click.echo("(dry run: nothing saved)")
        return
    vols = plan_volumes(cat, code, max_pages=max_pages)
    codes = _codes(cat, vols)
    if as_json:
        emit_json([v.to_json(c) for v, c in zip(vols, codes)])
        return
    print_volumes(vols, codes)
    click.echo(
        f"{len(vols)} volume(s) of {code}; `dangan volume show {code} 1` lists one, `dangan volume seal` freezes it"
    )


@volume.command("list")
@click.argument("code")
@json_option
@home_option
def list_cmd(code: str, as_json: bool) -> None:
    """List a project's volumes.

    \b
    Example:
      dangan volume list BJ-2024-017 --json
    """
    cat = state().catalog()
    vols = list_volumes(cat, code)
    codes = _codes(cat, vols)
    if as_json:
        emit_json([v.to_json(c) for v, c in zip(vols, codes)])
    elif vols:
        print_volumes(vols, codes)
    else:
        click.echo(f"{code} has no volumes yet; propose them with `dangan volume plan {code}`")


@volume.command("show")
@click.argument("code")
@click.argument("vol", type=int)
@json_option
@home_option
def show(code: str, vol: int, as_json: bool) -> None:
    """Show one volume as its 卷内目录 (件号, 文件编号, 责任者, 题名, 日期, 页次).

    \b
    Example:
      dangan volume show BJ-2024-017 1
    """
    cat = state().catalog()
    v = get_volume(cat, code, vol)
    vcode = volume_code(v, code_settings(cat))
    if as_json:
        emit_json(v.to_json(vcode))
        return
    click.echo(f"{vcode}  {v.title}  保管期限 {v.retention}  密级 {v.secrecy}  {STATUS.get(v.status, v.status)}")
    table = Table(box=None, padding=(0, 2))
    for header in ("件号", "文件编号", "责任者", "文件题名", "日期", "页次", "备注", "id"):
        table.add_column(header)
    for row, e in zip(contents_rows(v), v.entries):
        table.add_row(*[escape(x) for x in row], str(e.document_id))
    console().print(table)


@volume.command("move")
@click.argument("doc_id", type=int)
@click.option("--to", "to", type=int, required=True, help="案卷号 of the target volume (same project).")
@click.option("--position", type=click.IntRange(min=1), help="件号 in the target volume (default: last).")
@home_option
def move(doc_id: int, to: int, position: int | None) -> None:
    """Move a document into a volume of its project, at a position; pages are renumbered.

    \b
    Example:
      dangan volume move 12 --to 2 --position 1
    """
    v = move_document(state().catalog(), doc_id, to, position)
    e = next(x for x in v.entries if x.document_id == doc_id)
    click.echo(
        f"document {doc_id} is 件{e.position} of volume {v.sequence} ({v.project}), pages {e.start_page}-{e.end_page}"
    )


@volume.command("seal")
@click.argument("code")
@click.argument("vol", type=int)
@home_option
def seal_cmd(code: str, vol: int) -> None:
    """Seal a volume: its order and page numbers are frozen until `unseal`.

    \b
    Example:
      dangan volume seal BJ-2024-017 1
    """
    cat = state().catalog()
    v = seal(cat, code, vol)
    click.echo(f"sealed volume {v.sequence} of {code}: {len(v.entries)} documents, {v.pages} pages")
    for line in volume_out_warnings(cat, code, vol):
        click.echo(f"Warning: {line}", err=True)


@volume.command("unseal")
@click.argument("code")
@click.argument("vol", type=int)
@click.option("--reason", required=True, help="Why the volume is reopened (kept in the event log).")
@home_option
def unseal_cmd(code: str, vol: int, reason: str) -> None:
    """Reopen a sealed volume for changes; the reason is logged.

    \b
    Example:
      dangan volume unseal BJ-2024-017 1 --reason 补充设计变更单
    """
    v = unseal(state().catalog(), code, vol, reason)
    click.echo(f"unsealed volume {v.sequence} of {code}; plan, move and seal again as needed")


@volume.command("build")
@click.argument("code")
@click.argument("vol", type=int, required=False)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the PDFs and registers.",
)
@json_option
@home_option
def build(code: str, vol: int | None, out: Path, as_json: bool) -> None:
    """Build volume PDFs: cover, 卷内目录, documents numbered bottom right, 备考表; plus .docx registers.

    Without VOL every volume of the project is built.  Word files need LibreOffice.

    \b
    Example:
      dangan volume build BJ-2024-017 --out 案卷/
      dangan volume build BJ-2024-017 2 --out 案卷/ --json
    """
    cat = state().catalog()
    vols = [get_volume(cat, code, vol)] if vol is not None else list_volumes(cat, code)
    if not vols:
        raise NotFoundError(f"{code} has no volumes yet; propose them with `dangan volume plan {code}`")
    results = []
    with progress_bar(sum(len(v.entries) for v in vols), "converting", enabled=not as_json) as bar:
        for v in vols:
            built = build_volume(cat, v, out, tick=lambda name: bar.advance(1, name[:30]))
            registers = write_volume_registers(cat, built.volume, built.code, out)
            results.append({**built.to_json(), "registers": [str(p) for p in registers]})
    if as_json:
        emit_json(results)
        return
    for r in results:
        click.echo(f"volume {r['volume']}: {r['path']} ({r['pages']} pages, {r['numbered_pages']} numbered)")
        for p in r["registers"]:
            click.echo(f"  register: {p}")
