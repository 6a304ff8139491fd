"""Batch form filling: the forms manifest, validation of data rows, rendering and checks.

A form is a Word template (``templates/*.docx``) plus its entry in ``templates/forms.toml``,
which names each field, its Chinese label, type and whether it is required.  Rows of data
(from :mod:`archive.dataio`) are validated against the manifest *before* anything is
written; then every row becomes one .docx (and optionally one PDF through LibreOffice).

Rendering follows docxtpl's rules (``{{ tag }}``, ``{%tr for it in items %}`` …) with
autoescaping on, but each template is parsed and compiled once per worker process and every
row is written straight into a copy of the template's zip package: that is what makes a
batch of a thousand forms take seconds instead of minutes.  Files appear atomically (a
temporary name in the output folder, then ``os.replace``), so an interrupted batch never
leaves a half-written form behind.
"""

from __future__ import annotations

import difflib
import io
import os
import re
import shutil
import signal
import string
import subprocess
import tempfile
import tomllib
import unicodedata
import uuid
import zipfile
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from indexer.errors import (
    DataError,
    InputFileError,
    MissingDependencyError,
    TemplateError,
    UnknownFormError,
    UsageError,
)
from archive.home import shipped_dir

MANIFEST_NAME = "forms.toml"
FIELD_TYPES = ("text", "date", "number", "money", "choice", "list")
# Names every template may use besides the form's own fields.
CONTEXT_NAMES = ("company", "today")
# Placeholders a name pattern may use besides the form's plain fields.
PATTERN_NAMES = ("row", "seq", "form", "title")
LIST_ROW_NUMBER = "no"  # {{ it.no }}: the 1-based number of a list row
BOXES_SUFFIX = "_boxes"  # {{ x_boxes }}: a choice printed as ☑/☐ boxes

_FORM_KEYS = {"id", "title", "aliases", "file", "checklist_item", "name_pattern", "fields"}
_FIELD_KEYS = {"name", "label", "type", "required", "choices", "wide", "subfields"}


# --------------------------------------------------------------------------- manifest


@dataclass(frozen=True)
class FieldSpec:
    """One field of a form: the template tag ``name``, its Chinese ``label`` and type."""

    name: str
    label: str
    type: str = "text"
    required: bool = False
    choices: tuple[str, ...] = ()
    subfields: tuple["FieldSpec", ...] = ()
    wide: bool = False  # layout hint for make_templates.py: a full-width cell


@dataclass(frozen=True)
class FormSpec:
    """One form of the manifest; ``dirs`` are searched in order for its template file."""

    id: str
    title: str
    file: str
    checklist_item: str
    name_pattern: str
    fields: tuple[FieldSpec, ...]
    aliases: tuple[str, ...] = ()
    dirs: tuple[Path, ...] = ()

    def template_path(self) -> Path:
        """The template to use: the home's copy when there is one, else the shipped one."""
        for d in self.dirs:
            candidate = d / self.file
            if candidate.is_file():
                return candidate
        searched = ", ".join(str(d) for d in self.dirs) or "(no folder)"
        raise TemplateError(
            f"template {self.file} of form {self.id} ({self.title}) not found in {searched}; "
            f"restore it from the shipped templates or fix `file` in {MANIFEST_NAME}"
        )

    def field(self, name: str) -> FieldSpec | None:
        """The field called ``name``, or None."""
        return next((f for f in self.fields if f.name == name), None)


def shipped_templates_dir() -> Path:
    """The folder of the templates and manifest shipped with dangan."""
    return shipped_dir("templates")


def load_manifest(home_templates_dir: Path | None = None) -> dict[str, FormSpec]:
    """All forms by id: the shipped manifest, overridden form by form by the home's copy.

    A form defined in the home's ``forms.toml`` replaces the shipped form of the same id;
    forms only the shipped manifest knows stay available (so an upgrade's new forms appear
    in an old home).  Template files are looked up in the home folder first.
    """
    shipped = shipped_templates_dir()
    dirs = (Path(home_templates_dir), shipped) if home_templates_dir else (shipped,)
    forms = _read_manifest(shipped / MANIFEST_NAME, dirs)
    if home_templates_dir is not None:
        home_manifest = Path(home_templates_dir) / MANIFEST_NAME
        if home_manifest.is_file():
            forms.update(_read_manifest(home_manifest, dirs))
    return forms


def find_form(forms: Mapping[str, FormSpec], key: str) -> FormSpec:
    """The form named ``key`` by id, Chinese title, alias or template file name."""
    wanted = key.strip()
    folded = wanted.casefold()
    for form in forms.values():
        names = (form.id, form.title, *form.aliases, form.file, Path(form.file).stem)
        if wanted in names or folded in (n.casefold() for n in names):
            return form
    known = ", ".join(f"{f.id} ({f.title})" for f in forms.values())
    raise UnknownFormError(f'no form "{key}"; known forms: {known}; see `dangan forms list`')


