"""Importing a 主要客户档案 from a spreadsheet (XLSX, or CSV in UTF-8 or GBK) with Chinese headers.

One row per customer, or several rows for one customer with several installations.  Columns
are found by their header (客户名称 or 顾客名称 is required; the others are optional):
地址, 电话/联系电话, 联系人, 主要产品, 别名/简称 (several separated by 、 , ；), 年度, 类别
(重点/一般), 原因, 产品/设备, 保修开始, 保修结束, 备注.

Every row is checked before anything is written: when any row is bad, nothing is imported and
each problem is listed with its row number (the header is row 1) and column, so nothing is lost
and the file can be fixed and imported again.  Importing the same file twice changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from dangan.archive.catalog import Catalog
from dangan.archive.customers import register
from dangan.archive.customers.names import (
    clean_name,
    clean_text,
    norm_name,
    parse_class,
    parse_date,
    parse_year,
)
from dangan.archive.dblock import writing
from dangan.archive.forms.data import read_rows
from dangan.indexer.errors import DanganError, InputFileError, NotFoundError

# Column → the headers it is written under (compared without spaces and colons).
HEADERS = {
    "name": ("客户名称", "顾客名称", "客户", "顾客", "单位名称", "名称"),
    "address": ("地址", "客户地址", "通讯地址"),
    "phone": ("电话", "联系电话", "电话号码"),
    "contact": ("联系人", "联系人姓名"),
    "products": ("主要产品", "产品名称", "主营产品"),
    "aliases": ("别名", "简称", "曾用名"),
    "year": ("年度", "年份"),
    "klass": ("类别", "客户类别", "顾客类别", "分类", "等级"),
    "reason": ("原因", "分类原因", "列为重点原因", "理由"),
    "product": ("产品", "设备", "安装产品", "设备型号"),
    "start": ("保修开始", "保修开始日期", "保修起始日期", "保修起始"),
    "end": ("保修结束", "保修结束日期", "保修截止日期", "保修到期", "保修截止"),
    "note": ("备注",),
}
_SPLIT = re.compile(r"[、,，;；/]+")


@dataclass
class ImportRow:
    """One checked row of the file."""

    number: int
    name: str
    fields: dict[str, str | None] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)
    klass: tuple[int, str, str] | None = None
    installation: tuple[str, date, date] | None = None


@dataclass
class ImportResult:
    """What an import did: customers added and updated, installations and classes recorded."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    installations: int = 0
    classes: int = 0


def _columns(path: Path, header: list[str]) -> dict[str, str]:
    folded = {re.sub(r"[\s:：*＊]", "", h): h for h in header}
    found = {}
    for key, names in HEADERS.items():
        hit = next((folded[n] for n in names if n in folded), None)
        if hit is not None:
            found[key] = hit
    if "name" not in found:
        raise InputFileError(
            "{path}: no 客户名称 column; the header row must name it (客户名称, 地址, 联系人, 联系电话 …)",
            path=str(path),
        )
    return found


def check_rows(path: Path, *, sheet: str | None = None) -> list[ImportRow]:
    """Every data row of the file, checked; InputFileError listing each bad row and field."""
    if not Path(path).is_file():
        raise InputFileError("{path}: no such file; check the path given to dangan customer import", path=str(path))
    rows = read_rows(path, sheet=sheet)
    if not rows:
        raise InputFileError("{path}: no customer rows under the header; fill in at least one", path=str(path))
    cols = _columns(path, list(rows[0]))
    checked, problems = [], []
    for number, row in enumerate(rows, 2):
        cell = {k: str(row.get(h) or "").strip() for k, h in cols.items()}
        if not any(cell.values()):
            continue  # a blank line inside the sheet
        try:
            checked.append(_check(number, cell, cols))
        except _RowProblem as e:
            problems.append(f"row {number}, {e.column}: {e.text}")
    if problems:
        err = InputFileError(
            "{path}: {count} row(s) cannot be imported ({first}); nothing was imported, fix them and import again",
            path=str(path), count=len(problems), first=problems[0],
        )  # fmt: skip
        err.problems = problems  # type: ignore[attr-defined]  # one line per bad row, for the CLI
        raise err
    return checked


