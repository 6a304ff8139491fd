"""E-mail attachments filed as documents of their own, linked to their mail ("来自邮件").

Once a mail (.eml, .msg) is committed, its attachments are written out by the bounded reader
worker (``dangan.indexer.extract.mail_attachments``, from the stored copy: exactly the bytes
that were hashed) and each goes through the same pipeline as a file dropped into the inbox —
preflight (size limits, duplicates by SHA-256), extract, classify, store, commit — under the
mail's project.  An attachment's name is whatever the sender wrote (``../../x``, 300
characters, control characters), so only its last part is kept, control characters are
removed, and it is shortened to fit a file name (``names.fit``); each is written into a
folder of its own, so two attachments of the same name never collide.

A bad attachment is refused with its own message (logged on the mail's history) while the
mail and the other attachments are filed; an attachment already in the catalog is linked,
not filed twice.  Attachments of an attached mail are not unpacked again (its text names
them, and it is stored whole): one level, so a mail nested a thousand deep costs one pass.
"""

from __future__ import annotations

import mimetypes
import os
import re
import tempfile
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol

from sqlalchemy import delete, insert, or_, select

from dangan.archive.catalog import Catalog
from dangan.archive.intake import names
from dangan.archive.intake.fields import forget_fields
from dangan.archive.intake.record import Record
from dangan.archive.schema import documents, mail_attachments
from dangan.indexer.errors import InputFileError
from dangan.indexer.extract import mail_attachments as write_attachments
from dangan.indexer.extract.common import EML, MSG
from dangan.indexer.limits import Limits
from dangan.indexer.messages import Message

MAIL_TYPES = (EML, MSG)
_SEPARATORS = re.compile(r"[\\/]")


class Ingester(Protocol):
    """What this step uses of ``dangan.archive.intake.ingest.Ingester`` (which calls it)."""

    cat: Catalog
    limits: Limits

    def run(self, rec: Record, *, raise_errors: bool = False) -> Record: ...

    def locked(self) -> AbstractContextManager: ...


def file_attachments(ing: Ingester, rec: Record) -> Record:
    """File each attachment of the mail ``rec`` just committed; other records pass unchanged.

    The attachments' records are kept in ``rec.attachments`` (in the mail's order) for the
    caller to report beside the mail.
    """
    ex = rec.extraction
    if rec.doc_id is None or rec.from_mail is not None or ex is None or ex.mime_type not in MAIL_TYPES:
        return rec
    stored = ing.cat.home.vault_dir / rec.vault_rel
    with tempfile.TemporaryDirectory(prefix="dangan-mail-") as tmp:
        try:
            found = write_attachments(stored, ex.mime_type, Path(tmp), limits=ing.limits)
        except InputFileError as e:
            _note(
                ing,
                rec,
                "attachment-failed",
                Message("its attachments could not be read: {error}", {"error": _named(e, stored, rec)}),
            )
            return rec
        for position, entry in enumerate(found["files"], 1):
            child = _child(rec, position, entry, Path(tmp))
            rec.attachments.append(_file_one(ing, rec, child, position))
    if rec.attachments:
        refused = sum(1 for a in rec.attachments if a.outcome == "failed")
        said = Message(
            "{count} attachments, each its own document ({refused} refused)",
            {"count": len(rec.attachments), "refused": refused},
        )
        rec.message = f"{rec.message}; {said}" if rec.message else str(said)
    if found["more"]:
        _note(
            ing,
            rec,
            "attachments-not-filed",
            Message(
                "{count} more attachments were not filed (more than {limit}); they stay inside the stored mail",
                {"count": found["more"], "limit": len(found["files"])},
            ),
        )
    return rec


def safe_name(raw: str, content_type: str, position: int) -> str:
    """An attachment's name made safe to file: its last path part, no control characters, no
    leading dots, short enough for a file system; ``附件N.ext`` when nothing is left."""
    name = names.without_controls(names.clean(raw or ""))
    name = _SEPARATORS.split(name)[-1].strip().lstrip(". ")
    if not name:
        name = f"附件{position}{mimetypes.guess_extension(content_type or '') or ''}"
    return names.fit(name)