def _read_manifest(path: Path, dirs: tuple[Path, ...]) -> dict[str, FormSpec]:
    """Parse and check one forms.toml; every problem names the file, form and field."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise TemplateError(f"{path}: {e}; fix the file (it is TOML)") from e
    except (OSError, UnicodeDecodeError) as e:
        raise TemplateError(f"{path}: cannot be read ({e}); restore it from the shipped copy") from e
    entries = data.get("forms")
    if not isinstance(entries, list) or not entries:
        raise TemplateError(f"{path}: no [[forms]] entries; each form is a [[forms]] table")
    forms: dict[str, FormSpec] = {}
    for n, entry in enumerate(entries, 1):
        form = _form_from_toml(path, n, entry, dirs)
        if form.id in forms:
            raise TemplateError(f"{path}: form id {form.id!r} is defined twice; ids must be unique")
        forms[form.id] = form
    return forms


def _form_from_toml(path: Path, n: int, entry: Any, dirs: tuple[Path, ...]) -> FormSpec:
    where = f"{path}: form #{n}"
    if not isinstance(entry, dict):
        raise TemplateError(f"{where}: must be a table")
    form_id = entry.get("id")
    if not isinstance(form_id, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", form_id):
        raise TemplateError(f"{where}: id must be an ASCII slug like dispatch_ticket, not {form_id!r}")
    where = f"{path}: form {form_id}"
    _no_unknown_keys(where, entry, _FORM_KEYS)
    for key in ("title", "file"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise TemplateError(f"{where}: `{key}` is missing")
    raw_fields = entry.get("fields")
    if not isinstance(raw_fields, list) or not raw_fields:
        raise TemplateError(f"{where}: `fields` must list at least one field")
    fields = tuple(_field_from_toml(where, f, nested=False) for f in raw_fields)
    _no_duplicate_names(where, fields)
    form = FormSpec(
        id=form_id,
        title=entry["title"].strip(),
        file=entry["file"].strip(),
        checklist_item=str(entry.get("checklist_item", "")).strip(),
        name_pattern=str(entry.get("name_pattern") or "{row}"),
        fields=fields,
        aliases=tuple(str(a) for a in entry.get("aliases", [])),
        dirs=dirs,
    )
    problem = pattern_problem(form, form.name_pattern)
    if problem:
        raise TemplateError(f"{where}: name_pattern {form.name_pattern!r}: {problem}")
    return form


def _field_from_toml(where: str, raw: Any, *, nested: bool) -> FieldSpec:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        raise TemplateError(f"{where}: every field needs a `name`: {raw!r}")
    name = raw["name"]
    where = f"{where}, field {name}"
    _no_unknown_keys(where, raw, _FIELD_KEYS)
    if not name.isidentifier() or not name.isascii() or name in CONTEXT_NAMES or name == LIST_ROW_NUMBER:
        raise TemplateError(
            f"{where}: name must be an ASCII identifier (letters, digits, _) and not one of "
            f"{', '.join(CONTEXT_NAMES + (LIST_ROW_NUMBER,))}"
        )
    ftype = raw.get("type", "text")
    if ftype not in FIELD_TYPES or (nested and ftype == "list"):
        allowed = FIELD_TYPES[:-1] if nested else FIELD_TYPES
        raise TemplateError(f"{where}: type must be one of {', '.join(allowed)}, not {ftype!r}")
    choices = tuple(str(c) for c in raw.get("choices", []))
    if ftype == "choice" and not choices:
        raise TemplateError(f"{where}: a choice field needs `choices = [...]`")
    subfields: tuple[FieldSpec, ...] = ()
    if ftype == "list":
        subs = raw.get("subfields")
        if not isinstance(subs, list) or not subs:
            raise TemplateError(f"{where}: a list field needs `subfields = [...]`")
        subfields = tuple(_field_from_toml(where, s, nested=True) for s in subs)
        _no_duplicate_names(where, subfields)
    return FieldSpec(
        name=name,
        label=str(raw.get("label") or name).strip(),
        type=ftype,
        required=bool(raw.get("required", False)),
        choices=choices,
        subfields=subfields,
        wide=bool(raw.get("wide", False)),
    )


def _no_unknown_keys(where: str, raw: dict, allowed: set[str]) -> None:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise TemplateError(f"{where}: unknown key {unknown[0]!r}; allowed keys: {', '.join(sorted(allowed))}")


def _no_duplicate_names(where: str, fields: Sequence[FieldSpec]) -> None:
    seen: dict[str, str] = {}
    for f in fields:
        for key in (_norm(f.name), _norm(f.label)):
            if key in seen and seen[key] != f.name:
                raise TemplateError(f"{where}: fields {seen[key]} and {f.name} share the name or label {key!r}")
            seen[key] = f.name


def pattern_problem(form: FormSpec, pattern: str) -> str | None:
    """Why ``pattern`` cannot name this form's output files, or None when it can."""
    allowed = {f.name for f in form.fields if f.type != "list"} | set(PATTERN_NAMES)
    try:
        parsed = list(string.Formatter().parse(pattern))
    except ValueError as e:
        return f"{e}; write placeholders as {{field}}"
    for _text, name, _spec, _conv in parsed:
        if name is None:
            continue
        base = re.split(r"[.\[]", name, maxsplit=1)[0]
        if base not in allowed:
            return f"{{{name}}} is no field of {form.title}; use one of: {', '.join(sorted(allowed))}"
    return None


LIST_CONVENTION = (
    "List fields take one column per list row and sub-field, numbered from 1: "
    "{example}. Add as many numbers as the longest list needs; a number whose cells are all "
    "empty is skipped. ASCII headers work too ({ascii}). In JSON a list field may be a nested "
    "list of objects instead."
)


def example_header(form: FormSpec, list_rows: int = 2) -> list[str]:
    """Column headers a spreadsheet for this form can use: the labels, list columns numbered."""
    header = []
    for f in form.fields:
        if f.type != "list":
            header.append(f.label)
            continue
        for n in range(1, list_rows + 1):
            header += [f"{f.label}{n}{s.label}" for s in f.subfields]
    return header


def list_convention(form: FormSpec) -> str:
    """How this form's list fields are spelled in flat CSV/XLSX columns ("" when it has none)."""
    lst = next((f for f in form.fields if f.type == "list"), None)
    if lst is None:
        return ""
    sub = lst.subfields[0]
    example = f"{lst.label}1{sub.label}, {lst.label}1{lst.subfields[-1].label}, {lst.label}2{sub.label} …"
    return LIST_CONVENTION.format(example=example, ascii=f"{lst.name}.1.{sub.name}")


def form_to_json(form: FormSpec) -> dict[str, Any]:
    """The form's manifest entry as plain data (for --json)."""

    def field_json(f: FieldSpec) -> dict[str, Any]:
        d: dict[str, Any] = {"name": f.name, "label": f.label, "type": f.type, "required": f.required}
        if f.choices:
            d["choices"] = list(f.choices)
        if f.subfields:
            d["subfields"] = [field_json(s) for s in f.subfields]
        return d

    return {
        "id": form.id, "title": form.title, "aliases": list(form.aliases), "file": form.file,
        "checklist_item": form.checklist_item or None, "name_pattern": form.name_pattern,
        "fields": [field_json(f) for f in form.fields],
    }  # fmt: skip


