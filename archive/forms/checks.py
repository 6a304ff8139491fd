"""Checking an edited template: tag syntax, tags the manifest does not know, fields never printed.

Used by ``dangan forms check`` and, before anything is written, by every batch: an unknown
tag would print as a blank on every form.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from dangan.archive.forms.engine import (
    Source,
    jinja_syntax_error,
    open_docx,
    plain_jinja_env,
    syntax_message,
    template_sources,
    zip_entries,
)
from dangan.archive.forms.filters import allowed_filters
from dangan.archive.forms.manifest import (
    BOXES_SUFFIX,
    CONTEXT_NAMES,
    LIST_ROW_NUMBER,
    MANIFEST_NAME,
    FieldSpec,
    FormSpec,
)
from dangan.archive.forms.sandbox import RefusedTemplate, refused, sandboxed_env


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
    helper, doc = open_docx(path)
    return check_sources(path, form, template_sources(path, helper, doc, zip_entries(path)))


def _check_names(path: Path, form: FormSpec, parsed: list) -> list[Finding]:
    """Unknown tags (with where they are) and fields never printed."""
    from jinja2 import meta

    known = {f.name for f in form.fields} | set(CONTEXT_NAMES)
    known |= {f.name + BOXES_SUFFIX for f in form.fields if f.type == "choice"}
    used: set[str] = set()
    findings = []
    for source, ast in parsed:
        try:
            names = meta.find_undeclared_variables(ast)
        except jinja_syntax_error() as e:  # a filter the form does not name
            findings.append(Finding("syntax", f"{path.name}: {syntax_message(source, e)}"))
            continue
        used |= names
        for name in sorted(names - known):
            findings.append(Finding("unknown", _unknown_tag(path, form, source, name, sorted(known))))
        for lst, attr in _list_attributes(form, ast):
            used.add(f"{lst.name}.{attr}")
            if attr != LIST_ROW_NUMBER and not _has_sub(lst, attr):
                subs = ", ".join(s.name for s in lst.subfields)
                findings.append(
                    Finding(
                        "unknown",
                        f"{path.name}: tag .{attr} in the {lst.label} rows ({_place_of(source, attr)}) "
                        f"is no sub-field of {lst.label}; use one of: {LIST_ROW_NUMBER}, {subs}",
                    )
                )
    if any(f.kind == "syntax" for f in findings):
        return findings  # a part that could not be read would make every field look unused
    findings += [Finding("unused", t) for t in _unused(path, form, used)]
    return findings


def _has_sub(lst: FieldSpec, attr: str) -> bool:
    return any(s.name == attr for s in lst.subfields)


def _unknown_tag(path: Path, form: FormSpec, source: Source, name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return (
        f"{path.name}: tag {{{{ {name} }}}} in {_place_of(source, name)} is no field of {form.title}{hint}; "
        f"fix the tag in Word or add the field to {MANIFEST_NAME}"
    )


def _place_of(source: Source, name: str) -> str:
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


def check_sources(path: Path, form: FormSpec | None, sources: list[Source]) -> list[Finding]:
    """Syntax errors of every part and, given the form, unknown and unused names."""
    env = sandboxed_env(filters=allowed_filters(form.filters)) if form else plain_jinja_env()
    findings: list[Finding] = []
    parsed = []
    for s in sources:
        try:
            parsed.append((s, env.parse(s.src)))
        except RefusedTemplate as e:
            findings.append(Finding("syntax", refused(path.name, e).message))
        except jinja_syntax_error() as e:
            findings.append(Finding("syntax", f"{path.name}: {syntax_message(s, e)}"))
    if form is not None and not findings:
        findings += _check_names(path, form, parsed)
    return findings
