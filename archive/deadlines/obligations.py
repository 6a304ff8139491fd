"""What a service centre owes, per item and period or per event, and how it stands.

One straight pass over one project: load its filed records (date, filing time, customer) →
periodic items (one obligation per period) → per-record items (each record against its own
date) → event-driven items (one obligation per triggering record, chained: the second call
follows the first).  Each obligation ends in one status:

``on-time`` / ``late`` (by how many days) / ``early`` (an event record made before its window)
— filed; ``overdue`` — due day passed, nothing filed; ``due-soon`` — due within ``soon_days``;
``open`` — not yet due; ``waived`` — the period (or the whole item) was waived.

"today" is a parameter, never read from the clock here, so every answer can be tested.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from sqlalchemy import select

from dangan.archive.catalog import Catalog, as_date
from dangan.archive.customers.duties import customer_duties
from dangan.archive.customers.linking import record_facts
from dangan.archive.deadlines.periods import period_of, periods_between
from dangan.archive.deadlines.rules import parse_rule
from dangan.archive.deadlines.servicedata import period_waiver_map
from dangan.archive.deadlines.timing import split_codes
from dangan.archive.projects import UNASSIGNED, Project, get_project
from dangan.archive.schema import documents, waivers
from dangan.indexer.text import fold

FILED = ("on-time", "late", "early")
STATUSES = ("overdue", "due-soon", "late", "early", "on-time", "open", "waived")


@dataclass
class Obligation:
    """One record owed: for a period of a periodic item, or after one triggering record."""

    item: str
    title: str
    role: str
    person: str | None
    kind: str  # periodic | record | event
    due: date
    status: str = "open"
    period: str | None = None
    earliest: date | None = None
    customer: str | None = None
    trigger: int | None = None  # the record (document id) that created the obligation
    trigger_date: date | None = None
    documents: list[int] = field(default_factory=list)
    days: int = 0  # late / early / overdue by
    reason: str | None = None
    done_on: date | None = None  # the satisfying record's date (event obligations)
    root: date | None = None  # the service day a chain of follow-ups started from

    @property
    def owner(self) -> str:
        """Who owes it: the person, or the role when nobody was named."""
        return self.person or f"{self.role}{UNASSIGNED}"

    @property
    def label(self) -> str:
        """What it is for: the period, or the customer and service day."""
        if self.period:
            return f"{self.period} {self.customer}" if self.customer else self.period
        return f"{self.customer or '?'} {self.trigger_date.isoformat() if self.trigger_date else ''}".strip()

    def to_json(self) -> dict:
        return {
            "item": self.item, "title": self.title, "role": self.role, "person": self.person,
            "kind": self.kind, "period": self.period, "customer": self.customer, "trigger": self.trigger,
            "trigger_date": _iso(self.trigger_date), "earliest": _iso(self.earliest), "due": self.due.isoformat(),
            "status": self.status, "days": self.days, "documents": self.documents, "reason": self.reason,
        }  # fmt: skip


@dataclass
class DeadlineReport:
    """The deadlines of one project between two days, as seen on ``today``."""

    project: str
    project_name: str
    checklist: str
    first: date
    last: date
    today: date
    obligations: list[Obligation]
    untracked: list[int] = field(default_factory=list)  # triggering records naming no customer

    def count(self, status: str) -> int:
        return sum(1 for o in self.obligations if o.status == status)

    @property
    def overdue(self) -> int:
        return self.count("overdue")

    def owing(self) -> list[tuple[str, int]]:
        """Owners of overdue records with their counts, most first then by name."""
        counts = Counter(o.owner for o in self.obligations if o.status == "overdue")
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))

    def summary(self) -> str:
        """e.g. ``12 on time, 1 late, 1 overdue (王芳 1), 2 due soon``."""
        parts = [f"{self.count(s)} {s.replace('-', ' ')}" for s in ("on-time", "late", "early") if self.count(s)]
        if self.overdue:
            parts.append(f"{self.overdue} overdue (" + ", ".join(f"{o} {n}" for o, n in self.owing()) + ")")
        parts += [f"{self.count(s)} {s.replace('-', ' ')}" for s in ("due-soon", "open", "waived") if self.count(s)]
        return ", ".join(parts) or "nothing owed in this range"

    def to_json(self) -> dict:
        return {
            "project": self.project, "project_name": self.project_name, "checklist": self.checklist,
            "from": self.first.isoformat(), "to": self.last.isoformat(), "today": self.today.isoformat(),
            "counts": {s: self.count(s) for s in STATUSES}, "overdue": self.overdue, "summary": self.summary(),
            "untracked": self.untracked, "obligations": [o.to_json() for o in self.obligations],
        }  # fmt: skip


@dataclass(frozen=True)
class _Doc:
    id: int
    item: str
    day: date  # the document date (its period), else the filing day
    filed: date
    customer: str | None
    service: date
    # The service a follow-up record names (a call record's 服务日期), when it differs from the
    # record's own date: such a record only fulfils obligations of that service.
    ref: date | None = None
    customer_id: int | None = None  # the register's customer (archive/customers)
    severity: str | None = None  # a complaint's 重大 / 一般
    dissatisfied: bool = False  # a survey or call answered 不满意
    ticket: str | None = None  # its own 派工单号, or the one it follows (原派工单号)
    ref_ticket: str | None = None  # the 派工单号 a follow-up quotes: it fulfils only that ticket's chain


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=65536)
def customer_key(name: str | None) -> str:
    """Names compared loosely: Traditional = Simplified, spaces and case ignored."""
    return _SPACE.sub("", fold(name or ""))


def has_deadlines(project: Project) -> bool:
    """Whether the project's checklist has any item with a due rule."""
    return any(i.timed for i in project.checklist.items)


