"""One customer's year at a glance: surveys, visits, calls, complaints, actions and duties.

Gathered from every service centre (project whose checklist has deadlines): the records
linked to the customer, the obligations owed to them (with their status as of ``today``),
and for each complaint the chain complaint → visit → corrective action → closure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from dangan.archive.catalog import Catalog
from dangan.archive.customers.actions import ACTION_FORM, Action, list_actions
from dangan.archive.customers.register import Customer, get_customer
from dangan.archive.deadlines.duelist import deadline_projects
from dangan.archive.deadlines.obligations import Obligation, deadlines, service_records

# What kind of record an item holds, by words of its title (first match wins).
KINDS = (("actions", ("纠正", "预防措施")), ("complaints", ("投诉记录",)), ("surveys", ("满意度调查表",)),
         ("visits", ("走访",)), ("calls", ("回访", "电话记录")))  # fmt: skip
KIND_NAMES = {
    "surveys": "满意度调查",
    "visits": "走访",
    "calls": "回访电话",
    "complaints": "投诉",
    "actions": "纠正措施",
}


def kind_of(title: str) -> str | None:
    """surveys / visits / calls / complaints / actions for an item title, else None."""
    return next((k for k, words in KINDS if any(w in title for w in words)), None)


@dataclass
class Link:
    """One complaint followed through: its visit, its action and the action's closure."""

    complaint: dict
    severity: str | None
    visit: int | None = None
    action: Action | None = None


@dataclass
class CustomerYear:
    """What one customer's page and `customer show --year` show."""

    customer: Customer
    year: int
    today: date
    records: dict[str, list[dict]] = field(default_factory=dict)
    duties: list[tuple[str, Obligation]] = field(default_factory=list)
    chains: list[Link] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)

    @property
    def klass(self) -> str:
        return self.customer.klass(self.year)

    def open_actions(self) -> list[Action]:
        return [a for a in self.actions if not a.closed]

    def to_json(self) -> dict:
        return {
            "customer": self.customer.to_json(), "year": self.year, "class": self.klass,
            "records": self.records, "duties": [{"project": p, **o.to_json()} for p, o in self.duties],
            "chains": [{"complaint": c.complaint, "severity": c.severity, "visit": c.visit,
                        "action": c.action.to_json(self.today) if c.action else None} for c in self.chains],
            "actions": [a.to_json(self.today) for a in self.actions],
        }  # fmt: skip


def customer_year(cat: Catalog, ident: str, year: int, *, today: date) -> CustomerYear:
    """The year ``year`` of customer ``ident`` (id, name or alias) as seen on ``today``."""
    cust = get_customer(cat, ident)
    out = CustomerYear(cust, year, today, {k: [] for k, _ in KINDS})
    first, last = date(year, 1, 1), date(year, 12, 31)
    doc_customer: dict[int, str] = {}
    complaints: dict[int, dict] = {}
    for project in deadline_projects(cat):
        titles = {i.code: i.title for i in project.checklist.items}
        for d in service_records(cat, project):
            if d.customer_id != cust.id:
                continue
            doc_customer[d.id] = cust.name
            kind = kind_of(titles.get(d.item, ""))
            if kind and first <= d.day <= last:
                row = {"document": d.id, "project": project.code, "item": d.item, "date": d.day.isoformat()}
                out.records[kind].append(row)
                if kind == "complaints":
                    complaints[d.id] = row | {"severity": d.severity}
        report = deadlines(cat, project.code, today=today, first=first, last=last)
        mine = [o for o in report.obligations if o.customer == cust.name]
        out.duties += [(project.code, o) for o in mine]
        _chains(out, project, mine, complaints)
    actions = {a.doc_id: a for a in list_actions(cat, customers=doc_customer)}
    out.actions = [a for a in actions.values() if a.customer == cust.name]
    for link in out.chains:
        if link.action is not None:
            link.action = actions.get(link.action.doc_id, link.action)
    for rows in out.records.values():
        rows.sort(key=lambda r: (r["date"], r["document"]))
    return out


def _chains(out: CustomerYear, project, mine: list[Obligation], complaints: dict[int, dict]) -> None:
    items = {i.code: i for i in project.checklist.items}
    for cid, row in sorted(complaints.items()):
        if any(c.complaint["document"] == cid for c in out.chains):
            continue
        link = Link(row, row.get("severity"))
        for o in mine:
            if o.trigger != cid or not o.documents:
                continue
            it = items.get(o.item)
            if it is not None and (it.form == ACTION_FORM or ACTION_FORM in it.title):
                link.action = Action(o.documents[0], project.code, it.title, o.done_on or o.due, o.due)
            elif it is not None and "走访" in it.title:
                link.visit = o.documents[0]
        out.chains.append(link)
