"""The catalog: the archive's source of truth, through SQLAlchemy Core.

SQLite (WAL, foreign keys on) is the embedded default; the same code runs on PostgreSQL by
changing ``[catalog] url`` in dangan.toml.  The schema carries a version in ``meta`` so later
releases can migrate it.  The Whoosh index is derived from this and can always be rebuilt.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, Iterable, Iterator

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from indexer.errors import BusyError, ConfigError, DanganError, UnknownDocumentError
from archive.home import Home

SCHEMA_VERSION = 1

metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

checklists = Table(
    "checklists",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("title", Text, nullable=False),
    Column("source", Text, nullable=False),  # file it was loaded from
    Column("digest", String(64), nullable=False),  # sha256 of that file, to notice edits
)

checklist_items = Table(
    "checklist_items",
    metadata,
    Column("checklist_id", String(64), ForeignKey("checklists.id"), primary_key=True),
    Column("code", String(32), primary_key=True),
    Column("position", Integer, nullable=False),  # order of the whole list
    Column("group_title", Text, nullable=False),
    Column("number", Integer, nullable=False),  # 序号 within its group
    Column("title", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("retention", String(16), nullable=False),
    Column("aliases", Text, nullable=False),  # JSON list of matching keywords
    Column("gbt_class", String(4), nullable=False, default=""),
)

projects = Table(
    "projects",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("checklist_id", String(64), ForeignKey("checklists.id"), nullable=False),
    Column("created_at", DateTime, nullable=False),
)

project_roles = Table(
    "project_roles",
    metadata,
    Column("project_code", String(64), ForeignKey("projects.code"), primary_key=True),
    Column("role", Text, primary_key=True),
    Column("person", Text, nullable=False),
)

documents = Table(
    "documents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("original_name", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("vault_path", Text, unique=True),  # relative to vault/
    Column("size", Integer, nullable=False),
    Column("pages", Integer, nullable=False, default=1),
    Column("mime_type", String(128), nullable=False),
    Column("project_code", String(64), ForeignKey("projects.code")),
    Column("item_code", String(32)),
    Column("role", Text),
    Column("person", Text),
    Column("status", String(16), nullable=False),  # filed | review
    Column("confidence", Float),
    Column("suggestions", Text),  # JSON list for review: [{"project","item","score"}]
    Column("method", String(16)),  # how text was read: text / ocr / mixed / docx / plain
    Column("document_date", Date),
    Column("filed_at", DateTime, nullable=False),
    Column("source", String(16), nullable=False, default="ingest"),  # ingest / forms / api
    Column("doc_number", Text),  # 文件编号
    Column("remarks", Text),  # 备注
    # Crash safety: the inbox file to delete once this row is committed; cleared after.
    Column("inbox_path", Text),
)

document_texts = Table(
    "document_texts",
    metadata,
    Column("document_id", Integer, ForeignKey("documents.id"), primary_key=True),
    Column("content", Text, nullable=False),
)

waivers = Table(
    "waivers",
    metadata,
    Column("project_code", String(64), ForeignKey("projects.code"), primary_key=True),
    Column("item_code", String(32), primary_key=True),
    Column("reason", Text, nullable=False),
    Column("at", DateTime, nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("command", Text, nullable=False),
    Column("action", String(32), nullable=False),
    Column("project_code", String(64)),
    Column("document_id", Integer),
    Column("detail", Text, nullable=False, default="{}"),  # JSON
)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    """WAL lets readers go on while one writer commits; FKs are off by default in SQLite."""
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


class Catalog:
    """An open catalog bound to its home.  Every public method is one transaction."""

    def __init__(self, home: Home, engine: Engine):
        self.home = home
        self.engine = engine
        self.command = "api"  # recorded in events; the CLI sets the command name

    # -- opening ---------------------------------------------------------------------
    @classmethod
    def create(cls, home: Home) -> "Catalog":
        """Open the catalog, creating the schema when the database is new."""
        cat = cls(home, _engine(home.catalog_url))
        try:
            metadata.create_all(cat.engine)
            with cat.engine.begin() as conn:
                row = conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).first()
                if row is None:
                    conn.execute(insert(meta).values(key="schema_version", value=str(SCHEMA_VERSION)))
        except SQLAlchemyError as e:
            raise _translate(e, home) from e
        cat.check_schema()
        return cat

    @classmethod
    def open(cls, home: Home) -> "Catalog":
        """Open an existing home's catalog (creating tables a new release added)."""
        return cls.create(home)

    def check_schema(self) -> None:
        """Refuse a catalog written by a newer dangan rather than damage it."""
        with self.engine.connect() as conn:
            version = int(conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).scalar_one())
        if version > SCHEMA_VERSION:
            raise ConfigError(
                f"{self.home.catalog_url}: catalog schema {version} is newer than this dangan "
                f"understands ({SCHEMA_VERSION}); upgrade dangan"
            )

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "Catalog":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- events ----------------------------------------------------------------------
    def log(self, conn, action: str, *, project: str | None = None, document: int | None = None, **detail) -> None:
        """Append one event inside the caller's transaction (the log is append-only)."""
        conn.execute(
            insert(events).values(
                at=now(),
                command=self.command,
                action=action,
                project_code=project,
                document_id=document,
                detail=json.dumps(detail, ensure_ascii=False, default=str),
            )
        )

    def events(self, *, project: str | None = None, document: int | None = None) -> list[dict]:
        """The event log, oldest first, optionally for one project or document."""
        q = select(events).order_by(events.c.id)
        if project:
            q = q.where(events.c.project_code == project)
        if document is not None:
            q = q.where(events.c.document_id == document)
        with self.engine.connect() as conn:
            return [_event_dict(r) for r in conn.execute(q).mappings()]

    # -- documents -------------------------------------------------------------------
    def add_document(self, conn, values: dict[str, Any], content: str) -> int:
        """Insert a document row and its text inside the caller's transaction; return its id."""
        doc_id = conn.execute(insert(documents).values(**values)).inserted_primary_key[0]
        conn.execute(insert(document_texts).values(document_id=doc_id, content=content))
        return int(doc_id)

    def update_document(self, conn, doc_id: int, **values: Any) -> None:
        """Change fields of one document inside the caller's transaction."""
        conn.execute(update(documents).where(documents.c.id == doc_id).values(**values))

    def document(self, doc_id: int) -> dict:
        """One document as a dict; UnknownDocumentError when there is none."""
        with self.engine.connect() as conn:
            row = conn.execute(select(documents).where(documents.c.id == doc_id)).mappings().first()
        if row is None:
            raise UnknownDocumentError(f"no document {doc_id} in the catalog; `dangan catalog CODE` lists ids")
        return document_dict(row)

    def document_by_sha(self, sha256: str) -> dict | None:
        """The document with this content hash, if it was filed before."""
        with self.engine.connect() as conn:
            row = conn.execute(select(documents).where(documents.c.sha256 == sha256)).mappings().first()
        return document_dict(row) if row else None

    def documents(self, *, project: str | None = None, status: str | None = None) -> list[dict]:
        """Documents, optionally of one project and/or status, by id."""
        q = select(documents).order_by(documents.c.id)
        if project is not None:
            q = q.where(documents.c.project_code == project)
        if status is not None:
            q = q.where(documents.c.status == status)
        with self.engine.connect() as conn:
            return [document_dict(r) for r in conn.execute(q).mappings()]

    def text(self, doc_id: int) -> str:
        """The extracted text stored for a document."""
        with self.engine.connect() as conn:
            return conn.execute(
                select(document_texts.c.content).where(document_texts.c.document_id == doc_id)
            ).scalar_one_or_none() or ""

    def iter_documents_with_text(self, batch: int = 500) -> Iterator[tuple[dict, str]]:
        """Every document with its text, read in id-ordered batches so memory stays bounded."""
        last = 0
        while True:
            q = (
                select(documents, document_texts.c.content)
                .join(document_texts, document_texts.c.document_id == documents.c.id, isouter=True)
                .where(documents.c.id > last)
                .order_by(documents.c.id)
                .limit(batch)
            )
            with self.engine.connect() as conn:
                rows = list(conn.execute(q).mappings())
            if not rows:
                return
            for r in rows:
                yield document_dict(r), r["content"] or ""
            last = rows[-1]["id"]

    def count_documents(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(documents)).scalar_one())


