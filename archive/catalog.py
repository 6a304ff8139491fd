"""The catalog: the archive's source of truth, through SQLAlchemy Core.

SQLite (WAL, foreign keys on) is the embedded default; the same code runs on PostgreSQL by
changing ``[catalog] url`` in dangan.toml.  The tables are in ``dangan.archive.schema``; the schema
carries a version in ``meta`` and ``dangan.archive.migrations`` brings an older catalog up to date.  The Whoosh index is derived from this and can always be rebuilt.
"""

from __future__ import annotations

import copy
import getpass
import json
import os
from datetime import date, datetime
from typing import Any, Iterable, Iterator

from sqlalchemy import create_engine, event, func, insert, select, text, update
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from dangan.archive import (
    migrations,
    schema_service,  # noqa: F401  (registers the customer tables on metadata)
)
from dangan.archive.home import Home
from dangan.archive.schema import document_texts, documents, events, meta, metadata
from dangan.indexer.errors import BusyError, ConfigError, DanganError, UnknownDocumentError, disk_full

ACTOR_SINCE = 9  # the schema version that gave events their actor column


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
        self.actor = os_user()  # who acts, recorded in events; the web app sets the signed-in user
        self._log_actor = True  # False while an older catalog's events table lacks the column
        self.on_lock_wait: Any = (
            None  # told whom dangan.archive.dblock.writing waits for (the CLI prints it); else logged
        )

    # -- opening ---------------------------------------------------------------------
    @classmethod
    def create(cls, home: Home) -> "Catalog":
        """Open the catalog, creating the schema when the database is new and applying the
        migration steps an older catalog still needs."""
        cat = cls(home, _engine(home.catalog_url))
        try:
            cat.migrate()
        except SQLAlchemyError as e:
            raise _translate(e, home) from e
        return cat

    @classmethod
    def unopened(cls, home: Home) -> "Catalog":
        """The catalog as it is, schema not yet brought up to date (``dangan migrate``)."""
        return cls(home, _engine(home.catalog_url))

    @classmethod
    def open(cls, home: Home) -> "Catalog":
        """Open an existing home's catalog (bringing its schema up to date)."""
        return cls.create(home)

    def schema_version(self) -> int | None:
        """The version stamped in the catalog, or None for an empty database."""
        with self.engine.connect() as conn:
            if not self.engine.dialect.has_table(conn, "meta"):
                return None
            value = conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
        return int(value) if value is not None else None

    def migrate(self) -> list[str]:
        """Bring the schema to this release's version; return the descriptions of steps applied.

        A new database gets every table at once.  An older one gets each pending step in its
        own transaction together with its version bump, so an interrupted migration resumes.
        """
        latest = migrations.latest_version()
        current = self.schema_version()
        if current is None:
            with self.engine.begin() as conn:
                if _one_migrator(conn) is None:  # no other station created it meanwhile
                    metadata.create_all(conn)
                    conn.execute(insert(meta).values(key="schema_version", value=str(latest)))
                    return []
            current = self.schema_version()
            assert current is not None  # created just now, here or by the station that won
        if current > latest:
            raise ConfigError(
                f"{display_url(self.home.catalog_url)}: catalog schema {current} is newer than this dangan "
                f"understands ({latest}); upgrade dangan"
            )
        applied = []
        self._log_actor = current >= ACTOR_SINCE
        for step in migrations.pending(current):
            with self.engine.begin() as conn:
                if (_one_migrator(conn) or 0) >= step.version:
                    continue  # another station applied it while we waited
                step.upgrade(conn)
                self._log_actor = step.version >= ACTOR_SINCE
                conn.execute(update(meta).where(meta.c.key == "schema_version").values(value=str(step.version)))
                self.log(conn, "migrated", version=step.version, step=step.description)
            applied.append(f"{step.version}: {step.description}")
        self._log_actor = True
        return applied

    def check_schema(self) -> None:
        """Refuse a catalog written by a newer dangan rather than damage it."""
        current, latest = self.schema_version(), migrations.latest_version()
        if current is not None and current > latest:
            raise ConfigError(
                f"{display_url(self.home.catalog_url)}: catalog schema {current} is newer than this dangan "
                f"understands ({latest}); upgrade dangan"
            )

    def close(self) -> None:
        self.engine.dispose()

    def acting_as(self, actor: str, command: str = "web") -> "Catalog":
        """This catalog (same engine) with events recorded under another actor's name.

        The web app makes one per request, so each write names the signed-in user.
        """
        clone = copy.copy(self)
        clone.actor, clone.command = actor, command
        return clone

    def __enter__(self) -> "Catalog":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- events ----------------------------------------------------------------------
    def log(self, conn, action: str, *, project: str | None = None, document: int | None = None, **detail) -> None:
        """Append one event inside the caller's transaction (the log is append-only)."""
        who = {"actor": self.actor} if self._log_actor else {}
        conn.execute(
            insert(events).values(
                **who,
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
            raise UnknownDocumentError(
                "no document {doc_id} in the catalog", doc_id=doc_id, fix="`dangan catalog CODE` lists ids"
            )
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
            return (
                conn.execute(
                    select(document_texts.c.content).where(document_texts.c.document_id == doc_id)
                ).scalar_one_or_none()
                or ""
            )

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


def os_user() -> str:
    """The operating-system user running dangan: who the command line records in events."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry and no $USER (some containers)
        return f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"


def now() -> datetime:
    """Local wall-clock time to the second: what an archivist expects to read back."""
    return datetime.now().replace(microsecond=0)


def _engine(url: str) -> Engine:
    try:
        engine = create_engine(url, future=True)
    except ArgumentError as e:
        raise ConfigError(
            f"{display_url(url)}: not a catalog URL dangan can use ({e}); set [catalog] url to "
            "sqlite:///catalog.db or postgresql+psycopg://user@host:5432/dbname"
        ) from e
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


MIGRATION_LOCK = 0x64616E67  # "dang": the advisory lock stations take to change the schema


def _one_migrator(conn: Connection) -> int | None:
    """Serialise schema changes between stations starting at once; return the version now.

    PostgreSQL: a transaction-scoped advisory lock (released at commit or when a killed
    station's connection drops).  SQLite: one machine, and its write lock serialises already.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
    if not conn.dialect.has_table(conn, "meta"):
        return None
    value = conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
    return int(value) if value is not None else None


def display_url(url: str) -> str:
    """A catalog URL fit to print: the password, if any, masked."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:  # unparsable: _engine reports it; print it as given
        return url


def migrate_home(home: Home) -> dict:
    """Bring a home's catalog to this release's schema and say what happened.

    Returns ``{"catalog", "from", "to", "created", "applied"}``; running it again applies
    nothing.  Database failures become one-line errors naming the URL.
    """
    cat = Catalog.unopened(home)
    try:
        before = cat.schema_version()
        applied = cat.migrate()
        after = cat.schema_version()
    except SQLAlchemyError as e:
        raise _translate(e, home) from e
    finally:
        cat.close()
    return {
        "catalog": display_url(home.catalog_url),
        "from": before,
        "to": after,
        "created": before is None,
        "applied": applied,
    }


def _translate(e: SQLAlchemyError, home: Home) -> DanganError:
    """Turn a database failure into a typed error with a fix."""
    if isinstance(e, OperationalError) and "locked" in str(e).lower():
        return BusyError(
            f"{display_url(home.catalog_url)}: the catalog is locked by another dangan process; try again shortly"
        )
    full = disk_full(getattr(e, "orig", None) or e, home.root)
    if full is not None:  # a full home is not a wrong URL
        return full
    reason = " ".join(str(getattr(e, "orig", None) or e).split())  # drivers write several lines
    return ConfigError(
        f"{display_url(home.catalog_url)}: cannot open the catalog ({e.__class__.__name__}: {reason}); "
        "check [catalog] url in dangan.toml and that the database server is running"
    )


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
