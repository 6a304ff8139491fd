"""Corrective actions (纠正和预防措施处理单) followed through until verified and closed.

An action is a filed record of the checklist item made from the 纠正和预防措施处理单 form.  It is
open until someone closes it saying who verified the measures, on which day, the result, and
the day the result was told to the customer; an open action past its due day is overdue.  The
due day is the form's 完成期限 when dangan rendered it (or one set on the action), else 30 days
after the action's date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import insert, select, update

from dangan.archive.catalog import Catalog, as_date, now
from dangan.archive.customers.linking import form_data, record_facts
from dangan.archive.customers.names import clean_text
from dangan.archive.dblock import writes
from dangan.archive.projects import get_project
from dangan.archive.schema import documents
from dangan.archive.schema_service import corrective_actions
from dangan.indexer.errors import ConflictError, UsageError

ACTION_FORM = "纠正和预防措施处理单"
DEFAULT_DAYS = 30


@dataclass
class Action:
    """One corrective action and how far it has got."""

    doc_id: int
    project: str
    title: str
    day: date
    due: date
    customer: str | None = None
    verified_by: str | None = None
    verified_on: date | None = None
    result: str | None = None
    told_on: date | None = None
    closed: bool = False

    def status(self, today: date) -> str:
        """closed, overdue (open past its due day) or open."""
        if self.closed:
            return "closed"
        return "overdue" if self.due < today else "open"

    def to_json(self, today: date) -> dict:
        return {
            "document": self.doc_id, "project": self.project, "title": self.title, "date": self.day.isoformat(),
            "due": self.due.isoformat(), "customer": self.customer, "status": self.status(today),
            "verified_by": self.verified_by, "verified_on": _iso(self.verified_on), "result": self.result,
            "told_on": _iso(self.told_on),
        }  # fmt: skip


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def action_items(cat: Catalog, project_code: str) -> set[str]:
    """The item codes of a project's checklist that hold corrective actions."""
    items = get_project(cat, project_code).checklist.items
    return {i.code for i in items if i.form == ACTION_FORM or ACTION_FORM in i.title}


def list_actions(cat: Catalog, *, customers: dict[int, str] | None = None) -> list[Action]:
    """Every filed corrective action, oldest first; ``customers`` maps doc id → customer."""
    c = documents.c
    with cat.engine.connect() as conn:
        projects = {r.project_code for r in conn.execute(select(c.project_code).where(c.status == "filed").distinct())}
        wanted = {(p, i) for p in projects if p for i in action_items(cat, p)}
        rows = [
            r for r in conn.execute(select(c.id, c.project_code, c.item_code, c.title, c.document_date, c.filed_at,
                                           c.customer).where(c.status == "filed").order_by(c.id))
            if (r.project_code, r.item_code) in wanted
        ]  # fmt: skip
        closing = {r.document_id: r for r in conn.execute(select(corrective_actions))}
    data = form_data(cat, [r.id for r in rows])
    if customers is None:  # the register's name for each action's customer, as the deadlines see it
        facts = record_facts(cat, [(r.id, r.customer, None) for r in rows])
        customers = {i: f.customer for i, f in facts.items() if f.customer}
    out = []
    for r in rows:
        day = as_date(r.document_date) or as_date(r.filed_at) or date.today()
        close = closing.get(r.id)
        due = (close.due if close is not None and close.due else None) or as_date(data.get(r.id, {}).get("due_date"))
        a = Action(r.id, r.project_code, r.title, day, due or day + timedelta(days=DEFAULT_DAYS),
                   customers.get(r.id) or r.customer)  # fmt: skip
        if close is not None:
            a.verified_by, a.verified_on, a.result, a.told_on = (
                close.verified_by,
                close.verified_on,
                close.result,
                close.told_on,
            )
            a.closed = close.closed_at is not None
        out.append(a)
    return out


def _action(cat: Catalog, doc_id: int) -> Action:
    found = next((a for a in list_actions(cat) if a.doc_id == doc_id), None)
    if found is None:
        raise UsageError(
            "#{doc_id} is not a filed 纠正和预防措施处理单; give the number of one",
            doc_id=doc_id, fix="`dangan customer actions` lists them",
        )  # fmt: skip
    return found


@writes("corrective action")
def close_action(cat: Catalog, doc_id: int, *, by: str, on: date, result: str, told_on: date) -> Action:
    """Close an action: its measures verified by ``by`` on ``on`` with ``result``, and the
    result told to the customer on ``told_on``.  Logged; closing twice is refused."""
    action = _action(cat, doc_id)
    if action.closed:
        raise ConflictError("corrective action #{doc_id} is already closed (verified by {who}); nothing to do",
                            doc_id=doc_id, who=action.verified_by or "")  # fmt: skip
    who = clean_text(by, "verified by", 40)
    what = clean_text(result, "result", 500)
    if not who or not what:
        raise UsageError("closing an action needs who verified it and the result", fix="e.g. --by 赵敏 --result 已整改")
    if on < action.day or told_on < on:
        raise UsageError(
            "the days are out of order: verified {on} must be on or after the action ({day}) and told {told} on or after it",
            on=on.isoformat(), day=action.day.isoformat(), told=told_on.isoformat(),
        )  # fmt: skip
    values = {"verified_by": who, "verified_on": on, "result": what, "told_on": told_on, "closed_at": now()}
    with cat.engine.begin() as conn:
        _upsert(conn, doc_id, values)
        cat.log(conn, "action-closed", project=action.project, document=doc_id, **values)
    return _action(cat, doc_id)


@writes("corrective action")
def set_action_due(cat: Catalog, doc_id: int, due: date) -> Action:
    """Set the day an action's measures must be done by (its 完成期限)."""
    action = _action(cat, doc_id)
    with cat.engine.begin() as conn:
        _upsert(conn, doc_id, {"due": due})
        cat.log(conn, "action-due-set", project=action.project, document=doc_id, before=action.due, after=due)
    return _action(cat, doc_id)


def _upsert(conn, doc_id: int, values: dict) -> None:
    exists = conn.execute(
        select(corrective_actions.c.document_id).where(corrective_actions.c.document_id == doc_id)
    ).first()
    if exists:
        conn.execute(update(corrective_actions).where(corrective_actions.c.document_id == doc_id).values(**values))
    else:
        conn.execute(insert(corrective_actions).values(document_id=doc_id, **values))
