"""Commands on a document's life: show, open, edit, discard, restore, trash, undo."""

from __future__ import annotations

import click

from dangan.archive.intake.fields import INVOICE_LABELS
from dangan.archive.life.edit import edit as edit_document
from dangan.archive.life.show import open_path
from dangan.archive.life.show import show as show_document
from dangan.archive.life.trash import discard as discard_document
from dangan.archive.life.trash import empty_trash, parse_age, trash_list
from dangan.archive.life.trash import restore as restore_document
from dangan.archive.life.undo import undo as undo_event
from dangan.archive.retention import hold_on
from dangan.commands.common import emit_json, home_option, json_option, state

SHOWN = (
    ("id", "id"),
    ("title", "题名 title"),
    ("status", "status"),
    ("project_code", "project"),
    ("item_code", "item"),
    ("person", "责任人 person"),
    ("role", "role"),
    ("document_date", "日期 date"),
    ("doc_number", "文件编号 number"),
    ("author", "责任者 author"),
    ("pages", "pages"),
    ("retention", "保管期限 retention"),
    ("secrecy", "密级 secrecy"),
    ("remarks", "备注 remarks"),
    ("original_name", "original name"),
    ("name_note", "name note"),
    ("mime_type", "type"),
    ("size", "bytes"),
    ("sha256", "SHA-256"),
    ("source", "source"),
    ("filed_at", "filed at"),
    ("confidence", "confidence"),
    ("discarded_at", "discarded at"),
    ("discard_reason", "discard reason"),
    ("restore_path", "restores to"),
)


@click.command("show")
@click.argument("doc_id", type=int)
@click.option("--text", "with_text", is_flag=True, help="Also print the extracted text.")
@json_option
@home_option
def show_cmd(doc_id: int, with_text: bool, as_json: bool) -> None:
    """Every catalog field of a document, its vault path, how it was read, and its history.

    \b
    Example:
      dangan show 12
      dangan show 12 --text | less
    """
    cat = state().catalog()
    d = show_document(cat, doc_id)
    if with_text:
        d["text"] = cat.text(doc_id)
    if as_json:
        return emit_json(d)
    for key, label in SHOWN:
        if d.get(key) not in (None, "", []):
            click.echo(f"{label}: {d[key]}")
    click.echo(f"vault path: {d['path'] or '(none: destroyed, its file removed)'}")
    click.echo(f"text read from: {d['method_text']}")
    if d["item_reason"]:
        click.echo(f"item chosen: {d['item_reason']}")
    click.echo(f"date chosen: {d['date_reason']}")
    for c in d["date_candidates"]:
        click.echo(f"  {'*' if c['chosen'] else ' '} {c['date']} {c['kind']} {c['label']}".rstrip())
    for name, value in d["fields"].items():
        click.echo(f"{INVOICE_LABELS.get(name, name)} ({name}, read from the content): {value}")
    for m in d["from_mail"]:
        click.echo(f"from mail: #{m['id']} {m['title']} (attached as {m['name']})")
    for a in d["attachments"]:
        click.echo(f"attachment: #{a['id']} {a['name']} ({a['status']})")
    click.echo("history:")
    for e in d["events"]:
        click.echo(f"  #{e['id']} {e['at']} {e['action']} ({e['command']}) {_brief(e['detail'])}".rstrip())
    if with_text:
        click.echo("text:")
        click.echo(d["text"])


def _brief(detail: dict) -> str:
    """Old → new values of an event, or its reason, on one line."""
    before, after = detail.get("before"), detail.get("after")
    if isinstance(before, dict) and isinstance(after, dict):
        keys = [k for k in after if k not in ("suggestions", "confidence", "role")]
        return "; ".join(f"{k}: {before.get(k)} → {after[k]}" for k in keys)
    return detail.get("reason") or detail.get("vault_path") or ""


@click.command("open")
@click.argument("doc_id", type=int)
@home_option
def open_cmd(doc_id: int) -> None:
    """Print the absolute path of a document's stored file.

    \b
    Example:
      xdg-open "$(dangan open 12)"
    """
    click.echo(str(open_path(state().catalog(), doc_id)))


