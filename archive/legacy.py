"""Importing the archive a company already has: its Excel or CSV 目录, row by row.

A legacy 目录 has one row a document (卷内目录) or a volume (案卷目录) with Chinese headers
(档号, 题名, 责任者, 日期, 页数, 保管期限 …).  :func:`plan_import` reads it with the forms' reader
(UTF-8 or GBK CSV, XLSX), maps the headers to fields (and says how), and checks every row —
bad dates, duplicate 档号, unknown checklist items, a 档号 another project holds — before
anything is written.  :func:`apply_import` then writes all rows in one transaction, or none:
a row whose 档号 is already there is updated (only when something changed), never doubled,
so running the same import twice changes nothing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from dangan.archive.catalog import Catalog, now
from dangan.archive.dblock import writes
from dangan.archive.forms.data import read_rows
from dangan.archive.forms.values import parse_date
from dangan.archive.projects import get_project
from dangan.archive.schema import legacy_rows
from dangan.archive.volumes.metadata import normal_retention, normal_secrecy
from dangan.indexer.errors import DataError, UsageError

# Field → the headers a Chinese 目录 uses for it (first match wins; compared without spaces).
HEADERS: dict[str, tuple[str, ...]] = {
    "archive_code": ("档号", "档案号", "档案编号"),
    "title": ("题名", "文件题名", "案卷题名", "文件名称", "标题"),
    "author": ("责任者", "责任单位", "编制单位", "立卷单位"),
    "doc_date": ("日期", "文件日期", "形成日期", "编制日期", "成文日期"),
    "pages": ("页数", "页次", "张数"),
    "retention": ("保管期限", "期限"),
    "secrecy": ("密级",),
    "doc_number": ("文件编号", "文号", "图号"),
    "item_code": ("条目", "清单条目", "分类号", "类别号"),
    "remarks": ("备注", "附注"),
}
FIELD_LABELS = {field: names[0] for field, names in HEADERS.items()}
REQUIRED = ("archive_code", "title")
LEVELS = ("document", "volume")


@dataclass
class ImportPlan:
    """What an import would do: the header mapping, the checked rows, and every row's problem."""

    source: Path
    project: str
    level: str
    mapping: dict[str, str]  # field → header in the file
    ignored: list[str]  # headers no field takes
    rows: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def to_json(self) -> dict:
        return {
            "source": str(self.source), "project": self.project, "level": self.level, "mapping": self.mapping,
            "ignored": self.ignored, "rows": len(self.rows), "problems": self.problems,
            "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
        }  # fmt: skip


def plan_import(cat: Catalog, path: Path, project: str, *, level: str = "document", overrides: dict[str, str] | None = None,
                sheet: str | None = None) -> ImportPlan:  # fmt: skip
    """Read and check every row of ``path``; nothing is written."""
    if level not in LEVELS:
        raise UsageError(f"--level {level!r}: use document (卷内目录, one row a document) or volume (案卷目录)")
    proj = get_project(cat, project)
    rows = read_rows(Path(path), sheet=sheet)
    headers = list(rows[0]) if rows else []
    mapping = map_headers(headers, overrides or {})
    missing = [FIELD_LABELS[f] for f in REQUIRED if f not in mapping]
    if missing:
        raise DataError(
            f"{path}: no column for {', '.join(missing)}; the columns are {', '.join(headers) or 'none'} — "
            f"name one with --map, e.g. --map {missing[0]}=案卷档号"
        )
    plan = ImportPlan(Path(path), project, level, mapping, [h for h in headers if h not in mapping.values()])
    existing = _existing_codes(cat)
    seen: dict[str, int] = {}
    for number, raw in enumerate(rows, start=2):  # the header is row 1, as the spreadsheet shows
        if not any((v or "").strip() for v in raw.values()):
            continue
        row, errors = _check_row(raw, mapping, proj)
        code = row.get("archive_code")
        if code and code in seen:
            errors.append(
                f"{_label(mapping, 'archive_code')}: {code} is also on row {seen[code]}; a 档号 names one record"
            )
        elif code and existing.get(code, project) != project:
            errors.append(f"{_label(mapping, 'archive_code')}: {code} belongs to project {existing[code]} already")
        if code:
            seen.setdefault(code, number)
        plan.problems += [f"row {number}, {e}" for e in errors]
        row.update(level=level, project_code=project, source=f"{Path(path).name}:{number}")
        plan.rows.append(row)
    return plan


def map_headers(headers: list[str], overrides: dict[str, str]) -> dict[str, str]:
    """Field → header: ``overrides`` (``题名=案卷题名`` or ``title=…``) first, then the known Chinese headers."""
    squashed = {_squash(h): h for h in headers}
    mapping: dict[str, str] = {}
    for key, header in overrides.items():
        fld = _field_named(key)
        if _squash(header) not in squashed:
            raise UsageError(f"--map {key}={header}: the file has no column {header!r}; columns: {', '.join(headers)}")
        mapping[fld] = squashed[_squash(header)]
    for fld, names in HEADERS.items():
        if fld in mapping:
            continue
        taken = set(mapping.values())
        found = next(
            (squashed[_squash(n)] for n in names if _squash(n) in squashed and squashed[_squash(n)] not in taken), None
        )
        if found:
            mapping[fld] = found
    return mapping


