"""The service centre's customer register (schema 20): its tables, on the catalog's ``metadata``.

Kept apart from :mod:`dangan.archive.schema` only for size; :mod:`dangan.archive.catalog`
imports this module, so a new catalog gets these tables with the others (``create_all``).
"""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, ForeignKey, Integer, String, Table, Text

from dangan.archive.schema import metadata

# 主要客户档案: one row per customer; ``norm`` is the name compared loosely (Traditional =
# Simplified, no spaces, no 有限公司-style suffix), unique so one customer is never entered twice.
customers = Table(
    "customers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False),
    Column("norm", Text, nullable=False, unique=True),
    Column("address", Text),
    Column("phone", Text),
    Column("contacts", Text, nullable=False, default="[]"),  # JSON list of {"name", "phone"}
    Column("products", Text),  # 主要产品
    Column("note", Text),
    Column("created_at", DateTime, nullable=False),
)

# Other names a customer is written under (a short name, an old name, a linked unmatched name).
customer_aliases = Table(
    "customer_aliases",
    metadata,
    Column("norm", Text, primary_key=True),
    Column("customer_id", Integer, ForeignKey("customers.id"), nullable=False, index=True),
    Column("alias", Text, nullable=False),
)

# 重点顾客 / 一般顾客, named per year with the reason (sales ≥ 500万, named by 销售部 …).
customer_classes = Table(
    "customer_classes",
    metadata,
    Column("customer_id", Integer, ForeignKey("customers.id"), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("class", String(8), nullable=False),
    Column("reason", Text, nullable=False),
)

# Products installed at a customer and their warranty (保修期) from start to end, inclusive.
installations = Table(
    "installations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("customer_id", Integer, ForeignKey("customers.id"), nullable=False, index=True),
    Column("product", Text, nullable=False),
    Column("warranty_start", Date, nullable=False),
    Column("warranty_end", Date, nullable=False),
)

# A 纠正和预防措施处理单 followed through: open until verified and closed, the result told back.
corrective_actions = Table(
    "corrective_actions",
    metadata,
    Column("document_id", Integer, ForeignKey("documents.id"), primary_key=True),
    Column("due", Date),
    Column("verified_by", Text),
    Column("verified_on", Date),
    Column("result", Text),  # 验证结果
    Column("told_on", Date),  # the day the customer was told the result
    Column("closed_at", DateTime),
)

# The data row a form was rendered from, kept with the filed document (survey scores …).
form_rows = Table(
    "form_rows",
    metadata,
    Column("document_id", Integer, ForeignKey("documents.id"), primary_key=True),
    Column("form_id", String(64), nullable=False),
    Column("data", Text, nullable=False),  # JSON {field name: value}
)