def deadlines(cat: Catalog, code: str, *, today: date, first: date | None = None, last: date | None = None,
              soon_days: int = 7) -> DeadlineReport:  # fmt: skip
    """Every obligation of project ``code`` whose period overlaps or whose event falls in
    ``first``…``last`` (default: from the project's first record or creation to ``today``)."""
    project = get_project(cat, code)
    docs = _load(cat, project)
    first = first or _start(project, docs, today)
    last = last or today
    ctx = _Context(project, docs, today, soon_days, _waivers(cat, code))
    obligations: list[Obligation] = []
    for it in project.checklist.items:
        if it.per and it.due:
            obligations += customer_duties(ctx, cat, it, first, last)
        elif it.period and it.due:
            obligations += ctx.periodic(it, first, last)
        elif it.due and not it.after:
            obligations += ctx.per_record(it, first, last)
        elif it.due:
            obligations += [o for o in ctx.event(it) if o.trigger_date and first <= o.trigger_date <= last]
    return DeadlineReport(
        project.code, project.name, project.checklist.id, first, last, today, obligations, sorted(ctx.untracked)
    )


def _start(project: Project, docs: list[_Doc], today: date) -> date:
    created = as_date(project.created_at) or today
    return min([created, *(d.day for d in docs)])


def _waivers(cat: Catalog, code: str) -> dict[tuple[str, str], str]:
    found = period_waiver_map(cat, code)
    with cat.engine.connect() as conn:
        for r in conn.execute(select(waivers).where(waivers.c.project_code == code)):
            found[(r.item_code, "*")] = r.reason
    return found


def service_records(cat: Catalog, project: Project) -> list[_Doc]:
    """The project's filed records as the deadline engine sees them (customer linked)."""
    return _load(cat, project)


def _wanted(project: Project) -> dict[str, set[str]]:
    """item code → what its records must be read for: "severity" for the records a
    ``when = "serious"`` item follows, "dissatisfied" for those a ``when = "dissatisfied"`` one does."""
    out: dict[str, set[str]] = {}
    for it in project.checklist.items:
        if it.when:
            for code in split_codes(it.after):
                out.setdefault(code, set()).add("severity" if it.when == "serious" else "dissatisfied")
    return out