def document_dict(row) -> dict:
    """A documents row as a plain dict with JSON columns decoded."""
    d = {k: row[k] for k in documents.c.keys()}
    d["suggestions"] = json.loads(d["suggestions"]) if d.get("suggestions") else []
    return d


def _event_dict(row) -> dict:
    d = dict(row)
    d["detail"] = json.loads(d["detail"] or "{}")
    return d


def now() -> datetime:
    """Local wall-clock time to the second: what an archivist expects to read back."""
    return datetime.now().replace(microsecond=0)


def _engine(url: str) -> Engine:
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _translate(e: SQLAlchemyError, home: Home) -> DanganError:
    """Turn a database failure into a typed error with a fix."""
    if isinstance(e, OperationalError) and "locked" in str(e).lower():
        return BusyError(f"{home.catalog_url}: the catalog is locked by another dangan process; try again shortly")
    return ConfigError(f"{home.catalog_url}: cannot open the catalog ({e.__class__.__name__}: {e.orig if hasattr(e, 'orig') else e}); check [catalog] url in dangan.toml")


def as_date(value: Any) -> date | None:
    """Accept date, datetime or ISO text; None stays None."""
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(str(value))


def chunks(items: Iterable, size: int) -> Iterator[list]:
    """Split an iterable into lists of at most ``size``."""
    buf: list = []
    for it in items:
        buf.append(it)
        if len(buf) >= size:
            yield buf
            buf = []
    if buf:
        yield buf
