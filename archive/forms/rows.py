"""Validation of data rows against a form: columns matched to fields, cells typed, problems listed.

Columns are matched by field name or Chinese label (width-folded, case- and space-blind);
list fields come from numbered columns (``维修项目1数量``).  Row numbers in problems are
those a person sees in the spreadsheet: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from dangan.archive.forms.manifest import FieldSpec, FormSpec, norm_header
from dangan.archive.forms.values import CONVERTERS, clean_cell


@dataclass(frozen=True)
class RowProblem:
    """One problem of the data: ``text`` is the line shown to the user ("row 3, 派工日期: …")."""

    row: int | None  # None: a problem of the columns, not of one row
    text: str


@dataclass
class _Columns:
    """Which column of the data fills which field (or which list row's sub-field)."""

    plain: dict[str, str] = field(default_factory=dict)  # field name -> column
    listed: dict[str, dict[int, dict[str, str]]] = field(default_factory=dict)  # list -> n -> sub -> column


def _map_columns(form: FormSpec, headers: Iterable[str]) -> tuple[_Columns, list[RowProblem]]:
    """Match data columns to fields by name or Chinese label; unknown columns are problems."""
    by_key: dict[str, FieldSpec] = {}
    for f in form.fields:
        by_key[norm_header(f.name)] = f
        by_key[norm_header(f.label)] = f
    cols, problems = _Columns(), []
    filled_by: dict[object, str] = {}  # field (or list column) → the header that fills it
    for header in headers:
        if not str(header).strip():
            continue
        target = _column_target(form, by_key, header)
        if target is None:
            problems.append(RowProblem(None, _unknown_column(form, header)))
            continue
        if target in filled_by:
            problems.append(
                RowProblem(None, f'columns "{filled_by[target]}" and "{header}" fill the same field; keep one')
            )
            continue
        filled_by[target] = header
        if len(target) == 1:
            cols.plain[target[0]] = header
        else:
            cols.listed.setdefault(target[0], {}).setdefault(target[1], {})[target[2]] = header
    for f in form.fields:
        if f.required and f.type != "list" and f.name not in cols.plain:
            problems.append(
                RowProblem(None, f"column {f.label} is missing; it is required (head a column {f.label} or {f.name})")
            )
    return cols, problems


def _column_target(form: FormSpec, by_key: dict[str, FieldSpec], header: str) -> tuple | None:
    """(field,) for a plain field, (list, n, sub) for a list column, None when unknown."""
    key = norm_header(header)
    f = by_key.get(key)
    if f is not None and f.type != "list":
        return (f.name,)
    m = re.fullmatch(r"(\D+?)(\d+)(.+)", key)
    if not m:
        return None
    lst = by_key.get(m.group(1))
    n = int(m.group(2))
    if lst is None or lst.type != "list" or n < 1:
        return None
    sub = next((s for s in lst.subfields if m.group(3) in (norm_header(s.name), norm_header(s.label))), None)
    return (lst.name, n, sub.name) if sub else None


def _unknown_column(form: FormSpec, header: str) -> str:
    known = [f.label for f in form.fields if f.type != "list"]
    for f in form.fields:
        known += [f"{f.label}1{s.label}" for s in f.subfields]
    close = difflib.get_close_matches(str(header), known, n=1, cutoff=0.5)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return (
        f'column "{header}" matches no field of {form.title}{hint}; rename it to a label from '
        f"`dangan forms fields {form.id}` or delete the column"
    )


@dataclass
class CheckedRows:
    """The outcome of validating a batch's rows, computed once and handed to the renderer."""

    typed: list[dict]  # the valid rows' typed values, each with its row number under "_row"
    problems: list[RowProblem]
    has_data: bool  # False when every cell of every row is blank (nothing to render at all)


def check_rows(form: FormSpec, rows: Sequence[Mapping[str, Any]]) -> CheckedRows:
    """Validate ``rows`` against ``form``: typed valid rows, every problem, whether any cell is filled.

    Columns are matched by field name or Chinese label.  Row numbers are those a person
    sees in the spreadsheet: the header is row 1, the first data row is row 2.  Blank rows
    are skipped silently.
    """
    headers: dict[str, None] = {}
    for row in rows:
        headers.update(dict.fromkeys(row))
    cols, problems = _map_columns(form, headers)
    typed = []
    has_data = False
    for i, row in enumerate(rows):
        if not any(clean_cell(v) for v in row.values()):
            continue
        has_data = True
        values, row_problems = _convert_row(form, cols, row, i + 2)
        problems += row_problems
        if not row_problems:
            typed.append(values)
    return CheckedRows(typed=typed, problems=problems, has_data=has_data)


def validate_rows(form: FormSpec, rows: Sequence[Mapping[str, Any]]) -> tuple[list[dict], list[str]]:
    """Typed values of every valid row and one line per problem (see :func:`check_rows`).

    Each typed row carries its row number under ``_row``.
    """
    checked = check_rows(form, rows)
    return checked.typed, [p.text for p in checked.problems]


def _convert_row(form: FormSpec, cols: _Columns, row: Mapping[str, Any], row_no: int) -> tuple[dict, list[RowProblem]]:
    values: dict[str, Any] = {"_row": row_no}
    problems: list[RowProblem] = []
    for f in form.fields:
        if f.type == "list":
            values[f.name] = _convert_list(f, cols.listed.get(f.name, {}), row, row_no, problems)
            continue
        if f.name not in cols.plain:
            values[f.name] = None  # a missing required column was reported once, not per row
            continue
        values[f.name] = _convert_cell(f, f.label, clean_cell(row.get(cols.plain[f.name], "")), row_no, problems)
    return values, problems


def _convert_list(
    f: FieldSpec, columns: dict[int, dict[str, str]], row: Mapping[str, Any], row_no: int, problems: list[RowProblem]
) -> list[dict]:
    items = []
    for n in sorted(columns):
        raws = {sub: clean_cell(row.get(col, "")) for sub, col in columns[n].items()}
        if not any(raws.values()):
            continue  # an unused list row: fewer items than columns
        item = {
            s.name: _convert_cell(s, f"{f.label}{n}{s.label}", raws.get(s.name, ""), row_no, problems)
            for s in f.subfields
        }
        items.append(item)
    return items


def _convert_cell(f: FieldSpec, label: str, raw: str, row_no: int, problems: list[RowProblem]) -> Any:
    if not raw:
        if f.required:
            problems.append(RowProblem(row_no, f"row {row_no}, {label}: is required but empty"))
        return None
    try:
        return CONVERTERS[f.type](raw, f)
    except ValueError as e:
        problems.append(RowProblem(row_no, f'row {row_no}, {label}: "{raw}" {e}'))
        return None