def parse_map_options(values: tuple[str, ...]) -> dict[str, str]:
    """``--map 题名=案卷题名`` options as {field or label: header}."""
    out = {}
    for v in values:
        key, sep, header = v.partition("=")
        if not sep or not key.strip() or not header.strip():
            raise UsageError(f"--map {v!r}: write FIELD=COLUMN, e.g. --map 题名=案卷题名")
        out[key.strip()] = header.strip()
    return out


def _field_named(key: str) -> str:
    if key in HEADERS:
        return key
    for fld, names in HEADERS.items():
        if _squash(key) in {_squash(n) for n in names}:
            return fld
    raise UsageError(f"--map {key}=…: no field {key!r}; fields: {', '.join(FIELD_LABELS.values())}")


def _check_row(raw: dict[str, str], mapping: dict[str, str], proj) -> tuple[dict[str, Any], list[str]]:
    row: dict[str, Any] = {}
    errors: list[str] = []
    for fld, header in mapping.items():
        text = unicodedata.normalize("NFKC", raw.get(header) or "").strip()
        if not text:
            if fld in REQUIRED:
                errors.append(f"{header}: empty; every row needs a {FIELD_LABELS[fld]}")
            continue
        try:
            row[fld] = _value(fld, text, proj)
        except ValueError as e:
            errors.append(f"{header}: {text!r} {e}")
    return row, errors


def _value(fld: str, text: str, proj) -> Any:
    if fld == "archive_code":
        if re.search(r"[\\/:*?\"<>|\x00-\x1f]", text) or len(text) > 128:
            raise ValueError('cannot be a 档号 (no / \\ : * ? " < > | and at most 128 characters)')
        return text
    if fld == "doc_date":
        day = parse_date(text)
        return day.date() if isinstance(day, datetime) else day
    if fld == "pages":
        if not text.isdigit() or not 0 < int(text) < 100000:
            raise ValueError("is not a page count; use a whole number from 1")
        return int(text)
    if fld == "retention":
        return _checked(normal_retention, {"30年": "长期", "10年": "短期"}.get(text, text))
    if fld == "secrecy":
        return _checked(normal_secrecy, text)
    if fld == "item_code":
        item = proj.checklist.item(text) or next((i for i in proj.checklist.items if i.title == text), None)
        if item is None:
            codes = ", ".join(i.code for i in proj.checklist.items)
            raise ValueError(f"is no item of the {proj.checklist.id} checklist; items: {codes}")
        return item.code
    return text


def _checked(fn, text: str) -> str:
    try:
        return fn(text)
    except UsageError as e:
        raise ValueError(str(e).split("; ", 1)[-1].replace("use", "is not accepted; use", 1)) from None


@writes("import catalog")
def apply_import(cat: Catalog, plan: ImportPlan) -> ImportPlan:
    """Write the planned rows in one transaction (none when any row has a problem)."""
    if plan.problems:
        raise DataError(
            f"{plan.source}: {len(plan.problems)} row problem(s), nothing imported; first: {plan.problems[0]}"
        )
    fields = ("project_code", "level", "title", "author", "doc_date", "pages", "retention", "secrecy",
              "doc_number", "item_code", "remarks")  # fmt: skip
    with cat.engine.begin() as conn:
        have = {r["archive_code"]: dict(r) for r in conn.execute(select(legacy_rows)).mappings()}
        for row in plan.rows:
            values = {f: row.get(f) for f in fields}
            old = have.get(row["archive_code"])
            if old is None:
                conn.execute(
                    legacy_rows.insert().values(
                        archive_code=row["archive_code"], source=row["source"], updated_at=now(), **values
                    )
                )
                plan.created += 1
            elif any(old[f] != values[f] for f in fields):
                conn.execute(
                    legacy_rows.update()
                    .where(legacy_rows.c.archive_code == row["archive_code"])
                    .values(updated_at=now(), **values)
                )
                plan.updated += 1
            else:
                plan.unchanged += 1
        cat.log(conn, "import_catalog", project=plan.project, file=plan.source.name, created=plan.created,
                updated=plan.updated, unchanged=plan.unchanged)  # fmt: skip
    return plan


def _existing_codes(cat: Catalog) -> dict[str, str]:
    with cat.engine.connect() as conn:
        return {
            r.archive_code: r.project_code
            for r in conn.execute(select(legacy_rows.c.archive_code, legacy_rows.c.project_code))
        }


def _label(mapping: dict[str, str], fld: str) -> str:
    return mapping.get(fld, FIELD_LABELS[fld])


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def code_key(text: str) -> str:
    """A 档号 compared loosely: width, case, and the separators people type (- – — · . _ space) ignored."""
    folded = unicodedata.normalize("NFKC", text).upper()
    return re.sub(r"[\s\-‐–—·・.。_]", "", folded)
