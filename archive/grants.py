"""Electronic use grants (电子利用授权): a signed, time-limited read link to named documents.

``dangan grant DOC|VOL --to NAME --until DATE --purpose P`` makes a grant and its link
``/g/<token>``.  The token is signed with the home's web key (itsdangerous) and names the
grant's id and a random nonce, so it cannot be made up or changed; whether it still works is
decided by the catalog on every request: until the end of ``until`` and never after a
revoke.  A volume is expanded to its documents when granted: the reader sees just those.
Every view and download is a use record (利用登记), listed with the loans' records.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import insert, select, update

from dangan.archive.catalog import Catalog, now
from dangan.archive.days import parse_day, today
from dangan.archive.dblock import writes
from dangan.archive.holdings import resolve
from dangan.archive.lending import _field, _optional
from dangan.archive.schema import documents, grant_documents, grant_uses, grants
from dangan.archive.users import session_secret
from dangan.indexer.errors import ConflictError, NotFoundError, UsageError

SALT = "dangan-grant"
ACTIONS = ("查阅", "下载")


class GrantClosedError(ConflictError):
    """A grant's link no longer works: it expired or was revoked (the web app answers 410)."""


@dataclass(frozen=True)
class Grant:
    """One grant as the library hands it out."""

    id: int
    person: str
    org: str | None
    purpose: str
    until: date
    what: str
    created_at: datetime
    revoked_at: datetime | None
    document_ids: tuple[int, ...]

    def status(self, day: date) -> str:
        """有效, 已撤销 or 已过期 on ``day``."""
        return "已撤销" if self.revoked_at else ("已过期" if day > self.until else "有效")

    def reader(self) -> str:
        """The reader as the watermark names them: 王审计（信达会计师事务所）."""
        return f"{self.person}（{self.org}）" if self.org else self.person

    def to_json(self, day: date) -> dict:
        return {"id": self.id, "person": self.person, "org": self.org, "purpose": self.purpose,
                "until": self.until.isoformat(), "what": self.what, "documents": list(self.document_ids),
                "status": self.status(day)}  # fmt: skip


def _serializer(cat: Catalog) -> URLSafeSerializer:
    return URLSafeSerializer(session_secret(cat.home.root), salt=SALT)


def token_of(cat: Catalog, grant_id: int) -> str:
    """The signed token of a grant's link (the same every time it is asked for)."""
    with cat.engine.connect() as conn:
        nonce = conn.execute(select(grants.c.nonce).where(grants.c.id == grant_id)).scalar()
    if nonce is None:
        raise NotFoundError("no grant {id}", id=grant_id, fix="`dangan grant list` lists them")
    return _serializer(cat).dumps([grant_id, nonce])


def _documents_of(cat: Catalog, names: list[str]) -> list[int]:
    ids: list[int] = []
    for name in names:
        t = resolve(cat, name)
        found = [e.document_id for e in t.volume.entries] if t.volume else [t.document_id]
        if not found:
            raise UsageError("volume {name} holds no documents yet; there is nothing to grant", name=name)
        ids += [i for i in found if i is not None and i not in ids]
    return ids


@writes("grant")
def create_grant(cat: Catalog, names: list[str], *, to: str, org: str | None, until: str, purpose: str) -> Grant:
    """Grant ``to`` reading the named volumes (PROJECT:案卷号) and documents (#id) until a day."""
    person, why, company = _field(to, "--to"), _field(purpose, "--purpose"), _optional(org, "--org")
    day, last = today(), parse_day(until, "--until")
    if last < day:
        raise UsageError("--until {until} is before today ({today}); give the last day the link may be used",
                         until=last.isoformat(), today=day.isoformat())  # fmt: skip
    if not names:
        raise UsageError("name at least one volume (BJ-2024-017:1) or document (#12) to grant")
    ids = _documents_of(cat, names)
    what = " ".join(resolve(cat, n).label for n in names)
    with cat.engine.begin() as conn:
        gid = conn.execute(insert(grants).values(
            nonce=secrets.token_hex(16), person=person, org=company, purpose=why, until=last, what=what,
            created_at=now()).returning(grants.c.id)).scalar_one()  # fmt: skip
        conn.execute(insert(grant_documents), [{"grant_id": gid, "document_id": i} for i in ids])
        cat.log(conn, "granted", what=what, to=person, org=company, until=last, grant=gid)
    return get_grant(cat, gid)