def _load(cat: Catalog, project: Project) -> list[_Doc]:
    """The project's filed records; a record whose customer matters but was never stored
    gets it from its text (a scan filed by ingest), then the register's name for it (by its
    派工单 number, else its name or alias), its seriousness and whether it says 不满意."""
    event_items = {
        c
        for it in project.checklist.items
        for c in (it.code, *split_codes(it.after), *split_codes(it.satisfied_by))
        if it.after or it.per
    }
    c = documents.c
    q = select(c.id, c.item_code, c.document_date, c.filed_at, c.customer, c.service_date, c.severity).where(
        c.project_code == project.code, c.status == "filed"
    )
    with cat.engine.connect() as conn:
        rows = list(conn.execute(q.order_by(c.id)))
    wanted = _wanted(project)
    records = [(r.id, r.customer, r.severity) for r in rows if r.item_code in event_items]
    wants = {r.id: wanted[r.item_code] for r in rows if r.item_code in wanted}
    facts = record_facts(cat, records, wants, project.code)
    out = []
    for r in rows:
        f = facts.get(r.id)
        filed = as_date(r.filed_at)
        assert filed is not None  # every filed row has its filing time
        day = as_date(r.document_date) or filed
        service = as_date(r.service_date) or day
        out.append(_Doc(r.id, r.item_code, day, filed, f.customer if f else r.customer, service,
                        service if service != day else None, *((f.customer_id, f.severity, f.dissatisfied, f.ticket or f.ref_ticket, f.ref_ticket) if f else ())))  # fmt: skip
    return out


