"""The catalog's tables, as SQLAlchemy Core ``Table`` objects on one ``metadata``.

A new database gets every table here at once (``metadata.create_all``) and the newest schema
version; an older one is brought up to date by the numbered steps in ``archive.migrations``.
So a change here always comes with a migration step that makes an old catalog look the same.
Column types stay portable (no JSON or array types: JSON goes into Text) so SQLite and
PostgreSQL run one code path.
"""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, Float, ForeignKey, Integer, MetaData, String, Table, Text

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

# -- per-document archival metadata (schema 2) ---------------------------------------------
# 责任者 (the author printed in the 卷内目录), 保管期限 (永久/长期/短期 or DA/T 22's Y/D30/D10)
# and 密级 (公开/秘密/机密/绝密).  Empty means "take the default" (the responsible person, the
# checklist item's retention, 公开).
for _column in (Column("author", Text), Column("retention", String(16)), Column("secrecy", String(16))):
    documents.append_column(_column)

# -- hostile and odd input (schema 7) --------------------------------------------------------
# The original file name's bytes (hex) when they were not valid UTF-8 (a GBK name from a
# Windows share); ``original_name`` then holds the name decoded leniently for display.
documents.append_column(Column("original_name_raw", Text))
