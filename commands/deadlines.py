"""Deadlines of service records on the command line: `check` of a service project, `due`.

`check` (in commands/core.py) asks :func:`collect` for one report per project: the
completeness report for a checklist without deadlines, a :class:`DeadlineReport` for one with
them; :func:`print_deadlines` prints the latter.  `due` is the 客服主管's morning list.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from dangan.archive import completeness
from dangan.archive.days import parse_day
from dangan.archive.days import today as the_day
from dangan.archive.deadlines.duelist import as_deadline, check_reports, date_range, due_list
from dangan.archive.deadlines.ical import write_ics
from dangan.archive.deadlines.obligations import DeadlineReport, Obligation, deadlines, has_deadlines
from dangan.archive.deadlines.servicedata import record_received, unwaive_period, waive_period
from dangan.archive.lending import loan_deadline, overdue_loans
from dangan.commands.common import console, emit_json, home_option, json_option, state

MARK = {
    "on-time": "[green]✔ 按时 on time[/]",
    "late": "[yellow]⚠ 迟交 late {days}d[/]",
    "early": "[yellow]⚠ 提前 early {days}d[/]",
    "overdue": "[red]✘ 逾期 overdue {days}d[/]",
    "due-soon": "[cyan]… 将到期 due soon[/]",
    "open": "[dim]· 未到期 open[/]",
    "waived": "[yellow]– 免 waived[/] ({reason})",
}


def today_option(f):
    """A hidden ``--today YYYY-MM-DD`` (also $DANGAN_TODAY) so tests and demos fix the date."""
    return click.option("--today", "today", envvar="DANGAN_TODAY", hidden=True, help="Pretend today is this day.")(f)


def resolve_today(text: str | None) -> date:
    """``--today`` (or $DANGAN_TODAY), else the real today: the library's one reading of it."""
    return the_day(text, "--today")


def collect(codes: tuple[str, ...], all_: bool, *, period: str | None, from_: str | None, to: str | None,
            today: str | None) -> list:  # fmt: skip
    """One report per project: deadlines when its checklist has any, else completeness."""
    first, last = date_range(period, from_, to)
    return check_reports(state().catalog(), codes, all_=all_, today=resolve_today(today), first=first, last=last)


def project_status(cat, project):
    """The report `project list` summarises: deadlines up to today, else completeness."""
    if has_deadlines(project):
        return deadlines(cat, project.code, today=the_day())
    return completeness.check(cat, project.code)


def needs_attention(report) -> bool:
    """Exit 3 material: something overdue, or something required missing."""
    return report.overdue > 0 if isinstance(report, DeadlineReport) else not report.complete


def status_text(o: Obligation) -> str:
    return MARK[o.status].format(days=o.days, reason=escape(o.reason or ""))


def _due_text(o: Obligation) -> str:
    if o.earliest and o.earliest != o.due and o.kind == "event":
        return f"{o.earliest.isoformat()}…{o.due.isoformat()}"
    return o.due.isoformat()


def print_deadlines(r: DeadlineReport, by_person: bool, *, by_customer: bool = False) -> None:
    """Print one deadline report: per item and period, or grouped by who owes what (or by
    the customer it is owed to: rows owed to no customer come last)."""
    click.echo(
        f"{r.project} {r.project_name} — {r.checklist}, {r.first.isoformat()} … {r.last.isoformat()} (today {r.today.isoformat()})"
    )
    if by_person:
        t = Table("责任人 person", "序号", "文件名称 record", "期间/顾客 for", "应交 due", "状态 status")
    else:
        t = Table("序号", "文件名称 record", "期间/顾客 for", "应交 due", "责任人 owner", "状态 status")
    rows = sorted(r.obligations, key=lambda o: (o.owner, o.item, o.due)) if by_person else r.obligations
    if by_customer:
        rows = sorted(r.obligations, key=lambda o: (o.customer is None, o.customer or "", o.due, o.item))
    for o in rows:
        cells = [o.item, escape(o.title), escape(o.label), _due_text(o)]
        if by_person:
            t.add_row(escape(o.owner), *cells, status_text(o))
        else:
            t.add_row(*cells, escape(f"{o.role} {o.owner}" if o.person else o.owner), status_text(o))
    console().print(t)
    if r.untracked:
        ids = ", ".join(f"#{i}" for i in r.untracked)
        click.echo(
            f"{len(r.untracked)} record(s) name no customer, so their follow-ups are not tracked: {ids} (fill 客户名称)"
        )
    click.echo(r.summary())


