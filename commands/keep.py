"""``dangan backup`` (create, list, verify, restore) and ``dangan export``: keeping the archive for decades."""

from __future__ import annotations

from pathlib import Path

import click

from dangan.commands.common import emit_json, home_option, json_option, progress_bar, state
from dangan.indexer.errors import ExitCode


class BackupGroup(click.Group):
    """``dangan backup DEST`` is ``dangan backup create DEST``; the other verbs are sub-commands."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["create", *args]
        return super().parse_args(ctx, args)


@click.group(cls=BackupGroup)
def backup() -> None:
    """Back up the live home (catalog, vault, settings) into a folder; prove and restore it.

    A backup folder keeps many snapshots; each file's bytes are stored once by SHA-256, so a
    second backup copies only what is new.  `watch` and `serve` may go on meanwhile.

    \b
    Example:
      dangan backup /mnt/nas/dangan-backup --keep 7d,4w,12m
      dangan backup verify /mnt/nas/dangan-backup
      dangan backup restore /mnt/nas/dangan-backup --home ~/dangan-restored
    """


@backup.command("create")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--keep", help="After the backup, keep the newest snapshot of each of the last N days/weeks/months (7d,4w,12m)."
)
@json_option
@home_option
def create_cmd(dest: Path, keep: str | None, as_json: bool) -> None:
    """Write a new snapshot of the home into DEST (made if missing).

    \b
    Example:
      dangan backup create /mnt/nas/dangan-backup --keep 7d,4w,12m
    """
    from dangan.archive.backup import backup as run_backup

    cat = state().catalog()
    with progress_bar(cat.count_documents(), "backup", enabled=not as_json) as bar:
        result = run_backup(cat, dest, keep=keep, progress=bar.advance)
    if as_json:
        emit_json(result.to_json())
    else:
        click.echo(
            f"Backed up {result.documents} document(s) to {result.dest} as snapshot {result.snapshot}: "
            f"{result.copied} file(s) copied ({result.bytes_copied / 1e6:.1f} MB), {result.reused} already there."
        )
        if result.removed_snapshots:
            click.echo(
                f"Removed {len(result.removed_snapshots)} old snapshot(s) and {result.removed_objects} file(s) no snapshot needs."
            )
        for m in result.missing:
            click.echo(
                f"not backed up: document #{m['id']} {m['vault_path']} (missing or changed in the vault; run `dangan verify`)",
                err=True,
            )
    if result.missing:
        raise click.exceptions.Exit(int(ExitCode.verify_failed))


@backup.command("list")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@json_option
def list_cmd(dest: Path, as_json: bool) -> None:
    """The snapshots in DEST, oldest first, with how many documents each holds.

    \b
    Example:
      dangan backup list /mnt/nas/dangan-backup
    """
    from dangan.archive.backup import load_manifest, snapshots

    rows = [{"snapshot": n, "documents": load_manifest(dest, n).get("documents")} for n in snapshots(dest)]
    if as_json:
        return emit_json(rows)
    for r in rows:
        click.echo(f"{r['snapshot']}  {r['documents']} document(s)")
    click.echo(f"{len(rows)} snapshot(s) in {dest}.")


@backup.command("verify")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@click.option("--snapshot", help="Check only this snapshot (default: all).")
@json_option
def verify_cmd(dest: Path, snapshot: str | None, as_json: bool) -> None:
    """Hash every stored file again and compare with the manifests; exit 8 on any difference.

    \b
    Example:
      dangan backup verify /mnt/nas/dangan-backup
    """
    from dangan.archive.backup_restore import verify_backup

    rep = verify_backup(dest, snapshot)
    if as_json:
        emit_json(rep.to_json())
    else:
        for line in rep.problems:
            click.echo(line)
        verdict = "complete" if rep.clean else f"{len(rep.problems)} problem(s)"
        click.echo(
            f"Checked {len(rep.snapshots)} snapshot(s) and {rep.objects} stored file(s) in {rep.dest}: {verdict}."
        )
    if not rep.clean:
        raise click.exceptions.Exit(int(ExitCode.verify_failed))


@backup.command("restore")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--home",
    "target",
    required=True,
    type=click.Path(path_type=Path),
    help="New or empty folder for the restored home.",
)
@click.option("--snapshot", help="Snapshot to restore (default: the newest; see `backup list`).")
@json_option
def restore_cmd(dest: Path, target: Path, snapshot: str | None, as_json: bool) -> None:
    """Rebuild a working home from a snapshot in DEST; the search index is rebuilt.

    \b
    Example:
      dangan backup restore /mnt/nas/dangan-backup --home ~/dangan-restored
      dangan --home ~/dangan-restored verify
    """
    from dangan.archive.backup_restore import restore_backup

    result = restore_backup(dest, target, snapshot)
    if as_json:
        return emit_json(result.to_json())
    click.echo(
        f"Restored snapshot {result.snapshot} into {result.home}: {result.documents} document(s), {result.indexed} indexed."
    )
    for note in result.notes:
        click.echo(f"note: {note}")


@click.command("export")
@click.argument("codes", nargs=-1)
@click.option("--all", "all_projects", is_flag=True, help="Every project.")
@click.option("--out", "dest", required=True, type=click.Path(path_type=Path), help="New folder for the BagIt bag.")
@json_option
@home_option
def export(codes: tuple[str, ...], all_projects: bool, dest: Path, as_json: bool) -> None:
    """Export projects as a BagIt bag: files named by 档号, metadata as JSON and CSV, the history.

    \b
    Example:
      dangan export BJ-2024-017 --out 导出/BJ-2024-017
      dangan export --all --out 导出/全部
    """
    from dangan.archive.export import export_bag

    if bool(codes) == all_projects:
        raise click.UsageError("name one or more projects, or --all")
    result = export_bag(state().catalog(), dest, list(codes) or None)
    if as_json:
        return emit_json(result.to_json())
    click.echo(
        f"Exported {result.documents} document(s) of {', '.join(result.projects) or 'no project'} to {result.bag} (BagIt, validated)."
    )
