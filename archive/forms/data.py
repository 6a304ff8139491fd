"""Reading rows of form data from CSV, Excel (.xlsx) and JSON files.

Every reader returns the same thing: one ``{column header: cell text}`` dict per data row,
in file order, with blank rows kept (as empty dicts of blanks) so that row numbers in error
messages stay those a person sees in the spreadsheet: the header is row 1, the first data
row is row 2.  Only trailing blank rows are dropped.

CSV encodings are detected from the bytes by :func:`dangan.indexer.text.decode_text`, never guessed
from the locale: a UTF-8 BOM, UTF-16 (Excel's "Unicode text"), strict UTF-8, then GB18030 (a
superset of the GBK that Excel writes on Chinese Windows).  A file that is none of these is
reported with the byte position where decoding failed.

List fields come from flat columns numbered from 1 (the convention `dangan forms fields`
prints): ``维修项目1项目名称``, ``维修项目1数量``, ``维修项目2项目名称`` … or in ASCII
``items.1.name``, ``items.1.quantity``.  In JSON a list field may instead be a nested list
of objects (``"items": [{"name": "滤芯", "quantity": 2}]``); it is flattened to the same
numbered columns here, so the rest of dangan sees one shape.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from dangan.indexer.errors import CorruptFileError, EmptyFileError, InputFileError, UnsupportedFileError
from dangan.indexer.text import decode_text

SUPPORTED = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".json")

Row = dict[str, str]


def read_rows(path: Path, *, sheet: str | None = None) -> list[Row]:
    """The data rows of a CSV, XLSX or JSON file as ``{header: text}`` dicts.

    ``sheet`` picks a worksheet of an Excel file by name (default: the first one).  Raises
    InputFileError (or a subclass) naming the file and what to do when the file cannot be
    used: unsupported type, empty, no header row, undecodable bytes, damaged workbook.
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"{path}: no such file; check the path given to --data")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        hint = " (save it from Excel as .xlsx or CSV)" if suffix in (".xls", ".et", ".ods", ".numbers") else ""
        raise UnsupportedFileError(
            f"{path}: {suffix or 'files without an extension'} is not supported{hint}; use .csv, .xlsx or .json"
        )
    if sheet is not None and suffix not in (".xlsx", ".xlsm"):
        raise InputFileError(f"{path}: --sheet only applies to Excel files (.xlsx)")
    if path.stat().st_size == 0:
        raise EmptyFileError(f"{path}: the file is empty; export the data again with a header row")
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet)
    if suffix == ".json":
        return _read_json(path)
    return _read_csv(path)


# --------------------------------------------------------------------------- CSV


# What to do about a file that is neither UTF-8 nor GBK: it is almost always a spreadsheet
# export, so the advice names Excel's own choice.
DECODE_ADVICE = 'save it from Excel as "CSV UTF-8" and try again'


def _read_csv(path: Path) -> list[Row]:
    text, _encoding = decode_text(path.read_bytes(), path, advice=DECODE_ADVICE)
    if not text.strip():
        raise EmptyFileError(f"{path}: the file has no text; export the data again with a header row")
    reader = csv.reader(io.StringIO(text, newline=""), dialect=_dialect(text, path))
    records = []
    try:
        for record in reader:
            records.append(record)
    except csv.Error as e:  # a cell over csv's field limit (131,072 characters), a NUL byte
        raise InputFileError(
            f"{path}: row {reader.line_num}: {_csv_problem(e)}; correct that row in the spreadsheet and export it again"
        ) from e
    return _rows_from_records(path, records)


def _csv_problem(e: csv.Error) -> str:
    text = str(e)
    if text.startswith("field larger than field limit"):
        return f"a cell is longer than {csv.field_size_limit():,} characters, more than any form field holds"
    return f"cannot be read as CSV ({text})"


def _dialect(text: str, path: Path) -> type[csv.Dialect]:
    """Comma-separated, unless the header line is plainly tab-separated (Excel's Unicode text)."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    if path.suffix.lower() == ".tsv" or ("\t" in first and "," not in first):
        return csv.excel_tab
    return csv.excel


def _rows_from_records(path: Path, records: list[list[Any]]) -> list[Row]:
    """Header + data records -> dicts; blank rows kept (row numbers), trailing ones dropped."""
    header = [_cell_text(h) for h in records[0]] if records else []
    if not any(header):
        raise InputFileError(
            f"{path}: the first row is blank, but it must name the columns (e.g. 派工单号,客户名称,…); "
            f"see `dangan forms fields FORM` for the headers a form expects"
        )
    _check_header(path, header)
    body = [list(r) for r in records[1:]]
    while body and not any(_cell_text(c) for c in body[-1]):
        body.pop()
    rows = []
    for record in body:
        cells = [_cell_text(c) for c in record]
        rows.append({h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header) if h})
    return rows


def _check_header(path: Path, header: list[str]) -> None:
    seen: set[str] = set()
    for h in header:
        if h and h in seen:
            raise InputFileError(f"{path}: the column {h} appears twice in the header row; keep one of them")
        seen.add(h)


def _cell_text(value: Any) -> str:
    """One cell as text; Excel dates become YYYY-MM-DD, whole numbers lose their '.0'."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# --------------------------------------------------------------------------- XLSX