# --------------------------------------------------------------------------- validation


@dataclass(frozen=True)
class _Problem:
    row: int | None  # None: a problem of the columns, not of one row
    text: str


def _norm(header: str) -> str:
    """A column header reduced for matching: width-folded, lower-case, no spaces or separators."""
    folded = unicodedata.normalize("NFKC", str(header)).casefold()
    return re.sub(r"[\s_\-.·:*]+", "", folded)


@dataclass
class _Columns:
    """Which column of the data fills which field (or which list row's sub-field)."""

    plain: dict[str, str] = field(default_factory=dict)  # field name -> column
    listed: dict[str, dict[int, dict[str, str]]] = field(default_factory=dict)  # list -> n -> sub -> column


def _map_columns(form: FormSpec, headers: Iterable[str]) -> tuple[_Columns, list[_Problem]]:
    """Match data columns to fields by name or Chinese label; unknown columns are problems."""
    by_key: dict[str, FieldSpec] = {}
    for f in form.fields:
        by_key[_norm(f.name)] = f
        by_key[_norm(f.label)] = f
    cols, problems, filled_by = _Columns(), [], {}
    for header in headers:
        if not str(header).strip():
            continue
        target = _column_target(form, by_key, header)
        if target is None:
            problems.append(_Problem(None, _unknown_column(form, header)))
            continue
        if target in filled_by:
            problems.append(_Problem(None, f'columns "{filled_by[target]}" and "{header}" fill the same field; keep one'))
            continue
        filled_by[target] = header
        if len(target) == 1:
            cols.plain[target[0]] = header
        else:
            cols.listed.setdefault(target[0], {}).setdefault(target[1], {})[target[2]] = header
    for f in form.fields:
        if f.required and f.type != "list" and f.name not in cols.plain:
            problems.append(_Problem(None, f"column {f.label} is missing; it is required (head a column {f.label} or {f.name})"))
    return cols, problems


def _column_target(form: FormSpec, by_key: dict[str, FieldSpec], header: str) -> tuple | None:
    """(field,) for a plain field, (list, n, sub) for a list column, None when unknown."""
    key = _norm(header)
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
    sub = next((s for s in lst.subfields if m.group(3) in (_norm(s.name), _norm(s.label))), None)
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


def validate_rows(form: FormSpec, rows: Sequence[Mapping[str, Any]]) -> tuple[list[dict], list[str]]:
    """Typed values of every valid row and one line per problem.

    Columns are matched by field name or Chinese label.  Row numbers are those a person
    sees in the spreadsheet: the header is row 1, the first data row is row 2.  Blank rows
    are skipped silently.  Each typed row carries its row number under ``_row``.
    """
    typed, problems = _validate(form, rows)
    return typed, [p.text for p in problems]


def _validate(form: FormSpec, rows: Sequence[Mapping[str, Any]]) -> tuple[list[dict], list[_Problem]]:
    headers: dict[str, None] = {}
    for row in rows:
        headers.update(dict.fromkeys(row))
    cols, problems = _map_columns(form, headers)
    typed = []
    for i, row in enumerate(rows):
        if not any(_clean(v) for v in row.values()):
            continue
        values, row_problems = _convert_row(form, cols, row, i + 2)
        problems += row_problems
        if not row_problems:
            typed.append(values)
    return typed, problems


def _convert_row(form: FormSpec, cols: _Columns, row: Mapping[str, Any], row_no: int) -> tuple[dict, list[_Problem]]:
    values: dict[str, Any] = {"_row": row_no}
    problems: list[_Problem] = []
    for f in form.fields:
        if f.type == "list":
            values[f.name] = _convert_list(f, cols.listed.get(f.name, {}), row, row_no, problems)
            continue
        if f.name not in cols.plain:
            values[f.name] = None  # a missing required column was reported once, not per row
            continue
        values[f.name] = _convert_cell(f, f.label, _clean(row.get(cols.plain[f.name], "")), row_no, problems)
    return values, problems


def _convert_list(
    f: FieldSpec, columns: dict[int, dict[str, str]], row: Mapping[str, Any], row_no: int, problems: list[_Problem]
) -> list[dict]:
    items = []
    for n in sorted(columns):
        raws = {sub: _clean(row.get(col, "")) for sub, col in columns[n].items()}
        if not any(raws.values()):
            continue  # an unused list row: fewer items than columns
        item = {
            s.name: _convert_cell(s, f"{f.label}{n}{s.label}", raws.get(s.name, ""), row_no, problems)
            for s in f.subfields
        }
        items.append(item)
    return items


def _convert_cell(f: FieldSpec, label: str, raw: str, row_no: int, problems: list[_Problem]) -> Any:
    if not raw:
        if f.required:
            problems.append(_Problem(row_no, f"row {row_no}, {label}: is required but empty"))
        return None
    try:
        return _CONVERTERS[f.type](raw, f)
    except ValueError as e:
        problems.append(_Problem(row_no, f'row {row_no}, {label}: "{raw}" {e}'))
        return None