@click.command()
@click.argument("codes", nargs=-1)
@click.option("--days", type=click.IntRange(min=0), default=7, show_default=True, help="How far ahead to look.")
@click.option("--person", help="Only what this person (or role) owes.")
@click.option("--customer", help="Only what is owed to this customer (name or alias).")
@click.option(
    "--ics",
    "ics",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the deadlines as a calendar file (.ics).",
)
@today_option
@json_option
@home_option
def due(
    codes: tuple[str, ...],
    days: int,
    person: str | None,
    customer: str | None,
    ics: Path | None,
    today: str | None,
    as_json: bool,
) -> None:
    """What falls due next, overdue first: the list a 客服主管 reads every morning.

    Covers every project whose checklist has deadlines (or the CODEs given).  --ics writes
    the same deadlines as all-day events a phone calendar can import.

    \b
    Example:
      dangan due
      dangan due SV-BJ --days 14 --person 王芳
      dangan due --ics 归档期限.ics
    """
    day = resolve_today(today)
    entries = due_list(state().catalog(), codes, today=day, days=days, person=person, customer=customer)
    late_loans = overdue_loans(state().catalog(), day=day, codes=codes, person=person, customer=customer)
    if ics:
        write_ics(ics, [as_deadline(c, o) for c, o in entries] + [loan_deadline(r) for r in late_loans],
                  stamp=datetime.now())  # fmt: skip
    if as_json:
        return emit_json(
            [{"project": c, **o.to_json()} for c, o in entries] + [{"kind": "loan", **r} for r in late_loans]
        )
    for r in late_loans:
        click.echo(f"借阅逾期 overdue loan: {r['what']} lent to {r['borrower']} ({r['dept']}) until {r['until']}, "
                   f"{r['days_overdue']} day(s) late")  # fmt: skip
    _print_due(entries, day, days, ics)


def _print_due(entries: list, day: date, days: int, ics: Path | None) -> None:
    if not entries:
        click.echo(f"Nothing overdue and nothing due in the next {days} days (today {day.isoformat()}).")
    else:
        t = Table("应交 due", "项目 project", "序号", "文件名称 record", "期间/顾客 for", "责任人 owner", "状态 status")
        for code, o in entries:
            t.add_row(_due_text(o), code, o.item, escape(o.title), escape(o.label), escape(o.owner), status_text(o))
        console().print(t)
        late = sum(1 for _, o in entries if o.status == "overdue")
        click.echo(f"{late} overdue, {len(entries) - late} due in the next {days} days (today {day.isoformat()}).")
    if ics:
        click.echo(f"Wrote {len(entries)} deadline(s) to {ics}")


def waive_one_period(cat, code: str, item: str, period: str, reason: str | None, undo: bool) -> None:
    """`dangan waive CODE ITEM --period P`: one period of a periodic item is not owed."""
    if undo:
        it, key = unwaive_period(cat, code, item, period)
        click.echo(f"{code} {it} {key}: period waiver removed")
    else:
        it, key = waive_period(cat, code, item, period, reason or "")
        click.echo(f"{code} {it} {key}: waived ({(reason or '').strip()})")


@click.command()
@click.argument("doc_ids", nargs=-1, required=True, type=int, metavar="DOC_ID...")
@click.option("--on", "on", required=True, metavar="YYYY-MM-DD", help="The day the paper was handed in.")
@click.option("--reason", required=True, help="Why, for the event log, e.g. 纸质件4月1日交回，5月扫描.")
@home_option
def received(doc_ids: tuple[int, ...], on: str, reason: str) -> None:
    """Record the day paper records were handed in, when they were scanned or filed later.

    A periodic record is late when it reaches the archive after its due day; a stack of
    March 派工单 handed in on April 1st and scanned in May was on time.  Logged with the
    earlier filing time.

    \b
    Example:
      dangan received 41 42 43 --on 2024-04-01 --reason 纸质派工单4月1日交回，5月扫描
    """
    day = parse_day(on, "--on")
    cat = state().catalog()
    for doc_id in doc_ids:
        record_received(cat, doc_id, datetime.combine(day, datetime.min.time()), reason=reason)
    click.echo(f"{len(doc_ids)} record(s) marked received on {day.isoformat()}")
