"""Per-document archival metadata with its defaults: 责任者, 保管期限, 密级.

The catalog stores what the archivist set (``documents.author/retention/secrecy``, set by
``dangan edit``); empty means the default: the responsible person as 责任者, the checklist
item's 保管期限, 公开 as 密级.  A volume takes the longest 保管期限 and the highest 密级 of its
documents (GB/T 50328).  DA/T 22 codes (Y, D30, D10) are accepted for 保管期限 and read as
永久, 长期, 短期.
"""

from __future__ import annotations

from collections.abc import Iterable

from dangan.indexer.errors import UsageError

RETENTIONS = ("永久", "长期", "短期")  # longest first
RETENTION_ALIASES = {"Y": "永久", "D30": "长期", "D10": "短期"}
SECRECY_LEVELS = ("公开", "秘密", "机密", "绝密")  # lowest first
DEFAULT_SECRECY = "公开"


def normal_retention(value: str | None) -> str:
    """永久/长期/短期 from a name or a DA/T 22 code; UsageError names the accepted values."""
    text = (value or "").strip()
    text = RETENTION_ALIASES.get(text.upper(), text)
    if text not in RETENTIONS:
        raise UsageError("unknown 保管期限 {value!r}; use 永久, 长期 or 短期 (or Y, D30, D10)", value=value)
    return text


def normal_secrecy(value: str | None) -> str:
    """One of 公开/秘密/机密/绝密; UsageError names the accepted values."""
    text = (value or "").strip()
    if text not in SECRECY_LEVELS:
        raise UsageError("unknown 密级 {value!r}; use {levels}", value=value, levels=", ".join(SECRECY_LEVELS))
    return text


def author_of(doc: dict) -> str:
    """责任者: what the archivist set, else the responsible person ("" when neither)."""
    return (doc.get("author") or doc.get("person") or "").strip()


def retention_of(doc: dict, item_retention: str | None) -> str:
    """保管期限: what the archivist set, else the checklist item's, else 短期."""
    return normal_retention(doc.get("retention") or item_retention or "短期")


def secrecy_of(doc: dict) -> str:
    """密级: what the archivist set, else 公开."""
    return normal_secrecy(doc.get("secrecy") or DEFAULT_SECRECY)


def longest_retention(values: Iterable[str]) -> str:
    """The longest 保管期限 of a volume's documents (短期 for an empty volume)."""
    ranks = [RETENTIONS.index(normal_retention(v)) for v in values]
    return RETENTIONS[min(ranks)] if ranks else RETENTIONS[-1]


def highest_secrecy(values: Iterable[str]) -> str:
    """The highest 密级 of a volume's documents (公开 for an empty volume)."""
    ranks = [SECRECY_LEVELS.index(normal_secrecy(v)) for v in values]
    return SECRECY_LEVELS[max(ranks)] if ranks else DEFAULT_SECRECY