def _read_xlsx(path: Path, sheet: str | None) -> list[Row]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # data_only: the values Excel computed for formulas, not the formulas themselves.
        wb = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as e:
        raise CorruptFileError(
            f"{path}: not a readable Excel workbook ({e}); open it in Excel and save it as .xlsx"
        ) from e
    try:
        ws = _worksheet(wb, path, sheet)
        records = [list(r) for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
    if not records:
        raise EmptyFileError(f"{path}: sheet {ws.title} is empty; put a header row in row 1")
    return _rows_from_records(path, records)


def _worksheet(wb, path: Path, sheet: str | None):
    if sheet is None:
        return wb.worksheets[0]
    if sheet in wb.sheetnames:
        return wb[sheet]
    raise InputFileError(f"{path}: no sheet named {sheet}; its sheets are: {', '.join(wb.sheetnames)}")


# --------------------------------------------------------------------------- JSON


def _read_json(path: Path) -> list[Row]:
    text, _encoding = decode_text(path.read_bytes(), path, advice=DECODE_ADVICE)
    try:
        data = json.loads(text, parse_int=_json_number, parse_float=_json_number)
    except json.JSONDecodeError as e:
        raise CorruptFileError(f"{path}: not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})") from e
    except RecursionError as e:  # [[[[… thousands deep: no form's data looks like this
        raise CorruptFileError(
            f"{path}: the JSON is nested too deeply to be form data; give a list of objects, one per form"
        ) from e
    if isinstance(data, dict) and isinstance(data.get("rows"), list):
        data = data["rows"]
    if not isinstance(data, list):
        raise InputFileError(f'{path}: JSON data must be a list of objects, one per form: [{{"派工单号": "…"}}, …]')
    if not data:
        raise EmptyFileError(f"{path}: the JSON list is empty; there is nothing to render")
    rows = []
    for i, obj in enumerate(data, 1):
        if not isinstance(obj, dict):
            raise InputFileError(f"{path}: item {i} of the JSON list is not an object; each form is one {{…}}")
        rows.append(_flatten(path, i, obj))
    return rows


def _flatten(path: Path, i: int, obj: dict) -> Row:
    """One JSON object as flat columns; nested lists become numbered list columns."""
    row: Row = {}
    for key, value in obj.items():
        if isinstance(value, list):
            for n, item in enumerate(value, 1):
                for sub, sub_value in _list_item(path, i, key, n, item):
                    row[f"{key}.{n}.{sub}"] = _json_text(path, i, f"{key}.{n}.{sub}", sub_value)
        else:
            row[str(key)] = _json_text(path, i, key, value)
    return row


def _list_item(path: Path, i: int, key: str, n: int, item: Any) -> list[tuple[str, Any]]:
    if not isinstance(item, dict):
        raise InputFileError(f'{path}: item {i}, {key}[{n}] must be an object like {{"name": "…", "quantity": 2}}')
    return list(item.items())


class _HugeNumber(str):
    """A JSON number too long to be a form value (kept as its text until the field is known)."""


# Digits a JSON number may have: an 18-digit ID number or an amount with cents fits easily;
# 5,000 digits stopped Python's int conversion with an internal error.
MAX_NUMBER_DIGITS = 50


def _json_number(text: str) -> Any:
    """A JSON number as int or float, or a _HugeNumber when it is too long to be a form value."""
    if len(text) > MAX_NUMBER_DIGITS:
        return _HugeNumber(text)
    number = float(text) if any(c in text for c in ".eE") else int(text)
    if isinstance(number, float) and number in (float("inf"), float("-inf")):
        return _HugeNumber(text)  # 1e999: not a number any form prints
    return number


def _json_text(path: Path, i: int, key: str, value: Any) -> str:
    if isinstance(value, _HugeNumber):
        what = f"a number of {len(value):,} characters" if len(value) > MAX_NUMBER_DIGITS else f"the number {value}"
        raise InputFileError(
            f"{path}: item {i}, {key}: {what} is too long for a form (at most {MAX_NUMBER_DIGITS} characters, "
            f"and finite); correct it, or give it as text in quotes"
        )
    if isinstance(value, (dict, list)):
        raise InputFileError(f"{path}: item {i}, {key}: nested objects are not supported here; give text or a number")
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)