class _RowProblem(Exception):
    def __init__(self, column: str, text: str):
        super().__init__(text)
        self.column, self.text = column, text


def _check(number: int, cell: dict[str, str], cols: dict[str, str]) -> ImportRow:
    def guard(key, fn):
        try:
            return fn()
        except DanganError as e:
            raise _RowProblem(cols[key], str(e)) from e

    name = guard("name", lambda: clean_name(cell["name"], "客户名称"))
    row = ImportRow(number, name)
    for key, limit in (("address", 200), ("phone", 40), ("contact", 40), ("products", 200), ("note", 500)):
        if key in cell:
            row.fields[key] = guard(key, lambda key=key, limit=limit: clean_text(cell[key], cols[key], limit))
    if cell.get("aliases"):
        row.aliases = [
            guard("aliases", lambda a=a: clean_name(a, "别名")) for a in _SPLIT.split(cell["aliases"]) if a.strip()
        ]
    if cell.get("klass") or cell.get("year"):
        year = guard("year", lambda: parse_year(cell.get("year")))
        klass = guard("klass", lambda: parse_class(cell.get("klass")))
        reason = cell.get("reason") or ""
        if klass == "重点" and not reason:
            raise _RowProblem(
                cols.get("reason", "原因"), "a key customer needs the reason (上年销售额≥500万, 销售部指定 …)"
            )
        row.klass = (year, klass, reason)
    if cell.get("product") or cell.get("start") or cell.get("end"):
        for key in ("product", "start", "end"):
            if not cell.get(key):
                raise _RowProblem(cols.get(key, HEADERS[key][0]), "an installation needs 产品, 保修开始 and 保修结束")
        start = guard("start", lambda: parse_date(cell["start"], cols["start"]))
        end = guard("end", lambda: parse_date(cell["end"], cols["end"]))
        if end < start:
            raise _RowProblem(cols["end"], f"the warranty ends ({end}) before it starts ({start})")
        row.installation = (cell["product"], start, end)
    return row


def import_customers(cat: Catalog, path: Path, *, sheet: str | None = None) -> ImportResult:
    """Check the whole file, then add or update each customer (one writer lock for all)."""
    rows = check_rows(Path(path), sheet=sheet)
    result = ImportResult()
    with writing(cat, "customer import"):
        for row in rows:
            _apply(cat, row, result)
    return result


def _apply(cat: Catalog, row: ImportRow, result: ImportResult) -> None:
    try:
        current = register.get_customer(cat, row.name)
    except NotFoundError:
        current = None
    if current is None:
        register.add_customer(cat, row.name, aliases=row.aliases, **row.fields)
        current = register.get_customer(cat, row.name)
        result.added.append(current.name)
    else:
        changes = {k: v for k, v in row.fields.items() if v and v != getattr(current, k, None)}
        if "contact" in changes and any(c.get("name") == changes["contact"] for c in current.contacts):
            del changes["contact"]
        new_aliases = tuple(
            a for a in row.aliases if norm_name(a) not in {norm_name(x) for x in (current.name, *current.aliases)}
        )
        if changes or new_aliases:
            register.edit_customer(cat, str(current.id), add_aliases=new_aliases, **changes)
            if current.name not in result.added and current.name not in result.updated:
                result.updated.append(current.name)
    ident = str(current.id)
    if row.klass and current.classes.get(row.klass[0]) != (row.klass[1], row.klass[2]):
        register.set_class(cat, ident, *row.klass)
        result.classes += 1
    if row.installation:
        product, start, end = row.installation
        same = any((i["product"], i["warranty_start"], i["warranty_end"]) == (product, start, end)
                   for i in register.get_customer(cat, ident).installations)  # fmt: skip
        if not same:
            register.add_installation(cat, ident, product, start, end)
            result.installations += 1
