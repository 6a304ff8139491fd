"""Batch form filling: the forms manifest, reading and validating data rows, rendering, checks, PDFs.

A form is a Word template plus its entry in ``templates/forms.toml``.  Rows of data (CSV,
XLSX or JSON, read by :mod:`dangan.archive.forms.data`) are validated against the manifest
*before* anything is written; then every row becomes one .docx (and optionally one PDF
through LibreOffice).  The modules, in the order a batch uses them:

* :mod:`~dangan.archive.forms.manifest` – the forms, their fields, output name patterns
* :mod:`~dangan.archive.forms.data` – rows from CSV (UTF-8/GBK/UTF-16), XLSX and JSON files
* :mod:`~dangan.archive.forms.rows` – columns matched to fields, rows validated and typed
* :mod:`~dangan.archive.forms.values` – parsing and printing dates, numbers, money, choices
* :mod:`~dangan.archive.forms.images` – image fields: picture names checked, files looked up
* :mod:`~dangan.archive.forms.filters` – the allow-listed custom filters (cn_money, cn_date)
* :mod:`~dangan.archive.forms.sandbox` – the one sandboxed Jinja environment and its refusals
* :mod:`~dangan.archive.forms.engine` – a .docx template compiled once, rendered many times
  (:mod:`~dangan.archive.forms.package` writes the zip and core properties,
  :mod:`~dangan.archive.forms.pictures` places image fields)
* :mod:`~dangan.archive.forms.fallback` – docxtpl itself for what the engine does not compile
* :mod:`~dangan.archive.forms.checks` – an edited template's tags checked against its form
* :mod:`~dangan.archive.forms.batch` – a batch rendered atomically, in a process pool when large;
  ``render_document`` / ``render_many`` for documents outside a form batch
* :mod:`~dangan.archive.forms.pdf` – PDFs through headless LibreOffice

This package re-exports the public names callers use, so ``from dangan.archive import forms as F;
F.render_batch(...)`` keeps working.  Tunables such as ``ROWS_PER_WORKER`` are *not*
re-exported: patch them on the module that reads them (:mod:`dangan.archive.forms.batch`).
"""

from __future__ import annotations

from dangan.archive.forms.batch import (
    MAX_NAME_BYTES,
    BatchResult,
    Rendered,
    output_names,
    render_batch,
    render_checked,
    render_document,
    render_many,
    safe_filename,
)
from dangan.archive.forms.checks import Finding, check_template, inspect_template
from dangan.archive.forms.data import SUPPORTED, read_rows
from dangan.archive.forms.engine import CompiledTemplate
from dangan.archive.forms.images import ImageField
from dangan.archive.forms.manifest import (
    BOXES_SUFFIX,
    CONTEXT_NAMES,
    FIELD_TYPES,
    LIST_CONVENTION,
    LIST_ROW_NUMBER,
    MANIFEST_NAME,
    PATTERN_NAMES,
    FieldSpec,
    FormSpec,
    example_header,
    find_form,
    form_to_json,
    list_convention,
    load_manifest,
    pattern_problem,
    shipped_templates_dir,
)
from dangan.archive.forms.pdf import PDF_BATCH, SOFFICE_INSTALL_HINT, Progress, convert_to_pdf, find_soffice
from dangan.archive.forms.rows import CheckedRows, RowProblem, check_rows, validate_rows
from dangan.archive.forms.values import (
    choice_boxes,
    display,
    form_context,
    parse_choice,
    parse_date,
    parse_money,
    parse_number,
)

__all__ = [
    "BOXES_SUFFIX", "CONTEXT_NAMES", "FIELD_TYPES", "LIST_CONVENTION", "LIST_ROW_NUMBER", "MANIFEST_NAME",
    "MAX_NAME_BYTES", "PATTERN_NAMES", "PDF_BATCH", "SOFFICE_INSTALL_HINT", "SUPPORTED",
    "BatchResult", "CheckedRows", "CompiledTemplate", "FieldSpec", "Finding", "FormSpec", "ImageField", "Progress",
    "Rendered", "RowProblem",
    "check_rows", "check_template", "choice_boxes", "convert_to_pdf", "display", "example_header",
    "find_form", "find_soffice", "form_context", "form_to_json", "inspect_template", "list_convention",
    "load_manifest", "output_names", "parse_choice", "parse_date", "parse_money", "parse_number",
    "pattern_problem", "read_rows", "render_batch", "render_checked", "render_document", "render_many", "safe_filename",
    "shipped_templates_dir", "validate_rows",
]  # fmt: skip
