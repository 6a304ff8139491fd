"""The forms manifest: which forms exist, their fields, and how their files are named.

A form is a Word template (``templates/*.docx``) plus its entry in ``templates/forms.toml``,
which names each field, its Chinese label, type and whether it is required.  The home's
``forms.toml`` overrides the shipped one form by form.  Every problem in a manifest is a
TemplateError naming the file, the form and the field.
"""

from __future__ import annotations

import difflib
import re
import string
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

from dangan.archive.forms.filters import ALLOWED
from dangan.archive.home import shipped_dir
from dangan.indexer.errors import TemplateError, UnknownFormError

MANIFEST_NAME = "forms.toml"
FIELD_TYPES = ("text", "date", "number", "money", "choice", "image", "list")
_NESTED_TYPES = ("text", "date", "number", "money", "choice")  # what a list row's sub-field may be
# Names every template may use besides the form's own fields.
CONTEXT_NAMES = ("company", "today")
# Placeholders a name pattern may use besides the form's plain fields.
PATTERN_NAMES = ("row", "seq", "form", "title")
LIST_ROW_NUMBER = "no"  # {{ it.no }}: the 1-based number of a list row
BOXES_SUFFIX = "_boxes"  # {{ x_boxes }}: a choice printed as ☑/☐ boxes

_FORM_KEYS = {"id", "title", "aliases", "file", "checklist_item", "name_pattern", "fields", "filters"}
_FIELD_KEYS = {"name", "label", "type", "required", "choices", "wide", "subfields", "width_mm", "height_mm"}


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
    width_mm: float | None = None  # an image field's printed size (either may be left out)
    height_mm: float | None = None


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
    filters: tuple[str, ...] = ()  # custom Jinja filters from dangan.archive.forms.filters.ALLOWED

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
    raise UnknownFormError(
        'no form "{key}"; {maybe}known forms: {known}',
        key=key,
        maybe=_did_you_mean(forms, wanted),
        known=known,
        fix="see `dangan forms list`",
    )


def _did_you_mean(forms: Mapping[str, FormSpec], wanted: str) -> str:
    """ "did you mean 维护派工单? " for a near miss (a wrong character, a dropped word), else ""."""
    titles = {n.casefold(): f.title for f in forms.values() for n in (f.id, f.title, *f.aliases)}
    close = difflib.get_close_matches(wanted.casefold(), list(titles), n=1, cutoff=0.6)
    if not close:
        close = [n for n in titles if len(wanted) >= 2 and (wanted.casefold() in n or n in wanted.casefold())][:1]
    return f"did you mean {titles[close[0]]}? " if close else ""


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
        filters=_filters(where, entry.get("filters", [])),
    )
    problem = pattern_problem(form, form.name_pattern)
    if problem:
        raise TemplateError(f"{where}: name_pattern {form.name_pattern!r}: {problem}")
    return form


def _filters(where: str, names: Any) -> tuple[str, ...]:
    """A form's custom Jinja filters: names from the fixed allow-list, never code to import."""
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise TemplateError(f'{where}: filters must be a list of names, e.g. filters = ["cn_money"]')
    for name in names:
        if name not in ALLOWED:
            raise TemplateError(f"{where}: unknown filter {name!r}; the filters a form may use: {', '.join(ALLOWED)}")
    return tuple(names)


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
    if ftype not in FIELD_TYPES or (nested and ftype not in _NESTED_TYPES):
        allowed = _NESTED_TYPES if nested else FIELD_TYPES
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
        width_mm=_size(where, raw, "width_mm", ftype),
        height_mm=_size(where, raw, "height_mm", ftype),
    )


def _size(where: str, raw: dict, key: str, ftype: str) -> float | None:
    """An image field's width_mm/height_mm: a number of millimetres between 1 and 1000."""
    value = raw.get(key)
    if value is None:
        return None
    if ftype != "image":
        raise TemplateError(f"{where}: {key} is only for image fields")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 1 <= value <= 1000:
        raise TemplateError(f"{where}: {key} must be a number of millimetres from 1 to 1000, not {value!r}")
    return float(value)


def _no_unknown_keys(where: str, raw: dict, allowed: set[str]) -> None:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise TemplateError(f"{where}: unknown key {unknown[0]!r}; allowed keys: {', '.join(sorted(allowed))}")


def _no_duplicate_names(where: str, fields: Sequence[FieldSpec]) -> None:
    seen: dict[str, str] = {}
    for f in fields:
        for key in (norm_header(f.name), norm_header(f.label)):
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
        """One field as plain data; sub-fields nest the same way."""
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


def norm_header(header: str) -> str:
    """A column header reduced for matching: width-folded, lower-case, no spaces or separators."""
    folded = unicodedata.normalize("NFKC", str(header)).casefold()
    return re.sub(r"[\s_\-.·:*]+", "", folded)