_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(value: Any) -> str:
    """A cell as text: stripped, Windows line ends folded, characters Word cannot hold removed."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return _INVALID_XML.sub("", text).strip()


_DATE = re.compile(
    r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
    r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
)
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")


def parse_date(raw: str, _field: FieldSpec | None = None) -> date | datetime:
    """A date written YYYY-MM-DD (or 2024/3/5, 2024.3.5, 2024年3月5日, 20240305), with an
    optional time HH:MM[:SS]; raises ValueError with the user-facing reason."""
    text = unicodedata.normalize("NFKC", raw).strip()
    m = _DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    if not m:
        raise ValueError("is not a date, use YYYY-MM-DD")
    parts = [int(g) if g else 0 for g in m.groups()]
    try:
        if len(parts) > 3 and m.group(4):
            return datetime(*parts[:6])
        return date(*parts[:3])
    except ValueError:
        raise ValueError("is not a date, use YYYY-MM-DD") from None


def _decimal(raw: str) -> Decimal:
    text = unicodedata.normalize("NFKC", raw).strip().replace(",", "").replace(" ", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError from None
    if not value.is_finite():
        raise ValueError
    return value


def parse_number(raw: str, _field: FieldSpec | None = None) -> Decimal:
    """A number such as 12, 3.5 or 1,200; raises ValueError with the user-facing reason."""
    try:
        return _decimal(raw)
    except ValueError:
        raise ValueError("is not a number, use digits like 12 or 3.5") from None


def parse_money(raw: str, _field: FieldSpec | None = None) -> Decimal:
    """An amount such as 120, 120.50, ¥1,280 or 80元, rounded to fen (0.01)."""
    text = unicodedata.normalize("NFKC", raw).strip()
    text = re.sub(r"^(?:¥|RMB|CNY)\s*|\s*元$", "", text, flags=re.IGNORECASE)
    try:
        return _decimal(text).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except ValueError:
        raise ValueError("is not an amount of money, use digits like 120 or 120.50") from None


def parse_choice(raw: str, f: FieldSpec) -> str:
    """One of the field's choices (width-folded and space-insensitive)."""
    key = _norm(raw)
    for choice in f.choices:
        if _norm(choice) == key:
            return choice
    raise ValueError(f"is not one of {', '.join(f.choices)}")


_CONVERTERS: dict[str, Callable[[str, FieldSpec], Any]] = {
    "text": lambda raw, _f: raw,
    "date": parse_date,
    "number": parse_number,
    "money": parse_money,
    "choice": parse_choice,
}


# --------------------------------------------------------------------------- display


def display(f: FieldSpec, value: Any) -> Any:
    """A typed value as printed on the form (lists become lists of printed sub-values)."""
    if value is None or value == "":
        return [] if f.type == "list" else ""
    if f.type == "list":
        return [
            {LIST_ROW_NUMBER: str(n), **{s.name: display(s, item.get(s.name)) for s in f.subfields}}
            for n, item in enumerate(value, 1)
        ]
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if f.type == "money":
        return f"{value:.2f}"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def choice_boxes(f: FieldSpec, value: Any) -> str:
    """All choices as ticked/unticked boxes, the way paper forms print them: ☑免费　☐收费."""
    return "\u3000".join(("☑" if c == value else "☐") + c for c in f.choices)


def form_context(form: FormSpec, values: Mapping[str, Any], *, company: str = "") -> dict[str, Any]:
    """What a template sees for one typed row: printed values, choice boxes, company, today."""
    ctx: dict[str, Any] = {"company": company, "today": date.today().isoformat()}
    for f in form.fields:
        ctx[f.name] = display(f, values.get(f.name))
        if f.type == "choice":
            ctx[f.name + BOXES_SUFFIX] = choice_boxes(f, values.get(f.name))
    return ctx


# --------------------------------------------------------------------------- templates


def _jinja_env():
    """The Jinja environment of every render and check: autoescape on, so & < > print as such."""
    from jinja2 import Environment

    return Environment(autoescape=True)


@dataclass
class _Source:
    """One part of a template as Jinja source, and where its lines sit in the document."""

    part: str  # zip member name, e.g. word/document.xml
    src: str
    paragraphs: list[tuple[str, str]]  # (location, text) of every paragraph of the part
    prefix: str = ""  # "header " etc.; empty for the body

    def place(self, line: int) -> str:
        """Where source line ``line`` (1-based) sits, as a person finds it in Word."""
        lines = self.src.split("\n")
        text = re.sub(r"<[^>]+>", "", lines[max(1, min(line, len(lines))) - 1]).strip()
        if not text:
            return f"{self.prefix}(between paragraphs)".strip()
        for where, para_text in self.paragraphs:
            if para_text and (text in para_text or para_text in text):
                return f'{self.prefix}{where} "{_short(text)}"'
        return f'{self.prefix}"{_short(text)}"'


class CompiledTemplate:
    """A .docx template read, patched and compiled once, then rendered into many files.

    It applies docxtpl's own preprocessing (``patch_xml``) and postprocessing
    (listing/newline handling, table-grid fixes, drawing ids) but writes each result straight
    into a copy of the template's zip, so the per-row cost is one Jinja render and one zip.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self._helper, doc = _open_docx(self.path)
        entries = _zip_entries(self.path)
        self.sources = _template_sources(self.path, self._helper, doc, entries)
        self._head, self._tail = _split_document(doc)
        # docxtpl's table-grid and drawing-id fixes only change something when columns are
        # looped ({%tc %}) or drawings can repeat; skipping them otherwise halves the cost.
        body = self.sources[0].src
        self._fix_tables = bool(re.search(r"\{%-?\s*tc\b", _body_text(doc))) or "docPr" in body
        env = _jinja_env()
        self._compiled = {}
        for s in self.sources:
            try:
                self._compiled[s.part] = env.from_string(s.src)
            except _jinja_syntax_error() as e:
                raise TemplateError(f"{self.path}: {_syntax_message(s, e)}; fix the tag in Word") from e
        self._base = _base_zip(entries, {s.part for s in self.sources})

    def render(self, context: Mapping[str, Any]) -> dict[str, bytes]:
        """The rendered parts (zip member -> bytes) for one context."""
        out = {}
        for s in self.sources:
            xml = _postprocess(self._helper, self._compiled[s.part].render(context))
            if s.part == self._main_part:
                body = _fix_body(self._helper, xml) if self._fix_tables else xml
                xml = self._head + body + self._tail
            else:
                xml = _XML_DECL + xml
            out[s.part] = xml.encode("utf-8")
        return out

    @property
    def _main_part(self) -> str:
        return self.sources[0].part

    def write(self, context: Mapping[str, Any], out: Path) -> None:
        """Render ``context`` into the .docx ``out`` (the caller makes it atomic).

        The unchanged parts were compressed once into ``_base``; each form copies those bytes
        and appends only its rendered parts, instead of recompressing styles, theme and fonts.
        """
        rendered = self.render(context)
        buf = io.BytesIO(self._base)
        with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as zf:
            for name, data in rendered.items():
                zf.writestr(zipfile.ZipInfo(name, date_time=_ZIP_TIME), data, compress_type=zipfile.ZIP_DEFLATED)
        out.write_bytes(buf.getvalue())


_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so the same data always gives the same bytes


def _base_zip(entries: list[tuple[zipfile.ZipInfo, bytes]], rendered: set[str]) -> bytes:
    """The template's parts that are never rendered, compressed once."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, blob in entries:
            if info.filename not in rendered:
                zf.writestr(zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME), blob, compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def _body_text(doc) -> str:
    """The body's text with the XML removed, so a tag Word split across runs still reads whole."""
    from lxml import etree

    return re.sub(r"<[^>]+>", "", etree.tostring(doc.element.body, encoding="unicode"))


