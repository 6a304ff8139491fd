"""Keeping the data row a form was rendered from with the filed document.

A survey rendered by dangan has its scores in the row, so statistics never need to read them
back from the Word file; a complaint's 严重程度 becomes the record's seriousness.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, insert

from dangan.archive.catalog import Catalog
from dangan.archive.dblock import writes
from dangan.archive.schema_service import form_rows

_SEVERITY = {"重大": "重大", "严重": "重大", "一般": "一般"}


@writes("form row")
def keep_form_row(cat: Catalog, doc_id: int, form_id: str, values: Mapping[str, Any]) -> None:
    """Store ``values`` (one data row) with document ``doc_id``; its seriousness too, if any."""
    data = json.dumps(dict(values), ensure_ascii=False, default=str)
    severity = _SEVERITY.get(str(values.get("severity") or "").strip())
    with cat.engine.begin() as conn:
        conn.execute(delete(form_rows).where(form_rows.c.document_id == doc_id))
        conn.execute(insert(form_rows).values(document_id=doc_id, form_id=form_id, data=data))
        if severity:
            cat.update_document(conn, doc_id, severity=severity)
