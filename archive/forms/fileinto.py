"""Filing rendered forms into a project (``forms render --file-into CODE``).

Checked before anything is written: the project exists, the form satisfies a checklist item,
and no row's own project field (工程编号) names another project — a 开工报告 for SH-2025-031
must not land in BJ-2024-017's archive because of a slip on the command line.  The filing
itself (the PDF when one was made, else the .docx, with the row's date and customer) is
``dangan.archive.deadlines.formfiling.file_forms``.
"""

from __future__ import annotations

from dangan.archive.catalog import Catalog
from dangan.archive.forms.manifest import FormSpec
from dangan.archive.forms.rows import CheckedRows
from dangan.archive.projects import Project, get_project
from dangan.indexer.errors import DataError

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