def get_grant(cat: Catalog, grant_id: int) -> Grant:
    """One grant by id; NotFoundError when there is none."""
    with cat.engine.connect() as conn:
        row = conn.execute(select(grants).where(grants.c.id == grant_id)).mappings().first()
        if row is None:
            raise NotFoundError("no grant {id}", id=grant_id, fix="`dangan grant list` lists them")
        docs = conn.execute(select(grant_documents.c.document_id).where(grant_documents.c.grant_id == grant_id)
                            .order_by(grant_documents.c.document_id)).scalars().all()  # fmt: skip
    return Grant(row["id"], row["person"], row["org"], row["purpose"], row["until"], row["what"],
                 row["created_at"], row["revoked_at"], tuple(docs))  # fmt: skip


def list_grants(cat: Catalog) -> list[Grant]:
    """Every grant, newest first."""
    with cat.engine.connect() as conn:
        ids = conn.execute(select(grants.c.id).order_by(grants.c.id.desc())).scalars().all()
    return [get_grant(cat, i) for i in ids]


@writes("grant revoke")
def revoke_grant(cat: Catalog, grant_id: int) -> Grant:
    """Revoke a grant now: its link stops working at the next request."""
    g = get_grant(cat, grant_id)
    if g.revoked_at:
        raise ConflictError("grant {id} was already revoked", id=grant_id)
    with cat.engine.begin() as conn:
        conn.execute(update(grants).where(grants.c.id == grant_id).values(revoked_at=now()))
        cat.log(conn, "grant-revoked", grant=grant_id, to=g.person)
    return get_grant(cat, grant_id)


def open_grant(cat: Catalog, token: str, day: date | None = None) -> Grant:
    """The grant a link's token names, if it still works; NotFoundError for a forged or unknown
    token, GrantClosedError for a revoked or expired one."""
    try:
        gid, nonce = _serializer(cat).loads(token)
    except (BadSignature, ValueError, TypeError) as e:
        raise NotFoundError("this read link is not valid") from e
    with cat.engine.connect() as conn:
        stored = conn.execute(select(grants.c.nonce).where(grants.c.id == gid)).scalar()
    if not isinstance(nonce, str) or stored is None or not secrets.compare_digest(stored, nonce):
        raise NotFoundError("this read link is not valid")
    g = get_grant(cat, gid)
    if g.revoked_at:
        raise GrantClosedError("this read link was revoked on {day}", day=g.revoked_at.date().isoformat())
    if (day or today()) > g.until:
        raise GrantClosedError("this read link expired after {day}", day=g.until.isoformat())
    return g


def granted_document(cat: Catalog, g: Grant, doc_id: int) -> dict:
    """A document the grant opens; NotFoundError for any other (the reader sees only what was granted)."""
    if doc_id not in g.document_ids:
        raise NotFoundError("this read link does not open document {doc_id}", doc_id=doc_id)
    with cat.engine.connect() as conn:
        row = conn.execute(select(documents).where(documents.c.id == doc_id)).mappings().first()
    if row is None or row["status"] == "discarded":
        raise NotFoundError("this read link does not open document {doc_id}", doc_id=doc_id)
    return dict(row)


def granted_documents(cat: Catalog, g: Grant) -> list[dict]:
    """The documents a grant opens that are still in the catalog, by id."""
    out = []
    for i in g.document_ids:
        try:
            out.append(granted_document(cat, g, i))
        except NotFoundError:
            continue  # emptied from the trash since: no longer shown
    return out


@writes("grant use")
def log_use(cat: Catalog, g: Grant, doc_id: int, action: str) -> None:
    """Record one view (查阅) or download (下载) through a grant as a use record."""
    if action not in ACTIONS:
        raise UsageError("unknown use '{action}'", action=action)
    with cat.engine.begin() as conn:
        conn.execute(insert(grant_uses).values(grant_id=g.id, document_id=doc_id, action=action, day=today(),
                                               at=now()))  # fmt: skip
        cat.log(conn, "grant-used", grant=g.id, document=doc_id, use=action, to=g.person)


def grant_use_rows(cat: Catalog) -> list[dict]:
    """Every grant use as a use-register row (the keys of :data:`dangan.archive.userecords.COLUMNS`)."""
    query = (select(grant_uses, grants.c.person, grants.c.org, grants.c.purpose, documents.c.title)
             .join(grants, grants.c.id == grant_uses.c.grant_id)
             .join(documents, documents.c.id == grant_uses.c.document_id, isouter=True)
             .order_by(grant_uses.c.day, grant_uses.c.id))  # fmt: skip
    with cat.engine.connect() as conn:
        rows = list(conn.execute(query).mappings())
    return [{"day": r["day"], "action": f"在线{r['action']}", "person": r["person"], "dept": r["org"] or "",
             "what": f"#{r['document_id']}", "title": r["title"] or "", "purpose": r["purpose"], "effect": None,
             "document_id": r["document_id"]} for r in rows]  # fmt: skip