_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_BODY_MARK = "dangan-body-mark"


def _jinja_syntax_error():
    from jinja2 import TemplateSyntaxError

    return TemplateSyntaxError


def _open_docx(path: Path):
    """docxtpl's helper object (for its XML fixes) and the parsed document."""
    from docx.opc.exceptions import PackageNotFoundError
    from docxtpl import DocxTemplate

    helper = DocxTemplate(str(path))
    try:
        helper.init_docx()
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError) as e:
        raise TemplateError(f"{path}: not a Word .docx file ({e}); save it from Word as .docx") from e
    except OSError as e:
        raise TemplateError(f"{path}: cannot be read ({e})") from e
    return helper, helper.docx


def _zip_entries(path: Path) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(path) as zf:
        return [(info, zf.read(info)) for info in zf.infolist()]


def _template_sources(path: Path, helper, doc, entries) -> list[_Source]:
    """The body, then every header, footer and footnote part that holds a tag, as Jinja source."""
    from docx.oxml import parse_xml

    body_xml = helper.xml_to_string(doc.element.body)
    main = doc.part.partname.lstrip("/")
    sources = [_source(helper, main, body_xml, doc.element.body, "")]
    names = {info.filename for info, _ in entries}
    for rel in doc.part.rels.values():
        if rel.is_external or rel.reltype not in _EXTRA_PART_TYPES:
            continue
        part = rel.target_part
        name = part.partname.lstrip("/")
        if name not in names:
            continue
        element = parse_xml(part.blob)
        xml = helper.xml_to_string(element)
        src = _source(helper, name, xml, element, _EXTRA_PART_TYPES[rel.reltype] + " ")
        if re.search(r"\{[{%#]", src.src):
            sources.append(src)
    return sources


_EXTRA_PART_TYPES = {
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header": "header",
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer": "footer",
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes": "footnotes",
}


def _source(helper, part: str, xml: str, element, prefix: str) -> _Source:
    """docxtpl's preprocessing of one part; every paragraph starts a new source line, so a
    Jinja line number leads back to a paragraph."""
    src = re.sub(r"<w:p([ >])", r"\n<w:p\1", helper.patch_xml(xml))
    return _Source(part=part, src=src, paragraphs=list(_paragraph_places(element)), prefix=prefix)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _paragraph_places(element) -> Iterable[tuple[str, str]]:
    """(location, text) of every paragraph: "table 2, row 3, cell 1" or "paragraph 5"."""
    from docx.oxml.ns import qn

    body_paras = 0
    # Keyed by the elements themselves: holding them keeps lxml's proxies (and so their
    # identity) alive while we look them up.
    tables = {t: n for n, t in enumerate(element.iter(qn("w:tbl")), 1)}
    for p in element.iter(qn("w:p")):
        text = "".join(t.text or "" for t in p.iter(qn("w:t")))
        tc = next((a for a in p.iterancestors(qn("w:tc"))), None)
        if tc is None:
            body_paras += 1
            yield f"paragraph {body_paras}", text
            continue
        # Through ancestors, not parents: rows may sit inside content controls (w:sdt).
        tr = next(tc.iterancestors(qn("w:tr")))
        tbl = next(tr.iterancestors(qn("w:tbl")))
        row = _position(tbl.iter(qn("w:tr")), tr)
        cell = _position(tr.iter(qn("w:tc")), tc)
        yield f"table {tables.get(tbl, '?')}, row {row}, cell {cell}", text


def _position(elements: Iterable, wanted) -> int | str:
    """1-based position of ``wanted`` among ``elements`` ("?" if it is not there)."""
    return next((n for n, e in enumerate(elements, 1) if e is wanted), "?")


def _syntax_message(source: _Source, e) -> str:
    return f"tag syntax error in {source.place(e.lineno or 1)}: {e.message}"


def _split_document(doc) -> tuple[str, str]:
    """The document part's XML before and after its body, so a rendered body can be spliced in."""
    from copy import deepcopy

    from lxml import etree

    root = deepcopy(doc.element)
    body = root.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}body")
    root.replace(body, etree.Element(_BODY_MARK))
    xml = etree.tostring(root, encoding="unicode")
    head, tail = xml.split(f"<{_BODY_MARK}/>")
    return _XML_DECL + head, tail


def _postprocess(helper, xml: str) -> str:
    """docxtpl's steps after Jinja: paragraph joins, escaped-brace markers, newlines as breaks."""
    xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
    xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    # resolve_listing only rewrites tabs, line and page breaks in values: skip its regex
    # passes over the whole document when the rendered text has none.
    if any(c in xml for c in "\t\n\a\f"):
        xml = helper.resolve_listing(xml)
    return xml


def _fix_body(helper, xml: str) -> str:
    """docxtpl's table-grid and drawing-id fixes on a rendered body."""
    from lxml import etree

    tree = helper.fix_tables(xml)
    helper.docx_ids_index = 1000
    helper.fix_docpr_ids(tree)
    return etree.tostring(tree, encoding="unicode")


def check_template(path: Path, form: FormSpec | None = None) -> list[str]:
    """Problems of a template: Jinja syntax errors with their place in the document and,
    given the form, tags the manifest does not know and fields the template never uses."""
    return [p.text for p in _check(Path(path), form)]