class _Context:
    """The state one report is computed from; event obligations are memoised per item."""

    def __init__(self, project: Project, docs: list[_Doc], today: date, soon_days: int, waived: dict):
        self.project, self.docs, self.today, self.soon, self.waived = project, docs, today, soon_days, waived
        self.untracked: set[int] = set()
        self._events: dict[str, list[Obligation]] = {}
        # (item, customer) → records by date: a follow-up looks among its customer's only.
        self._by_customer: dict[tuple[str, str], list[_Doc]] = {}
        self._by_id = {d.id: d for d in docs}
        for d in sorted(docs, key=lambda x: (x.day, x.id)):
            if d.customer:
                self._by_customer.setdefault((d.item, customer_key(d.customer)), []).append(d)

    def _new(self, it, kind: str, due: date, **kw) -> Obligation:
        return Obligation(it.code, it.title, it.role, self.project.person_for(it.role), kind, due, **kw)

    def _unfiled(self, ob: Obligation, reason: str | None) -> Obligation:
        """Status of an obligation nothing has satisfied (yet)."""
        if reason is not None:
            ob.status, ob.reason = "waived", reason
        elif ob.due < self.today:
            ob.status, ob.days = "overdue", (self.today - ob.due).days
        elif ob.due <= self.today + timedelta(days=self.soon):
            ob.status = "due-soon"
        return ob

    def periodic(self, it, first: date, last: date) -> list[Obligation]:
        rule = parse_rule(it.due)
        by_period: dict[str, list[_Doc]] = {}
        for d in self.docs:
            if d.item == it.code:
                by_period.setdefault(period_of(it.period, d.day).key, []).append(d)
        out = []
        for p in periods_between(it.period, first, last):
            if p.start > self.today:
                break
            ob = self._new(it, "periodic", rule.due_for(p), period=p.key)
            filed = by_period.get(p.key, [])
            if filed:
                ob.documents = [d.id for d in filed]
                ob.days = max((d.filed - ob.due).days for d in filed)
                ob.status = "late" if ob.days > 0 else "on-time"
                ob.days = max(ob.days, 0)
            else:
                self._unfiled(ob, self.waived.get((it.code, p.key), self.waived.get((it.code, "*"))))
            out.append(ob)
        return out

    def per_record(self, it, first: date, last: date) -> list[Obligation]:
        rule = parse_rule(it.due)
        out = []
        for d in self.docs:
            if d.item == it.code and first <= d.day <= last:
                earliest, due = rule.window(d.day)
                ob = self._new(it, "record", due, earliest=earliest, customer=d.customer, trigger=d.id,
                               trigger_date=d.day, documents=[d.id], done_on=d.filed)  # fmt: skip
                ob.days = max((d.filed - due).days, 0)
                ob.status = "late" if ob.days else "on-time"
                out.append(ob)
        return out

    def _triggers(self, code: str) -> list[tuple[str | None, date, int, date | None]]:
        """(customer, day, record id, service day) of every event item ``code`` stands for."""
        it = self.project.checklist.item(code)
        if it is None:  # a code the checklist's own validation let through: nothing triggers
            return []
        if it.after:
            return [
                (o.customer, o.done_on, o.documents[0], o.root)
                for o in self.event(it)
                if o.status in FILED and o.done_on
            ]
        out: list[tuple[str | None, date, int, date | None]] = []
        for d in self.docs:
            if d.item == it.code:
                if d.customer:
                    out.append((d.customer, d.service, d.id, d.service))
                else:
                    self.untracked.add(d.id)
        return out

    def event(self, it) -> list[Obligation]:
        if it.code in self._events:
            return self._events[it.code]
        self._events[it.code] = []  # a cycle (A after B after A) ends here instead of recursing
        rule = parse_rule(it.due)
        fulfils = {it.code, *split_codes(it.satisfied_by)}
        out = []
        for trigger_code in split_codes(it.after):
            for customer, day, trigger_id, root in self._triggers(trigger_code):
                if it.when and not self._meets(trigger_id, it.when):
                    continue
                earliest, due = rule.window(day)
                ob = self._new(
                    it,
                    "event",
                    due,
                    earliest=earliest,
                    customer=customer,
                    trigger=trigger_id,
                    trigger_date=day,
                    root=root,
                )
                self._satisfy(ob, fulfils)
                out.append(ob)
        out.sort(key=lambda o: (o.trigger_date, o.trigger or 0))
        self._events[it.code] = out
        return out

    def _ticket(self, doc_id: int | None) -> str | None:
        """The 派工单号 a trigger record carries or follows (a follow-up quoting another
        ticket does not fulfil this one's chain)."""
        d = self._by_id.get(doc_id) if doc_id is not None else None
        return d.ticket if d else None

    def _meets(self, doc_id: int, when: str) -> bool:
        """Whether a trigger record is of the kind ``when`` asks for (a 重大 complaint, a
        不满意 answer).  A complaint whose seriousness is unknown counts as 重大: never missed."""
        d = self._by_id.get(doc_id)
        if d is None:
            return False
        return d.severity in (None, "重大") if when == "serious" else d.dissatisfied

    def _satisfy(self, ob: Obligation, fulfils: set[str]) -> None:
        """The customer's first record of a fulfilling item made on or after the event (and,
        when the record names the service it follows, of this chain's service)."""
        assert ob.trigger_date is not None and ob.earliest is not None  # set for every event obligation
        key = customer_key(ob.customer)
        ticket = self._ticket(ob.trigger)
        found = [
            d for item in fulfils for d in self._by_customer.get((item, key), ())
            if d.id != ob.trigger and d.day >= ob.trigger_date and d.ref in (None, ob.root)
            and (not ticket or not d.ref_ticket or d.ref_ticket == ticket)
        ]  # fmt: skip
        if not found:
            self._unfiled(ob, self.waived.get((ob.item, "*")))
            return
        d = min(found, key=lambda x: (x.day, x.id))
        ob.documents, ob.done_on = [d.id], d.day
        if d.day < ob.earliest:
            ob.status, ob.days = "early", (ob.earliest - d.day).days
        elif d.day > ob.due:
            ob.status, ob.days = "late", (d.day - ob.due).days
        else:
            ob.status = "on-time"
