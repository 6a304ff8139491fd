"""Volumes (案卷): grouping a project's filed documents for handover, numbering their pages.

* :mod:`~dangan.archive.volumes.metadata` – 责任者, 保管期限, 密级 with their defaults; a volume's longest/highest
* :mod:`~dangan.archive.volumes.model` – Volume and Entry read from the catalog, 档号
* :mod:`~dangan.archive.volumes.plan` – proposing volumes from the checklist groups, split by thickness
* :mod:`~dangan.archive.volumes.edit` – moving documents, sealing, unsealing, renumbering
* :mod:`~dangan.archive.volumes.pdf` – the volume PDF: cover, 卷内目录, stamped documents, 备考表
"""

from __future__ import annotations

from dangan.archive.volumes.edit import count_unassigned, move_document, record_pages, seal, unseal, volume_of
from dangan.archive.volumes.model import (
    DEFAULT_CODE_PATTERN,
    DEFAULT_MAX_PAGES,
    Entry,
    Volume,
    code_settings,
    get_volume,
    list_volumes,
    piece_code,
    volume_code,
)
from dangan.archive.volumes.plan import Proposal, plan_volumes, propose

__all__ = [
    "DEFAULT_CODE_PATTERN", "DEFAULT_MAX_PAGES", "Entry", "Proposal", "Volume", "code_settings",
    "count_unassigned", "get_volume", "list_volumes", "move_document", "piece_code", "plan_volumes", "propose",
    "record_pages", "seal", "unseal", "volume_code", "volume_of",
]  # fmt: skip
