"""A complaint's seriousness (重大 / 一般): a field of the complaint form and of the record.

Only a 重大 complaint must be reported within 4 hours.  The seriousness is the form field
(严重程度: 严重/重大 → 重大, 一般/轻微 → 一般) when dangan rendered the record, else read from
the text: a labelled field (严重程度：一般, 投诉级别：重大), else a heading saying 重大投诉.  A complaint
whose seriousness cannot be read is treated as 重大, so a serious one is never missed; the
archivist can set it (`dangan customer complaint DOC --severity 一般`).
"""

from __future__ import annotations

import re

from dangan.indexer.errors import UsageError
from dangan.indexer.text import fold

SEVERITIES = ("重大", "一般")
_WORDS = {"重大": "重大", "严重": "重大", "特别重大": "重大", "一般": "一般", "轻微": "一般", "普通": "一般"}
_FIELD = re.compile(
    r"(?:严重程度|严重性|投诉级别|投诉等级|投诉性质|级别|等级)[ \t]*[:：\t][ \t]*[☑✔✓√■]?[ \t]*(特别重大|重大|严重|一般|轻微|普通)"
)
_TICKED = re.compile(r"[☑✔✓√■][ \t]*(重大|严重|一般|轻微)")
_HEADING = re.compile(r"重大投诉|严重投诉")


def parse_severity(value: str | None) -> str:
    """重大 or 一般 from a typed value (严重 counts as 重大)."""
    word = _WORDS.get((value or "").strip())
    if word is None:
        raise UsageError("seriousness '{value}' is not 重大 or 一般; write 重大 or 一般", value=value or "")
    return word


def severity_of(text: str) -> str | None:
    """重大 / 一般 as the record's text says it, else None."""
    folded = fold(text or "")
    m = _FIELD.search(folded) or _TICKED.search(folded)
    if m:
        return _WORDS[m.group(1)]
    return "重大" if _HEADING.search(folded[:200]) else None


def set_severity(cat, doc_id: int, value: str) -> str:
    """Set a filed complaint's seriousness (重大/一般); logged with the old value."""
    from dangan.archive.dblock import writing  # the lock module imports the catalog; keep this module light

    severity = parse_severity(value)
    with writing(cat, "complaint severity"):
        doc = cat.document(doc_id)
        with cat.engine.begin() as conn:
            cat.update_document(conn, doc_id, severity=severity)
            cat.log(conn, "severity-set", project=doc["project_code"], document=doc_id,
                    before=doc.get("severity"), after=severity)  # fmt: skip
    return severity