def _child(mail: Record, position: int, entry: dict, tmp: Path) -> Record:
    name = safe_name(entry["name"], entry["type"], position)
    folder = tmp / f"{position}.d"
    folder.mkdir()
    path = folder / name
    os.replace(tmp / entry["file"], path)
    return Record(
        path=path,
        project_hint=mail.project.code if mail.project else mail.project_hint,
        source=mail.source,
        from_mail=mail.doc_id,
        attachment_name=name,
        input_label=_label(mail, name),
    )


def _file_one(ing: Ingester, mail: Record, child: Record, position: int) -> Record:
    """One attachment through the pipeline; a refusal is its own outcome, never the mail's."""
    try:
        ing.run(child, raise_errors=True)
    except InputFileError as e:
        child.outcome = "failed"
        child.message = _named(e, child.path, mail, child.attachment_name)
        with ing.locked(), ing.cat.engine.begin() as conn:
            ing.cat.log(
                conn,
                "attachment-failed",
                document=mail.doc_id,
                attachment=child.attachment_name,
                error=child.message,
            )
        return child
    target = child.doc_id or child.duplicate_of
    if target is not None:
        with ing.locked(), ing.cat.engine.begin() as conn:
            conn.execute(
                insert(mail_attachments).values(
                    mail_id=mail.doc_id, position=position, document_id=target, name=child.attachment_name
                )
            )
    return child


def _named(error: InputFileError, path: Path, mail: Record, attachment: str = "") -> str:
    """The error's message naming the mail (and the attachment) instead of a temporary path."""
    label = _label(mail, attachment) if attachment else names.clean(str(mail.path))
    return names.clean(str(error)).replace(str(path), label)


def _label(mail: Record, attachment: str) -> str:
    """An attachment as a person knows it: the mail's path and the attachment's name."""
    return f"{names.clean(str(mail.path))} (attachment {attachment})"


def _note(ing: Ingester, rec: Record, action: str, message: Message) -> None:
    """Add ``message`` to the mail's outcome and, as ``action``, to its history."""
    rec.message = f"{rec.message}; {message}" if rec.message else str(message)
    with ing.locked(), ing.cat.engine.begin() as conn:
        ing.cat.log(conn, action, document=rec.doc_id, error=str(message))


def mail_links(cat: Catalog, doc_id: int) -> dict:
    """The "from mail" relation both ways: ``{"from_mail": [...], "attachments": [...]}``.

    ``from_mail``: the mails this document came attached to; ``attachments``: this mail's
    attachments in order.  Each entry: ``{"id", "title", "name", "status"}``.
    """
    mails = documents.alias("m")
    atts = documents.alias("a")
    q = (
        select(
            mail_attachments.c.mail_id,
            mail_attachments.c.document_id,
            mail_attachments.c.name,
            mails.c.title.label("mail_title"),
            mails.c.status.label("mail_status"),
            atts.c.title.label("att_title"),
            atts.c.status.label("att_status"),
        )
        .join(mails, mails.c.id == mail_attachments.c.mail_id)
        .join(atts, atts.c.id == mail_attachments.c.document_id)
        .where(or_(mail_attachments.c.mail_id == doc_id, mail_attachments.c.document_id == doc_id))
        .order_by(mail_attachments.c.mail_id, mail_attachments.c.position)
    )
    out: dict[str, list[dict]] = {"from_mail": [], "attachments": []}
    with cat.engine.connect() as conn:
        for r in conn.execute(q).mappings():
            if r["mail_id"] == doc_id:
                out["attachments"].append(
                    {"id": r["document_id"], "title": r["att_title"], "name": r["name"], "status": r["att_status"]}
                )
            if r["document_id"] == doc_id and r["mail_id"] not in {m["id"] for m in out["from_mail"]}:
                out["from_mail"].append(
                    {"id": r["mail_id"], "title": r["mail_title"], "name": r["name"], "status": r["mail_status"]}
                )
    return out


def forget_links(conn, doc_id: int) -> None:
    """Remove the relation rows and read fields of a document whose row is being removed."""
    conn.execute(
        delete(mail_attachments).where(
            or_(mail_attachments.c.mail_id == doc_id, mail_attachments.c.document_id == doc_id)
        )
    )
    forget_fields(conn, doc_id)
