"""Commands on retention and what follows it: due records, appraisal, disposal, holds, statistics."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from dangan.archive.appraisal import DECISIONS, approve, batch, create_batch, decide
from dangan.archive.disposal import dispose
from dangan.archive.retention import active_holds, due, not_started, release_hold, set_hold, set_project_dates
from dangan.archive.stats import stats, write_xlsx
from dangan.commands.common import emit_json, home_option, json_option, state

year_option = click.option("--year", type=int, help="Expired by the end of this year (default: this year).")


@click.group("retention")
def retention_group() -> None:
    """Records whose 保管期限 has run out: `retention due [--year YYYY]`.

    \b
    Example:
      dangan retention due --year 2025
    """


@retention_group.command("due")
@year_option
@json_option
@home_option
def due_cmd(year: int | None, as_json: bool) -> None:
    """List filed records whose 保管期限 has expired by the end of the year.

    \b
    Example:
      dangan retention due --year 2025
    """
    rows = due(state().catalog(), year)
    if as_json:
        return emit_json(rows)
    for r in rows:
        held = f" [{r['hold']}]" if r["hold"] else ""
        click.echo(f"#{r['id']} {r['project']} {r['item'] or '-'} {r['title']} {r['retention']} "
                   f"from {r['start_year']}, expired {r['expired']}{held}")  # fmt: skip
    click.echo(f"{len(rows)} record(s) expired. Appraise them: dangan appraise create")
    for w in not_started(state().catalog()):
        when = "竣工 (completion)" if w["start"] == "completion" else "close"
        click.echo(f"{w['project']}: {w['documents']} record(s) count from the project's {when}, which has no date; "
                   f"set it: dangan retention dates {w['project']} --{'completed' if w['start'] == 'completion' else 'closed'} YYYY-MM-DD")  # fmt: skip


def _day(value: str | None, option: str):
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date: write YYYY-MM-DD, e.g. 2025-06-30", param_hint=option
        ) from None


@retention_group.command("dates")
@click.argument("code")
@click.option("--completed", help="The project's 竣工 date, YYYY-MM-DD.")
@click.option("--closed", help="The date the project was closed, YYYY-MM-DD.")
@json_option
@home_option
def dates_cmd(code: str, completed: str | None, closed: str | None, as_json: bool) -> None:
    """Set a project's 竣工 and close dates, from which a checklist may count 保管期限.

    \b
    Example:
      dangan retention dates BJ-2024-017 --completed 2025-06-30
    """
    out = set_project_dates(state().catalog(), code, completed=_day(completed, "--completed"),
                            closed=_day(closed, "--closed"))  # fmt: skip
    if as_json:
        return emit_json(out)
    click.echo(f"{code}: 竣工 {out['completion'] or '-'}, closed {out['close'] or '-'}")


@click.group("appraise")
def appraise_group() -> None:
    """Appraisal (鉴定) of expired records: create a batch, decide, approve, dispose.

    \b
    Example:
      dangan appraise create --year 2025
      dangan appraise show 1
    """


def _echo_batch(b: dict) -> None:
    by = f", approved by {b['approved_by']}" if b["approved_by"] else ""
    click.echo(f"Appraisal batch {b['id']} ({b['status']}{by}): {len(b['items'])} record(s) expired by {b['year']}")
    for it in b["items"]:
        what = DECISIONS.get(it["decision"] or "", "undecided")
        if it["decision"] == "keep":
            what += f" until {it['keep_until']}"
        who = f" ({it['reason']}, by {it['decided_by']})" if it["decision"] else ""
        click.echo(f"  #{it['document_id']} {it['project_code']} {it['title']} {it['retention']}: {what}{who}")


@appraise_group.command("create")
@year_option
@json_option
@home_option
def create_cmd(year: int | None, as_json: bool) -> None:
    """Make an appraisal batch of every record expired by the end of the year.

    \b
    Example:
      dangan appraise create --year 2025
    """
    b = create_batch(state().catalog(), year)
    return emit_json(b) if as_json else _echo_batch(b)


@appraise_group.command("decide")
@click.argument("batch_id", type=int)
@click.argument("doc_id", type=int)
@click.option("--keep-until", type=int, metavar="YEAR", help="延长: keep it until the end of YEAR.")
@click.option("--open", "to_open", is_flag=True, help="开放: keep it and open it for use.")
@click.option("--destroy", is_flag=True, help="销毁: destroy it once the batch is approved.")
@click.option("--reason", required=True, help="理由, for the record.")
@click.option("--by", "by", required=True, help="The member of the appraisal group deciding (a user).")
@home_option
def decide_cmd(batch_id: int, doc_id: int, keep_until: int | None, to_open: bool, destroy: bool,
               reason: str, by: str) -> None:  # fmt: skip
    """Record one member's decision on a record: --keep-until YEAR, --open or --destroy.

    \b
    Example:
      dangan appraise decide 1 12 --destroy --reason 已无保存价值 --by 赵敏
      dangan appraise decide 1 13 --keep-until 2035 --reason 仍有查考价值 --by 赵敏
    """
    chosen = [name for name, on in (("keep", keep_until is not None), ("open", to_open), ("destroy", destroy)) if on]
    if len(chosen) != 1:
        raise click.UsageError("give exactly one of --keep-until YEAR, --open, --destroy")
    it = decide(state().catalog(), batch_id, doc_id, chosen[0], reason=reason, by=by, keep_until=keep_until)
    click.echo(f"Batch {batch_id}, #{doc_id}: {DECISIONS[it['decision']]} ({it['reason']}, by {it['decided_by']})")


@appraise_group.command("approve")
@click.argument("batch_id", type=int)
@click.option("--by", "by", required=True, help="The approving manager (a user with the manager role).")
@home_option
def approve_cmd(batch_id: int, by: str) -> None:
    """Approve a fully decided batch (a manager); its decisions are then fixed.

    \b
    Example:
      dangan appraise approve 1 --by 钱坤
    """
    b = approve(state().catalog(), batch_id, by=by)
    n = sum(1 for it in b["items"] if it["decision"] == "destroy")
    click.echo(f"Approved appraisal batch {batch_id} by {by.strip()}: {n} record(s) to destroy. "
               f"Next: dangan appraise dispose {batch_id} --witness 姓名 --witness 姓名")  # fmt: skip


@appraise_group.command("show")
@click.argument("batch_id", type=int)
@json_option
@home_option
def show_cmd(batch_id: int, as_json: bool) -> None:
    """A batch's records and decisions.

    \b
    Example:
      dangan appraise show 1
    """
    b = batch(state().catalog(), batch_id)
    return emit_json(b) if as_json else _echo_batch(b)


@appraise_group.command("dispose")
@click.argument("batch_id", type=int)
@click.option("--witness", "witnesses", multiple=True, help="监销人 (at least two).")
@json_option
@home_option
def dispose_cmd(batch_id: int, witnesses: tuple[str, ...], as_json: bool) -> None:
    """Destroy an approved batch's 销毁 records and file the 销毁清册 (at least two --witness).

    \b
    Example:
      dangan appraise dispose 1 --witness 赵敏 --witness 钱坤
    """
    b = dispose(state().catalog(), batch_id, witnesses=list(witnesses))
    if as_json:
        return emit_json(b)
    gone = [str(it["document_id"]) for it in b["items"] if it["decision"] == "destroy"]
    regs = ", ".join(f"#{r['document']} and #{r['xlsx_document']} ({r['xlsx']}; "
                     f"{'under ' + r['item'] if r['item'] else 'in review: no register item'})"
                     for r in b["registers"])  # fmt: skip
    click.echo(f"Destroyed {len(gone)} record(s) of batch {batch_id}: #{', #'.join(gone) if gone else '-'}; "
               f"销毁清册 filed as {regs or '-'} (永久)")  # fmt: skip


@click.group("hold", invoke_without_command=True)
@json_option
@home_option
@click.pass_context
def hold_group(ctx: click.Context, as_json: bool) -> None:
    """Legal holds (冻结): a held project or document cannot be destroyed or emptied from the trash.

    \b
    Example:
      dangan hold
      dangan hold set BJ-2024-017 --reason 合同纠纷诉讼 --by 钱坤
    """
    if ctx.invoked_subcommand is not None:
        return
    rows = active_holds(state().catalog())
    if as_json:
        return emit_json(rows)
    for h in rows:
        click.echo(f"#{h['id']} {h['project_code'] or 'document ' + str(h['document_id'])}: {h['reason']} "
                   f"(by {h['set_by']}, {h['set_at']:%Y-%m-%d})")  # fmt: skip
    click.echo(f"{len(rows)} hold(s).")


@hold_group.command("set")
@click.argument("target")
@click.option("--reason", required=True, help="Why it is held.")
@click.option("--by", "by", required=True, help="Who holds it.")
@home_option
def hold_set(target: str, reason: str, by: str) -> None:
    """Hold a project (code) or a document (id).

    \b
    Example:
      dangan hold set 12 --reason 审计抽查 --by 钱坤
    """
    h = set_hold(state().catalog(), target, reason=reason, by=by)
    click.echo(f"Hold #{h['id']} on {target}: {h['reason']} (by {h['set_by']})")


@hold_group.command("release")
@click.argument("target")
@click.option("--reason", required=True, help="Why it is released.")
@click.option("--by", "by", required=True, help="Who releases it.")
@home_option
def hold_release(target: str, reason: str, by: str) -> None:
    """Release the hold on a project (code) or a document (id).

    \b
    Example:
      dangan hold release 12 --reason 审计结束 --by 钱坤
    """
    h = release_hold(state().catalog(), target, reason=reason, by=by)
    click.echo(f"Released hold #{h['id']} on {target}.")


HOLDING_TITLES = (("project", "by project"), ("group", "by checklist group (门类)"), ("retention", "by 保管期限"),
                  ("carrier", "by carrier (载体)"), ("year", "by year"))  # fmt: skip


@click.command("stats")
@click.option("--year", type=int, help="The year reported on (default: this year).")
@click.option("--xlsx", "xlsx", type=click.Path(dir_okay=False, path_type=Path), help="Also write the tables here.")
@json_option
@home_option
def stats_cmd(year: int | None, xlsx: Path | None, as_json: bool) -> None:
    """Holdings, volumes, filing per month, completeness and disposals of a year (年报 figures).

    \b
    Example:
      dangan stats --year 2025
      dangan stats --year 2025 --xlsx 年报2025.xlsx
    """
    figures = stats(state().catalog(), year)
    if xlsx is not None:
        write_xlsx(figures, xlsx)
    if as_json:
        return emit_json(figures)
    click.echo(f"Statistics {figures['year']}")
    for key, title in HOLDING_TITLES:
        click.echo(f"Holdings {title}:")
        for r in figures["holdings"][key]:
            click.echo(f"  {r['key']}: {r['documents']} document(s), {r['pages']} page(s)")
    v = figures["volumes"]
    click.echo(f"Volumes: {v['volumes']} ({v['sealed']} sealed), {v['pages']} page(s)")
    click.echo(
        "Filed per month: " + ", ".join(f"{m['month'][5:]}:{m['documents']}" for m in figures["filed_per_month"])
    )
    click.echo("Completeness:")
    for c in figures["completeness"]:
        click.echo(
            f"  {c['project']} {c['name']}: {c['filed']}/{c['items']} filed, {c['missing']} missing, {c['waived']} waived"
        )
    for s in figures["service"]:
        click.echo(
            f"  service records of {s['project']}: {s['overdue']} overdue, {s['late']} late, {s['on_time']} on time"
        )
    u, d = figures["uses"], figures["disposals"]
    click.echo(f"Use: {u['records']} use record(s); {u['uses']} use(s) by {u['people']} people: {u['loans']} loan(s) "
               f"({u['volume_loans']} of volumes, {u['document_loans']} of documents, {u['outside']} outside), "
               f"{u['views']} online view(s), {u['downloads']} download(s)")  # fmt: skip
    click.echo(f"Appraisal decisions approved: {d['decisions']['keep']} kept longer, {d['decisions']['open']} opened, "
               f"{d['decisions']['destroy']} to destroy")  # fmt: skip
    click.echo(f"Destroyed in {figures['year']}: {d['destroyed']} ({d['pages']} page(s))")
    if xlsx is not None:
        click.echo(f"Written: {xlsx}")
