"""The 客服主管's morning list and what `check` reports, for the CLI and the web alike.

:func:`due_list` gathers what is overdue or falls due in the next days across the projects
whose checklists have deadlines (:func:`morning_list` also with each project's report, for the
web page; :func:`owed_to` keeps one customer's); :func:`as_deadline` turns one entry into a calendar event;
:func:`date_range` reads a ``--period`` or ``--from``/``--to`` choice into two days;
:func:`check_reports` is `check`: a deadline report for a project whose checklist has due
rules, the completeness report for any other.
"""

from __future__ import annotations

from datetime import date

from dangan.archive import completeness
from dangan.archive.catalog import Catalog
from dangan.archive.days import parse_day
from dangan.archive.deadlines.ical import Deadline
from dangan.archive.deadlines.obligations import DeadlineReport, Obligation, deadlines, has_deadlines
from dangan.archive.deadlines.periods import parse_period
from dangan.archive.projects import Project, get_project, list_projects
from dangan.indexer.errors import UsageError

DUE_STATUSES = ("overdue", "due-soon")


def date_range(period: str | None, from_: str | None, to: str | None) -> tuple[date | None, date | None]:
    """The days a period (``2025-03``, ``2025-Q1`` …) or a from/to pair selects (None = default)."""
    if period and (from_ or to):
        raise UsageError("give either --period or --from/--to, not both")
    if period:
        p = parse_period(period)
        return p.start, p.end
    first = parse_day(from_, "--from") if from_ else None
    last = parse_day(to, "--to") if to else None
    if first and last and last < first:
        raise UsageError("--to {to} is before --from {first}", to=to, first=from_)
    return first, last


def deadline_projects(cat: Catalog) -> list[Project]:
    """The projects whose checklist has any item with a due rule (service centres)."""
    return [p for p in list_projects(cat) if has_deadlines(p)]


def due_list(cat: Catalog, codes: tuple[str, ...] | list[str] = (), *, today: date, days: int = 7,
             person: str | None = None, customer: str | None = None) -> list[tuple[str, Obligation]]:  # fmt: skip
    """(project code, obligation) pairs overdue or due within ``days``, earliest due first.

    Covers ``codes`` (every project with deadlines when empty); ``person`` keeps what that
    person, or that role, owes; ``customer`` what is owed to that customer of the register.
    """
    projects = [get_project(cat, c) for c in codes] if codes else deadline_projects(cat)
    entries = due_from([deadlines(cat, p.code, today=today, soon_days=days) for p in projects], person=person)
    return owed_to(cat, entries, customer)


def owed_to(cat: Catalog, entries: list[tuple[str, Obligation]], customer: str | None) -> list[tuple[str, Obligation]]:
    """The entries owed to ``customer`` (a name, alias or ``#id`` of the register; all when None).
    NotFoundError when the register has no such customer."""
    if not customer:
        return entries
    from dangan.archive.customers.register import get_customer  # only this filter needs the register

    name = get_customer(cat, customer).name
    return [(c, o) for c, o in entries if o.customer == name]


def morning_list(cat: Catalog, *, today: date, days: int = 7, person: str | None = None,
                 customer: str | None = None) -> tuple[list[DeadlineReport], list[tuple[str, Obligation]]]:  # fmt: skip
    """Every service project's report (most overdue first) and the due list made from the same
    reports (each project worked out once), for one person or role and one customer if given:
    the web's 服务期限 page."""
    reports = [deadlines(cat, p.code, today=today, soon_days=days) for p in deadline_projects(cat)]
    entries = owed_to(cat, due_from(reports, person=person), customer)
    reports.sort(key=lambda r: (-r.overdue, r.project))
    return reports, entries


def due_from(reports: list[DeadlineReport], *, person: str | None = None) -> list[tuple[str, Obligation]]:
    """The due list of reports already made (with the look-ahead as their ``soon_days``)."""
    entries = [(r.project, o) for r in reports for o in r.obligations if o.status in DUE_STATUSES]
    if person:
        entries = [(c, o) for c, o in entries if person in (o.person, o.role, o.owner)]
    entries.sort(key=lambda e: (e[1].due, e[0], e[1].item))
    return entries


def as_deadline(code: str, o: Obligation) -> Deadline:
    """One due-list entry as an all-day calendar event (a stable UID, so a re-import updates it)."""
    who = f"-{o.customer}" if o.period and o.customer else ""  # a duty owed to each customer
    uid = f"{code}-{o.item}-{o.period or f'{o.trigger}'}{who}@dangan"
    return Deadline(
        uid,
        o.due,
        f"应交 {o.item} {o.title} {o.label}（{o.owner}）",
        f"{code} · {o.role} · 规则 due {o.due.isoformat()}",
    )


def check_reports(cat: Catalog, codes: tuple[str, ...] | list[str], *, all_: bool = False, today: date,
                  first: date | None = None, last: date | None = None) -> list:  # fmt: skip
    """One report per project (every project with ``all_``): deadlines when its checklist
    has any, else completeness.  A range on a project without deadlines is refused, except
    with ``all_``, where such a project is simply checked whole.  With ``all_`` the most
    overdue service projects come first, then the least complete others."""
    projects = list_projects(cat) if all_ else [get_project(cat, c) for c in codes]
    reports: list = []
    for p in projects:
        if has_deadlines(p):
            reports.append(deadlines(cat, p.code, today=today, first=first, last=last))
        elif (first or last) and not all_:
            raise UsageError(
                "project {project} (checklist {checklist}) has no periodic items",
                project=p.code, checklist=p.checklist.id, fix="drop --period/--from/--to",
            )  # fmt: skip
        else:
            reports.append(completeness.check(cat, p.code))
    if all_:
        reports.sort(key=lambda r: (0, -r.overdue) if isinstance(r, DeadlineReport) else (1, r.ratio))
    return reports
