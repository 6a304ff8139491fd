"""The `forms` command group: list the forms, show their fields, check a template, render a batch.

Thin on purpose: the manifest, validation, rendering and PDF conversion live in
:mod:`dangan.archive.forms`, reading data files in :mod:`dangan.archive.forms.data`.  An archive home is used
when there is one (its edited templates and its company name); without one the shipped
templates are used, so forms work on a machine that files nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from dangan.archive.deadlines.formfiling import require_item
from dangan.archive.forms import (
    FormSpec,
    check_rows,
    example_header,
    find_form,
    form_to_json,
    inspect_template,
    list_convention,
    load_manifest,
    read_rows,
    render_checked,
)
from dangan.archive.forms.fileinto import render_and_file
from dangan.archive.home import Home
from dangan.commands.common import console, emit_json, home_option, json_option, progress_bar, state
from dangan.indexer.errors import DataError, ExitCode, NoHomeError, TemplateError


def _home() -> Home | None:
    """The archive home when there is one; forms also work without (shipped templates)."""
    try:
        return state().home_obj()
    except NoHomeError:
        return None


def _manifest() -> tuple[dict[str, FormSpec], Home | None]:
    home = _home()
    return load_manifest(home.templates_dir if home else None), home


@click.group("forms")
def forms() -> None:
    """Batch-fill standard forms (派工单, 投诉记录, 开工报告 …) from a spreadsheet.

    \b
    Example:
      dangan forms list
      dangan forms fields 维护派工单
      dangan forms render 维护派工单 --data 派工单.csv --out 派工单/ --pdf
    """


@forms.command("list")
@json_option
@home_option
def list_forms(as_json: bool) -> None:
    """List the forms dangan can fill, with the checklist item each one satisfies.

    \b
    Example:
      dangan forms list
      dangan forms list --json
    """
    manifest, home = _manifest()
    if as_json:
        emit_json([{**form_to_json(f), "template": str(f.template_path())} for f in manifest.values()])
        return
    table = Table(title="Forms", show_lines=False)
    for col in ("id", "title", "checklist item", "fields", "template"):
        table.add_column(col)
    for f in manifest.values():
        source = "home" if home and f.template_path().parent == home.templates_dir else "shipped"
        table.add_row(f.id, f.title, f.checklist_item or "-", str(len(f.fields)), f"{f.file} ({source})")
    console().print(table)


@forms.command("fields")
@click.argument("form_key", metavar="FORM")
@json_option
@home_option
def fields(form_key: str, as_json: bool) -> None:
    """Show a form's fields: column label, tag name, type, required, choices.

    FORM is the form's id, its Chinese title or an alias.  The example header line is what
    the first row of a CSV or Excel sheet for this form can look like.

    \b
    Example:
      dangan forms fields 维护派工单
      dangan forms fields dispatch_ticket --json
    """
    manifest, _ = _manifest()
    form = find_form(manifest, form_key)
    header = ",".join(example_header(form))
    convention = list_convention(form)
    if as_json:
        emit_json({**form_to_json(form), "example_header": header, "list_convention": convention})
        return
    table = Table(title=f"{form.title} ({form.id})")
    for col in ("column (label)", "name", "type", "required", "choices / sub-fields"):
        table.add_column(col)
    for f in form.fields:
        table.add_row(f.label, f.name, f.type, "yes" if f.required else "", _field_note(f))
        for s in f.subfields:
            table.add_row(
                f"  {f.label}N{s.label}",
                f"  {f.name}.N.{s.name}",
                s.type,
                "yes" if s.required else "",
                " / ".join(s.choices),
            )
    out = console()
    out.print(table)
    out.print("Example CSV header:", style="bold")
    click.echo(header)
    out.print(
        "Row numbers in messages are spreadsheet rows: the header is row 1, the first data row is row 2. "
        "Dates YYYY-MM-DD; money and numbers as digits."
    )
    if convention:
        out.print(escape(convention))


def _field_note(f) -> str:
    if f.choices:
        return " / ".join(f.choices)
    if f.subfields:
        return ", ".join(s.label for s in f.subfields)
    return ""


@forms.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--form", "form_key", metavar="FORM", help="Check the tags against this form (default: by file name).")
@json_option
@home_option
def check(file: Path, form_key: str | None, as_json: bool) -> None:
    """Check an edited Word template: tag syntax, unknown tags, fields never printed.

    Exits 6 when a tag is broken or unknown (the template would print blanks); fields the
    template leaves out are only reported.

    \b
    Example:
      dangan forms check dangan-home/templates/维护派工单.docx
      dangan forms check 我的派工单.docx --form dispatch_ticket
    """
    manifest, _ = _manifest()
    form = find_form(manifest, form_key) if form_key else _form_by_file(manifest, file)
    findings = inspect_template(file, form)
    errors = [f for f in findings if f.kind != "unused"]
    if as_json:
        emit_json({"file": str(file), "form": form.id if form else None,
                   "problems": [{"kind": f.kind, "text": f.text} for f in findings]})  # fmt: skip
    else:
        for f in findings:
            click.echo(("error: " if f.kind != "unused" else "note: ") + f.text, err=f.kind != "unused")
        if form is None:
            click.echo(
                "Checked tag syntax only: no form matches this file name (give --form FORM to check the tags too)."
            )
    if errors:
        raise TemplateError(f"{file}: {len(errors)} problem{'s' if len(errors) != 1 else ''} in the template's tags")
    if not as_json:
        click.echo(f"{file}: OK" + (f" ({len(findings)} note{'s' if len(findings) != 1 else ''})" if findings else ""))


def _form_by_file(manifest: dict[str, FormSpec], file: Path) -> FormSpec | None:
    return next((f for f in manifest.values() if file.name == f.file or file.stem in (f.id, f.title)), None)


@forms.command("render")
@click.argument("form_key", metavar="FORM")
@click.option("--data", "data", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Rows of data: .csv (UTF-8 or GBK), .xlsx or .json.")  # fmt: skip
@click.option(
    "--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Folder for the forms."
)
@click.option("--sheet", help="Worksheet of an .xlsx file (default: the first).")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    help="At most N worker processes (default: one per CPU; fewer for small batches or busy cores).",
)
@click.option("--pdf", is_flag=True, help="Also make a PDF of each form (needs LibreOffice).")
@click.option(
    "--name",
    "name_pattern",
    metavar="PATTERN",
    help='Output file names, e.g. "{ticket_no}_{customer}" (default from forms.toml).',
)
@click.option("--skip-invalid", is_flag=True, help="Render the valid rows and report the others, instead of stopping.")
@click.option("--file-into", "file_into", metavar="CODE", help="File every rendered form into this project's archive.")
@json_option
@home_option
def render(
    form_key: str, data: Path, out: Path, sheet: str | None, jobs: int | None, pdf: bool,
    name_pattern: str | None, skip_invalid: bool, file_into: str | None, as_json: bool,
) -> None:  # fmt: skip
    """Fill one form per data row, as .docx (and PDF with --pdf).

    Columns are matched by the Chinese label or the field name (see `dangan forms fields
    FORM`).  Every row is checked first; any problem stops the batch before a file is
    written, listing each problem with its spreadsheet row (the header is row 1).

    \b
    Example:
      dangan forms render 维护派工单 --data samples/forms/维护派工单.csv --out 派工单/
      dangan forms render 开工报告 --data 开工.xlsx --out out/ --pdf --file-into BJ-2024-017
    """
    manifest, home = _manifest()
    form = find_form(manifest, form_key)
    if file_into:  # before reading the data: a form the project cannot take is a usage error
        require_item(state().catalog(), file_into, form, manifest.values())
    rows = read_rows(data, sheet=sheet)
    # Validated once: the count of valid rows sizes the progress bar, and the same result
    # is rendered (render_checked raises the DataError for bad rows, as render_batch would).
    checked = check_rows(form, rows)
    company = str(home.setting("dangan", "company", "")) if home else ""
    try:
        with progress_bar(len(checked.typed) * (2 if pdf else 1), f"{form.title}", enabled=not as_json) as bar:
            options: dict[str, Any] = dict(jobs=jobs, pdf=pdf, name_pattern=name_pattern, skip_invalid=skip_invalid, company=company,
                           progress=lambda step: bar.advance(description=f"{form.title} {step}"), images_dir=data.parent)  # fmt: skip
            if file_into:  # the one render-and-file path the web app's form batches take too
                done = render_and_file(
                    state().catalog(), form, checked, out, file_into, manifest=manifest.values(), **options
                )
                batch, item, filed = done.batch, done.item.code, done.filed
            else:
                batch, item, filed = render_checked(form, checked, out, **options), None, {}
    except DataError as e:
        for line in e.problems:
            click.echo(line, err=True)
        raise
    skipped = [p.text for p in batch.skipped]
    for line in skipped:
        click.echo(f"skipped: {line}", err=True)
    _report(form, out, batch.rendered, skipped, filed, file_into, item, as_json)
    if skipped:  # the rendered rows are there, but a script must notice the skipped ones
        raise click.exceptions.Exit(int(ExitCode.input_error))


def _report(form, out, results, skipped, filed, code, item, as_json) -> None:
    pdfs = sum(1 for r in results if r.pdf)
    if as_json:
        emit_json({
            "form": form.id, "title": form.title, "out": str(out),
            "rendered": [{"row": r.row, "docx": str(r.docx), "pdf": str(r.pdf) if r.pdf else None,
                          "filed": filed.get(r.docx)} for r in results],
            "skipped": skipped, "filed_into": code,
        })  # fmt: skip
        return
    made = f"{len(results)} .docx" + (f" and {pdfs} PDF" if pdfs else "")
    click.echo(f"Rendered {len(results)} {form.title} into {out}: {made}.")
    if skipped:
        rows = sorted(
            {p.split(",")[0] for p in skipped}, key=lambda r: int(r.split()[-1]) if r.split()[-1].isdigit() else 0
        )
        click.echo(f"Skipped {len(rows)} invalid row(s) ({', '.join(rows)}); see the lines above.")
    if code:
        kind = "PDF" if pdfs else ".docx"
        click.echo(f"Filed into {code} under checklist item {item}: {len(filed)} document(s) ({kind}).")
