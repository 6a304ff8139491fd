"""Filing rendered forms into a project: the one path ``forms render --file-into CODE`` and
the web app's form batches both take (:func:`render_and_file`).

Checked before anything is written: the project exists, the form satisfies a checklist item
of it (the item whose ``form =`` line names the form, so a 维护派工单 lands in the service
centre's S01), and no row's own project field (工程编号) names another project — a 开工报告 for
SH-2025-031 must not land in BJ-2024-017's archive because of a slip.  The filing itself (the
PDF when one was made, else the .docx, with the row's date, customer and service date) is
``dangan.archive.deadlines.formfiling.file_forms``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dangan.archive.catalog import Catalog
from dangan.archive.checklist import Item
from dangan.archive.dblock import writing
from dangan.archive.deadlines.formfiling import file_forms, require_item
from dangan.archive.forms.batch import BatchResult, render_checked
from dangan.archive.forms.manifest import FormSpec
from dangan.archive.forms.rows import CheckedRows
from dangan.archive.projects import Project, get_project
from dangan.indexer.errors import DataError


@dataclass(frozen=True)
class FiledBatch:
    """A rendered batch filed into a project: the batch, the item, rendered .docx -> outcome."""

    batch: BatchResult
    item: Item
    filed: dict[Path, str]


def render_and_file(
    cat: Catalog, form: FormSpec, checked: CheckedRows, out: Path, code: str, *,
    manifest: Iterable[FormSpec] = (), holder: str = "forms render --file-into", **render: Any,
) -> FiledBatch:  # fmt: skip
    """Render ``checked`` into ``out`` (``render``: the options of ``render_checked``) and file
    every form into project ``code``.

    Refused before anything is written when the form fits no checklist item of the project
    (UsageError naming the forms that do) or a row's 工程编号 names another project (DataError,
    one line per row).  The writer lock is taken before rendering, so a busy archive is known
    before minutes of rendering rather than after.
    """
    item = require_item(cat, code, form, manifest)
    check_file_into(cat, form, checked, code)
    with writing(cat, holder):
        batch = render_checked(form, checked, out, **render)
        filed = file_rendered(cat, code, form, batch, checked.typed)
    return FiledBatch(batch, item, filed)


def file_rendered(cat: Catalog, code: str, form: FormSpec, batch: BatchResult, typed: list[dict]) -> dict[Path, str]:
    """File each rendered form (the PDF when made: the archival copy) with its row's values;
    rendered .docx -> outcome text ("#12 filed (PDF)", "already filed as #12 (.docx)")."""
    by_row = {v["_row"]: v for v in typed}
    outcomes = file_forms(cat, code, form, [(r.pdf or r.docx, by_row.get(r.row, {})) for r in batch.rendered])
    return {r.docx: f"{outcomes[r.pdf or r.docx]} ({'PDF' if r.pdf else '.docx'})" for r in batch.rendered
            if (r.pdf or r.docx) in outcomes}  # fmt: skip


PROJECT_FIELD_NAMES = ("project_code", "project_no")
PROJECT_FIELD_LABELS = ("工程编号", "项目编号", "工程代码", "项目代码")


def check_file_into(cat: Catalog, form: FormSpec, checked: CheckedRows, code: str) -> Project:
    """The project to file into, after refusing rows whose 工程编号 names another project."""
    project = get_project(cat, code)
    field = project_field(form)
    if field is None:
        return project
    other = [(row["_row"], str(row[field.name]).strip()) for row in checked.typed
             if str(row.get(field.name) or "").strip() not in ("", project.code)]  # fmt: skip
    if other:
        lines = [f"row {n}, {field.label}: {value!r} is not {project.code}" for n, value in other]
        rows = ", ".join(str(n) for n, _ in other)
        raise DataError(
            f"--file-into {project.code}: row(s) {rows} name another project in {field.label}; "
            f"render them with --file-into that project (or correct the {field.label})",
            lines,
        )
    return project


def project_field(form: FormSpec):
    """The form's field that holds a project code (工程编号), if it has one."""
    return next((f for f in form.fields if f.name in PROJECT_FIELD_NAMES or f.label in PROJECT_FIELD_LABELS), None)