@click.command("edit")
@click.argument("doc_id", type=int)
@click.option("--title", help="题名 as the registers print it.")
@click.option("--date", "date_", metavar="YYYY-MM-DD", help="The document's date (renames the vault file).")
@click.option("--number", help="文件编号.")
@click.option("--author", help="责任者 (author printed in the 卷内目录).")
@click.option("--remarks", help="备注.")
@click.option("--pages", help="Page count.")
@click.option("--retention", help="保管期限: 永久, 长期, 短期 (or Y, D30, D10).")
@click.option("--secrecy", help="密级: 公开, 秘密, 机密, 绝密.")
@json_option
@home_option
def edit_cmd(doc_id: int, date_, as_json: bool, **fields) -> None:
    """Correct a document's catalog metadata; each edit is logged with old and new values.

    \b
    Example:
      dangan edit 12 --date 2025-10-15 --number 施总-003
      dangan undo            # changed your mind
    """
    cat = state().catalog()
    d = edit_document(cat, doc_id, date=date_, **fields)
    if as_json:
        return emit_json(_doc_json(d))
    last = cat.events(document=doc_id)[-1]
    click.echo(f"Edited #{doc_id}: {_brief(last['detail'])}")


@click.command("discard")
@click.argument("doc_id", type=int)
@click.option("--reason", required=True, help="Why it goes (kept in the log and the trash).")
@json_option
@home_option
def discard_cmd(doc_id: int, reason: str, as_json: bool) -> None:
    """Move a document from review or the archive into the trash (vault/_trash/); nothing is deleted.

    \b
    Example:
      dangan discard 14 --reason 会议通知，不归档
      dangan restore 14
    """
    cat = state().catalog()
    d = discard_document(cat, doc_id, reason=reason)
    if as_json:
        return emit_json(_doc_json(d))
    click.echo(f"Discarded #{doc_id} to the trash: {d['vault_path']} (dangan restore {doc_id} brings it back)")


@click.command("restore")
@click.argument("doc_id", type=int)
@json_option
@home_option
def restore_cmd(doc_id: int, as_json: bool) -> None:
    """Bring a discarded document back exactly where and as it was.

    \b
    Example:
      dangan restore 14
    """
    cat = state().catalog()
    d = restore_document(cat, doc_id)
    if as_json:
        return emit_json(_doc_json(d))
    click.echo(f"Restored #{doc_id} ({d['status']}): {d['vault_path']}")
    if d["volume_note"]:  # back into its draft volume, or why not
        click.echo(str(d["volume_note"]))


@click.group("trash", invoke_without_command=True)
@json_option
@home_option
@click.pass_context
def trash_group(ctx: click.Context, as_json: bool) -> None:
    """List the discarded documents; `trash empty` removes old ones for good.

    \b
    Example:
      dangan trash
      dangan trash empty --older-than 30d
    """
    if ctx.invoked_subcommand is not None:
        return
    docs = trash_list(state().catalog())
    if as_json:
        return emit_json([_doc_json(d) for d in docs])
    if not docs:
        click.echo("The trash is empty.")
        return
    for d in docs:
        click.echo(
            f"#{d['id']} {d['discarded_at']} {d['original_name']} ({d['restore_status']}, {d['restore_path']}): {d['discard_reason']}"
        )
    click.echo(f"{len(docs)} document(s) in the trash. Bring one back: dangan restore ID")


@trash_group.command("empty")
@click.option(
    "--older-than",
    "older_than",
    required=True,
    metavar="AGE",
    help="Only documents discarded longer ago than this: 30d, 12h, 2w.",
)
@json_option
@home_option
def trash_empty(older_than: str, as_json: bool) -> None:
    """Delete the files of documents discarded longer ago than AGE; each removal is logged.

    \b
    Example:
      dangan trash empty --older-than 30d
    """
    age = parse_age(older_than)
    cat = state().catalog()
    gone = empty_trash(cat, older_than=age)
    if as_json:
        return emit_json([_doc_json(d) for d in gone])
    for d in gone:
        click.echo(f"removed #{d['id']} {d['original_name']} (SHA-256 {d['sha256'][:12]}…)")
    click.echo(f"Removed {len(gone)} document(s) discarded more than {older_than} ago.")
    for d in trash_list(cat):
        held = hold_on(cat, d)
        if held:
            click.echo(f"kept #{d['id']} {d['original_name']}: {held}")


@click.command("undo")
@click.option("--event", "event_id", type=int, help="Undo this event instead of the last decision.")
@json_option
@home_option
def undo_cmd(event_id: int | None, as_json: bool) -> None:
    """Reverse the last filing decision (file, refile, edit, discard, restore) from the event log.

    \b
    Example:
      dangan undo
      dangan undo --event 42
    """
    cat = state().catalog()
    ev, d = undo_event(cat, event_id)
    if as_json:
        return emit_json({"undone": ev["id"], "action": ev["action"], "document": _doc_json(d)})
    click.echo(f"Undid event #{ev['id']} ({ev['action']}) on #{d['id']}: now {d['status']}, {d['vault_path']}")
    if d.get("volume_note"):
        click.echo(str(d["volume_note"]))


def _doc_json(d: dict) -> dict:
    return {k: v for k, v in d.items() if k not in ("inbox_path", "date_candidates")}
