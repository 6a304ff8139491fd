"""Lending (借阅) of volumes and documents: lend, return, renew, what is out and overdue.

Every loan, return and renewal also writes a use record (利用登记, :mod:`~dangan.archive.userecords`).
A volume above 公开 or a borrower from outside the company needs a manager's approval
(``approved_by``).  Something that is out cannot be lent again: the error names who has it.
A document counts as out while its volume is out, and a volume while one of its documents is.
Loans are never deleted, so the loan history stays with the volume.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import insert, or_, select, update

from dangan.archive.catalog import Catalog, now
from dangan.archive.days import parse_day, today
from dangan.archive.dblock import writes
from dangan.archive.deadlines.ical import Deadline
from dangan.archive.holdings import Target, resolve
from dangan.archive.onloan import holder, open_loan
from dangan.archive.schema import documents, loans, use_records, volume_documents, volumes
from dangan.archive.volumes.metadata import DEFAULT_SECRECY
from dangan.archive.volumes.model import list_volumes
from dangan.indexer.errors import ConflictError, UsageError
from dangan.indexer.messages import Message

MAX_FIELD = 100
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _field(value: str | None, option: str) -> str:
    """A name, department or purpose: trimmed, printable, not too long, not empty."""
    text = _optional(value, option)
    if not text:
        raise UsageError("{option} is empty; fill it in (who, which department, what for)", option=option)
    return text


def _optional(value: str | None, option: str) -> str | None:
    """An optional note or name: None when blank, else trimmed, printable, not too long."""
    text = (value or "").strip()
    if len(text) > MAX_FIELD or _CONTROL.search(text):
        raise UsageError("{option} must be up to {max} printable characters", option=option, max=MAX_FIELD)
    return text or None


def _out(conn, t: Target):
    """The open loan that keeps ``t`` from being lent: its own, its volume's or one of its documents'."""
    if t.volume is not None:
        docs = [e.document_id for e in t.volume.entries]
        return open_loan(conn, volume_id=t.volume.id) or conn.execute(
            select(loans).where(loans.c.document_id.in_(docs), loans.c.returned_on.is_(None))
        ).mappings().first()  # fmt: skip
    row = conn.execute(
        select(volume_documents.c.volume_id).where(volume_documents.c.document_id == t.document_id)
    ).first()  # fmt: skip
    return open_loan(conn, document_id=t.document_id) or (open_loan(conn, volume_id=row.volume_id) if row else None)


def _record(conn, loan: dict, action: str, day: date, effect: str | None = None) -> None:
    conn.execute(insert(use_records).values(
        loan_id=loan["id"], action=action, day=day, person=loan["borrower"], dept=loan["dept"], what=loan["what"],
        title=loan["title"], purpose=loan["purpose"], effect=effect, at=now()))  # fmt: skip


@writes("lend")
def lend(cat: Catalog, name: str, *, to: str, dept: str, purpose: str, until: str,
         approved_by: str | None = None, outside: bool = False) -> dict:  # fmt: skip
    """Lend a volume or document; returns the loan.  ConflictError names who has it when it is out."""
    person, department = _field(to, "--to"), _field(dept, "--dept")
    why, approver = _field(purpose, "--purpose"), _optional(approved_by, "--approved-by")
    day, due = today(), parse_day(until, "--until")
    if due < day:
        raise UsageError("--until {until} is before today ({today}); give the day it comes back",
                         until=due.isoformat(), today=day.isoformat())  # fmt: skip
    t = resolve(cat, name)
    if t.secrecy != DEFAULT_SECRECY and not approver:
        raise UsageError("{what} is 密级 {secrecy}, so lending it needs a manager's approval: add --approved-by 姓名",
                         what=t.label, secrecy=t.secrecy)  # fmt: skip
    if outside and not approver:
        raise UsageError("{person} is outside the company, so lending needs a manager's approval: add --approved-by 姓名",
                         person=person)  # fmt: skip
    with cat.engine.begin() as conn:
        if out := _out(conn, t):
            raise ConflictError("{what} is already out: {out} is lent to {borrower} ({dept}) until {until}",
                                what=t.label, out=out["what"], borrower=out["borrower"], dept=out["dept"],
                                until=out["until"].isoformat(), fix=f"`dangan return {out['what']}` first")  # fmt: skip
        loan: dict[str, Any] = {**t.key, "what": t.label, "borrower": person, "dept": department, "outside": outside,
                "purpose": why, "approved_by": approver, "lent_on": day, "until": due}  # fmt: skip
        loan["id"] = conn.execute(insert(loans).values(**loan).returning(loans.c.id)).scalar_one()
        _record(conn, {**loan, "title": t.title}, "借出", day)
        cat.log(conn, "lent", project=t.project or None, document=t.document_id, what=t.label, to=person, until=due)
    return {**loan, "title": t.title}


def _open(conn, t: Target):
    loan = open_loan(conn, **{k: v for k, v in t.key.items() if v is not None})
    if loan is None:
        raise ConflictError("{what} is not on loan", what=t.label, fix="`dangan loans` lists what is out")
    return dict(loan)


@writes("return")
def return_loan(cat: Catalog, name: str, effect: str | None = None) -> dict:
    """Take a volume or document back; ``effect`` is the 利用效果 note for the use record."""
    note = _optional(effect, "--effect")
    t, day = resolve(cat, name), today()
    with cat.engine.begin() as conn:
        loan = _open(conn, t)
        conn.execute(update(loans).where(loans.c.id == loan["id"]).values(returned_on=day, effect=note))
        loan.update(returned_on=day, effect=note, title=t.title)
        _record(conn, loan, "归还", day, note)
        cat.log(conn, "returned", project=t.project or None, document=t.document_id, what=t.label)
    return loan


@writes("renew")
def renew(cat: Catalog, name: str, until: str) -> dict:
    """Extend an open loan to ``until``, which must be later than the day it is due now."""
    t, day, due = resolve(cat, name), today(), parse_day(until, "--until")
    with cat.engine.begin() as conn:
        loan = _open(conn, t)
        if due < day:
            raise UsageError(f"--until {due.isoformat()} is before today ({day.isoformat()}); give a later day")
        if due <= loan["until"]:
            raise UsageError(f"--until {due.isoformat()} is not later than the day {t.label} is due "
                             f"({loan['until'].isoformat()}); give a later day")  # fmt: skip
        conn.execute(update(loans).where(loans.c.id == loan["id"]).values(until=due))
        loan.update(until=due, title=t.title)
        _record(conn, loan, "续借", day)
        cat.log(conn, "renewed", project=t.project or None, document=t.document_id, what=t.label, until=due)
    return loan


def _row(loan, day: date) -> dict:
    late = (day - loan["until"]).days if loan["returned_on"] is None else 0
    return {"what": loan["what"], "borrower": loan["borrower"], "dept": loan["dept"], "outside": bool(loan["outside"]),
            "purpose": loan["purpose"], "approved_by": loan["approved_by"], "lent_on": loan["lent_on"].isoformat(),
            "until": loan["until"].isoformat(),
            "returned_on": loan["returned_on"].isoformat() if loan["returned_on"] else None,
            "effect": loan["effect"], "days_overdue": max(late, 0)}  # fmt: skip


def list_loans(cat: Catalog, *, overdue: bool = False, day: date | None = None) -> list[dict]:
    """What is out now, by due day; ``overdue``: only what is past its due day (today, or ``day``)."""
    day = day or today()
    query = select(loans).where(loans.c.returned_on.is_(None)).order_by(loans.c.until, loans.c.id)
    if overdue:
        query = query.where(loans.c.until < day)
    with cat.engine.connect() as conn:
        return [_row(r, day) for r in conn.execute(query).mappings()]


def overdue_loans(cat: Catalog, *, day: date, codes: tuple[str, ...] = (), person: str | None = None,
                  customer: str | None = None) -> list[dict]:  # fmt: skip
    """Loans past their day with the borrower, the project and the title, most overdue first;
    only those of the projects ``codes`` and of the borrower ``person`` when given (the `due`
    list and the web's 服务期限 page).  None for a ``customer``: a loan is owed to the archive,
    never to a customer."""
    if customer:
        return []
    query = select(loans).where(loans.c.returned_on.is_(None), loans.c.until < day).order_by(loans.c.until, loans.c.id)
    out = []
    with cat.engine.connect() as conn:
        for loan in conn.execute(query).mappings():
            project, title = _project_and_title(conn, loan)
            if (codes and project not in codes) or (person and loan["borrower"] != person.strip()):
                continue
            out.append({"id": loan["id"], "project": project, "title": title, **_row(loan, day)})
    return out


def _project_and_title(conn, loan) -> tuple[str, str]:
    """The project code and title of what a loan lent (a volume or a document)."""
    if loan["volume_id"] is not None:
        title = conn.execute(select(volumes.c.title).where(volumes.c.id == loan["volume_id"])).scalar()
        return loan["what"].split(":")[0], title or ""
    row = conn.execute(
        select(documents.c.project_code, documents.c.title).where(documents.c.id == loan["document_id"])
    ).first()
    return (row.project_code or "", row.title or "") if row else ("", "")


def loan_deadline(row: dict) -> Deadline:
    """An overdue loan as an all-day calendar event on its due day (a stable UID per loan)."""
    return Deadline(f"loan-{row['id']}@dangan", date.fromisoformat(row["until"]),
                    f"借阅逾期 {row['what']}（{row['borrower']}，{row['dept']}）",
                    f"{row['project']} · 借出 {row['lent_on']} · 应还 {row['until']} · {row['purpose']}")  # fmt: skip


def loan_history(cat: Catalog, name: str) -> list[dict]:
    """Every loan of a volume (and of its documents) or of a document, oldest first."""
    t, day = resolve(cat, name), today()
    with cat.engine.connect() as conn:
        return [_row(r, day) for r in conn.execute(select(loans).where(loans_of(t)).order_by(loans.c.id)).mappings()]


def loans_of(t: Target):
    """The condition selecting the loans of a volume (with its documents') or of a document (with its volume's)."""
    if t.volume is not None:
        docs = [e.document_id for e in t.volume.entries]
        return or_(loans.c.volume_id == t.volume.id, loans.c.document_id.in_(docs))
    holding = select(volume_documents.c.volume_id).where(volume_documents.c.document_id == t.document_id)
    return or_(loans.c.document_id == t.document_id, loans.c.volume_id.in_(holding))


def volume_out_warnings(cat: Catalog, code: str, sequence: int | None = None) -> list[Message]:
    """One warning per volume of the project (or just ``sequence``) that is out on loan, for
    sealing and for the handover package: both go ahead, the warning says whose hands it is in."""
    lines = []
    with cat.engine.connect() as conn:
        for v in list_volumes(cat, code):
            if sequence is not None and v.sequence != sequence:
                continue
            t = Target(f"{code}:{v.sequence}", v.title, code, v.secrecy, volume=v)
            if out := _out(conn, t):
                lines.append(Message("volume {volume} is out on loan: {what} is lent to {holder}",
                                     {"volume": t.label, "what": out["what"], "holder": holder(out)}))  # fmt: skip
    return lines