@dataclass(frozen=True)
class Finding:
    """One problem of a template; ``kind`` is "syntax", "unknown" (a tag the manifest does not
    know) or "unused" (a field the template never prints, which may be on purpose)."""

    kind: str
    text: str


def inspect_template(path: Path, form: FormSpec | None = None) -> list[Finding]:
    """Like check_template, with each problem's kind (so callers can tell errors from notes)."""
    return _check(Path(path), form)


def _check(path: Path, form: FormSpec | None) -> list[Finding]:
    helper, doc = _open_docx(path)
    return _check_sources(path, form, _template_sources(path, helper, doc, _zip_entries(path)))


def _check_names(path: Path, form: FormSpec, parsed: list) -> list[Finding]:
    """Unknown tags (with where they are) and fields never printed."""
    from jinja2 import meta

    known = {f.name for f in form.fields} | set(CONTEXT_NAMES)
    known |= {f.name + BOXES_SUFFIX for f in form.fields if f.type == "choice"}
    used: set[str] = set()
    findings = []
    for source, ast in parsed:
        names = meta.find_undeclared_variables(ast)
        used |= names
        for name in sorted(names - known):
            findings.append(Finding("unknown", _unknown_tag(path, form, source, name, sorted(known))))
        for lst, attr in _list_attributes(form, ast):
            used.add(f"{lst.name}.{attr}")
            if attr != LIST_ROW_NUMBER and not _has_sub(lst, attr):
                subs = ", ".join(s.name for s in lst.subfields)
                findings.append(
                    Finding("unknown", f"{path.name}: tag .{attr} in the {lst.label} rows ({_place_of(source, attr)}) "
                             f"is no sub-field of {lst.label}; use one of: {LIST_ROW_NUMBER}, {subs}")
                )
    findings += [Finding("unused", t) for t in _unused(path, form, used)]
    return findings


def _has_sub(lst: FieldSpec, attr: str) -> bool:
    return any(s.name == attr for s in lst.subfields)


