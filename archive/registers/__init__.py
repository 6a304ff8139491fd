"""Archive registers: 卷内目录, 科技档案一览表, 卷内备考表, 归档文件目录.

* :mod:`~dangan.archive.registers.rows` – the catalog's facts as plain rows (``write_register``)
* :mod:`~dangan.archive.registers.layout` – the register kinds (``KINDS``) and their template contexts
* :mod:`~dangan.archive.registers.arithmetic` – page ranges, page totals and 档号 codes per the standards
* :mod:`~dangan.archive.registers.xlsx` – a register as a spreadsheet

This package re-exports the names callers use.
"""

from __future__ import annotations

from dangan.archive.forms import shipped_templates_dir
from dangan.archive.registers.arithmetic import (
    DEFAULT_PATTERN,
    RETENTION_CODES,
    PageTotals,
    archive_codes,
    page_column,
    page_count,
    page_totals,
    retention_code,
    yyyymmdd,
)
from dangan.archive.registers.layout import KINDS, STATUS_LABELS, render_register
from dangan.archive.registers.rows import register_entries, write_register

__all__ = [
    "DEFAULT_PATTERN", "KINDS", "RETENTION_CODES", "STATUS_LABELS", "PageTotals",
    "archive_codes", "page_column", "page_count", "page_totals", "register_entries", "render_register",
    "retention_code", "shipped_templates_dir", "write_register", "yyyymmdd",
]  # fmt: skip
