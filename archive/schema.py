"""The catalog's tables, as SQLAlchemy Core ``Table`` objects on one ``metadata``.

A new database gets every table here at once (``metadata.create_all``) and the newest schema
version; an older one is brought up to date by the numbered steps in ``dangan.archive.migrations``.
So a change here always comes with a migration step that makes an old catalog look the same.
Column types stay portable (no JSON or array types: JSON goes into Text) so SQLite and
PostgreSQL run one code path.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
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
    UniqueConstraint,
)

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
    Column("size", BigInteger, nullable=False),  # bytes; PostgreSQL's INTEGER stops at 2 GiB
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

# -- per-document archival metadata (schema 2) ---------------------------------------------
# 责任者 (the author printed in the 卷内目录), 保管期限 (永久/长期/短期 or DA/T 22's Y/D30/D10)
# and 密级 (公开/秘密/机密/绝密).  Empty means "take the default" (the responsible person, the
# checklist item's retention, 公开).
_column: Column[Any]  # the loops below add columns of several types
for _column in (Column("author", Text), Column("retention", String(16)), Column("secrecy", String(16))):
    documents.append_column(_column)

# -- how each page's text was read (schema 8) -----------------------------------------------
# JSON list of {"page": 1, "method": "text"|"text-pdfium"|"text-pdfminer"|"ocr"|"blank"|"none"|…,
# "why": "…"}: what `dangan show` prints, so a person can see why a page was OCR'd or skipped.
documents.append_column(Column("page_methods", Text))

# -- the document's life: date candidates and the trash (schema 3) -------------------------
# date_candidates: JSON list of the dates found in the text, each with its label, where it was
# found and its score, so `dangan show` can explain which one became document_date.
# A discarded document has status "discarded", its file under vault/_trash/, and remembers
# where it was (restore_path) and what it was (restore_status) so `dangan restore` puts it back.
for _column in (
    Column("date_candidates", Text),
    Column("discarded_at", DateTime),
    Column("discard_reason", Text),
    Column("restore_path", Text),
    Column("restore_status", String(16)),
):
    documents.append_column(_column)

# -- service records: customer, service date, waived periods (schema 5) -----------------------
# The customer a record is for and the day the service was done: a 维护派工单 for customer X on
# day D creates follow-ups owed to X counted from D.  Filled from the form data by `forms render
# --file-into`; empty for an ingested scan, whose customer is read from its text when checked.
for _column in (Column("customer", Text), Column("service_date", Date)):
    documents.append_column(_column)

period_waivers = Table(
    "period_waivers",
    metadata,
    Column("project_code", String(64), ForeignKey("projects.code"), primary_key=True),
    Column("item_code", String(32), primary_key=True),
    Column("period", String(16), primary_key=True),  # its key: 2025-03, 2025-W11, 2025-Q1 …
    Column("reason", Text, nullable=False),
    Column("at", DateTime, nullable=False),
)

# -- users, roles and API tokens of the web app (schema 9) ----------------------------------
# A user signs in to ``dangan serve`` with a name and password (scrypt hash, never the
# password) and has one role; an API token is stored as its SHA-256 only.  Every event
# records who did it: the web user's name, or the OS user for the command line.
users = Table(
    "users",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("role", String(16), nullable=False),  # archivist | manager | desk | viewer | admin
    Column("password_hash", Text, nullable=False),  # scrypt$n$r$p$salt_hex$hash_hex
    Column("created_at", DateTime, nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("user_name", String(64), ForeignKey("users.name"), nullable=False),
    Column("created_at", DateTime, nullable=False),
)

events.append_column(Column("actor", Text))  # who: web user name or OS user; empty before schema 9

# -- access that can be taken away (schema 10) ------------------------------------------------
# A signed-in browser holds a random session id in its signed cookie; the catalog keeps only
# its SHA-256 here, so logging out, a password or role change, disabling or removing a user
# ends the session on the server at once (an old cookie names no row any more).
users.append_column(Column("disabled_at", DateTime))  # set: the user may not sign in or use a token
api_tokens.append_column(Column("expires_at", DateTime))  # empty: a token made before schema 10 (never expires)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("session_sha256", String(64), primary_key=True),
    Column("user_name", String(64), ForeignKey("users.name"), nullable=False, index=True),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
)

# Failed sign-ins per key ("user:NAME" or "addr:ADDRESS"), kept in the catalog so the limit
# holds across web workers and restarts.  ``lockouts`` counts lockouts in a row: each one lasts
# twice as long as the one before.
login_throttle = Table(
    "login_throttle",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("window_start", DateTime, nullable=False),
    Column("locked_until", DateTime),
    Column("lockouts", Integer, nullable=False),
    Column("last_failure", DateTime, nullable=False),
)

# -- several stations: pending index work (schema 6) -----------------------------------------
# The search index has one writer at a time.  A station that commits documents while another
# holds the index queues their ids here; whoever next holds the index drains the queue
# (`dangan reindex` rebuilds from the catalog and empties it).
index_queue = Table(
    "index_queue",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("document_id", Integer, nullable=False),
    Column("queued_at", DateTime, nullable=False),
    Column("station", Text, nullable=False, default=""),  # host:pid of the station that queued it
)

# -- volumes (案卷) and the ordered documents in each (schema 4) ---------------------------
# A volume groups filed documents of one project and one checklist group (施工文件, 竣工图…)
# for handover.  Its 保管期限 and 密级 are the longest / highest of its documents, recomputed
# on every change while it is a draft; sealing freezes order and page numbers.
volumes = Table(
    "volumes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("project_code", String(64), ForeignKey("projects.code"), nullable=False),
    Column("sequence", Integer, nullable=False),  # 案卷号 within the project, from 1
    Column("title", Text, nullable=False),  # 案卷题名
    Column("kind", Text, nullable=False),  # the checklist group: 土建施工文件资料, 竣工图…
    Column("gbt_class", String(4), nullable=False, default=""),  # GB/T 50328 class (C, D, E…)
    Column("retention", String(16), nullable=False),
    Column("secrecy", String(16), nullable=False),
    Column("status", String(16), nullable=False),  # draft | sealed
    Column("created_at", DateTime, nullable=False),
    Column("sealed_at", DateTime),
    UniqueConstraint("project_code", "sequence", name="uq_volume_sequence"),
)

# A document is in at most one volume; position is its 件号 (from 1), pages its 页次 range.
volume_documents = Table(
    "volume_documents",
    metadata,
    Column("document_id", Integer, ForeignKey("documents.id"), primary_key=True),
    Column("volume_id", Integer, ForeignKey("volumes.id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("start_page", Integer, nullable=False),
    Column("end_page", Integer, nullable=False),
)

# -- hostile and odd input (schema 7) --------------------------------------------------------
# The original file name's bytes (hex) when they were not valid UTF-8 (a GBK name from a
# Windows share); ``original_name`` then holds the name decoded leniently for display.
documents.append_column(Column("original_name_raw", Text))

# -- a legacy catalogue imported from Excel (schema 17) --------------------------------------
# One row of a company's existing 目录 (卷内目录 or 案卷目录): its 档号 and fields as the
# catalogue says.  ``dangan import attach`` files the scan named by the 档号 through the
# normal pipeline with these fields as the truth and records the document here; a row without
# a scan stays listed as such.
legacy_rows = Table(
    "legacy_rows",
    metadata,
    Column("archive_code", String(128), primary_key=True),  # 档号, unique across the archive
    Column("project_code", String(64), ForeignKey("projects.code"), nullable=False),
    Column("level", String(16), nullable=False),  # document | volume
    Column("title", Text, nullable=False),
    Column("author", Text),
    Column("doc_date", Date),
    Column("pages", Integer),
    Column("retention", String(16)),
    Column("secrecy", String(16)),
    Column("doc_number", Text),
    Column("item_code", String(32)),
    Column("remarks", Text),
    Column("source", Text, nullable=False),  # file name and row number it came from
    Column("document_id", Integer),  # the filed scan, once attached
    Column("updated_at", DateTime, nullable=False),
)

# -- physical holdings and lending (schema 18) -----------------------------------------------
# Where a volume (案卷) or a loose document stands on paper: its carrier (纸质/电子/照片/实物)
# and its place 库房/柜架/层/盒号.  Exactly one of volume_id and document_id is set.
holdings = Table(
    "holdings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("volume_id", Integer, ForeignKey("volumes.id"), unique=True),
    Column("document_id", Integer, ForeignKey("documents.id"), unique=True),
    Column("carrier", String(8), nullable=False),
    Column("store", Text, nullable=False),  # 库房
    Column("shelf", Text, nullable=False),  # 柜架
    Column("layer", Text, nullable=False),  # 层
    Column("box", Text, nullable=False),  # 盒号
    Column("updated_at", DateTime, nullable=False),
)

# A loan (借阅) of a volume or a document; open while returned_on is empty.  Kept after the
# return: the loan history stays with the volume.
loans = Table(
    "loans",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("volume_id", Integer, ForeignKey("volumes.id"), index=True),
    Column("document_id", Integer, ForeignKey("documents.id"), index=True),
    Column("what", Text, nullable=False),  # PROJECT:案卷号 or #id, as the archivist names it
    Column("borrower", Text, nullable=False),
    Column("dept", Text, nullable=False),
    Column("outside", Boolean, nullable=False, default=False),
    Column("purpose", Text, nullable=False),
    Column("approved_by", Text),
    Column("lent_on", Date, nullable=False),
    Column("until", Date, nullable=False),
    Column("returned_on", Date),
    Column("effect", Text),  # 利用效果, noted on return
)

# 利用登记: one row per loan, return and renewal (who, when, what, purpose, 利用效果).
use_records = Table(
    "use_records",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("loan_id", Integer, ForeignKey("loans.id"), nullable=False, index=True),
    Column("action", String(8), nullable=False),  # 借出 | 归还 | 续借
    Column("day", Date, nullable=False),
    Column("person", Text, nullable=False),
    Column("dept", Text, nullable=False),
    Column("what", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("purpose", Text, nullable=False),
    Column("effect", Text),
    Column("at", DateTime, nullable=False),
)

# -- retention, appraisal, disposal and holds (schema 19) ------------------------------------
# 延长: an approved appraisal's new last year; 开放: set when an appraisal opened the record.
documents.append_column(Column("keep_until", Integer))
documents.append_column(Column("opened_at", DateTime))

# A 鉴定 batch: the expired records of one run of ``dangan appraise create``.
appraisal_batches = Table(
    "appraisal_batches",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year", Integer, nullable=False),  # expired by the end of this year
    Column("status", String(16), nullable=False),  # open | approved | disposed
    Column("created_at", DateTime, nullable=False),
    Column("approved_by", Text),
    Column("approved_at", DateTime),
    Column("disposed_at", DateTime),
    Column("witnesses", Text),  # JSON list of the 监销人
)

# One record of a batch and the group's decision on it (keep | open | destroy).
appraisal_items = Table(
    "appraisal_items",
    metadata,
    Column("batch_id", Integer, ForeignKey("appraisal_batches.id"), primary_key=True),
    Column("document_id", Integer, ForeignKey("documents.id"), primary_key=True),
    Column("retention", String(16), nullable=False),  # 应保管期限 when appraised
    Column("expired_year", Integer, nullable=False),
    Column("decision", String(16)),
    Column("keep_until", Integer),
    Column("reason", Text),
    Column("decided_by", Text),
    Column("decided_at", DateTime),
)

# A legal hold (冻结) on a project or one document, until released.
holds = Table(
    "holds",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("project_code", String(64)),
    Column("document_id", Integer),
    Column("reason", Text, nullable=False),
    Column("set_by", Text, nullable=False),
    Column("set_at", DateTime, nullable=False),
    Column("released_by", Text),
    Column("released_at", DateTime),
)

# -- the service centre's customers (schema 20) ------------------------------------------------
# A complaint's seriousness (重大 | 一般), from the complaint form's field or the record's text.
documents.append_column(Column("severity", String(8)))

# The customer register's own tables are in dangan.archive.schema_service.

# -- mail attachments and read fields (schema 23) ---------------------------------------------
# "From mail": each attachment of a filed e-mail is its own document; this row links it to
# the mail (the same attachment in two mails is one document with two rows).
mail_attachments = Table(
    "mail_attachments",
    metadata,
    Column("mail_id", Integer, ForeignKey("documents.id"), primary_key=True),
    Column("position", Integer, primary_key=True),  # 1-based, in the mail's order
    Column("document_id", Integer, ForeignKey("documents.id"), nullable=False, index=True),
    Column("name", Text, nullable=False),  # the attachment's name in the mail, made safe
)

# Fields read from a document's content, e.g. an e-invoice's number, date, seller, buyer and
# amount; one row per field, so a new kind of read field needs no schema change.
document_fields = Table(
    "document_fields",
    metadata,
    Column("document_id", Integer, ForeignKey("documents.id"), primary_key=True),
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

# -- electronic use grants (schema 21) --------------------------------------------------------
# A time-limited read grant (电子利用授权) for a person or an outside party; the signed link
# carries the id and the random nonce.  It works until the end of ``until`` unless revoked.
grants = Table(
    "grants",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("nonce", String(32), nullable=False, unique=True),
    Column("person", Text, nullable=False),
    Column("org", Text),
    Column("purpose", Text, nullable=False),
    Column("until", Date, nullable=False),
    Column("what", Text, nullable=False),  # what was named: PROJECT:案卷号 and #id, space-separated
    Column("created_at", DateTime, nullable=False),
    Column("revoked_at", DateTime),
)

# The documents a grant opens (a volume is expanded to its documents when granted).  No
# foreign key: a document emptied from the trash later simply is no longer shown.
grant_documents = Table(
    "grant_documents",
    metadata,
    Column("grant_id", Integer, ForeignKey("grants.id"), primary_key=True),
    Column("document_id", Integer, primary_key=True),
)

# Every view and download through a grant: the use records (利用登记) of electronic use.
grant_uses = Table(
    "grant_uses",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("grant_id", Integer, ForeignKey("grants.id"), nullable=False, index=True),
    Column("document_id", Integer, nullable=False),
    Column("action", String(8), nullable=False),  # 查阅 | 下载
    Column("day", Date, nullable=False),
    Column("at", DateTime, nullable=False),
)

# -- when a project's records start their 保管期限 (schema 22) ----------------------------------
# 竣工 (completion) and close dates: a checklist may count its records' periods from the year
# after either (``retention_start`` in the checklist file).
projects.append_column(Column("completed_on", Date))
projects.append_column(Column("closed_on", Date))