def _unknown_tag(path: Path, form: FormSpec, source: _Source, name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return (
        f"{path.name}: tag {{{{ {name} }}}} in {_place_of(source, name)} is no field of {form.title}{hint}; "
        f"fix the tag in Word or add the field to {MANIFEST_NAME}"
    )


def _place_of(source: _Source, name: str) -> str:
    """The first place whose source line uses ``name`` inside a tag."""
    pattern = re.compile(r"\{[{%][^}]*\b" + re.escape(name) + r"\b")
    for n, line in enumerate(source.src.split("\n"), 1):
        if pattern.search(line):
            return source.place(n)
    return source.part


def _list_attributes(form: FormSpec, ast) -> Iterable[tuple[FieldSpec, str]]:
    """(list field, attribute) for every ``it.attr`` inside ``{% for it in list %}``."""
    from jinja2 import nodes

    lists = {f.name: f for f in form.fields if f.type == "list"}
    for loop in ast.find_all(nodes.For):
        if not (isinstance(loop.iter, nodes.Name) and isinstance(loop.target, nodes.Name)):
            continue
        lst = lists.get(loop.iter.name)
        if lst is None:
            continue
        var = loop.target.name
        for node in loop.find_all(nodes.Getattr):
            if isinstance(node.node, nodes.Name) and node.node.name == var:
                yield lst, node.attr


def _unused(path: Path, form: FormSpec, used: set[str]) -> list[str]:
    out = []
    for f in form.fields:
        if f.name not in used and f.name + BOXES_SUFFIX not in used:
            out.append(
                f"{path.name}: field {f.label} ({f.name}) is never printed; add {{{{ {f.name} }}}} "
                f"where it belongs, or ignore this if it is left out on purpose"
            )
            continue
        for s in f.subfields:
            if f"{f.name}.{s.name}" not in used:
                out.append(f"{path.name}: sub-field {f.label}{s.label} ({f.name}.{s.name}) is never printed")
    return out


def _check_sources(path: Path, form: FormSpec | None, sources: list[_Source]) -> list[Finding]:
    """Syntax errors of every part and, given the form, unknown and unused names."""
    env = _jinja_env()
    findings: list[Finding] = []
    parsed = []
    for s in sources:
        try:
            parsed.append((s, env.parse(s.src)))
        except _jinja_syntax_error() as e:
            findings.append(Finding("syntax", f"{path.name}: {_syntax_message(s, e)}"))
    if form is not None and not findings:
        findings += _check_names(path, form, parsed)
    return findings


# --------------------------------------------------------------------------- rendering


@dataclass(frozen=True)
class Rendered:
    """One rendered form: the spreadsheet row it came from and the files written for it."""

    row: int
    docx: Path
    pdf: Path | None = None


Progress = Callable[[str], None]  # called with "docx" or "pdf" once per finished file


def render_batch(
    form: FormSpec,
    rows: Sequence[Mapping[str, Any]],
    out_dir: Path,
    *,
    jobs: int | None = None,
    pdf: bool = False,
    name_pattern: str | None = None,
    skip_invalid: bool = False,
    company: str = "",
    progress: Progress | None = None,
) -> list[Rendered]:
    """Render one .docx per data row into ``out_dir`` (and a PDF beside each with ``pdf``).

    Every row is validated first: with any problem (and not ``skip_invalid``) a DataError
    listing them is raised and nothing is written.  Problems with the columns themselves
    stop the batch even with ``skip_invalid``.  ``jobs`` worker processes (default: one per
    CPU) each load the template once; batches smaller than ``PARALLEL_MIN_ROWS`` render in
    this process, where a pool would cost more than it saves (the files are identical
    either way).  Existing files of the same name are replaced.  With ``pdf`` a PDF is made
    beside each .docx; LibreOffice is looked for before anything is written.
    """
    if not any(_clean(v) for row in rows for v in row.values()):
        raise DataError(f"no {form.title} to render: the data has no rows")
    typed, problems = _validate(form, rows)
    _stop_on_problems(form, typed, problems, skip_invalid)
    pattern = name_pattern or form.name_pattern
    problem = pattern_problem(form, pattern)
    if problem:
        raise UsageError(f'name pattern "{pattern}": {problem}')
    if pdf:
        find_soffice()  # before writing anything: a missing LibreOffice should not leave half a job
    template = form.template_path()
    renderer = CompiledTemplate(template)
    _stop_on_template_problems(template, form, renderer.sources)
    out = _prepare_out_dir(Path(out_dir))
    contexts = [form_context(form, values, company=company) for values in typed]
    names = output_names(form, typed, contexts, pattern)
    tasks = [(v["_row"], ctx, str(out / name)) for v, ctx, name in zip(typed, contexts, names)]
    jobs = max(1, jobs or os.cpu_count() or 1)
    paths = _render_all(renderer, tasks, jobs, progress)
    pdfs: list[Path | None] = [None] * len(paths)
    if pdf:
        pdfs = list(convert_to_pdf(paths, jobs=jobs, progress=progress))
    return [Rendered(row=t[0], docx=p, pdf=q) for t, p, q in zip(tasks, paths, pdfs)]


def _stop_on_problems(form: FormSpec, typed: list[dict], problems: list[_Problem], skip_invalid: bool) -> None:
    texts = [p.text for p in problems]
    if any(p.row is None for p in problems):
        raise DataError(f"the data's columns do not fit {form.title}; nothing was written", texts)
    if problems and not skip_invalid:
        bad = len({p.row for p in problems})
        raise DataError(
            f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {bad} of {len(typed) + bad} rows "
            f"of {form.title} data; nothing was written (fix them, or render only the valid rows with --skip-invalid)",
            texts,
        )
    if not typed:
        raise DataError(f"no {form.title} to render: every row has problems", texts)


def _stop_on_template_problems(path: Path, form: FormSpec, sources: list[_Source]) -> None:
    """Unknown tags would print as blanks on every form: refuse them before writing."""
    blocking = [f.text for f in _check_sources(path, form, sources) if f.kind != "unused"]
    if blocking:
        more = f" (and {len(blocking) - 1} more; see `dangan forms check {path}`)" if len(blocking) > 1 else ""
        raise TemplateError(blocking[0] + more)


def _prepare_out_dir(out: Path) -> Path:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as e:
        raise UsageError(f"--out {out}: is a file, not a folder; choose a folder") from e
    except OSError as e:
        raise UsageError(f"--out {out}: cannot create the folder ({e.strerror}); choose another") from e
    return out


_UNSAFE_CHARS = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
_RESERVED_NAMES = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{i}" for p in ("COM", "LPT") for i in range(1, 10)}
MAX_NAME_BYTES = 150  # leaves room for _NN, .docx and the temporary prefix under the 255-byte limit


def safe_filename(text: str) -> str:
    """``text`` made usable as a file name on Windows and Linux (may return "")."""
    name = _UNSAFE_CHARS.sub("_", unicodedata.normalize("NFC", text))
    name = re.sub(r"\s+", " ", name).strip(" .")
    if name.split(".")[0].upper() in _RESERVED_NAMES:
        name = "_" + name
    while len(name.encode("utf-8")) > MAX_NAME_BYTES:
        name = name[:-1]
    return name.rstrip(" .")


def output_names(form: FormSpec, typed: Sequence[Mapping[str, Any]], contexts: Sequence[Mapping[str, Any]], pattern: str) -> list[str]:
    """One safe, unique .docx name per row from ``pattern``; repeats get _2, _3 (case-blind,
    as on Windows)."""
    seen: set[str] = set()
    names = []
    for seq, (values, ctx) in enumerate(zip(typed, contexts), 1):
        fields = {k: v for k, v in ctx.items() if isinstance(v, str)}
        fields.update(row=values["_row"], seq=seq, form=form.id, title=form.title)
        try:
            raw = pattern.format_map(fields)
        except (ValueError, KeyError, IndexError, AttributeError, TypeError) as e:
            raise UsageError(f'name pattern "{pattern}": {e}; write placeholders as {{field}}') from e
        base = safe_filename(raw) or f"{form.id}_{values['_row']}"
        name, n = base, 2
        while name.casefold() in seen:
            name, n = f"{base}_{n}", n + 1
        seen.add(name.casefold())
        names.append(name + ".docx")
    return names


_Task = tuple[int, dict, str]  # (spreadsheet row, template context, final path)


# Below this many rows a process pool's start-up (about a second: new interpreters, imports,
# compiling the template) costs more than rendering in this process; see bench/FORMS.md.
PARALLEL_MIN_ROWS = 200


def _render_all(renderer: CompiledTemplate, tasks: list[_Task], jobs: int, progress: Progress | None) -> list[Path]:
    tick = progress or (lambda _step: None)
    if jobs == 1 or len(tasks) < max(2, PARALLEL_MIN_ROWS):
        out = []
        for task in tasks:
            out.append(_render_task(renderer, task))
            tick("docx")
        return out
    workers = min(jobs, len(tasks))
    # Small chunks keep the progress bar moving; large enough to amortise the pickling.
    chunk = max(1, min(16, len(tasks) // (workers * 4)))
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=_pool_context(), initializer=_worker_init, initargs=(str(renderer.path),)
    )
    out = []
    try:
        for path in pool.map(_worker_render, tasks, chunksize=chunk):
            out.append(Path(path))
            tick("docx")
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return out


def _pool_context():
    """forkserver (preloaded with the rendering libraries) where there is one, else spawn.

    Not plain fork: the caller may be running threads (the progress bar), and forking a
    threaded process can deadlock.  Like any spawn-based pool, a script calling
    render_batch with jobs > 1 needs the ``if __name__ == "__main__":`` guard.
    """
    import multiprocessing

    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = get_context("forkserver")
        ctx.set_forkserver_preload(["archive.forms", "docxtpl", "docx", "jinja2", "lxml.etree"])
        return ctx
    return get_context("spawn")


_WORKER_TEMPLATE: CompiledTemplate | None = None


def _worker_init(path: str) -> None:
    """Load and compile the template once per worker process."""
    global _WORKER_TEMPLATE
    _WORKER_TEMPLATE = CompiledTemplate(Path(path))


def _worker_render(task: _Task) -> str:
    assert _WORKER_TEMPLATE is not None, "worker used before _worker_init"
    return str(_render_task(_WORKER_TEMPLATE, task))


def _render_errors() -> tuple[type[BaseException], ...]:
    """What a user's template can raise while rendering a row (not our bugs: those propagate)."""
    from jinja2 import TemplateError as JinjaError

    return (JinjaError, ArithmeticError, TypeError, ValueError, LookupError, AttributeError)


def _render_task(renderer: CompiledTemplate, task: _Task) -> Path:
    """Write one form under a temporary name, then move it into place in one step."""
    row, ctx, final = task
    target = Path(final)
    tmp = target.with_name(f".dangan-{uuid.uuid4().hex}.part")
    try:
        renderer.write(ctx, tmp)
        os.replace(tmp, target)
    except _render_errors() as e:
        what = f"row {row}" if row else target.name
        raise TemplateError(
            f"{renderer.path.name}: rendering {what} failed ({e.__class__.__name__}: {e}); "
            f"fix the template (see `dangan forms check {renderer.path}`)"
        ) from e
    except OSError as e:
        raise InputFileError(f"cannot write {target}: {e.strerror or e}; check the output folder") from e
    finally:
        tmp.unlink(missing_ok=True)
    return target


def render_document(template: Path, context: Mapping[str, Any], out: Path) -> Path:
    """Render one document (a register, a single form) from ``context`` to ``out``, atomically."""
    out = Path(out)
    _prepare_out_dir(out.parent)
    return _render_task(CompiledTemplate(Path(template)), (0, dict(context), str(out)))


# --------------------------------------------------------------------------- PDF


SOFFICE_INSTALL_HINT = "apt-get install libreoffice-writer-nogui"
PDF_BATCH = 10  # files per LibreOffice start: starting it costs more than converting a form


def find_soffice() -> str:
    """The LibreOffice program, or MissingDependencyError saying how to install it."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise MissingDependencyError(
            f"LibreOffice is needed to make PDFs but `soffice` is not on PATH; install it with: {SOFFICE_INSTALL_HINT}"
        )
    return found


def convert_to_pdf(
    docx_paths: Iterable[Path], *, jobs: int | None = None, timeout: float = 120, progress: Progress | None = None
) -> list[Path]:
    """Convert .docx files to PDFs beside them with headless LibreOffice.

    ``jobs`` LibreOffice instances run side by side, each with its own profile folder (two
    instances sharing one profile refuse to start).  ``timeout`` is seconds per file; a
    file that takes longer is reported and its LibreOffice killed.  Each PDF appears
    atomically.  Returns the PDFs in the order of ``docx_paths``.
    """
    paths = [Path(p) for p in docx_paths]
    if not paths:
        return []
    soffice = find_soffice()
    groups = _pdf_groups(paths, max(1, jobs or os.cpu_count() or 1))
    tick = progress or (lambda _step: None)
    with ThreadPoolExecutor(max_workers=len(groups)) as pool:
        futures = [pool.submit(_convert_group, soffice, g, timeout, tick) for g in groups]
        for f in futures:
            f.result()
    return [p.with_suffix(".pdf") for p in paths]


def _pdf_groups(paths: list[Path], jobs: int) -> list[list[Path]]:
    """Round-robin the files over at most ``jobs`` workers."""
    n = min(jobs, len(paths))
    return [paths[i::n] for i in range(n)]


def _convert_group(soffice: str, paths: list[Path], timeout: float, tick: Progress) -> None:
    """One worker: one private LibreOffice profile, files converted a few per start."""
    profile = Path(tempfile.mkdtemp(prefix="dangan-lo-profile-"))
    try:
        for i in range(0, len(paths), PDF_BATCH):
            _convert_batch(soffice, profile, paths[i : i + PDF_BATCH], timeout, tick)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def _convert_batch(soffice: str, profile: Path, batch: list[Path], timeout: float, tick: Progress) -> None:
    by_folder: dict[Path, list[Path]] = {}
    for p in batch:
        by_folder.setdefault(p.parent, []).append(p)
    for folder, files in by_folder.items():
        try:
            _convert_in(soffice, profile, folder, files, timeout * len(files))
        except _PdfTimeout:
            if len(files) == 1:
                raise InputFileError(
                    f"LibreOffice took longer than {timeout:g}s to convert {files[0]} and was stopped; "
                    f"open the file in Word to check it, or retry with a longer timeout"
                ) from None
            # Find the slow file: one LibreOffice start per file, each with its own limit.
            for f in files:
                _convert_batch(soffice, profile, [f], timeout, lambda _s: None)
        for _ in files:
            tick("pdf")


class _PdfTimeout(Exception):
    """LibreOffice did not finish in time (translated to InputFileError by the caller)."""


def _convert_in(soffice: str, profile: Path, folder: Path, files: list[Path], timeout: float) -> None:
    """Convert files of one folder into a temporary folder there, then move each PDF into place."""
    tmp = Path(tempfile.mkdtemp(prefix=".dangan-pdf-", dir=folder))
    try:
        cmd = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
            "--convert-to", "pdf", "--outdir", str(tmp),
            *[str(f) for f in files],
        ]  # fmt: skip
        stderr = _run_killable(cmd, timeout)
        for f in files:
            made = tmp / (f.stem + ".pdf")
            if not made.is_file():
                detail = stderr.strip().splitlines()[-1] if stderr.strip() else "no output"
                raise InputFileError(f"LibreOffice could not convert {f} to PDF ({detail}); open it in Word to check it")
            os.replace(made, f.with_suffix(".pdf"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _run_killable(cmd: list[str], timeout: float) -> str:
    """Run LibreOffice in its own process group so a timeout kills it and its helpers."""
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, start_new_session=True
    )
    try:
        _out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        proc.communicate()
        raise _PdfTimeout() from None
    return err.decode("utf-8", "replace")


def _kill_group(proc: subprocess.Popen) -> None:
    killpg = getattr(os, "killpg", None)
    if killpg is None:  # Windows: no process groups by that name
        proc.kill()
        return
    try:
        killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass  # it ended between the timeout and the kill
